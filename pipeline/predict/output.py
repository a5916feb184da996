"""Prediction output: one record per sentence (JSONL or CSV), a summary row per document, a resumable writer.

See :mod:`pipeline.predict` for why records are appended in place and how ``<output>.progress`` makes resume
exact.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.config import PredictAppConfig, setting_key
from pipeline.errors import ConfigError, InputError
from pipeline.io import jsonl_lines, unwritable_reason, write_text_atomic
from pipeline.labels import LABELS
from pipeline.split import Sentence

RECORD_FIELDS: tuple[str, ...] = (
    "doc",
    "start",
    "end",
    "text",
    "label",
    *(f"p_{label}" for label in LABELS),
    "truncated",
)
SUMMARY_FIELDS: tuple[str, ...] = (
    "doc",
    "sentences",
    *(f"n_{label}" for label in LABELS),
    *(f"share_{label}" for label in LABELS),
)
_PROGRESS_VERSION = 1


@dataclass
class DocumentResult:
    """One document's sentences with their predictions."""

    doc: str
    sentences: list[Sentence]
    probs: np.ndarray
    truncated: list[bool]
    empty_unit: bool = False  # split=none: the unit had no text, so it has no record
    votes: list[dict[str, str | None]] | None = None  # system=weak: each labelling function's vote per sentence
    meta: dict[str, Any] = field(default_factory=dict)  # the document's metadata (country, year, ...)


def _record(sentence: Sentence, probs: np.ndarray, truncated: bool) -> dict[str, Any]:
    record: dict[str, Any] = {
        "doc": sentence.doc,
        "start": sentence.start,
        "end": sentence.end,
        "text": sentence.text,
        "label": LABELS[int(probs.argmax())],
    }
    for label, p in zip(LABELS, probs, strict=True):
        record[f"p_{label}"] = round(float(p), 6)
    record["truncated"] = truncated
    return record


def format_records(result: DocumentResult, output_format: str, meta_fields: Sequence[str] = ()) -> str:
    """A document's records as one block of JSONL lines or CSV rows, each with the document's metadata.

    JSONL records carry every metadata field of the document; CSV rows the declared ``meta_fields`` columns.
    """
    records = [_record(s, p, t) for s, p, t in zip(result.sentences, result.probs, result.truncated, strict=True)]
    if output_format == "jsonl":
        meta = {k: v for k, v in result.meta.items() if k not in RECORD_FIELDS}
        if result.votes is not None:  # CSV keeps the model's columns
            records = [r | meta | {"votes": v} for r, v in zip(records, result.votes, strict=True)]
        else:
            records = [r | meta for r in records]
        return jsonl_lines(records)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=[*RECORD_FIELDS, *meta_fields], lineterminator="\n")
    columns = {k: result.meta.get(k, "") for k in meta_fields}
    writer.writerows({**r, "truncated": str(r["truncated"]).lower(), **columns} for r in records)
    return buffer.getvalue()


def format_summary(result: DocumentResult, meta_fields: Sequence[str] = ()) -> str:
    """A document's summary row: sentence count, count and share of each label, then its metadata columns."""
    labels = result.probs.argmax(axis=1) if len(result.probs) else np.zeros(0, dtype=int)
    counts = [int((labels == i).sum()) for i in range(len(LABELS))]
    total = len(result.sentences)
    shares = [round(c / total, 6) if total else 0.0 for c in counts]
    buffer = io.StringIO()
    meta = [result.meta.get(k, "") for k in meta_fields]
    csv.writer(buffer, lineterminator="\n").writerow([result.doc, total, *counts, *shares, *meta])
    return buffer.getvalue()


