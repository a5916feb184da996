"""Sentences kept on disk instead of in memory, behind the ``Sequence[str]`` interface the labeller takes.

Weak-labelling a corpus needs every sentence's votes but only a few sentences' texts at a time: the rule LFs read
them in chunks, and only the ~7% that can carry a stance are embedded. :class:`SpilledTexts` writes the texts to an
unlinked temporary file (UTF-8, end to end) and keeps 8 bytes of offset per sentence, so that the labeller's memory
stays flat however large the corpus (``benchmarks/weak.py --memory-curve``). Reads use ``os.pread``, not a memory
map, so that the pages read are not counted in the process's resident memory, and forked workers can read the
same file at the same time.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import overload

import numpy as np

_READ_BLOCK = 1 << 20  # bytes read at a time when iterating


class SpilledTexts(Sequence[str]):
    """An immutable sequence of strings stored in a temporary file; ``SpilledTexts(texts)`` consumes an iterable.

    The file is unlinked at once (POSIX) or removed on :meth:`close`, so nothing is left behind by a crash.
    """

    def __init__(self, texts: Iterable[str], folder: str | Path | None = None) -> None:
        self._file = tempfile.TemporaryFile(dir=folder, prefix="spilled-texts-")  # noqa: SIM115 (lives with self)
        try:
            self._ends = self._write(texts)
        except BaseException:
            self._file.close()
            raise

    def _write(self, texts: Iterable[str]) -> np.ndarray:
        """Write ``texts`` to the file, 65,536 at a time; each text's end offset."""
        packed: list[np.ndarray] = []
        position = 0
        ends: list[int] = []
        buffer: list[bytes] = []
        for text in texts:
            data = text.encode("utf-8")
            buffer.append(data)
            position += len(data)
            ends.append(position)
            if len(ends) == 65536:
                self._file.write(b"".join(buffer))
                packed.append(np.asarray(ends, dtype=np.int64))
                ends, buffer = [], []
        self._file.write(b"".join(buffer))
        self._file.flush()
        packed.append(np.asarray(ends, dtype=np.int64))
        return np.concatenate(packed)

    def __len__(self) -> int:
        return len(self._ends)

    def _start(self, index: int) -> int:
        """Where text ``index`` begins in the file: where the one before it ends."""
        return int(self._ends[index - 1]) if index else 0

    def _read(self, start: int, end: int) -> bytes:
        return os.pread(self._file.fileno(), end - start, start)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> list[str]: ...

    def __getitem__(self, index: int | slice) -> str | list[str]:
        if isinstance(index, slice):
            rows = range(*index.indices(len(self)))
            if rows.step != 1 or not len(rows):
                return [self[i] for i in rows]
            return self._block(rows.start, rows.stop)
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"text index {index} out of range for {len(self)} texts")
        return self._read(self._start(index), int(self._ends[index])).decode("utf-8")

    def _block(self, lo: int, hi: int) -> list[str]:
        """Texts ``lo`` to ``hi`` (exclusive) with one read."""
        base = self._start(lo)
        ends = self._ends[lo:hi].tolist()
        data = self._read(base, ends[-1])
        starts = [base, *ends[:-1]]
        return [data[start - base : end - base].decode("utf-8") for start, end in zip(starts, ends, strict=True)]

    def __iter__(self) -> Iterator[str]:
        lo = 0
        while lo < len(self):
            hi = int(np.searchsorted(self._ends, self._start(lo) + _READ_BLOCK, side="right"))
            hi = min(max(hi, lo + 1), len(self))
            yield from self._block(lo, hi)
            lo = hi

    def close(self) -> None:
        """Remove the file now rather than when the object is collected."""
        self._file.close()

    def __enter__(self) -> SpilledTexts:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
