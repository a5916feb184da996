"""The explorer: one self-contained HTML file to browse predictions, their documents and the evidence.

No server and no network: the page (``pipeline/data/explorer.html``: vanilla JS, inline CSS, charts drawn as
inline SVG) embeds its data as JSON. Data are columnar (one array per sentence field, probabilities as integers
per mille) so 200,000 sentences stay a few megabytes beside the documents' text; the page renders one page of
rows at a time and one document at a time, so it stays responsive at that size.

Two sources: a ``stance-predict`` output (documents' text re-read from the input folder when given and
consistent with the offsets, else rebuilt from the sentences' text and offsets), and a training run folder
(weak labels with each labelling function's vote, plus a page of the gold sentences the model got wrong).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.aggregate import read_predictions
from pipeline.errors import InputError
from pipeline.labels import LABEL2ID, LABELS
from pipeline.metadata import MetadataSource
from pipeline.runs import write_text_atomic

log = logging.getLogger(__name__)
TEMPLATE = Path(__file__).resolve().parent / "data" / "explorer.html"
TEXT_SUFFIXES = (".txt", ".md")
VOTE_CODES = {"against": "a", "favor": "f", "none": "n"}
FIELD_ORDER = ("country", "country_name", "year", "decade", "session")


def rebuild_text(sentences: pd.DataFrame) -> str:
    """A document's text from its sentences' text and offsets; gaps between sentences become spaces."""
    size = int(sentences["end"].max()) if len(sentences) else 0
    chars = [" "] * size
    for start, end, text in zip(sentences["start"], sentences["end"], sentences["text"], strict=True):
        chars[int(start) : int(end)] = list(str(text)[: int(end) - int(start)].ljust(int(end) - int(start)))
    return "".join(chars)


def _read_source(doc: str, texts: Path) -> str | None:
    for suffix in ("", *TEXT_SUFFIXES):
        path = texts / f"{doc}{suffix}"
        if path.is_file():
            return path.read_text(encoding="utf-8", errors="replace")
    return None


def document_text(doc: str, sentences: pd.DataFrame, texts: Path | None) -> str:
    """The source file's text if it agrees with the sentences' offsets, else the text rebuilt from them."""
    if texts is not None:
        source = _read_source(doc, texts)
        head = sentences.head(5)
        if source is not None and all(
            source[int(s) : int(e)] == t for s, e, t in zip(head["start"], head["end"], head["text"], strict=True)
        ):
            return source
    return rebuild_text(sentences)


def _fields(meta: pd.DataFrame) -> list[str]:
    others = sorted(c for c in meta.columns if c != "doc" and c not in FIELD_ORDER)
    return [c for c in FIELD_ORDER if c in meta.columns] + others


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def build_payload(
    sentences: pd.DataFrame,
    source: MetadataSource,
    *,
    texts: Path | None = None,
    title: str = "",
    origin: str = "",
) -> dict[str, Any]:
    """The page's data from sentences with ``doc, start, end, text, label`` and ``p_*`` (``votes`` optional)."""
    sentences = sentences.reset_index(drop=True)
    order = {doc: i for i, doc in enumerate(dict.fromkeys(sentences["doc"]))}
    sentences = sentences.assign(_d=sentences["doc"].map(order)).sort_values(["_d", "start"], kind="stable")
    docs = list(order)
    meta = source.frame(docs) if not source.empty else pd.DataFrame({"doc": docs})
    fields = _fields(meta)
    groups = dict(tuple(sentences.groupby("_d", sort=False)))
    data: dict[str, Any] = {
        "title": title,
        "source": origin,
        "labels": list(LABELS),
        "fields": fields,
        "docs": {
            "id": docs,
            "text": [document_text(doc, groups[i], texts) for i, doc in enumerate(docs)],
            "meta": {f: [_json_value(v) for v in meta[f]] for f in fields},
        },
        "sent": {
            "d": sentences["_d"].astype(int).tolist(),
            "s": sentences["start"].astype(int).tolist(),
            "e": sentences["end"].astype(int).tolist(),
            "l": [LABEL2ID.get(label, -1) if isinstance(label, str) else -1 for label in sentences["label"]],
        },
    }
    for key, label in zip(("pa", "pf", "pn"), LABELS, strict=True):
        data["sent"][key] = (sentences[f"p_{label}"].astype(float).fillna(0) * 1000).round().astype(int).tolist()
    if "votes" in sentences.columns:
        data["lfs"] = sorted({name for votes in sentences["votes"] for name in votes})
        data["sent"]["v"] = [
            "".join(VOTE_CODES.get(votes.get(name) or "", ".") for name in data["lfs"]) for votes in sentences["votes"]
        ]
    return data


