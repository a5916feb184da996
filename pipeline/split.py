"""Split documents into sentences that keep character offsets into the source text.

(Interface stub: the splitter backends are being implemented; see the issue tracker.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pipeline.corpus import Document


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
