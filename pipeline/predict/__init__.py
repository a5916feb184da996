"""Batch prediction: label every sentence of a corpus with the fine-tuned model, streaming and resumable.

Modules: :mod:`.loading` (model folders, checked, loaded from safetensors), :mod:`.onnx` (export and int8
quantisation, cached), :mod:`.predictor` (the fast paths), :mod:`.output` (record formats and the resumable
writer), :mod:`.stream` (the corpus loop).

Data path, one chunk of documents at a time so memory stays flat however large the corpus:
read (``Corpus``) -> split (a splitter, or one unit per document with ``split=none``; the model sees each
sentence's ``norm``) -> predict
(``Predictor``: length-sorted, dynamically padded batches) -> write (JSONL or CSV records plus a
per-document summary CSV).

Output design (why it is written in place and how resume works):

* Records go straight into the output file, appended document by document; a chunk's records are written in
  one call, then flushed and fsynced. The file therefore only ever grows by whole chunks of whole documents,
  so a run stopped by an exception (or Ctrl-C) between chunks leaves a valid partial output.
* After each chunk, the sidecar ``<output>.progress`` (JSON lines, fsynced) records how many documents are
  finished, the last finished document's id and the byte sizes of the output and summary files at that
  point. A hard kill in the middle of a write can leave a torn tail beyond the last recorded size; resume
  cuts it off.
* ``resume=True`` reads the sidecar, checks that it describes the same input, shard, splitter, model and
  output format, truncates both files to the last recorded sizes and continues with the next document, so the
  final output equals an uninterrupted run's byte for byte. Resuming a finished output does nothing.
* Without ``resume`` an existing output is never silently replaced: it is an ``InputError`` unless
  ``overwrite=True``. (A temp-file-and-rename design was rejected: it hides partial output and cannot resume.)
* The sidecar stays after the run, its last line saying ``"complete": true``; it is small and makes a
  repeated ``resume=True`` a no-op.

Model folders are loaded from safetensors only (``use_safetensors=True``), never with remote code.
"""

import importlib
from typing import Any

# Imported on first use: the predictor pulls in torch and transformers (seconds), which a config error, an
# output check or the output formats must not wait for.
_HOMES: dict[str, str] = {
    "check_model_dir": "loading",
    "load_classifier": "loading",
    "RECORD_FIELDS": "output",
    "SUMMARY_FIELDS": "output",
    "DocumentResult": "output",
    "PredictionWriter": "output",
    "check_output": "output",
    "format_records": "output",
    "format_summary": "output",
    "output_format_for": "output",
    "progress_path_for": "output",
    "summary_path_for": "output",
    "DEFAULT_FAST_PATH": "predictor",
    "FAST_PATHS": "predictor",
    "Prediction": "predictor",
    "Predictor": "predictor",
    "PredictSummary": "stream",
    "predict_corpus": "stream",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)


__all__ = [
    "DEFAULT_FAST_PATH",
    "FAST_PATHS",
    "RECORD_FIELDS",
    "SUMMARY_FIELDS",
    "DocumentResult",
    "Prediction",
    "PredictionWriter",
    "PredictSummary",
    "Predictor",
    "check_model_dir",
    "check_output",
    "format_records",
    "format_summary",
    "load_classifier",
    "output_format_for",
    "predict_corpus",
    "progress_path_for",
    "summary_path_for",
]
