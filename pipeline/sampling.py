"""Which weakly labelled sentences to fine-tune on: a seeded, optionally class-balanced sample.

Kept apart from :mod:`pipeline.train`, which fine-tunes on whatever rows it is given: the choice of rows (hard
negatives on the topic, lexical near misses off it) is a design of its own, tried in ``benchmarks/train_dev.py``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from pipeline.labels import LABELS


def select_training_rows(
    labels: Sequence[str | None],
    *,
    max_train: int | None,
    balance: bool,
    seed: int,
    on_topic: Sequence[bool] | None = None,
    on_topic_none_share: float = 0.0,
    near_miss: Sequence[bool] | None = None,
    near_miss_none: int = 0,
) -> list[int]:
    """Indices of the sentences to train on: labelled ones, optionally class-balanced, capped at ``max_train``.

    With ``balance`` each label gets an equal quota (``max_train // 3``, or the rarest label's count when no cap
    is set); a label with fewer sentences than its quota keeps all of them. ``on_topic_none_share`` of the
    `none` quota is drawn first from ``on_topic`` sentences (hard negatives: they mention troops but take no
    side). ``near_miss_none`` more `none` sentences are then drawn from the ``near_miss`` ones not yet chosen
    (see :func:`lexical_near_misses`), beyond the quota; without ``balance`` every labelled sentence is in
    already. ``max_train=0`` takes no quota at all: only the near misses (a run that learns its stances from
    hand-labelled exemplars, ``train.exemplars``). Sampling is seeded.
    """
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {label: [] for label in LABELS}
    for index, label in enumerate(labels):
        if label is not None:
            by_label[label].append(index)
    if not balance:
        everything = sorted(i for rows in by_label.values() for i in rows)
        if max_train is not None and len(everything) > max_train:
            return sorted(rng.choice(everything, size=max_train, replace=False).tolist())
        return everything
    present = [rows for rows in by_label.values() if rows]
    quota = (max_train // len(LABELS)) if max_train is not None else min(len(rows) for rows in present)
    chosen: list[int] = []
    for label, rows in by_label.items():
        if label == "none" and on_topic is not None and on_topic_none_share > 0:
            hard = [i for i in rows if on_topic[i]]
            take_hard = min(len(hard), int(round(quota * on_topic_none_share)))
            picked = rng.choice(hard, size=take_hard, replace=False).tolist() if take_hard else []
            rest = sorted(set(rows) - set(picked))
            take_rest = min(len(rest), quota - take_hard)
            chosen += picked + (rng.choice(rest, size=take_rest, replace=False).tolist() if take_rest else [])
            continue
        take = min(quota, len(rows))
        chosen.extend(rng.choice(rows, size=take, replace=False).tolist() if take else [])
    if near_miss is not None and near_miss_none > 0:
        taken = set(chosen)
        misses = [i for i in by_label["none"] if near_miss[i] and i not in taken]
        take = min(near_miss_none, len(misses))
        chosen.extend(rng.choice(misses, size=take, replace=False).tolist() if take else [])
    return sorted(chosen)


_WORD = re.compile(r"[a-z]{4,}")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def lexical_near_misses(
    texts: Sequence[str],
    labels: Sequence[str | None],
    on_topic: Sequence[bool],
    size: int = 150,
    min_count: int = 10,
) -> np.ndarray:
    """Which sentences are off the topic yet carry a word typical of the stance sentences.

    A model trained on stance sentences and on-topic `none` sentences learns that "tribute", "contribution" or
    "demand" mean a stance, and then calls thanks to a Secretary-General `favor`. The words are the ``size``
    with the highest log-odds of appearing in a weakly labelled stance sentence rather than in an off-topic
    `none` one, among words seen at least ``min_count`` times in stance sentences and 5 times off the topic.
    Computed from the weak labels alone.
    """
    stance: Counter[str] = Counter()
    off_topic: Counter[str] = Counter()
    n_stance = n_off = 0
    for text, label, topical in zip(texts, labels, on_topic, strict=True):
        if label in ("against", "favor"):
            stance.update(_words(text))
            n_stance += 1
        elif label == "none" and not topical:
            off_topic.update(_words(text))
            n_off += 1
    log_odds = {
        word: math.log((count + 1) / (n_stance + 1)) - math.log((off_topic[word] + 1) / (n_off + 1))
        for word, count in stance.items()
        if count >= min_count and off_topic[word] >= 5
    }
    vocabulary = set(sorted(log_odds, key=lambda word: (-log_odds[word], word))[:size])
    return np.array(
        [not topical and bool(vocabulary & _words(text)) for text, topical in zip(texts, on_topic, strict=True)],
        dtype=bool,
    )
