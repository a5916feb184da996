"""The corpus loop of ``stance-predict``: read, split, predict and write one chunk of documents at a time."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.config import PredictAppConfig, setting_key
from pipeline.corpus import Corpus, Document
from pipeline.decode import BOM_NOTE
from pipeline.errors import ConfigError, InputError
from pipeline.labels import LABELS
from pipeline.predict.output import DocumentResult, PredictionWriter
from pipeline.predict.predictor import Predictor
from pipeline.split import Sentence, Splitter

if TYPE_CHECKING:
    from pipeline.metadata import MetadataSource

log = logging.getLogger(__name__)


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
    empty_units: int = 0  # split=none units with no text: no record, no label (a summary row with 0 sentences)
    byte_order_marks: int = 0

    @property
    def sentences_per_s(self) -> float:
        return self.sentences / self.seconds if self.seconds > 0 else 0.0

    def add(self, results: list[DocumentResult]) -> None:
        """Count a chunk's documents, sentences, truncations and labels."""
        for result in results:
            self.documents += 1
            self.sentences += len(result.sentences)
            self.truncated += sum(result.truncated)
            for i in result.probs.argmax(axis=1) if len(result.probs) else []:
                self.label_counts[LABELS[int(i)]] += 1

    def finish(self, seconds: float, corpus: Corpus) -> None:
        """Record the time taken and what reading the corpus skipped."""
        self.seconds = seconds
        self.corpus = corpus.report.summary()
        self.byte_order_marks = corpus.report.byte_order_marks
        for _, reason in corpus.report.skipped:
            kind = reason.split(":")[0]
            self.skipped[kind] = self.skipped.get(kind, 0) + 1

    def line(self) -> str:
        text = (
            f"predicted {self.documents} documents, {self.sentences} sentences "
            f"({self.truncated} truncated) at {self.sentences_per_s:.0f} sentences/s"
        )
        if self.resumed_documents:
            text += f"; resumed after {self.resumed_documents} documents already written"
        skipped = ", ".join(f"{n} {reason}" for reason, n in self.skipped.items()) or "none"
        text += f"; labels {self.label_counts}; skipped files: {skipped}"
        if self.empty_units:
            text += f"; {self.empty_units} empty units skipped (no label)"
        if self.byte_order_marks:
            text += f"; {self.byte_order_marks} files began with a UTF-8 byte-order mark ({BOM_NOTE})"
        return text


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


def predict_corpus(
    corpus: Corpus,
    predictor: Predictor,
    splitter: Splitter | None,
    writer: str | Path | PredictionWriter,
    *,
    chunk_docs: int = PredictAppConfig.chunk_docs,
    chunk_sentences: int = PredictAppConfig.chunk_sentences,
    resume: bool = False,
    overwrite: bool = False,
    progress: bool = True,
    metadata: MetadataSource | None = None,
) -> PredictSummary:
    """Label every sentence of ``corpus`` and stream the records to ``writer`` (an output path or a writer).

    ``splitter=None`` treats each document (each JSONL record) as one unit: ``doc`` is its id, ``start`` 0 and
    ``end`` its length. How many are predicted together is :func:`_result_chunks`'s rule: with a predictor that is
    not row-independent, a chunk's units share batches, so shard boundaries, which move the chunks, may change
    probabilities in the last digits (resume keeps the boundaries, so it stays exact). With a splitter, the output
    is written (and a resume point recorded) once ``chunk_docs`` documents or ``chunk_sentences`` sentences are done,
    whichever comes first, so an interrupt loses little even on a handful of long documents. The model sees
    each sentence's ``norm`` (:mod:`pipeline.text`), the same normalisation as in training; the output keeps
    the exact source slice in ``text``. Each record and summary row carries its document's metadata: the fields
    of ``metadata`` (filename pattern, table) and a JSONL input's extra fields.
    """
    for name, value in (("chunk_docs", chunk_docs), ("chunk_sentences", chunk_sentences)):
        if value < 1:
            raise ConfigError(f"{name} must be >= 1, got {value}", key=setting_key(PredictAppConfig, name))
    if corpus.path != "-":
        corpus.files()  # a missing or empty input fails here, before any output file exists
    if isinstance(writer, PredictionWriter):
        sink = writer
    else:
        fields = metadata.field_names() if metadata is not None else []
        sink = _open_writer(
            writer, corpus, predictor, splitter, chunk_docs, resume=resume, overwrite=overwrite, meta_fields=fields
        )
    summary = PredictSummary(resumed_documents=sink.done_documents)
    started = time.perf_counter()
    bar = progress_bar(progress)
    try:
        if sink.complete:
            log.info("%s is already complete; nothing to do", sink.output)
        else:
            documents = _skip_done(iter(corpus), sink, corpus.path)
            for results in _result_chunks(documents, predictor, splitter, chunk_docs, chunk_sentences, bar.update):
                for result in results if metadata is not None else ():
                    result.meta = metadata.for_document(result.doc, extra=result.meta)
                sink.write_chunk(results)
                summary.add(results)
                summary.empty_units += sum(1 for r in results if r.empty_unit)
                elapsed = time.perf_counter() - started
                bar.set_postfix(docs=summary.documents, sent_per_s=f"{summary.sentences / elapsed:.0f}", refresh=False)
            sink.write_chunk([], complete=True)
    finally:
        bar.close()
        if sink is not writer:
            sink.close()
    summary.finish(time.perf_counter() - started, corpus)
    log.info("%s", summary.line())
    return summary


