"""Training corpora made of several folders, minus documents set aside for testing (``corpus.exclude_ids``).

The UN experiment reads ``ungd-dev`` and ``ungd-train`` together; 100 ``ungd-train`` speeches hold the fresh test
sample and must never be training text. :class:`CorpusUnion` chains :class:`~pipeline.corpus.Corpus` objects with
the same reading settings, skips the excluded ids and keeps ids unique across the parts, so the stages see one
corpus (``path``, ``report``, iteration) as before.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from pipeline.config import CorpusConfig, setting_key
from pipeline.corpus import Corpus, Document
from pipeline.decode import CorpusReport
from pipeline.errors import InputError


def read_id_list(path: str | Path) -> set[str]:
    """Document ids, one a line; blank lines and ``#`` comments are skipped. A missing file is a one-line error."""
    file = Path(path)
    if not file.is_file():
        raise InputError(
            "the list of excluded document ids does not exist",
            file=file,
            fix=f"check {setting_key(CorpusConfig, 'exclude_ids')}",
        )
    lines = (line.split("#", 1)[0].strip() for line in file.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line}


class CorpusUnion:
    """The documents of several corpora, in order, without the ids in ``exclude_ids``.

    ``excluded`` counts the documents left out; a document id found in two parts is an error (sentences, gold
    offsets and predictions key on it).
    """

    def __init__(self, parts: Sequence[Corpus], exclude_ids: set[str] | frozenset[str] = frozenset()) -> None:
        if not parts:
            raise ValueError("CorpusUnion needs at least one corpus")
        self.parts = list(parts)
        self.exclude_ids = frozenset(exclude_ids)
        self.path = " + ".join(part.path for part in self.parts)
        self.excluded = 0
        self.report = CorpusReport()

    def __iter__(self) -> Iterator[Document]:
        self.excluded = 0
        seen: dict[str, str] = {}
        for part in self.parts:
            for document in part:
                if document.id in self.exclude_ids:
                    self.excluded += 1
                    continue
                if document.id in seen:
                    raise InputError(
                        f"document id '{document.id}' is in both {seen[document.id]} and {part.path}",
                        file=part.path,
                        fix="give the corpora distinct file names",
                    )
                seen[document.id] = part.path
                yield document
        self.report = self._merged_report()

    def _merged_report(self) -> CorpusReport:
        """The parts' reports added up; the excluded documents are not counted as read."""
        merged = CorpusReport()
        for part in self.parts:
            merged.documents += part.report.documents
            merged.files += part.report.files
            merged.skipped += part.report.skipped
            merged.decoded_as |= part.report.decoded_as
        merged.documents -= self.excluded
        return merged


def corpus_paths(config: CorpusConfig) -> list[str]:
    """Every corpus path the config reads: ``path`` then ``more_paths``."""
    return [str(config.path), *(str(p) for p in config.more_paths or [])]


def build_corpus(config: CorpusConfig) -> Corpus | CorpusUnion:
    """The training corpus of a ``corpus`` config: one folder as before, or a union minus ``exclude_ids``."""
    parts = [
        Corpus(path, suffixes=config.suffixes, exclude=config.exclude, max_document_mb=config.max_document_mb)
        for path in corpus_paths(config)
    ]
    if len(parts) == 1 and not config.exclude_ids:
        return parts[0]
    return CorpusUnion(parts, read_id_list(config.exclude_ids) if config.exclude_ids else frozenset())
