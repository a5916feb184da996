"""The label set, defined once: every stage indexes labels the same way."""

from __future__ import annotations

LABELS: tuple[str, ...] = ("against", "favor", "none")
"""Stance labels of ../shared/ANNOTATION.md, in index order."""

AGAINST, FAVOR, NONE = 0, 1, 2
ABSTAIN = -1
"""A labelling function's vote when its evidence is absent (Snorkel's convention)."""

LABEL2ID: dict[str, int] = {label: i for i, label in enumerate(LABELS)}
ID2LABEL: dict[int, str] = dict(enumerate(LABELS))
