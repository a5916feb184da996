"""The rule LFs' votes on many sentences: one pass per sentence, in chunks spread over worker processes.

The rule LFs are pure Python (regexes, word lists), so threads would share one interpreter lock; worker processes
(forked, so they inherit the LFs and the texts without pickling them) label contiguous chunks, each read by index
range, and the chunks' votes are copied in order: the result is the same matrix as one process computes, whatever
the number of workers. Only one chunk's texts are read at a time per process, so texts kept on disk
(:class:`pipeline.weak.spilled.SpilledTexts`) stay there.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Sequence

import numpy as np
from snorkel.labeling import LabelingFunction
from tqdm.auto import tqdm

from pipeline.weak.lfs.cues import TextPoint

_MIN_PER_WORKER = 4000  # below this, starting processes costs more than it saves
_CHUNK = 2000
_RULES: list[LabelingFunction] = []  # set before forking; the workers read it
_TEXTS: Sequence[str] = ()  # likewise


def _chunk_votes(lo: int) -> np.ndarray:
    """Votes of ``_RULES`` on ``_TEXTS[lo : lo + _CHUNK]``."""
    return _votes(_TEXTS[lo : lo + _CHUNK])


def _votes(texts: Sequence[str]) -> np.ndarray:
    """Votes of ``_RULES`` (columns in their order) on ``texts``."""
    out = np.full((len(texts), len(_RULES)), -1, dtype=np.int8)
    plain = [lf._f if not lf._pre and not lf._resources else lf for lf in _RULES]  # skip snorkel's call wrapper
    for i, text in enumerate(texts):
        point = TextPoint(text)
        for j, f in enumerate(plain):
            out[i, j] = f(point)
    return out


def rule_votes(
    texts: Sequence[str], rules: Sequence[LabelingFunction], workers: int = 1, progress: bool = False
) -> np.ndarray:
    """(len(texts), len(rules)) int8 votes, computed by up to ``workers`` processes."""
    global _RULES, _TEXTS
    _RULES, _TEXTS = list(rules), texts
    starts = range(0, len(texts), _CHUNK)
    bar = tqdm(total=len(texts), desc="labelling functions", disable=not progress, unit="sent")
    workers = min(workers, len(texts) // _MIN_PER_WORKER)
    out = np.full((len(texts), len(_RULES)), -1, dtype=np.int8)  # each chunk's votes are copied in as they come
    try:
        if workers > 1 and "fork" in multiprocessing.get_all_start_methods():
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                for lo, part in zip(starts, pool.imap(_chunk_votes, starts), strict=True):
                    out[lo : lo + len(part)] = part
                    bar.update(len(part))
        else:
            for lo in starts:
                part = _chunk_votes(lo)
                out[lo : lo + len(part)] = part
                bar.update(len(part))
    finally:
        _TEXTS = ()  # do not keep the caller's texts alive
        bar.close()
    return out
