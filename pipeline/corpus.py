"""Read documents from a file, a folder, a JSONL file or standard input.

Encodings and bad files are handled here, once (decoding in :mod:`pipeline.decode`): an empty, binary,
undecodable, unreadable or too large file is skipped with a warning naming it and counted in
:class:`CorpusReport`, never silently dropped. Documents
stream one at a time so a large corpus never sits in memory as a whole.

A single document above ``max_document_mb`` (default 50 MB, far beyond any real document: a long book is
1-3 MB) is skipped before it is read: it is almost always a dump or a concatenation by mistake, and the
training stage keeps every sentence of the corpus in memory. Raise the limit (or set it to ``None``) to read
it anyway. Two documents with the same id (``a.txt`` and ``a.md``, or a repeated JSONL ``id``) are an error:
predictions, summaries, gold offsets and resume all key on the id.
"""

from __future__ import annotations

import fnmatch
import json
import logging
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.config import CorpusConfig, setting_key
from pipeline.decode import CorpusReport, decode_bytes
from pipeline.errors import InputError

log = logging.getLogger(__name__)

DEFAULT_SUFFIXES: tuple[str, ...] = tuple(CorpusConfig().suffixes)
DEFAULT_MAX_DOCUMENT_MB: float | None = CorpusConfig.max_document_mb
# When detection ties between single-byte encodings, the most widespread legacy one wins.


@dataclass(frozen=True)
class Document:
    """One source text. ``id`` is unique in a corpus; offsets of sentences index into ``text``."""

    id: str
    text: str
    path: str | None = None
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)  # travels with the document


@dataclass(frozen=True)
class _Unit:
    """A place a document comes from: a whole text file, or one line of a JSONL file."""

    path: Path
    line: int | None = None  # 1-based JSONL line, None for a whole file


