"""Batch prediction: label every sentence of a corpus with the fine-tuned model, streaming and resumable.

Data path, one chunk of documents at a time so memory stays flat however large the corpus:
read (``Corpus``) -> split (a splitter, or one unit per document with ``split=none``) -> predict
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

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import tempfile
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch

from pipeline.corpus import Corpus, Document
from pipeline.errors import ConfigError, InputError
from pipeline.labels import LABELS
from pipeline.runs import resolve_model_dir
from pipeline.split import Sentence

log = logging.getLogger(__name__)

FAST_PATHS: tuple[str, ...] = ("onnx_int8", "int8", "bf16", "fp32", "onnx")
DEFAULT_FAST_PATH = "onnx_int8"
"""Measured with benchmarks/predict.py (5,000 UN sentences, MiniLM run, 1 shared core): bf16 4.2x the default
transformers pipeline with 99.96% label agreement with fp32; int8 was faster (6.0x) but agreed on only 98.78%,
under the 99.5% bar, so it is opt-in."""

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
_TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "spiece.model", "sentencepiece.bpe.model")
_PROGRESS_VERSION = 1


# --------------------------------------------------------------------------------------------- model loading


def check_model_dir(model_dir: Path) -> None:
    """Refuse a model folder that lacks a piece, holds only pickle weights or was trained on other labels."""
    config_path = model_dir / "config.json"
    if not config_path.is_file():
        raise InputError(
            "no config.json in the model folder",
            file=model_dir,
            fix="use a run's model/ folder written by save_pretrained",
        )
    if not any((model_dir / name).is_file() for name in _TOKENIZER_FILES):
        raise InputError(
            "no tokenizer files (tokenizer.json or vocab.txt) in the model folder",
            file=model_dir,
            fix="save the tokenizer with tokenizer.save_pretrained into the same folder",
        )
    has_safetensors = (model_dir / "model.safetensors").is_file() or (
        model_dir / "model.safetensors.index.json"
    ).is_file()
    if not has_safetensors:
        if any(model_dir.glob("pytorch_model*.bin")):
            raise InputError(
                "only pickle weights (pytorch_model.bin) in the model folder; they are refused",
                file=model_dir,
                fix="re-save with save_pretrained(safe_serialization=True)",
            )
        raise InputError(
            "no model.safetensors in the model folder",
            file=model_dir,
            fix="use a run's model/ folder written by save_pretrained",
        )
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"config.json is not valid JSON ({error})", file=config_path) from None
    id2label = config.get("id2label") or {}
    try:
        labels = tuple(str(id2label[key]) for key in sorted(id2label, key=int))
    except (TypeError, ValueError):
        labels = ()
    if labels != LABELS:
        raise InputError(
            f"the model's labels {list(labels)} are not {list(LABELS)}",
            file=config_path,
            fix="use a model fine-tuned by this pipeline (config.id2label in label order)",
        )


def load_classifier(path: str | Path) -> tuple[Any, Any]:
    """Load ``(model, tokenizer)`` from a run folder or model folder, after :func:`check_model_dir`."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    model_dir = resolve_model_dir(path)
    check_model_dir(model_dir)
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=False)
        model = AutoModelForSequenceClassification.from_pretrained(
            model_dir, use_safetensors=True, trust_remote_code=False
        )
    except (OSError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InputError(f"cannot load the model ({first_line})", file=model_dir) from None
    model.eval()
    return model, tokenizer


# ----------------------------------------------------------------------------------------------- predictor


@dataclass
class Prediction:
    """Per text: label probabilities (rows in LABELS order, summing to 1) and whether it was cut short."""

    probs: np.ndarray
    truncated: list[bool]

    @property
    def labels(self) -> list[str]:
        return [LABELS[i] for i in self.probs.argmax(axis=1)] if len(self.probs) else []


class Predictor:
    """Sentence classifier with a choice of CPU fast path.

    Texts are tokenized once, sorted by token length, cut into batches padded only to their own longest
    text, and the results put back in input order. Texts longer than ``max_length`` tokens are truncated
    (keeping the special tokens) and flagged.

    ``fast_path``: ``fp32`` (reference), ``int8`` (dynamic int8 quantisation of every Linear layer),
    ``bf16`` (bfloat16 weights), ``onnx`` (ONNX Runtime on an exported graph; needs the ``onnx`` package).
    ``threads`` sets ``torch.set_num_threads`` (process-wide) and the ONNX Runtime session threads.
    """

    def __init__(
        self,
        model_dir: str | Path,
        *,
        fast_path: str = DEFAULT_FAST_PATH,
        batch_size: int = 64,
        max_length: int = 128,
        threads: int = 1,
        onnx_cache_dir: str | Path | None = None,
    ) -> None:
        if fast_path not in FAST_PATHS:
            raise ConfigError(
                f"unknown fast path {fast_path!r}",
                key="fast_path",
                fix=f"choose one of {', '.join(FAST_PATHS)}",
            )
        if batch_size < 1:
            raise ConfigError(f"batch_size must be >= 1, got {batch_size}", key="batch_size")
        if threads < 1:
            raise ConfigError(f"threads must be >= 1, got {threads}", key="threads")
        self.model_dir = resolve_model_dir(model_dir)
        self.fast_path = fast_path
        self.batch_size = batch_size
        self.threads = threads
        torch.set_num_threads(threads)
        model, self.tokenizer = load_classifier(self.model_dir)
        limit = getattr(model.config, "max_position_embeddings", max_length) or max_length
        if max_length < 3:
            raise ConfigError(f"max_length must be >= 3, got {max_length}", key="max_length")
        self.max_length = min(max_length, int(limit))
        self._input_names = [n for n in self.tokenizer.model_input_names if n in ("attention_mask", "token_type_ids")]
        self._pad_id = self.tokenizer.pad_token_id or 0
        self._session: Any = None
        self._model: Any = None
        if fast_path in ("onnx", "onnx_int8"):
            self._session = _onnx_session(
                model, self.model_dir, self._input_names, threads, onnx_cache_dir, quantize=fast_path == "onnx_int8"
            )
        elif fast_path == "int8":
            with warnings.catch_warnings():  # torch deprecates quantized tensors (pytorch#184982); still works
                warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*", category=UserWarning)
                self._model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        elif fast_path == "bf16":
            self._model = model.to(torch.bfloat16)
        else:
            self._model = model.float()

    def _encode(self, texts: Sequence[str]) -> tuple[list[list[int]], list[bool]]:
        """Token ids per text, cut to ``max_length`` with the closing special token kept; truncation flags."""
        encoded = self.tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
        flags = [len(ids) > self.max_length for ids in encoded]
        long_rows = [i for i, flag in enumerate(flags) if flag]
        if long_rows:
            cut = self.tokenizer(
                [texts[i] for i in long_rows],
                add_special_tokens=True,
                truncation=True,
                max_length=self.max_length,
            )["input_ids"]
            for row, ids in zip(long_rows, cut, strict=True):
                encoded[row] = ids
        return encoded, flags

    def predict(self, texts: Sequence[str]) -> Prediction:
        """Probabilities ``(len(texts), len(LABELS))`` in input order, and the truncation flags."""
        probs = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        if not texts:
            return Prediction(probs, [])
        encoded, flags = self._encode(texts)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]), reverse=True)
        with torch.inference_mode():
            for lo in range(0, len(order), self.batch_size):
                rows = order[lo : lo + self.batch_size]
                width = len(encoded[rows[0]])
                ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
                mask = np.zeros((len(rows), width), dtype=np.int64)
                for r, row in enumerate(rows):
                    ids[r, : len(encoded[row])] = encoded[row]
                    mask[r, : len(encoded[row])] = 1
                probs[rows] = self._forward(ids, mask)
        return Prediction(probs, flags)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        inputs = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            inputs["token_type_ids"] = np.zeros_like(ids)
        if self._session is not None:
            wanted = {i.name for i in self._session.get_inputs()}
            logits = self._session.run(None, {k: v for k, v in inputs.items() if k in wanted})[0]
            logits = torch.from_numpy(np.asarray(logits, dtype=np.float32))
        else:
            tensors = {k: torch.from_numpy(v) for k, v in inputs.items()}
            logits = self._model(**tensors).logits.float()
        return torch.softmax(logits, dim=-1).numpy()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Rows of label probabilities in LABELS order, one per text, in input order."""
        return self.predict(texts).probs

    def truncated(self, texts: Sequence[str]) -> list[bool]:
        """Whether each text is longer than ``max_length`` tokens (and so is cut before prediction)."""
        return self._encode(texts)[1]


def _onnx_session(
    model: Any,
    model_dir: Path,
    input_names: list[str],
    threads: int,
    cache_dir: str | Path | None,
    *,
    quantize: bool = False,
) -> Any:
    """An ONNX Runtime session for ``model``, exporting it once into a cache keyed by the weights.

    With ``quantize`` the graph's weight matrix products run in int8 (ONNX Runtime's dynamic quantisation, one
    scale per output channel; activation-by-activation products such as attention stay in float): on the UN
    speeches it kept 99.6% of the fp32 labels at about 5.7 times the default transformers pipeline's speed.
    """
    try:
        import onnx  # noqa: F401  (torch's exporter needs it to write the file)
        import onnxruntime as ort
    except ImportError as error:
        raise ConfigError(
            f"fast_path=onnx needs the '{error.name}' package, which is not installed",
            key="fast_path",
            fix="pip install onnx, or use fast_path=int8",
        ) from None
    weights = model_dir / "model.safetensors"
    stat = weights.stat() if weights.exists() else None
    key_text = json.dumps(
        [
            str(model_dir.resolve()),
            stat.st_size if stat else 0,
            stat.st_mtime_ns if stat else 0,
            torch.__version__,
            input_names,
        ]
    )
    key = hashlib.sha256(key_text.encode()).hexdigest()[:16]
    folder = Path(cache_dir) if cache_dir is not None else Path(tempfile.gettempdir()) / "stance-pipeline-onnx"
    target = folder / key / "model.onnx"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        _export_onnx(model, input_names, target)
    if quantize:
        target = _quantized_onnx(target)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(target), options, providers=["CPUExecutionProvider"])


def _quantized_onnx(source: Path) -> Path:
    """The int8 twin of an exported graph (weights per channel, MatMul with constant weights only), cached."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = source.with_name("model.int8.onnx")
    if target.exists():
        return target
    handle, temp_name = tempfile.mkstemp(suffix=".onnx.tmp", dir=target.parent)
    os.close(handle)
    logging.disable(logging.WARNING)  # onnxruntime advises pre-processing on the root logger; not needed here
    try:
        quantize_dynamic(
            str(source),
            temp_name,
            weight_type=QuantType.QInt8,
            per_channel=True,
            op_types_to_quantize=["MatMul"],
            extra_options={"MatMulConstBOnly": True},
        )
        os.replace(temp_name, target)
    finally:
        logging.disable(logging.NOTSET)
        if os.path.exists(temp_name):
            os.unlink(temp_name)
    return target


