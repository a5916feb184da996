"""Stance by metadata field (country, year, decade, country x decade): counts, shares and document-level CIs.

Everything here is a pure function of a DataFrame with one row per predicted sentence (``doc``, ``label``,
``p_against``, ``p_favor``, ``p_none``) joined with per-document metadata columns. Two kinds of estimate:

* hard counts (``n_*``): each sentence counted under its predicted label;
* expected counts (``e_*``): the sum of the model's probabilities, which does not throw away a sentence at
  p=0.49 and is unbiased when the probabilities are calibrated (see the README's note on when each fits).

``share_against`` is ``n_against / (n_against + n_favor)``: of the sentences that take a stance, the share
against. Its confidence interval resamples *documents* within each group (the sentences of one speech are not
independent), recomputing the ratio of summed counts in each resample; percentile interval.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import ConfigError, InputError
from pipeline.labels import LABELS
from pipeline.metadata import MetadataSource

PROB_COLUMNS = tuple(f"p_{label}" for label in LABELS)
NEEDED = ("doc", "label", *PROB_COLUMNS)


def read_predictions(path: str | Path, *, keep_text: bool = False) -> pd.DataFrame:
    """Prediction records (``stance-predict`` JSONL or CSV) as a DataFrame; ``text`` only if ``keep_text``."""
    path = Path(path)
    if not path.is_file():
        raise InputError("prediction output not found", file=path, fix="give the output of stance-predict")
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype={"doc": str}, keep_default_na=False, na_values=[])
    else:
        rows = []
        with path.open(encoding="utf-8") as stream:
            for number, line in enumerate(stream, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    raise InputError(f"not JSON: {error.msg}", file=path, line=number) from None
                if not keep_text:
                    row.pop("text", None)
                rows.append(row)
        frame = pd.DataFrame(rows)
    missing = [c for c in NEEDED if c not in frame.columns]
    if missing and len(frame):
        raise InputError(f"records lack {', '.join(missing)}", file=path, fix="give the output of stance-predict")
    if not keep_text and "text" in frame.columns:
        frame = frame.drop(columns="text")
    frame["doc"] = frame["doc"].astype(str) if len(frame) else frame.get("doc", pd.Series(dtype=str))
    return frame


def with_metadata(records: pd.DataFrame, source: MetadataSource) -> pd.DataFrame:
    """``records`` joined with each document's metadata on ``doc``; columns already in the records are kept."""
    if source.empty or records.empty:
        return records
    meta = source.frame(records["doc"].unique())
    meta = meta[["doc", *(c for c in meta.columns if c != "doc" and c not in records.columns)]]
    return records.merge(meta, on="doc", how="left")


def parse_by(spec: str) -> list[str]:
    """``"country+decade"`` (or ``"country,decade"``, ``"country x decade"``) -> ``["country", "decade"]``."""
    fields = [f.strip() for f in spec.replace(",", "+").replace(" x ", "+").split("+") if f.strip()]
    if not fields:
        raise ConfigError(f"'{spec}' names no field", key="by", fix="e.g. by=[country,decade,country+decade]")
    return fields


def document_counts(records: pd.DataFrame, by: Sequence[str]) -> pd.DataFrame:
    """One row per document: its ``by`` fields, sentence count, hard counts ``n_*`` and expected counts ``e_*``."""
    missing = [f for f in by if f not in records.columns]
    if missing:
        raise InputError(f"no document has the metadata field(s) {', '.join(missing)}", fix="check metadata.*")
    frame = records.dropna(subset=list(by))
    hard = pd.get_dummies(frame["label"]).reindex(columns=list(LABELS), fill_value=0).astype(int)
    parts = {"sentences": np.ones(len(frame), dtype=int)}
    parts |= {f"n_{label}": hard[label].to_numpy() for label in LABELS}
    parts |= {f"e_{label}": frame[f"p_{label}"].astype(float).to_numpy() for label in LABELS}
    counts = pd.DataFrame(parts, index=frame.index)
    counts[["doc", *by]] = frame[["doc", *by]]
    return counts.groupby(["doc", *by], sort=True, as_index=False).sum()


def bootstrap_ratio(
    numerator: np.ndarray, denominator: np.ndarray, rng: np.random.Generator, n_bootstrap: int, level: float
) -> tuple[float, float]:
    """Percentile CI of ``sum(numerator) / sum(denominator)`` resampling rows (documents) with replacement."""
    k = len(numerator)
    if k == 0 or n_bootstrap <= 0:
        return math.nan, math.nan
    weights = rng.multinomial(k, np.full(k, 1.0 / k), size=n_bootstrap)
    top, bottom = weights @ numerator, weights @ denominator
    with np.errstate(divide="ignore", invalid="ignore"):
        ratios = np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1), np.nan)
    ratios = ratios[~np.isnan(ratios)]
    if len(ratios) == 0:
        return math.nan, math.nan
    tail = (1 - level) / 2 * 100
    low, high = np.percentile(ratios, [tail, 100 - tail])
    return float(low), float(high)


def _ratio(top: float, bottom: float) -> float:
    return top / bottom if bottom > 0 else math.nan


