"""Lexicon LFs: the VADER valence lexicon (shipped inside vaderSentiment) read near a target cue.

Sentiment alone is not stance (rule 2 of the guideline), so valence is only counted in a window of words around
an occupation/foreign-forces cue (negative -> AGAINST) or a peacekeeping cue (positive -> FAVOR).
"""

from __future__ import annotations

import re
from functools import cache

from snorkel.labeling import labeling_function

from pipeline.labels import ABSTAIN, AGAINST, FAVOR
from pipeline.weak.lfs.cues import (
    FOREIGN_FORCES,
    NON_STATE_OCCUPATION,
    OCCUPATION,
    PEACEKEEPING,
    TextPoint,
    has,
    rx,
)

WINDOW_WORDS = 6
"""How many words either side of a cue are read for valence."""
NEGATIVE_THRESHOLD = -3.0
"""Summed VADER valence at or below which the words around an occupation cue count as condemnation."""
POSITIVE_THRESHOLD = 3.0
"""Summed VADER valence at or above which the words around a peacekeeping cue count as praise."""

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_NEGATORS = frozenset({"not", "no", "never", "without", "nor", "cannot"})
# Words VADER scores that are part of the topic itself, not an evaluation of it.
_TOPIC_WORDS = frozenset(
    {
        "war",
        "wars",
        "conflict",
        "conflicts",
        "attack",
        "attacks",
        "security",
        "peace",
        "peaceful",
        "help",
        "support",
        "supported",
        "fighting",
        "fight",
        "forces",
        "force",
        "threat",
        "threats",
        "crisis",
        "united",
        "free",
        "freedom",
        "great",
        "important",
        "like",
        "hope",
        "fought",
        "military",
        "armed",
        "defense",
        "defence",
        "protection",
        "protect",
        "resolution",
        "resolve",
        "solution",
        "agreement",
        "no",
        "vital",
        "interests",
        "well",
        "recognized",
        "legitimate",
        "reconciliation",
        "commitment",
        "committed",
        "ready",
        "progress",
        "justice",
        "stability",
    }
)


@cache
def vader_lexicon() -> dict[str, float]:
    """The word -> valence table that ships inside vaderSentiment (loaded once)."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return dict(SentimentIntensityAnalyzer().lexicon)


def window_valence(text: str, cue: re.Pattern[str], window: int = WINDOW_WORDS) -> float | None:
    """Sum of VADER valences of the words within ``window`` words of any ``cue`` match; None without a cue.

    Topic words (war, peace, security, ...) are skipped; a negator just before a word flips its sign.
    """
    if not has(cue, text):
        return None  # the cheap (gated, remembered) check first: most sentences have no cue
    words = [(m.group(0).lower(), m.start()) for m in _WORD.finditer(text)]
    starts = [start for _, start in words]
    cue_positions = [sum(1 for s in starts if s < m.start()) for m in cue.finditer(text)]
    if not cue_positions:
        return None
    lexicon = vader_lexicon()
    seen: set[int] = set()
    total = 0.0
    for position in cue_positions:
        for i in range(max(0, position - window), min(len(words), position + window + 1)):
            if i in seen:
                continue
            seen.add(i)
            word = words[i][0]
            if word in _TOPIC_WORDS or word not in lexicon:
                continue
            valence = lexicon[word]
            if i > 0 and words[i - 1][0] in _NEGATORS:
                valence = -valence
            total += valence
    return total


_OCCUPATION_CUE = rx(
    r"\b(?:occupation|invasion|invaders?|occupiers?|occupying|aggressors?|incursions?)\b"
    r"|\bforeign\s+(?:\w+\s+)?(?:troops|forces|bases|presence)"
)


_MANAGEMENT = rx(
    r"\b(?:safety|security\s+of|training|resources|financ\w+|budgets?|reform\w*|improv\w+|effective\w*|"
    r"efficien\w+|attacks?\s+(?:on|against)|abuse\w*|mandates?|capacit\w+|capabilit\w+|peace-?building|"
    r"priorit\w+|partnerships?|cooperation)\b"
)
"""Peacekeeping management topics: positive words there praise the management, not the presence."""


@labeling_function()
def lex_negative_near_occupation(x: TextPoint) -> int:
    """AGAINST: strongly negative VADER words around an occupation/invasion/foreign-forces cue."""
    text = x.text
    if has(NON_STATE_OCCUPATION, text):
        return ABSTAIN
    valence = window_valence(text, _OCCUPATION_CUE)
    if valence is not None and valence <= NEGATIVE_THRESHOLD:
        return AGAINST
    return ABSTAIN


@labeling_function()
def lex_positive_near_peacekeepers(x: TextPoint) -> int:
    """FAVOR: strongly positive VADER words around a peacekeeping or multinational-forces cue (no occupation)."""
    text = x.text
    if has(OCCUPATION, text) or has(_MANAGEMENT, text):
        return ABSTAIN
    cue = PEACEKEEPING if has(PEACEKEEPING, text) else FOREIGN_FORCES
    valence = window_valence(text, cue)
    if valence is not None and valence >= POSITIVE_THRESHOLD:
        return FAVOR
    return ABSTAIN


LEXICON_LFS = [lex_negative_near_occupation, lex_positive_near_peacekeepers]