def _export_onnx(model: Any, input_names: list[str], target: Path) -> None:
    """Export with dynamic batch and sequence axes into a temp file, then rename it into place atomically."""
    sample = torch.ones((2, 8), dtype=torch.int64)
    names = ["input_ids", *input_names]
    arguments = {name: sample if name != "token_type_ids" else torch.zeros_like(sample) for name in names}

    class _Logits(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, tensors, strict=True))).logits

    axes = {name: {0: "batch", 1: "sequence"} for name in names} | {"logits": {0: "batch"}}
    handle, temp_name = tempfile.mkstemp(suffix=".onnx.tmp", dir=target.parent)
    os.close(handle)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on Python conditionals; tests check the graph
            torch.onnx.export(
                _Logits(model.float().eval()),
                tuple(arguments[n] for n in names),
                temp_name,
                input_names=names,
                output_names=["logits"],
                dynamic_axes=axes,
                opset_version=17,
                dynamo=False,
            )
        os.replace(temp_name, target)
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)


# ---------------------------------------------------------------------------------------------- writers


class SplitterLike(Protocol):
    def split(self, document: Document) -> list[Sentence]: ...


@dataclass
class DocumentResult:
    """One document's sentences with their predictions."""

    doc: str
    sentences: list[Sentence]
    probs: np.ndarray
    truncated: list[bool]


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


