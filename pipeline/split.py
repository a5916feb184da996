"""Split documents into sentences that keep character offsets into the source text.

Every :class:`Sentence` satisfies ``sentence.text == document.text[sentence.start:sentence.end]``: the text is
an exact slice of the source, stripped of surrounding whitespace, never empty. Normalising text for the
labelling functions and the model is a separate step, :func:`clean_text`, so that offsets stay exact.

How :class:`PysbdSplitter` works, in two passes, both linear in the length of the document:

1. **Blocks.** The document is cut at hard boundaries. Without unwrapping every line break is one (headlines,
   bylines, ``Q:``/``A:`` lines and list items on their own line are their own sentences, as the seed's gold
   segmentation has them). With unwrapping (hard-wrapped PDF text) a single line break is *soft*, i.e. not a
   boundary, when the line before it has the length of a wrapped line; and any break (even a blank line or a
   page break) is soft when the line before ends without punctuation and the next starts in lower case.
2. **Sentences.** Inside a block, boundaries are found by rules that follow pysbd's English conventions
   (pysbd 0.3.4's abbreviation lists, titles, list markers, numbers after ``No.``/``p.``), plus two
   conventions of the gold sets that pysbd lacks: a quotation is split at its own sentence ends
   (``"... politics. We believe ...," he said.`` is two sentences), and a list marker or paragraph number
   (``a.``, ``40.``) stays with the sentence it opens. pysbd itself is ~20 times too slow for the corpus
   (about 0.05 MB/s against the 1 MB/s needed); ``backend="pysbd"`` still runs it, block by block, for
   comparison.

Sentences longer than ``max_chars`` (a run without sentence punctuation) are cut at the last whitespace
before the limit, so that no sentence is unbounded.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Literal, Protocol

from tqdm import tqdm

from pipeline.corpus import Document
from pipeline.errors import ConfigError


@dataclass(frozen=True)
class Sentence:
    """One unit to label: ``text == source[start:end]`` for the document ``doc``."""

    doc: str
    start: int
    end: int
    text: str


class Splitter(Protocol):
    """Anything that turns a document into sentences with exact offsets."""

    def split(self, document: Document) -> list[Sentence]: ...


def _words(spaced: str) -> frozenset[str]:
    """A word list written as one space-separated string."""
    return frozenset(spaced.split())


# --- abbreviations -------------------------------------------------------------------------------------
# Words after which a period never ends a sentence (titles before a name, "vs.", "cf.").
_TITLES = _words(
    "mr mrs ms mme mlle messrs mssrs dr prof st mt ft gen col lt maj capt cmdr adm brig sgt cpl supt det "
    "rev hon sen sens rep reps gov pres amb excy h.e sr jr ph vs v cf viz ing attys"
)
# Words after which a period is not an end when a number follows ("No. 5", "p. 12", "Sept. 11").
_BEFORE_NUMBER = _words(
    "no nos art arts ext p pp para paras vol vols fig figs sect ch chap ref op res doc "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
# Abbreviations that may end a sentence: split only when a word that typically opens a sentence follows.
_MAYBE_FINAL = _words("etc al approx inc ltd co corp dept govt est esq ca resp ibid misc bros assn univ")
_SENTENCE_OPENERS = _words(
    "the this that these those it its we our i he she they there their his her my in on at for but and "
    "however as a an some many all such what when while if yet so nor moreover furthermore thus therefore "
    "today now let not since after before although though despite with without by from to only of every "
    "each one both neither either indeed also then here where why how who finally first second third "
    "nevertheless consequently accordingly meanwhile instead likewise similarly again unfortunately"
)
_OPENING_PUNCT = "\"'“‘«([{¿¡*_"
_CLOSING_PUNCT = "\"'”’»)]}*_"
_BULLETS = "•▪●◦‣"

# A sentence end: terminal punctuation, optional closing quotes/brackets, then whitespace.
_TERMINAL = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’»)\]}*_]*+(?=\s)")
# The token before a terminator (letters, digits and inner periods: "U.S", "1967", "Mr").
_TOKEN_BEFORE = re.compile(r"[\w.&'’-]*$")
_NEXT_TOKEN = re.compile(r"\s+(\S{1,40})")
# What a sentence-so-far looks like when it is only a list marker or a paragraph number: "a." "40." "(iv)."
_MARKER = re.compile(r"[(\[]?(?:\d{1,2}(?:\.\d{1,3})*[a-z]?|[A-Za-z]|[ivxlcdm]{1,6}|[IVXLCDM]{1,6})[.)\]]+")
_DOTTED_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]")
_LAST_SPACE = re.compile(r"\s\S*\Z")

# --- lines and wrapping --------------------------------------------------------------------------------
_LINE = re.compile(r"[^\n\r\f\v\x1c-\x1e\x85\u2028\u2029]+")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\f\v\x1c-\x1e\x85\u2028\u2029]")
_ENDS_TERMINAL = re.compile(r"[.!?…:;][\"'”’»)\]}]*$")
_DETECT_SAMPLE_LINES = 2000
_LAST_WORD = re.compile(r"\w+$")
_LINE_MARKER = re.compile(r"[(\[]?(?:\d{1,3}|[A-Za-z]|[ivxlcdm]{1,6}|[IVXLCDM]{1,6})[.)\]]\s")
# Words that do not end a sentence or a headline: a line ending in one continues on the next line.
_NOT_FINAL = _words(
    "of the a an and or nor to in on for with by from at as into upon between among than about against "
    "through within without under over its their our his her your my whose which that who whom whereas "
    "is are was were be been has have had will would shall should can could may must not very this these "
    "those such both all any each every"
)
_WRAPPED_MIN, _WRAPPED_MAX = 40, 80
_WRAPPED_SHARE = 0.3
_MIN_LINES_TO_DETECT = 5

Unwrap = bool | Literal["auto"]


def _parse_unwrap(value: Any) -> Unwrap:
    """Accept True/False/"auto" and their config spellings ("true", "no", ...)."""
    if isinstance(value, bool):
        return value
    spelled = str(value).strip().lower()
    if spelled == "auto":
        return "auto"
    if spelled in {"true", "yes", "on", "1"}:
        return True
    if spelled in {"false", "no", "off", "0"}:
        return False
    raise ConfigError(f"unwrap={value!r} is not a choice", key="splitter.unwrap", fix="use auto, true or false")


@dataclass(frozen=True)
class WrapProfile:
    """What the line layout of a document says: is it hard-wrapped, and how wide are its wrapped lines."""

    wrapped: bool
    width: float  # median length of the lines of at most 120 characters; 0 when there are none
    share: float  # share of non-blank lines that look wrapped (40-80 chars, no sentence punctuation at end)
    lines: int  # non-blank lines looked at


def wrap_profile(text: str, sample_lines: int = _DETECT_SAMPLE_LINES) -> WrapProfile:
    """Detect hard-wrapped text from its first ``sample_lines`` non-blank lines (cheap on any size).

    A line "looks wrapped" when it is 40-80 characters long and does not end in sentence punctuation
    (``. ! ? : ;``, optionally followed by a closing quote or bracket). A document is hard-wrapped when at
    least 30% of its lines (and at least 5 lines) look wrapped: on the UN corpus wrapped speeches score
    0.8-0.9 (mixed ones 0.5), one-paragraph-per-line speeches 0.0-0.1, and the seed article about 0.05.
    """
    lengths: list[int] = []
    wrapped_like = 0
    for match in islice(_LINE.finditer(text), sample_lines):
        line = match.group().strip()
        if not line:
            continue
        lengths.append(len(line))
        if _WRAPPED_MIN <= len(line) <= _WRAPPED_MAX and not _ENDS_TERMINAL.search(line):
            wrapped_like += 1
    short = [n for n in lengths if n <= 120]
    width = float(statistics.median(short)) if short else 0.0
    share = wrapped_like / len(lengths) if lengths else 0.0
    wrapped = len(lengths) >= _MIN_LINES_TO_DETECT and share >= _WRAPPED_SHARE
    return WrapProfile(wrapped=wrapped, width=width, share=share, lines=len(lengths))


def is_hard_wrapped(text: str) -> bool:
    """True when ``text`` looks like hard-wrapped PDF text (see :func:`wrap_profile`)."""
    return wrap_profile(text).wrapped


class PysbdSplitter:
    """Sentence splitter with exact offsets, following pysbd's English rules (see the module docstring).

    Parameters:
        unwrap: ``"auto"`` (default) joins lines only in documents that :func:`wrap_profile` finds
            hard-wrapped; ``True`` always; ``False`` never (every line break is a boundary).
        max_chars: longest sentence kept whole; a longer run is cut at the last whitespace before the limit
            (or at the limit when there is none). ``None`` disables the limit.
        backend: ``"rules"`` (default, fast) or ``"pysbd"`` (pysbd 0.3.4 on each block; ~0.05 MB/s, and it
            does not split inside quotations, so it does not reproduce the seed's gold segmentation).
        language: pysbd language for ``backend="pysbd"``; the rules are English.
    """

    def __init__(
        self,
        unwrap: Unwrap | str = "auto",
        max_chars: int | None = 2000,
        backend: Literal["rules", "pysbd"] = "rules",
        language: str = "en",
    ) -> None:
        self.unwrap: Unwrap = _parse_unwrap(unwrap)
        if max_chars is not None and (isinstance(max_chars, bool) or int(max_chars) < 2):
            raise ConfigError(
                f"max_chars={max_chars!r} is too small",
                key="splitter.max_chars",
                fix="use an integer of at least 2 (e.g. 2000), or null for no limit",
            )
        self.max_chars = int(max_chars) if max_chars is not None else None
        if backend not in ("rules", "pysbd"):
            raise ConfigError(f"backend={backend!r} is not a choice", key="splitter.backend", fix="use rules or pysbd")
        self.backend = backend
        self.language = language
        self._segmenter: Any = None

    def __repr__(self) -> str:
        return (
            f"PysbdSplitter(unwrap={self.unwrap!r}, max_chars={self.max_chars!r}, "
            f"backend={self.backend!r}, language={self.language!r})"
        )

    def split(self, document: Document) -> list[Sentence]:
        """All sentences of ``document`` in order (see :meth:`iter_split` to stream a huge document)."""
        return list(self.iter_split(document))

    def iter_split(self, document: Document) -> Iterator[Sentence]:
        """Yield the sentences of ``document`` one by one, block by block, in linear time."""
        text = document.text
        for block_start, block_end in self.blocks(text):
            for start, end in self._sentences_in_block(text, block_start, block_end):
                for piece_start, piece_end in self._bounded(text, start, end):
                    yield Sentence(document.id, piece_start, piece_end, text[piece_start:piece_end])

    # --- pass 1: blocks --------------------------------------------------------------------------------
    def unwraps(self, text: str) -> tuple[bool, float]:
        """Whether this splitter joins the wrapped lines of ``text``, and the wrapped line width to use."""
        if self.unwrap is False:
            return False, 0.0
        profile = wrap_profile(text)
        return (profile.wrapped if self.unwrap == "auto" else True), profile.width

    def blocks(self, text: str) -> Iterator[tuple[int, int]]:
        """Spans of ``text`` between hard boundaries, stripped of surrounding whitespace.

        ``unwrap=False``: every line is a block. Otherwise a line break is soft (lines are joined) when the
        line before it ends in a comma or a word that cannot end a sentence ("of", "the", "its") or the next
        line starts in lower case, the line before not ending in punctuation (a sentence broken by a stray
        line or page break, which the UN speeches have even where they are not wrapped); and, in a document
        that is unwrapped, a single line break is also soft when the line before has the length of a
        wrapped line (half to one and a half times the median line width).
        """
        if self.unwrap is False:
            yield from _stripped_lines(text)
            return
        unwrap, width = self.unwraps(text)
        low, high = (0.5 * width, 1.5 * width) if unwrap and width else (1.0, 0.0)
        lines = _stripped_lines(text)
        block: tuple[int, int] | None = None
        previous_line = (0, 0)
        for start, end in lines:
            if block is None:
                block = (start, end)
            elif _soft_break(text, previous_line, start, low, high):
                block = (block[0], end)
            else:
                yield block
                block = (start, end)
            previous_line = (start, end)
        if block is not None:
            yield block

    # --- pass 2: sentences inside a block --------------------------------------------------------------
    def _sentences_in_block(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        if self.backend == "pysbd":
            yield from self._pysbd_sentences(text, start, end)
            return
        sentence_start = start
        for match in _TERMINAL.finditer(text, start, end):
            cut = match.end()
            if _is_boundary(text, sentence_start, match, end):
                yield sentence_start, cut
                sentence_start = _skip_space(text, cut, end)
        if sentence_start < end:
            yield sentence_start, end

    def _pysbd_sentences(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        """pysbd on one block (line breaks read as spaces), mapped back to offsets; markers re-attached."""
        if self._segmenter is None:
            import pysbd

            self._segmenter = pysbd.Segmenter(language=self.language, clean=False)
        block = _LINE_BREAK.sub(lambda m: " " * len(m.group()), text[start:end])
        spans: list[tuple[int, int]] = []
        position = 0
        for segment in self._segmenter.segment(block):
            piece = segment.strip()
            found = block.find(piece, position) if piece else -1
            if found < 0:
                continue
            attach = spans and (
                _MARKER.fullmatch(block[spans[-1][0] : spans[-1][1]]) or not piece.strip(_CLOSING_PUNCT)
            )
            if attach:
                spans[-1] = (spans[-1][0], found + len(piece))
            else:
                spans.append((found, found + len(piece)))
            position = found + len(piece)
        for span_start, span_end in spans:
            yield start + span_start, start + span_end

    def _bounded(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        """Cut a span longer than ``max_chars`` at the last whitespace before the limit."""
        limit = self.max_chars
        while limit is not None and end - start > limit:
            space = _LAST_SPACE.search(text, start + 1, start + limit + 1)
            cut = space.start() if space else start + limit
            yield start, _strip_end(text, start, cut)
            start = _skip_space(text, cut, end)
        if start < end:
            yield start, end


def _stripped_lines(text: str) -> Iterator[tuple[int, int]]:
    """Non-blank lines of ``text`` as spans without their leading/trailing whitespace."""
    for match in _LINE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            yield start, end


def _soft_break(text: str, line: tuple[int, int], next_start: int, low: float, high: float) -> bool:
    """Whether the break between ``line`` (a stripped line span) and the next line is not a boundary."""
    line_start, line_end = line
    if _LINE_MARKER.match(text, next_start):
        return False  # the next line opens a numbered paragraph or a list item: "70.\tPutting", "b. Adopt"
    separator = text[line_end:next_start]
    single = len(_LINE_BREAK.findall(separator)) == 1 and "\f" not in separator
    if single and low <= line_end - line_start <= high:
        return True
    if text[line_end - 1] == ",":
        return True
    if _ENDS_TERMINAL.search(text, max(line_end - 3, line_start), line_end):
        return False
    last_word = _LAST_WORD.search(text, max(line_end - 20, line_start), line_end)
    return text[next_start].islower() or (last_word is not None and last_word.group().lower() in _NOT_FINAL)


def _skip_space(text: str, position: int, end: int) -> int:
    while position < end and text[position].isspace():
        position += 1
    return position


def _strip_end(text: str, start: int, end: int) -> int:
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


def _is_boundary(text: str, sentence_start: int, terminal: re.Match[str], block_end: int) -> bool:
    """Decide whether the terminator ``terminal`` ends the sentence begun at ``sentence_start``."""
    following = _NEXT_TOKEN.match(text, terminal.end(), block_end)
    if following is None:
        return False  # only whitespace follows: the block ends the sentence anyway
    next_token = following.group(1)
    if not _opens_sentence(next_token):
        return False  # "etc. -- and", "U.S. diplomats", "Jordan. our" (OCR)
    punct = terminal.group().rstrip(_CLOSING_PUNCT)
    if "?" in punct or "!" in punct or len(punct) > 1:
        return True
    so_far = text[sentence_start : terminal.start() + 1]
    if _MARKER.fullmatch(so_far):
        return False  # "a.  Abandon ...", "40. A careful study ..."
    before = _TOKEN_BEFORE.search(text, max(sentence_start, terminal.start() - 40), terminal.start())
    token = before.group().lstrip("'’-&") if before else ""
    word = token.lower()
    next_word = next_token.lstrip(_OPENING_PUNCT).rstrip(",;:.!?" + _CLOSING_PUNCT).lower()
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


# --- evaluation and batch helpers ----------------------------------------------------------------------
def boundary_scores(predicted: Sequence[Sentence], gold: Sequence[Sentence]) -> dict[str, float]:
    """Precision, recall and F1 of sentence spans against a gold segmentation.

    A predicted sentence counts as correct when its ``(doc, start, end)`` equals that of a gold sentence
    (exact span match; the text is not compared). Duplicates count once. With no predictions precision is
    0 (and recall 0); when both sides are empty all three scores are 1.
    """
    predicted_spans = {(s.doc, s.start, s.end) for s in predicted}
    gold_spans = {(s.doc, s.start, s.end) for s in gold}
    if not predicted_spans and not gold_spans:
        return {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    correct = len(predicted_spans & gold_spans)
    precision = correct / len(predicted_spans) if predicted_spans else 0.0
    recall = correct / len(gold_spans) if gold_spans else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def split_documents(documents: Iterable[Document], splitter: Splitter, progress: bool = True) -> Iterator[Sentence]:
    """Stream the sentences of every document, with a progress bar counting documents and sentences."""
    count = 0
    with tqdm(documents, desc="split", unit="doc", disable=not progress) as bar:
        for document in bar:
            sentences = splitter.split(document)
            count += len(sentences)
            bar.set_postfix(sentences=count, refresh=False)
            yield from sentences


# --- normalised text -----------------------------------------------------------------------------------
# Prefixes written with a hyphen (kept at a line end): "self-\ndetermination", "co-\noperation".
_HYPHEN_PREFIXES = _words(
    "self non co ex so well all half cross vice anti pro post pre neo pan counter re semi quasi ill "
    "one two three four five six seven eight nine ten twenty thirty forty fifty sixty seventy eighty ninety "
    "long short high low good full mid far near"
)
# Prefixes and suffixes that are glued without a hyphen: "inter-\nnational", "govern-\nment".
_GLUED_PREFIXES = _words("inter intra trans multi under over super sub dis un im in con com")
_GLUED_SUFFIXES = _words(
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


def clean_text(text: str) -> str:
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
