"""Where a sentence ends inside a block of text: the rules that follow pysbd's English conventions.

Used by :class:`pipeline.split.PysbdSplitter` (see its module docstring for the whole algorithm): abbreviation
lists after which a period does not end a sentence, list markers that stay with the sentence they open, and the
decision for one terminator, :func:`is_boundary`.
"""

from __future__ import annotations

import re

from pipeline.text import word_set

# --- abbreviations -------------------------------------------------------------------------------------
# Words after which a period never ends a sentence (titles before a name, "vs.", "cf.").
_TITLES = word_set(
    "mr mrs ms mme mlle messrs mssrs dr prof st mt ft gen col lt maj capt cmdr adm brig sgt cpl supt det "
    "rev hon sen sens rep reps gov pres amb excy h.e sr jr ph vs v cf viz ing attys"
)
# Words after which a period is not an end when a number follows ("No. 5", "p. 12", "Sept. 11").
_BEFORE_NUMBER = word_set(
    "no nos art arts ext p pp para paras vol vols fig figs sect ch chap ref op res doc "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
# Abbreviations that may end a sentence: split only when a word that typically opens a sentence follows.
_MAYBE_FINAL = word_set("etc al approx inc ltd co corp dept govt est esq ca resp ibid misc bros assn univ")
_SENTENCE_OPENERS = word_set(
    "the this that these those it its we our i he she they there their his her my in on at for but and "
    "however as a an some many all such what when while if yet so nor moreover furthermore thus therefore "
    "today now let not since after before although though despite with without by from to only of every "
    "each one both neither either indeed also then here where why how who finally first second third "
    "nevertheless consequently accordingly meanwhile instead likewise similarly again unfortunately"
)
_OPENING_PUNCT = "\"'“‘«([{¿¡*_"
CLOSING_PUNCT = "\"'”’»)]}*_"
_BULLETS = "•▪●◦‣"

# A sentence end: terminal punctuation, optional closing quotes/brackets, then whitespace.
TERMINAL = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’»)\]}*_]*+(?=\s)")
# The token before a terminator (letters, digits and inner periods: "U.S", "1967", "Mr").
_TOKEN_BEFORE = re.compile(r"[\w.&'’-]*$")
_NEXT_TOKEN = re.compile(r"\s+(\S{1,40})")
# What a sentence-so-far looks like when it is only a list marker or a paragraph number: "a." "40." "(iv)."
MARKER = re.compile(r"[(\[]?(?:\d{1,2}(?:\.\d{1,3})*[a-z]?|[A-Za-z]|[ivxlcdm]{1,6}|[IVXLCDM]{1,6})[.)\]]+")
_DOTTED_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
LAST_SPACE = re.compile(r"\s\S*\Z")


def skip_space(text: str, position: int, end: int) -> int:
    while position < end and text[position].isspace():
        position += 1
    return position


def strip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _opens_sentence(token: str) -> bool:
    """Whether a following token can start a sentence: capital, digit, uncased letter or bullet."""
    stripped = token.lstrip(_OPENING_PUNCT)
    if not stripped:
        return False
    first = stripped[0]
    uncased_letter = first.isalpha() and not first.islower()
    return first.isupper() or first.isdigit() or first in _BULLETS or uncased_letter


def is_boundary(text: str, sentence_start: int, terminal: re.Match[str], block_end: int) -> bool:
    """Decide whether the terminator ``terminal`` ends the sentence begun at ``sentence_start``."""
    following = _NEXT_TOKEN.match(text, terminal.end(), block_end)
    if following is None:
        return False  # only whitespace follows: the block ends the sentence anyway
    next_token = following.group(1)
    if not _opens_sentence(next_token):
        return False  # "etc. -- and", "U.S. diplomats", "Jordan. our" (OCR)
    punct = terminal.group().rstrip(CLOSING_PUNCT)
    if "?" in punct or "!" in punct or len(punct) > 1:
        return True
    so_far = text[sentence_start : terminal.start() + 1]
    if MARKER.fullmatch(so_far):
        return False  # "a.  Abandon ...", "40. A careful study ..."
    before = _TOKEN_BEFORE.search(text, max(sentence_start, terminal.start() - 40), terminal.start())
    token = before.group().lstrip("'’-&") if before else ""
    word = token.lower()
    next_word = next_token.lstrip(_OPENING_PUNCT).rstrip(",;:.!?" + CLOSING_PUNCT).lower()
    if not token:
        return True
    if len(token) == 1 and token.isalpha():
        return False  # an initial: "J. F. Kennedy", "M. Boutros-Ghali"
    if word in _TITLES:
        return False
    if word in _BEFORE_NUMBER and next_token[0].isdigit():
        return False
    if word in _MAYBE_FINAL or _DOTTED_ACRONYM.fullmatch(token):
        return next_word in _SENTENCE_OPENERS  # "the U.S. The ..." ends; "U.S. Congress" does not
    return True