def format_records(result: DocumentResult, output_format: str) -> str:
    """A document's records as one block of JSONL lines or CSV rows."""
    records = [_record(s, p, t) for s, p, t in zip(result.sentences, result.probs, result.truncated, strict=True)]
    if output_format == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=RECORD_FIELDS, lineterminator="\n")
    writer.writerows({**r, "truncated": str(r["truncated"]).lower()} for r in records)
    return buffer.getvalue()


def format_summary(result: DocumentResult) -> str:
    """A document's summary row: sentence count, count and share of each label."""
    labels = result.probs.argmax(axis=1) if len(result.probs) else np.zeros(0, dtype=int)
    counts = [int((labels == i).sum()) for i in range(len(LABELS))]
    total = len(result.sentences)
    shares = [round(c / total, 6) if total else 0.0 for c in counts]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow([result.doc, total, *counts, *shares])
    return buffer.getvalue()


def output_format_for(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".json", ".ndjson"):
        return "jsonl"
    raise ConfigError(
        f"cannot tell the output format of {path.name}",
        key="output",
        fix="end the output path with .jsonl or .csv",
    )


def summary_path_for(output: Path) -> Path:
    """``<output stem>.summary.csv`` beside the output."""
    return output.with_name(output.stem + ".summary.csv")