def output_format_for(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    raise ConfigError(
        f"cannot tell the output format of {path.name}",
        key=setting_key(PredictAppConfig, "output"),
        fix="end the output path with .jsonl or .csv",
    )


def summary_path_for(output: Path) -> Path:
    """``<output name>.summary.csv`` beside the output (``x.jsonl`` -> ``x.jsonl.summary.csv``).

    The whole name, suffix included, so ``x.jsonl`` and ``x.csv`` in one folder never share a summary.
    """
    return output.with_name(output.name + ".summary.csv")


def legacy_summary_path_for(output: Path) -> Path:
    """``<output stem>.summary.csv``: where outputs written before the rename keep their summary (read on resume)."""
    return output.with_name(output.stem + ".summary.csv")


def progress_path_for(output: Path) -> Path:
    return output.with_name(output.name + ".progress")


def check_output(output: str | Path, *, resume: bool = False, overwrite: bool = False) -> Path:
    """Refuse, before any slow work, an output that cannot be written or would be silently replaced.

    Raises a ConfigError for an output format we cannot write, an InputError for a folder we cannot write in
    or an existing output without ``resume``/``overwrite``. Returns the output path.
    """
    path = Path(output)
    output_format_for(path)
    reason = unwritable_reason(path.parent)
    if reason is not None:
        raise InputError(
            f"cannot write the output: {reason}",
            file=path,
            fix="choose an output= in a folder you can write to",
        )
    if resume and progress_path_for(path).exists():
        return path
    if resume and path.exists():
        raise InputError(
            "output exists but has no .progress file, so it cannot be resumed",
            file=path,
            fix="remove it, or pass overwrite=true to start again",
        )
    if path.exists() and not overwrite:
        raise InputError(
            "output already exists",
            file=path,
            fix="pass resume=true to continue it, overwrite=true to replace it, or choose another",
        )
    return path


class PredictionWriter:
    """Appends whole documents to the output and summary files and records progress after each chunk."""

    def __init__(
        self,
        output: str | Path,
        *,
        header: dict[str, Any],
        resume: bool = False,
        overwrite: bool = False,
        meta_fields: Sequence[str] = (),
    ) -> None:
        self.output = Path(output)
        self.meta_fields = [f for f in meta_fields if f not in RECORD_FIELDS and f not in SUMMARY_FIELDS]
        self.format = output_format_for(self.output)
        self.summary_path = summary_path_for(self.output)
        self.progress_path = progress_path_for(self.output)
        self.header = {"version": _PROGRESS_VERSION, "format": self.format, **header}
        if self.meta_fields:  # outputs written without metadata keep the header they had, so they still resume
            self.header["meta_fields"] = self.meta_fields
        self.done_documents = 0
        self.last_doc: str | None = None
        self.complete = False
        check_output(self.output, resume=resume, overwrite=overwrite)
        self.output.parent.mkdir(parents=True, exist_ok=True)
        if resume and self.progress_path.exists():
            self._open_for_resume()
            return
        self._out = self.output.open("w", encoding="utf-8", newline="")
        self._summary = self.summary_path.open("w", encoding="utf-8", newline="")
        self._progress = self.progress_path.open("w", encoding="utf-8")
        if self.format == "csv":
            self._out.write(",".join([*RECORD_FIELDS, *self.meta_fields]) + "\n")
        self._summary.write(",".join([*SUMMARY_FIELDS, *self.meta_fields]) + "\n")
        self._progress.write(json.dumps(self.header) + "\n")
        self._commit()

    def _open_for_resume(self) -> None:
        lines = [line for line in self.progress_path.read_text(encoding="utf-8").splitlines() if line.strip()]
        entries: list[dict[str, Any]] = []
        for line in lines:
            try:
                entries.append(json.loads(line))
            except json.JSONDecodeError:
                break  # a torn last line from a hard kill: everything before it stands
        if not entries or entries[0] != self.header:
            recorded = entries[0] if entries else {}
            differ = [
                f"{k}: {recorded.get(k)!r} then, {v!r} now" for k, v in self.header.items() if recorded.get(k) != v
            ]
            raise InputError(
                "the output was written by a different run (" + "; ".join(differ) + ")",
                file=self.progress_path,
                fix="resume with the same input, shard, split, model and settings, or pass overwrite=true",
            )
        marks = [e for e in entries[1:] if "output_bytes" in e]
        if not marks:
            raise InputError("progress file holds no checkpoint", file=self.progress_path, fix="overwrite=true")
        last = marks[-1]
        legacy = legacy_summary_path_for(self.output)
        if not self.summary_path.exists() and legacy.exists():
            self.summary_path = legacy  # an output begun before summaries were named after the whole output name
        self.done_documents = int(last["documents"])
        self.last_doc = last.get("last_doc")
        self.complete = bool(last.get("complete"))
        for path, size in ((self.output, last["output_bytes"]), (self.summary_path, last["summary_bytes"])):
            if not path.exists() or path.stat().st_size < size:
                raise InputError("output is shorter than its progress file says", file=path, fix="overwrite=true")
            with path.open("r+b") as handle:
                handle.truncate(size)
        self._out = self.output.open("a", encoding="utf-8", newline="")
        self._summary = self.summary_path.open("a", encoding="utf-8", newline="")
        # rewrite the sidecar without any torn tail, then keep appending to it
        keep = [json.dumps(e) for e in entries[: entries.index(last) + 1]]
        write_text_atomic(self.progress_path, "\n".join(keep) + "\n")
        self._progress = self.progress_path.open("a", encoding="utf-8")

    def write_chunk(self, results: Sequence[DocumentResult], *, complete: bool = False) -> None:
        """Write the chunk's documents, flush and fsync them, then checkpoint the progress file."""
        if results:
            self._out.write("".join(format_records(r, self.format, self.meta_fields) for r in results))
            self._summary.write("".join(format_summary(r, self.meta_fields) for r in results))
            self.done_documents += len(results)
            self.last_doc = results[-1].doc
        self.complete = complete
        self._commit()

    def _commit(self) -> None:
        for handle in (self._out, self._summary):
            handle.flush()
            os.fsync(handle.fileno())
        mark = {
            "documents": self.done_documents,
            "last_doc": self.last_doc,
            "output_bytes": self.output.stat().st_size,
            "summary_bytes": self.summary_path.stat().st_size,
        }
        if self.complete:
            mark["complete"] = True
        self._progress.write(json.dumps(mark) + "\n")
        self._progress.flush()
        os.fsync(self._progress.fileno())

    def close(self) -> None:
        for handle in (self._out, self._summary, self._progress):
            if not handle.closed:
                handle.close()