class Corpus:
    """The documents under ``path`` (a file, a folder searched recursively, a JSONL file, or ``-``).

    ``shard=(i, n)`` keeps the i-th of n contiguous blocks of documents, so that shards 0..n-1 written
    one after another equal the unsharded output exactly. A document above ``max_document_mb`` megabytes
    (10**6 bytes) is skipped unread with a warning; ``None`` reads documents of any size.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        suffixes: Sequence[str] = DEFAULT_SUFFIXES,
        exclude: Sequence[str] = (),
        shard: tuple[int, int] = (0, 1),
        max_document_mb: float | None = DEFAULT_MAX_DOCUMENT_MB,
    ) -> None:
        self.path = str(path)
        self.suffixes = tuple(s if s.startswith(".") else "." + s for s in suffixes)
        self.exclude = tuple(exclude)
        index, count = shard
        if count < 1 or not 0 <= index < count:
            raise InputError(f"shard {index}/{count} does not exist", fix="use shard=i/n with 0 <= i < n")
        self.shard = (index, count)
        if max_document_mb is not None and (isinstance(max_document_mb, bool) or max_document_mb <= 0):
            raise InputError(
                f"max_document_mb must be a positive number or None, got {max_document_mb!r}",
                key=setting_key(CorpusConfig, "max_document_mb"),
            )
        self.max_document_bytes = None if max_document_mb is None else int(max_document_mb * 1_000_000)
        self.report = CorpusReport()
        self._seen: dict[str, str] = {}

    def files(self) -> list[Path]:
        """The files this corpus reads, in a fixed order; raises if the path is missing or holds none."""
        root = Path(self.path)
        if not root.exists():
            raise InputError("corpus path does not exist", file=root, fix="check corpus.path / input")
        if root.is_file():
            return [root]
        found = sorted(
            p
            for p in root.rglob("*")
            if p.is_file() and p.suffix.lower() in self.suffixes and not self._excluded(p.relative_to(root))
        )
        if not found:
            raise InputError(
                f"no {'/'.join(self.suffixes)} files in this folder",
                file=root,
                fix="point the corpus at a folder of documents",
            )
        return found

    def _excluded(self, relative: Path) -> bool:
        return any(fnmatch.fnmatch(relative.as_posix(), pattern) for pattern in self.exclude)

    def _doc_id(self, path: Path) -> str:
        root = Path(self.path)
        relative = path.relative_to(root) if root.is_dir() else Path(path.name)
        return relative.with_suffix("").as_posix()

    def __iter__(self) -> Iterator[Document]:
        """Stream this shard's documents; each bad file is reported once in ``self.report``."""
        self.report = CorpusReport()
        self._seen = {}
        if self.path == "-":
            documents = self._shard_slice(self._read_stdin())
        else:
            units = list(self._units())
            index, count = self.shard
            lo, hi = len(units) * index // count, len(units) * (index + 1) // count
            documents = self._read_units(units[lo:hi])
        yield from documents

    def _unique(self, document: Document, file: str | Path, line: int | None = None) -> Document:
        """``document``, counted; a second document with an id already seen is an error naming both places."""
        where = f"{file}:{line}" if line is not None else str(file)
        if document.id in self._seen:
            raise InputError(
                f"document id {document.id!r} is also the id of {self._seen[document.id]}",
                file=file,
                line=line,
                fix="document ids must be unique: rename one of the files (a.txt and a.md both get the id 'a') "
                "or fix the JSONL ids",
            )
        self._seen[document.id] = where
        self.report.documents += 1
        return document

    def _too_large(self, size: int, path: str) -> bool:
        """Skip (with a warning) a document above the size limit; True when it was skipped."""
        if self.max_document_bytes is None or size <= self.max_document_bytes:
            return False
        self.report.skip(
            path,
            f"too large: {size / 1_000_000:.1f} MB is above max_document_mb="
            f"{self.max_document_bytes / 1_000_000:g}; split it into smaller documents or raise the limit",
        )
        return True

    def _read_file(self, path: Path) -> str | None:
        """A whole text file's decoded text, or None (reported) when it is too large, unreadable or bad."""
        try:
            if self._too_large(path.stat().st_size, str(path)):
                return None
            data = path.read_bytes()
        except OSError as error:
            self.report.skip(str(path), f"unreadable: {error.strerror or error}")
            return None
        return decode_bytes(data, str(path), self.report)

    def _shard_slice(self, docs: Iterator[Document]) -> Iterator[Document]:
        index, count = self.shard
        if count == 1:
            yield from docs
            return
        buffered = list(docs)
        lo, hi = len(buffered) * index // count, len(buffered) * (index + 1) // count
        yield from buffered[lo:hi]

    def _units(self) -> Iterator[_Unit]:
        for path in self.files():
            self.report.files += 1
            if path.suffix.lower() == ".jsonl":
                try:
                    with path.open("rb") as handle:
                        lines = [number for number, raw in enumerate(handle, start=1) if raw.strip()]
                except OSError as error:
                    self.report.skip(str(path), f"unreadable: {error.strerror or error}")
                    continue
                yield from (_Unit(path, number) for number in lines)
            else:
                yield _Unit(path)

    def _read_units(self, units: list[_Unit]) -> Iterator[Document]:
        """Read units in order, opening each JSONL file once however many of its lines are wanted."""
        position = 0
        while position < len(units):
            unit = units[position]
            if unit.line is None:
                position += 1
                text = self._read_file(unit.path)
                if text is not None:
                    yield self._unique(Document(self._doc_id(unit.path), text, str(unit.path)), unit.path)
                continue
            wanted: set[int] = set()
            while position < len(units) and units[position].path == unit.path:
                wanted.add(units[position].line or 0)
                position += 1
            with unit.path.open("rb") as handle:
                for number, raw in enumerate(handle, start=1):
                    if number in wanted and not self._too_large(len(raw), f"{unit.path}:{number}"):
                        doc = parse_jsonl_document(raw, unit.path, number)
                        if doc is not None:
                            yield self._unique(doc, unit.path, number)

    def _read_stdin(self) -> Iterator[Document]:
        data = sys.stdin.buffer.read()
        self.report.files += 1
        lines = data.splitlines()
        if lines and lines[0].lstrip().startswith(b"{"):
            for number, raw in enumerate(lines, start=1):
                if raw.strip() and not self._too_large(len(raw), f"<stdin>:{number}"):
                    doc = parse_jsonl_document(raw, "<stdin>", number)
                    if doc is not None:
                        yield self._unique(doc, "<stdin>", number)
            return
        text = None if self._too_large(len(data), "<stdin>") else decode_bytes(data, "<stdin>", self.report)
        if text is not None:
            yield self._unique(Document("stdin", text, None), "<stdin>")


def parse_jsonl_document(raw: bytes | str, path: str | Path, line: int) -> Document | None:
    """One JSONL line ``{"id": ..., "text": ...}`` as a Document; a malformed line is a one-line error."""
    try:
        record = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(
            f"not valid JSON ({error.msg if hasattr(error, 'msg') else error})",
            file=path,
            line=line,
            fix='each line must be {"id": ..., "text": ...}',
        ) from None
    if not isinstance(record, dict) or "text" not in record or "id" not in record:
        raise InputError(
            'a JSONL document needs "id" and "text" fields',
            file=path,
            line=line,
            fix='each line must be {"id": ..., "text": ...}',
        )
    if not isinstance(record["text"], str):
        raise InputError('"text" must be a string', file=path, line=line)
    extra = {k: v for k, v in record.items() if k not in ("id", "text")}
    return Document(str(record["id"]), record["text"], str(path), meta=extra)


def read_corpus(path: str | Path, **options: object) -> list[Document]:
    """All documents of a corpus as a list (convenience for small corpora and notebooks)."""
    return list(Corpus(path, **options))  # type: ignore[arg-type]