def progress_path_for(output: Path) -> Path:
    return output.with_name(output.name + ".progress")


class PredictionWriter:
    """Appends whole documents to the output and summary files and records progress after each chunk."""

    def __init__(
        self, output: str | Path, *, header: dict[str, Any], resume: bool = False, overwrite: bool = False
    ) -> None:
        self.output = Path(output)
        self.format = output_format_for(self.output)
        self.summary_path = summary_path_for(self.output)
        self.progress_path = progress_path_for(self.output)
        self.header = {"version": _PROGRESS_VERSION, "format": self.format, **header}
        self.done_documents = 0
        self.last_doc: str | None = None
        self.complete = False
        self.output.parent.mkdir(parents=True, exist_ok=True)
        if resume and self.progress_path.exists():
            self._open_for_resume()
            return
        if resume and self.output.exists():
            raise InputError(
                "output exists but has no .progress file, so it cannot be resumed",
                file=self.output,
                fix="remove it, or pass overwrite=true to start again",
            )
        if self.output.exists() and not overwrite:
            raise InputError(
                "output already exists",
                file=self.output,
                fix="pass resume=true to continue it, overwrite=true to replace it, or choose another",
            )
        self._out = self.output.open("w", encoding="utf-8", newline="")
        self._summary = self.summary_path.open("w", encoding="utf-8", newline="")
        self._progress = self.progress_path.open("w", encoding="utf-8")
        if self.format == "csv":
            self._out.write(",".join(RECORD_FIELDS) + "\n")
        self._summary.write(",".join(SUMMARY_FIELDS) + "\n")
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
        _atomic_write(self.progress_path, "\n".join(keep) + "\n")
        self._progress = self.progress_path.open("a", encoding="utf-8")

    def write_chunk(self, results: Sequence[DocumentResult], *, complete: bool = False) -> None:
        """Write the chunk's documents, flush and fsync them, then checkpoint the progress file."""
        if results:
            self._out.write("".join(format_records(r, self.format) for r in results))
            self._summary.write("".join(format_summary(r) for r in results))
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


def _atomic_write(path: Path, text: str) -> None:
    handle, temp_name = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp_name, path)


# ------------------------------------------------------------------------------------------ predict_corpus


@dataclass
class PredictSummary:
    """What a prediction run did (this call only; ``resumed_documents`` were already in the output)."""

    documents: int = 0
    sentences: int = 0
    truncated: int = 0
    resumed_documents: int = 0
    seconds: float = 0.0
    label_counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(LABELS, 0))
    corpus: str = ""
    skipped: dict[str, int] = field(default_factory=dict)

    @property
    def sentences_per_s(self) -> float:
        return self.sentences / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        text = (
            f"predicted {self.documents} documents, {self.sentences} sentences "
            f"({self.truncated} truncated) at {self.sentences_per_s:.0f} sentences/s"
        )
        if self.resumed_documents:
            text += f"; resumed after {self.resumed_documents} documents already written"
        skipped = ", ".join(f"{n} {reason}" for reason, n in self.skipped.items()) or "none"
        return text + f"; labels {self.label_counts}; skipped files: {skipped}"


def _skip_done(documents: Iterator[Document], sink: PredictionWriter, source: str) -> Iterator[Document]:
    """Pass over the documents the output already holds, checking the last one is the one recorded."""
    for number in range(1, sink.done_documents + 1):
        document = next(documents, None)
        if document is None:
            raise InputError(
                f"the input now has fewer documents ({number - 1}) than the output holds ({sink.done_documents})",
                file=source,
                fix="overwrite=true to start again",
            )
        if number == sink.done_documents and document.id != sink.last_doc:
            raise InputError(
                f"the input changed: document {number} is {document.id!r} but the output's last is {sink.last_doc!r}",
                file=source,
                fix="overwrite=true to start again",
            )
    return documents


