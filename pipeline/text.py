"""The one text normalisation that labelling functions and the model see, in training and in prediction alike.

It is applied in one place: a :class:`~pipeline.split.Sentence` computes its ``norm`` from its exact source
slice when it is made, and every stage (weak labelling, training, calibration, evaluation, ``stance-predict``)
reads ``sentence.norm``. :data:`NORMALIZATION` names this version of the rules; a run records it in
``run.json``, so a change to the rules shows as a different name rather than as a silent drift between a
model and the text it is later given.
"""

from __future__ import annotations

import re

NORMALIZATION = "clean_text/1"
"""Name and version of the rules below; change the number whenever their output changes."""


def word_set(spaced: str) -> frozenset[str]:
    """A word list written as one space-separated string."""
    return frozenset(spaced.split())


# Prefixes written with a hyphen (kept at a line end): "self-\ndetermination", "co-\noperation".
_HYPHEN_PREFIXES = word_set(
    "self non co ex so well all half cross vice anti pro post pre neo pan counter re semi quasi ill "
    "one two three four five six seven eight nine ten twenty thirty forty fifty sixty seventy eighty ninety "
    "long short high low good full mid far near"
)
# Prefixes and suffixes that are glued without a hyphen: "inter-\nnational", "govern-\nment".
_GLUED_PREFIXES = word_set("inter intra trans multi under over super sub dis un im in con com")
_GLUED_SUFFIXES = word_set(
    "tion tions tional ment ments ing ings ed ly ness ity ities ance ances ence ences ary ate ates ated al "
    "ic ical ous ive ives able ible ism ist ists ization ize ized ise ised ship ful less ward wards ty cy "
    "sion sions tic ure ures er ers or ors ial ially ation ations ency ancy"
)
_LINE_END_HYPHEN = re.compile(
    r"(?<![\w.])(?P<before>[\w.]*\w\.?)(?:-|\u00ad)[^\S\r\n\f\v\u2028\u2029\x85]*"
    r"[\r\n\f\v\u2028\u2029\x85]\s*(?P<after>\w+)"
)
_SOFT_HYPHEN = "\u00ad"
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_WHITESPACE = re.compile(r"\s+")


def _keep_hyphen(before: str, after: str) -> bool:
    """Whether a hyphen at a line end is a real hyphen (kept) rather than word-division (removed).

    Kept when the next piece starts with a capital or a digit ("Secretary-\\nGeneral", "post-\\n2015"),
    when the first piece is an acronym or has periods ("U.S.-\\nled"), or is a prefix written with a
    hyphen ("self-", "non-", "co-", number words). Removed when the first piece is a prefix written solid
    ("inter-", "multi-") or the second a suffix ("-tion", "-ment"). Otherwise kept: in the UN speeches,
    end-of-line hyphens are nearly all real compounds ("peace-\\nkeeping", "nuclear-\\nweapon"), and a kept
    hyphen harms a word less than two words glued together.
    """
    if not after[:1].islower() or not before.isalpha() or (before.isupper() and len(before) > 1):
        return True
    lowered = before.lower()
    if lowered in _HYPHEN_PREFIXES:
        return True
    return not (lowered in _GLUED_PREFIXES or after.lower() in _GLUED_SUFFIXES)


def _join_hyphenated(match: re.Match[str]) -> str:
    before, after = match.group("before"), match.group("after")
    soft = _SOFT_HYPHEN in match.group()
    if not soft and _keep_hyphen(before, after):
        return f"{before}-{after}"
    return before + after


def normalize(text: str) -> str:
    """The normalised text that labelling functions and the model see.

    Line breaks are joined with spaces; end-of-line hyphenation is undone or kept by :func:`_keep_hyphen`
    ("inter-\\nnational" -> "international", "U.S.-\\nled" -> "U.S.-led", "self-\\ndetermination" kept);
    soft hyphens and zero-width characters are dropped; non-breaking and other Unicode spaces become spaces;
    runs of whitespace collapse to one space; the ends are stripped.
    """
    text = _ZERO_WIDTH.sub("", text)
    if "-" in text or _SOFT_HYPHEN in text:
        text = _LINE_END_HYPHEN.sub(_join_hyphenated, text)
        text = text.replace(_SOFT_HYPHEN, "")
    return _WHITESPACE.sub(" ", text).strip()
