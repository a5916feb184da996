"""Read documents from a file, a folder, a JSONL file or standard input.

Encodings and bad files are handled here, once: an empty, binary or undecodable file is skipped with a
warning and counted in :class:`CorpusReport`, never silently dropped. Documents stream one at a time so a
large corpus never sits in memory as a whole.
"""

from __future__ import annotations

import codecs
import fnmatch
import json
import logging
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError

log = logging.getLogger(__name__)

DEFAULT_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".jsonl")
_SNIFF_BYTES = 8192
_DECLARED_ENCODING = re.compile(rb"(?:coding|charset)[:=]\s*[\"']?([-\w.]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Document:
    """One source text. ``id`` is unique in a corpus; offsets of sentences index into ``text``."""

    id: str
    text: str
    path: str | None = None


@dataclass
class CorpusReport:
    """What reading a corpus met: documents read, and each file skipped with its reason."""

    documents: int = 0
    files: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    decoded_as: dict[str, str] = field(default_factory=dict)

    def skip(self, path: str, reason: str) -> None:
        self.skipped.append((path, reason))
        log.warning("skipped %s: %s", path, reason)

    def summary(self) -> str:
        text = f"{self.documents} documents from {self.files} files"
        if self.decoded_as:
            text += f"; {len(self.decoded_as)} decoded from a non-UTF-8 encoding"
        if self.skipped:
            reasons: dict[str, int] = {}
            for _, reason in self.skipped:
                kind = reason.split(":")[0]
                reasons[kind] = reasons.get(kind, 0) + 1
            text += f"; {len(self.skipped)} skipped (" + ", ".join(f"{n} {k}" for k, n in reasons.items()) + ")"
        return text


@dataclass(frozen=True)
class _Unit:
    """A place a document comes from: a whole text file, or one line of a JSONL file."""

    path: Path
    line: int | None = None  # 1-based JSONL line, None for a whole file


def decode_bytes(data: bytes, path: str, report: CorpusReport) -> str | None:
    """Decode a file's bytes: UTF-8, else a declared encoding, else a detected one; None if hopeless."""
    if not data.strip():
        report.skip(path, "empty: the file holds no text")
        return None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            report.decoded_as[path] = "utf-16"
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:_SNIFF_BYTES]:
        report.skip(path, "binary: the file holds NUL bytes, so it is not text")
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in _candidate_encodings(data):
        try:
            text = data.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_like_text(text):
            report.decoded_as[path] = encoding
            log.warning("%s is not UTF-8; decoded it as %s", path, encoding)
            return text
    report.skip(path, "undecodable: not UTF-8 and no declared or detected encoding fits")
    return None


def _candidate_encodings(data: bytes) -> list[str]:
    declared = _DECLARED_ENCODING.search(data[:1024])
    candidates = [declared.group(1).decode("ascii", "ignore")] if declared else []
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[: 1 << 20]).best()
        if best is not None:
            candidates.append(best.encoding)
    except ImportError:  # pragma: no cover - charset_normalizer ships with requests
        pass
    return candidates + ["cp1252", "latin-1"]


def _looks_like_text(text: str) -> bool:
    """Reject decodings full of control characters, the mark of a binary file."""
    sample = text[:_SNIFF_BYTES]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls <= max(1, len(sample) // 100)


class Corpus:
    """The documents under ``path`` (a file, a folder searched recursively, a JSONL file, or ``-``).

    ``shard=(i, n)`` keeps the i-th of n contiguous blocks of documents, so that shards 0..n-1 written
    one after another equal the unsharded output exactly.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        suffixes: Sequence[str] = DEFAULT_SUFFIXES,
        exclude: Sequence[str] = (),
        shard: tuple[int, int] = (0, 1),
    ) -> None:
        self.path = str(path)
        self.suffixes = tuple(s if s.startswith(".") else "." + s for s in suffixes)
        self.exclude = tuple(exclude)
        index, count = shard
        if count < 1 or not 0 <= index < count:
            raise InputError(f"shard {index}/{count} does not exist", fix="use shard=i/n with 0 <= i < n")
        self.shard = (index, count)
        self.report = CorpusReport()

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
        if self.path == "-":
            yield from self._shard_slice(self._read_stdin())
            return
        units = list(self._units())
        index, count = self.shard
        lo, hi = len(units) * index // count, len(units) * (index + 1) // count
        yield from self._read_units(units[lo:hi])

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
                with path.open("rb") as handle:
                    for number, raw in enumerate(handle, start=1):
                        if raw.strip():
                            yield _Unit(path, number)
            else:
                yield _Unit(path)

    def _read_units(self, units: list[_Unit]) -> Iterator[Document]:
        """Read units in order, opening each JSONL file once however many of its lines are wanted."""
        position = 0
        while position < len(units):
            unit = units[position]
            if unit.line is None:
                position += 1
                text = decode_bytes(unit.path.read_bytes(), str(unit.path), self.report)
                if text is not None:
                    self.report.documents += 1
                    yield Document(self._doc_id(unit.path), text, str(unit.path))
                continue
            wanted: set[int] = set()
            while position < len(units) and units[position].path == unit.path:
                wanted.add(units[position].line or 0)
                position += 1
            with unit.path.open("rb") as handle:
                for number, raw in enumerate(handle, start=1):
                    if number in wanted:
                        doc = parse_jsonl_document(raw, unit.path, number)
                        if doc is not None:
                            self.report.documents += 1
                            yield doc

    def _read_stdin(self) -> Iterator[Document]:
        data = sys.stdin.buffer.read()
        self.report.files += 1
        lines = data.splitlines()
        if lines and lines[0].lstrip().startswith(b"{"):
            for number, raw in enumerate(lines, start=1):
                if raw.strip():
                    doc = parse_jsonl_document(raw, "<stdin>", number)
                    if doc is not None:
                        self.report.documents += 1
                        yield doc
            return
        text = decode_bytes(data, "<stdin>", self.report)
        if text is not None:
            self.report.documents += 1
            yield Document("stdin", text, None)


def parse_jsonl_document(raw: bytes | str, path: str | Path, line: int) -> Document | None:
    """One JSONL line ``{"id": ..., "text": ...}`` as a Document; a malformed line is a one-line error."""
    try:
        record = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"not valid JSON ({error.msg if hasattr(error, 'msg') else error})", file=path,
                         line=line, fix='each line must be {"id": ..., "text": ...}') from None
    if not isinstance(record, dict) or "text" not in record or "id" not in record:
        raise InputError('a JSONL document needs "id" and "text" fields', file=path, line=line,
                         fix='each line must be {"id": ..., "text": ...}')
    if not isinstance(record["text"], str):
        raise InputError('"text" must be a string', file=path, line=line)
    return Document(str(record["id"]), record["text"], str(path))


def read_corpus(path: str | Path, **options: object) -> list[Document]:
    """All documents of a corpus as a list (convenience for small corpora and notebooks)."""
    return list(Corpus(path, **options))  # type: ignore[arg-type]