def _chunks(documents: Iterable[Document], size: int) -> Iterator[list[Document]]:
    chunk: list[Document] = []
    for document in documents:
        chunk.append(document)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def predict_corpus(
    corpus: Corpus,
    predictor: Predictor,
    splitter: SplitterLike | None,
    writer: str | Path | PredictionWriter,
    *,
    chunk_docs: int = 32,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    clean: Callable[[str], str] | None = None,
) -> PredictSummary:
    """Label every sentence of ``corpus`` and stream the records to ``writer`` (an output path or a writer).

    ``splitter=None`` treats each document (each JSONL record) as one unit: ``doc`` is its id, ``start`` 0 and
    ``end`` its length. The model sees ``clean(sentence.text)``; ``clean`` defaults to the splitter's
    ``clean_text`` when it has one, else the text as is. The output keeps the exact source slice in ``text``.
    """
    from tqdm import tqdm

    if chunk_docs < 1:
        raise ConfigError(f"chunk_docs must be >= 1, got {chunk_docs}", key="chunk_docs")
    if clean is None:
        clean = getattr(splitter, "clean_text", None) if splitter is not None else None
    if corpus.path != "-":
        corpus.files()  # a missing or empty input fails here, before any output file exists
    if isinstance(writer, PredictionWriter):
        sink = writer
    else:
        header = {
            "input": corpus.path if corpus.path == "-" else str(Path(corpus.path).resolve()),
            "shard": list(corpus.shard),
            "split": type(splitter).__name__ if splitter is not None else "none",
            "model": str(predictor.model_dir.resolve()),
            "fast_path": predictor.fast_path,
            "batch_size": predictor.batch_size,
            "max_length": predictor.max_length,
            "chunk_docs": chunk_docs if splitter is None else None,
        }
        sink = PredictionWriter(writer, header=header, resume=resume, overwrite=overwrite)
    summary = PredictSummary(resumed_documents=sink.done_documents)
    started = time.perf_counter()
    bar = tqdm(desc="predict", unit="doc", disable=not progress, dynamic_ncols=True)
    try:
        if sink.complete:
            log.info("%s is already complete; nothing to do", sink.output)
        else:
            documents = _skip_done(iter(corpus), sink, corpus.path)
            for chunk in _chunks(documents, chunk_docs):
                results = _predict_chunk(chunk, predictor, splitter, clean)
                sink.write_chunk(results)
                for result in results:
                    summary.documents += 1
                    summary.sentences += len(result.sentences)
                    summary.truncated += sum(result.truncated)
                    for i in result.probs.argmax(axis=1) if len(result.probs) else []:
                        summary.label_counts[LABELS[int(i)]] += 1
                bar.update(len(results))
                elapsed = time.perf_counter() - started
                bar.set_postfix(sentences=summary.sentences, sent_per_s=f"{summary.sentences / elapsed:.0f}")
            sink.write_chunk([], complete=True)
    finally:
        bar.close()
        if not isinstance(writer, PredictionWriter):
            sink.close()
    summary.seconds = time.perf_counter() - started
    summary.corpus = corpus.report.summary()
    for _, reason in corpus.report.skipped:
        kind = reason.split(":")[0]
        summary.skipped[kind] = summary.skipped.get(kind, 0) + 1
    log.info("%s", summary.line())
    return summary


def _predict_chunk(
    documents: list[Document],
    predictor: Predictor,
    splitter: SplitterLike | None,
    clean: Callable[[str], str] | None,
) -> list[DocumentResult]:
    """Predict a chunk's documents.

    With a splitter, each document's sentences are batched on their own, so a document's output depends on
    that document alone (int8 quantisation scales and padding widths depend on the batch): shards and resumed
    runs then match an uninterrupted run byte for byte. With ``split=none`` the chunk's one-unit documents are
    batched together (batching one by one would be far slower); resume keeps chunk boundaries, so it is still
    exact, but shard boundaries move the chunks (probabilities may differ in the last digits, int8 more).
    """
    if splitter is None:
        units = [[Sentence(d.id, 0, len(d.text), d.text)] for d in documents]
        return _predict_groups(documents, units, predictor, clean)
    results: list[DocumentResult] = []
    for document in documents:
        results.extend(_predict_groups([document], [splitter.split(document)], predictor, clean))
    return results


def _predict_groups(
    documents: list[Document],
    per_doc: list[list[Sentence]],
    predictor: Predictor,
    clean: Callable[[str], str] | None,
) -> list[DocumentResult]:
    """Predict all sentences of ``per_doc`` in one length-sorted pass, then regroup them per document."""
    flat = [s for sentences in per_doc for s in sentences]
    texts = [clean(s.text) if clean is not None else s.text for s in flat]
    prediction = predictor.predict(texts)
    results: list[DocumentResult] = []
    position = 0
    for document, sentences in zip(documents, per_doc, strict=True):
        end = position + len(sentences)
        results.append(
            DocumentResult(document.id, sentences, prediction.probs[position:end], prediction.truncated[position:end])
        )
        position = end
    return results