def write_explorer(data: dict[str, Any], out: str | Path) -> Path:
    """Write the HTML page with ``data`` embedded; ``<`` is escaped so no text can close the script tag."""
    template = TEMPLATE.read_text(encoding="utf-8")
    title = str(data.get("title") or "Stance explorer")
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    page = template.replace("__TITLE__", escaped).replace("__DATA__", payload, 1)
    write_text_atomic(Path(out), page)
    return Path(out)


def explorer_from_predictions(
    predictions: str | Path,
    out: str | Path,
    source: MetadataSource,
    *,
    texts: str | Path | None = None,
) -> Path:
    """An explorer of a ``stance-predict`` output (JSONL or CSV)."""
    records = read_predictions(predictions, keep_text=True)
    if records.empty:
        raise InputError("no prediction records to explore", file=predictions)
    title = f"Stance explorer: {Path(predictions).name}"
    data = build_payload(records, source, texts=Path(texts) if texts else None, title=title, origin=str(predictions))
    return write_explorer(data, out)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        raise InputError("run folder file missing", file=path, fix="give a finished stance-train run folder")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _gold_texts(run: Path) -> dict[str, dict[str, Any]]:
    """Gold items by id, read from the gold file named in metrics.json (when it can still be found)."""
    try:
        gold_path = Path(json.loads((run / "metrics.json").read_text(encoding="utf-8"))["gold"]["path"])
    except (OSError, KeyError, TypeError, json.JSONDecodeError):
        return {}
    for candidate in (gold_path, run.parent.parent.parent / gold_path, run.parent.parent / gold_path):
        if candidate.is_file():
            return {str(item["id"]): item for item in _read_jsonl(candidate) if "id" in item}
    return {}


def gold_errors(run: Path, systems: Sequence[str] = ("model",)) -> list[dict[str, Any]]:
    """Gold sentences the model got wrong, with the weak labeller's vote and the sentence's text."""
    path = run / "gold_predictions.jsonl"
    if not path.is_file():
        return []
    texts = _gold_texts(run)
    rows = []
    for row in _read_jsonl(path):
        if any(row.get(s) != row.get("gold") for s in systems):
            item = texts.get(str(row.get("id")), {})
            rows.append(
                {
                    "id": row.get("id"),
                    "part": row.get("part"),
                    "gold": row.get("gold"),
                    "model": row.get("model"),
                    "weak": row.get("weak_labeller"),
                    "doc": item.get("doc"),
                    "text": item.get("text"),
                }
            )
    return rows


def explorer_from_run(run: str | Path, out: str | Path, source: MetadataSource) -> Path:
    """An explorer of a training run: corpus sentences with weak labels, each function's vote, gold errors."""
    run = Path(run)
    sentences = pd.DataFrame(_read_jsonl(run / "sentences.jsonl"))
    weak = pd.DataFrame(_read_jsonl(run / "weak_labels.jsonl"))
    probs = pd.DataFrame([p or {} for p in weak["probs"]]).reindex(columns=list(LABELS)).fillna(0.0)
    weak = weak.assign(**{f"p_{label}": probs[label] for label in LABELS}).drop(columns=["probs"])
    keys = ["doc", "start", "end"]
    merged = sentences.merge(weak, on=keys, how="left", validate="one_to_one")
    merged["votes"] = [v if isinstance(v, dict) else {} for v in merged["votes"]]
    data = build_payload(merged, source, title=f"Weak labels of run {run.name}", origin=str(run))
    data["gold"] = gold_errors(run)
    return write_explorer(data, out)


def is_run_folder(path: str | Path) -> bool:
    """A stance-train run folder (it has the corpus sentences and their weak labels)."""
    path = Path(path)
    return path.is_dir() and (path / "sentences.jsonl").is_file() and (path / "weak_labels.jsonl").is_file()
