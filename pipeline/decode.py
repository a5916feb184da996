"""A file's bytes to text: UTF-8, else a declared or detected encoding; what reading skipped, and why.

Used by :mod:`pipeline.corpus`; an empty, binary or undecodable file is recorded in :class:`CorpusReport` with its
reason and a warning, never silently dropped.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

_PREFERRED_LEGACY_ENCODING = "cp1252"
_SNIFF_BYTES = 8192
BOM_NOTE = "offsets skip it: read files with encoding='utf-8-sig'"
_UTF16_NUL_SHARE = 0.3  # in UTF-16 text mostly of Latin letters, about every other byte is NUL
_DECLARED_ENCODING = re.compile(rb"(?:coding|charset)[:=]\s*[\"']?([-\w.]+)", re.IGNORECASE)


@dataclass
class CorpusReport:
    """What reading a corpus met: documents read, and each file skipped with its reason."""

    documents: int = 0
    files: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    decoded_as: dict[str, str] = field(default_factory=dict)
    byte_order_marks: int = 0  # UTF-8 files that began with a byte-order mark, which the text (and offsets) skip

    def skip(self, path: str, reason: str) -> None:
        self.skipped.append((path, reason))
        log.warning("skipped %s: %s", path, reason)

    def describe_skipped(self, limit: int = 3) -> str:
        """The skipped files in a few words, e.g. ``a.txt (empty), b.bin (binary)``, for one-line errors."""
        shown = [f"{path} ({reason.split(':')[0]})" for path, reason in self.skipped[:limit]]
        more = len(self.skipped) - limit
        return ", ".join(shown) + (f" and {more} more" if more > 0 else "")

    def summary(self) -> str:
        text = f"{self.documents} documents from {self.files} files"
        if self.decoded_as:
            text += f"; {len(self.decoded_as)} decoded from a non-UTF-8 encoding"
        if self.byte_order_marks:
            text += f"; {self.byte_order_marks} began with a UTF-8 byte-order mark ({BOM_NOTE})"
        if self.skipped:
            reasons: dict[str, int] = {}
            for _, reason in self.skipped:
                kind = reason.split(":")[0]
                reasons[kind] = reasons.get(kind, 0) + 1
            text += f"; {len(self.skipped)} skipped (" + ", ".join(f"{n} {k}" for k, n in reasons.items()) + ")"
        return text


def decode_bytes(data: bytes, path: str, report: CorpusReport) -> str | None:
    """Decode a file's bytes: UTF-8, else a declared encoding, else a detected one; None if hopeless."""
    if not data.strip():
        report.skip(path, "empty: the file holds no text")
        return None
    utf16 = _utf16_encoding(data)
    if utf16 is not None:
        try:
            text = data.decode(utf16)
        except UnicodeDecodeError:
            text = None
        if text is not None and _looks_like_text(text):
            report.decoded_as[path] = utf16
            log.warning("%s is not UTF-8; decoded it as %s", path, utf16)
            return text
    if b"\x00" in data[:_SNIFF_BYTES]:
        report.skip(path, "binary: the file holds NUL bytes, so it is not text")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_like_text(text):
            report.byte_order_marks += data.startswith(codecs.BOM_UTF8)
            return text
        report.skip(path, "binary: the file is mostly control characters, so it is not text")
        return None
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


def _utf16_encoding(data: bytes) -> str | None:
    """``utf-16`` for a file with a UTF-16 byte-order mark; ``utf-16-le``/``-be`` for one without whose NUL bytes
    sit at odd (little-endian) or even (big-endian) positions, as in UTF-16 text of mostly Latin letters."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[: _SNIFF_BYTES - _SNIFF_BYTES % 2]
    if len(sample) < 4 or len(data) % 2:
        return None
    half = len(sample) // 2
    nul_even, nul_odd = sample[0::2].count(0) / half, sample[1::2].count(0) / half
    if nul_odd >= _UTF16_NUL_SHARE and nul_even == 0:
        return "utf-16-le"
    if nul_even >= _UTF16_NUL_SHARE and nul_odd == 0:
        return "utf-16-be"
    return None


def _candidate_encodings(data: bytes) -> list[str]:
    """Encodings to try, best first: a declared one, then detected ones, then cp1252 and latin-1."""
    declared = _DECLARED_ENCODING.search(data[:1024])
    candidates = [declared.group(1).decode("ascii", "ignore")] if declared else []
    try:
        from charset_normalizer import from_bytes

        candidates += _best_detected(from_bytes(data[: 1 << 20]))
    except ImportError:  # pragma: no cover - charset_normalizer ships with requests
        pass
    return candidates + [_PREFERRED_LEGACY_ENCODING, "latin-1"]


def _best_detected(matches: Sequence[object]) -> list[str]:
    """charset_normalizer's best encodings; among those tied with the best, cp1252 first.

    On a short text several single-byte encodings fit equally well (cp1250 and cp1252 for French), and the
    first of a tie is arbitrary; cp1252 is then the likelier one and decodes Western text correctly.
    """
    if not matches:
        return []
    best = matches[0]
    tied = [
        m.encoding  # type: ignore[attr-defined]
        for m in matches
        if (m.chaos, m.coherence) == (best.chaos, best.coherence)  # type: ignore[attr-defined]
    ]
    if _PREFERRED_LEGACY_ENCODING in tied:
        tied.remove(_PREFERRED_LEGACY_ENCODING)
        tied.insert(0, _PREFERRED_LEGACY_ENCODING)
    return tied[:1]


def _looks_like_text(text: str) -> bool:
    """Reject decodings full of control characters, the mark of a binary file."""
    sample = text[:_SNIFF_BYTES]
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\r\t\f")
    return controls <= max(1, len(sample) // 100)
