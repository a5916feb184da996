"""Split documents into sentences that keep character offsets into the source text.

Every :class:`Sentence` satisfies ``sentence.text == document.text[sentence.start:sentence.end]``: the text is
an exact slice of the source, stripped of surrounding whitespace, never empty. The normalised text that the
labelling functions and the model see is ``sentence.norm`` (:mod:`pipeline.text`), so that offsets stay exact.
The boundary rules live in :mod:`pipeline.split_rules`, the detection of hard-wrapped text in
:mod:`pipeline.unwrap`.

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

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from tqdm import tqdm

from pipeline.config import PysbdSplitterConfig, setting_key
from pipeline.corpus import Document
from pipeline.errors import ConfigError
from pipeline.split_rules import CLOSING_PUNCT, LAST_SPACE, MARKER, TERMINAL, is_boundary, skip_space, strip_end
from pipeline.text import normalize
from pipeline.unwrap import (
    LINE_BREAK,
    Unwrap,
    WrapProfile,
    is_hard_wrapped,
    parse_unwrap,
    soft_break,
    stripped_lines,
    wrap_profile,
)

__all__ = [
    "PysbdSplitter",
    "Sentence",
    "Splitter",
    "WrapProfile",
    "boundary_scores",
    "is_hard_wrapped",
    "split_documents",
    "wrap_profile",
]


@dataclass(frozen=True)
class Sentence:
    """One unit to label: ``text == source[start:end]`` for the document ``doc``.

    ``norm`` is what labelling functions and the model see: :func:`pipeline.text.normalize` of ``text``,
    computed here, once, for training and prediction alike (offsets stay those of the exact slice).
    """

    doc: str
    start: int
    end: int
    text: str
    norm: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "norm", normalize(self.text))


class Splitter(Protocol):
    """Anything that turns a document into sentences with exact offsets."""

    def split(self, document: Document) -> list[Sentence]: ...


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
        unwrap: Unwrap | str = PysbdSplitterConfig.unwrap,
        max_chars: int | None = PysbdSplitterConfig.max_chars,
        backend: Literal["rules", "pysbd"] = PysbdSplitterConfig.backend,  # type: ignore[assignment]
        language: str = "en",
    ) -> None:
        self.unwrap: Unwrap = parse_unwrap(unwrap)
        if max_chars is not None and (isinstance(max_chars, bool) or int(max_chars) < 2):
            raise ConfigError(
                f"max_chars={max_chars!r} is too small",
                key=setting_key(PysbdSplitterConfig, "max_chars"),
                fix="use an integer of at least 2 (e.g. 2000), or null for no limit",
            )
        self.max_chars = int(max_chars) if max_chars is not None else None
        if backend not in ("rules", "pysbd"):
            raise ConfigError(
                f"backend={backend!r} is not a choice",
                key=setting_key(PysbdSplitterConfig, "backend"),
                fix="use rules or pysbd",
            )
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
            yield from stripped_lines(text)
            return
        unwrap, width = self.unwraps(text)
        low, high = (0.5 * width, 1.5 * width) if unwrap and width else (1.0, 0.0)
        lines = stripped_lines(text)
        block: tuple[int, int] | None = None
        previous_line = (0, 0)
        for start, end in lines:
            if block is None:
                block = (start, end)
            elif soft_break(text, previous_line, start, low, high):
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
        for match in TERMINAL.finditer(text, start, end):
            cut = match.end()
            if is_boundary(text, sentence_start, match, end):
                yield sentence_start, cut
                sentence_start = skip_space(text, cut, end)
        if sentence_start < end:
            yield sentence_start, end

    def _pysbd_sentences(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        """pysbd on one block (line breaks read as spaces), mapped back to offsets; markers re-attached."""
        if self._segmenter is None:
            import pysbd

            self._segmenter = pysbd.Segmenter(language=self.language, clean=False)
        block = LINE_BREAK.sub(lambda m: " " * len(m.group()), text[start:end])
        spans: list[tuple[int, int]] = []
        position = 0
        for segment in self._segmenter.segment(block):
            piece = segment.strip()
            found = block.find(piece, position) if piece else -1
            if found < 0:
                continue
            attach = spans and (MARKER.fullmatch(block[spans[-1][0] : spans[-1][1]]) or not piece.strip(CLOSING_PUNCT))
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
            space = LAST_SPACE.search(text, start + 1, start + limit + 1)
            cut = space.start() if space else start + limit
            yield start, strip_end(text, start, cut)
            start = skip_space(text, cut, end)
        if start < end:
            yield start, end


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