def _group_row(docs: pd.DataFrame, rng: np.random.Generator, n_bootstrap: int, level: float) -> dict:
    """The figures of one group from its documents' counts."""
    sums = docs[[c for c in docs.columns if c.startswith(("n_", "e_")) or c == "sentences"]].sum()
    stance_docs = (docs["n_against"] + docs["n_favor"]).to_numpy(dtype=float)
    e_stance_docs = (docs["e_against"] + docs["e_favor"]).to_numpy(dtype=float)
    row = {"documents": len(docs), "sentences": int(sums["sentences"])}
    row |= {f"n_{label}": int(sums[f"n_{label}"]) for label in LABELS}
    row["n_stance"] = row["n_against"] + row["n_favor"]
    row["share_against"] = _ratio(row["n_against"], row["n_stance"])
    row["share_favor"] = _ratio(row["n_favor"], row["n_stance"])
    low, high = bootstrap_ratio(docs["n_against"].to_numpy(float), stance_docs, rng, n_bootstrap, level)
    row |= {"share_against_low": low, "share_against_high": high}
    row |= {"share_favor_low": 1 - high, "share_favor_high": 1 - low}
    with_stance = (stance_docs > 0).astype(float)
    row["docs_with_stance"] = int(with_stance.sum())
    row["share_docs_with_stance"] = row["docs_with_stance"] / len(docs)
    low, high = bootstrap_ratio(with_stance, np.ones(len(docs)), rng, n_bootstrap, level)
    row |= {"share_docs_with_stance_low": low, "share_docs_with_stance_high": high}
    row |= {f"e_{label}": round(float(sums[f"e_{label}"]), 3) for label in LABELS}
    row["e_share_against"] = _ratio(float(sums["e_against"]), float(e_stance_docs.sum()))
    low, high = bootstrap_ratio(docs["e_against"].to_numpy(float), e_stance_docs, rng, n_bootstrap, level)
    row |= {"e_share_against_low": low, "e_share_against_high": high}
    return row


def name_columns(records: pd.DataFrame, by: Sequence[str]) -> list[str]:
    """Readable companions of ``by`` fields present in the records (``country`` -> ``country_name``)."""
    return [f"{field}_name" for field in by if f"{field}_name" in records.columns and f"{field}_name" not in by]


def aggregate(
    records: pd.DataFrame,
    by: Sequence[str],
    *,
    n_bootstrap: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> pd.DataFrame:
    """The table of ``records`` by the fields ``by``: one row per group, sorted by the group's values.

    Documents lacking one of the ``by`` fields are left out (see :func:`documents_without`).
    """
    keys = [*by, *name_columns(records, by)]
    docs = document_counts(records.assign(**{k: records[k].fillna("") for k in keys[len(by) :]}), keys)
    rng = np.random.default_rng(seed)
    rows = []
    for key, group in docs.groupby(keys, sort=True):
        values = key if isinstance(key, tuple) else (key,)
        rows.append(dict(zip(keys, values, strict=True)) | _group_row(group, rng, n_bootstrap, level))
    table = pd.DataFrame(rows)
    table = table[[*_ordered(by, keys), *(c for c in table.columns if c not in keys)]] if rows else table
    if table.empty:
        return pd.DataFrame(columns=[*by, "documents", "sentences"])
    shares = [c for c in table.columns if "share" in c]
    table[shares] = table[shares].astype(float).round(4)
    return table


def _ordered(by: Sequence[str], keys: Sequence[str]) -> list[str]:
    """Each field followed by its name column: country, country_name, decade."""
    return [c for field in by for c in (field, f"{field}_name") if c in keys]


def documents_without(records: pd.DataFrame, fields: Sequence[str]) -> list[str]:
    """Ids of documents lacking any of ``fields`` (left out of tables by those fields)."""
    present = [f for f in fields if f in records.columns]
    if len(present) < len(fields):
        return sorted(records["doc"].unique())
    lacking = records[records[list(fields)].isna().any(axis=1)]
    return sorted(lacking["doc"].unique())


def table_name(by: Sequence[str]) -> str:
    """``by_country_decade`` for ``["country", "decade"]``."""
    return "by_" + "_".join(by)


def to_markdown(table: pd.DataFrame, digits: int = 3) -> str:
    """A GitHub Markdown table (no extra dependency); floats to ``digits`` places, NaN as an empty cell."""

    def cell(value: object) -> str:
        if isinstance(value, float):
            return "" if math.isnan(value) else f"{value:.{digits}f}"
        return str(value).replace("|", "\\|")

    header = "| " + " | ".join(map(str, table.columns)) + " |"
    rule = "| " + " | ".join("---" for _ in table.columns) + " |"
    body = ["| " + " | ".join(cell(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join([header, rule, *body]) + "\n"


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` in the format its extension names: ``.csv``, ``.md`` or ``.parquet``."""
    from pipeline.runs import write_text_atomic

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_text_atomic(path, table.to_csv(index=False))
    elif suffix == ".md":
        write_text_atomic(path, to_markdown(table))
    elif suffix in (".parquet", ".pq"):
        path.parent.mkdir(parents=True, exist_ok=True)
        table.to_parquet(path, index=False)
    else:
        raise ConfigError(f"cannot tell the table format of {path.name}", key="formats", fix="use csv, md or parquet")
    return path
