"""Seconds, sentences/s and peak memory of each stage of a run (run.json, metrics.json ``stages``, report.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB (``ru_maxrss``: KiB on Linux)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Clock:
    """Seconds, sentences/s and peak RSS of each stage, for run.json, metrics.json and report.md."""

    timings: dict[str, float] = field(default_factory=dict)
    sentences: dict[str, int] = field(default_factory=dict)
    peaks: dict[str, float] = field(default_factory=dict)
    started: float = field(default_factory=time.perf_counter)

    @contextmanager
    def stage(self, name: str, sentences: int | None = None) -> Iterator[None]:
        tick = time.perf_counter()
        yield
        self.timings[name] = time.perf_counter() - tick
        self.peaks[name] = peak_rss_mb()  # the process peak at the stage's end: it rose in this stage if above
        if sentences is not None:
            self.sentences[name] = sentences

    def count(self, name: str, sentences: int) -> None:
        """Set the sentences a stage handled when they are known only after it (the split)."""
        self.sentences[name] = sentences

    def rounded(self) -> dict[str, float]:
        return {k: round(v, 2) for k, v in (self.timings | {"total": time.perf_counter() - self.started}).items()}

    def stages(self) -> dict[str, dict[str, float]]:
        """Per stage: ``seconds``, ``sentences`` and ``sentences_per_s`` (where counted), ``peak_rss_mb``."""
        out: dict[str, dict[str, float]] = {}
        for name, seconds in self.timings.items():
            row: dict[str, float] = {"seconds": round(seconds, 2), "peak_rss_mb": round(self.peaks[name], 1)}
            if name in self.sentences:
                row["sentences"] = self.sentences[name]
                row["sentences_per_s"] = round(self.sentences[name] / max(seconds, 1e-9), 1)
            out[name] = row
        return out