def progress_bar(enabled: bool, stream=None):  # noqa: ANN001, ANN201 - a tqdm bar
    """A bar counting sentences (it moves inside one huge document too), on stderr.

    On a terminal it redraws at most ten times a second; written to a file or a pipe (a log), a redraw is a
    new line of text, so it redraws only every :data:`LOG_REDRAW_S` seconds: a heartbeat, not kilobytes of bars.
    """
    from tqdm import tqdm

    stream = stream if stream is not None else sys.stderr
    interactive = bool(getattr(stream, "isatty", lambda: False)())
    return tqdm(
        desc="predict",
        unit=" sentences",
        disable=not enabled,
        dynamic_ncols=interactive,
        mininterval=0.1 if interactive else LOG_REDRAW_S,
        maxinterval=max(10.0, LOG_REDRAW_S),
        file=stream,
    )


LOG_REDRAW_S = 30.0


WINDOW_SENTENCES = 1024
"""With a predictor whose rows do not depend on their batch mates (``Predictor.row_independent``), the sentences
of consecutive documents are predicted together, up to this many: the length-sorted batches then waste far less
padding than one document's own (UN speeches, 2 AVX2 cores: 105-133 sentences/s with windows of 512 to 2,048
sentences against 86-95 one document at a time). Each record is still what predicting its document alone gives,
so resume and shards stay exact. Writes still follow ``chunk_docs``/``chunk_sentences``, but an interrupt loses
the window being predicted (about 7 s of work on 2 cores)."""


def _result_chunks(
    documents: Iterable[Document],
    predictor: Predictor,
    splitter: Splitter | None,
    chunk_docs: int,
    chunk_sentences: int,
    on_batch: Callable[[int], object],
) -> Iterator[list[DocumentResult]]:
    """The documents' results, grouped into the chunks that are written (and checkpointed) together.

    Documents are predicted in windows: a row-independent predictor takes :data:`WINDOW_SENTENCES` sentences of
    consecutive documents at once; any other takes one document at a time (``split=none``: ``chunk_docs`` units),
    so that a document's output depends on that document alone.
    """
    if getattr(predictor, "row_independent", False):
        max_sentences, max_docs = WINDOW_SENTENCES, None
    else:
        max_sentences, max_docs = None, (1 if splitter is not None else chunk_docs)
    groups = ((d, splitter.split(d) if splitter is not None else _unit(d)) for d in documents)
    pending: list[DocumentResult] = []
    sentences = 0
    for window in _windows(groups, max_sentences, max_docs):
        results = _predict_groups([d for d, _ in window], [s for _, s in window], predictor, on_batch)
        for result in results:
            result.empty_unit = splitter is None and not result.sentences
            pending.append(result)
            sentences += len(result.sentences)
            if len(pending) >= chunk_docs or (splitter is not None and sentences >= chunk_sentences):
                yield pending
                pending, sentences = [], 0
    if pending:
        yield pending


def _windows(
    groups: Iterable[tuple[Document, list[Sentence]]], max_sentences: int | None, max_docs: int | None
) -> Iterator[list[tuple[Document, list[Sentence]]]]:
    """Consecutive (document, sentences) pairs, cut once a window holds ``max_sentences`` or ``max_docs``."""
    window: list[tuple[Document, list[Sentence]]] = []
    sentences = 0
    for group in groups:
        window.append(group)
        sentences += len(group[1])
        if (max_docs is not None and len(window) >= max_docs) or (
            max_sentences is not None and sentences >= max_sentences
        ):
            yield window
            window, sentences = [], 0
    if window:
        yield window


def _unit(document: Document) -> list[Sentence]:
    """``split=none``: the whole document as one unit; a unit with no text gets no record, no label, a warning."""
    if document.text.strip():
        return [Sentence(document.id, 0, len(document.text), document.text)]
    log.warning("unit %r has no text: no label written for it (counted as an empty unit)", document.id)
    return []


def _open_writer(
    output: str | Path,
    corpus: Corpus,
    predictor: Predictor,
    splitter: Splitter | None,
    chunk_docs: int,
    *,
    resume: bool,
    overwrite: bool,
    meta_fields: list[str],
) -> PredictionWriter:
    """A writer whose progress header names everything an exact resume depends on."""
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
    return PredictionWriter(output, header=header, resume=resume, overwrite=overwrite, meta_fields=meta_fields)


def _predict_groups(
    documents: list[Document],
    per_doc: list[list[Sentence]],
    predictor: Predictor,
    on_batch: Callable[[int], object] | None = None,
) -> list[DocumentResult]:
    """Predict all sentences of ``per_doc`` in one length-sorted pass, then regroup them per document."""
    prediction = predictor.predict([s.norm for sentences in per_doc for s in sentences], on_batch=on_batch)
    results: list[DocumentResult] = []
    position = 0
    for document, sentences in zip(documents, per_doc, strict=True):
        end = position + len(sentences)
        votes = prediction.votes[position:end] if prediction.votes is not None else None
        results.append(
            DocumentResult(
                document.id,
                sentences,
                prediction.probs[position:end],
                prediction.truncated[position:end],
                votes=votes,
                meta=dict(document.meta),
            )
        )
        position = end
    return results
