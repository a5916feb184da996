"""Hard-wrapped text (PDF exports): detecting it, and deciding which line breaks are not boundaries.

Used by :class:`pipeline.split.PysbdSplitter` in its first pass (blocks); offsets are never changed, lines are
only joined into blocks.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, Literal

from pipeline.config import PysbdSplitterConfig, setting_key
from pipeline.errors import ConfigError
from pipeline.text import word_set

# --- lines and wrapping --------------------------------------------------------------------------------
_LINE = re.compile(r"[^\n\r\f\v\x1c-\x1e\x85\u2028\u2029]+")
LINE_BREAK = re.compile(r"\r\n|[\n\r\f\v\x1c-\x1e\x85\u2028\u2029]")
_ENDS_TERMINAL = re.compile(r"[.!?…:;][\"'”’»)\]}]*$")
_DETECT_SAMPLE_LINES = 2000
_LAST_WORD = re.compile(r"\w+$")
_LINE_MARKER = re.compile(r"[(\[]?(?:\d{1,3}|[A-Za-z]|[ivxlcdm]{1,6}|[IVXLCDM]{1,6})[.)\]]\s")
# Words that do not end a sentence or a headline: a line ending in one continues on the next line.
_NOT_FINAL = word_set(
    "of the a an and or nor to in on for with by from at as into upon between among than about against "
    "through within without under over its their our his her your my whose which that who whom whereas "
    "is are was were be been has have had will would shall should can could may must not very this these "
    "those such both all any each every"
)
_WRAPPED_MIN, _WRAPPED_MAX = 40, 80
_WRAPPED_SHARE = 0.3
_MIN_LINES_TO_DETECT = 5

Unwrap = bool | Literal["auto"]


def parse_unwrap(value: Any) -> Unwrap:
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
    raise ConfigError(
        f"unwrap={value!r} is not a choice",
        key=setting_key(PysbdSplitterConfig, "unwrap"),
        fix="use auto, true or false",
    )


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


def stripped_lines(text: str) -> Iterator[tuple[int, int]]:
    """Non-blank lines of ``text`` as spans without their leading/trailing whitespace."""
    for match in _LINE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            yield start, end


def soft_break(text: str, line: tuple[int, int], next_start: int, low: float, high: float) -> bool:
    """Whether the break between ``line`` (a stripped line span) and the next line is not a boundary."""
    line_start, line_end = line
    if _LINE_MARKER.match(text, next_start):
        return False  # the next line opens a numbered paragraph or a list item: "70.\tPutting", "b. Adopt"
    separator = text[line_end:next_start]
    single = len(LINE_BREAK.findall(separator)) == 1 and "\f" not in separator
    if single and low <= line_end - line_start <= high:
        return True
    if text[line_end - 1] == ",":
        return True
    if _ENDS_TERMINAL.search(text, max(line_end - 3, line_start), line_end):
        return False
    last_word = _LAST_WORD.search(text, max(line_end - 20, line_start), line_end)
    return text[next_start].islower() or (last_word is not None and last_word.group().lower() in _NOT_FINAL)
