"""Hand-labelled training sentences (exemplars) that join the weak labels in fine-tuning.

The weak labels cap what the model learns: on unseen speeches it agrees with its labeller on 86-96% of
sentences, errors included. Sentences labelled by the guideline (8,971 for ``experiment=ungd``) carry evidence
that no rule encodes (the setting of "rules generalizing labelled exemplars", Awasthi et al., ICLR 2020). They are
drawn from training speeches only (``benchmarks/draw_training_sample.py``, ``draw_uncertain_sample.py``), never
from a gold set or a test sample.

An exemplar file holds one JSON object per line: ``id``, ``doc``, ``start``, ``end`` (character offsets into the
document, so no corpus text is copied) and ``label``; other fields (``reason``, ``pool``) are kept for people.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline.config import TrainStageConfig, setting_key
from pipeline.corpus import Corpus
from pipeline.errors import InputError
from pipeline.gold import _offset_field, _string_field
from pipeline.io import read_jsonl
from pipeline.labels import LABEL2ID, LABELS
from pipeline.split import Sentence


@dataclass(frozen=True)
class Exemplar:
    """One hand-labelled training sentence; ``text`` is normalised as the model sees it."""

    id: str
    text: str
    label: str


def load_exemplars(path: str | Path, documents: Mapping[str, str], where: str) -> list[Exemplar]:
    """Read an exemplar file and the sentences its offsets point to in ``documents`` (id -> text, from ``where``).

    Every problem (a missing field, an unknown label, a document not in the corpus, offsets past its end) is one
    :class:`InputError` naming the file and line, raised before any training starts.
    """
    path = Path(path)
    fix = f"check {setting_key(TrainStageConfig, 'exemplars')} and {setting_key(TrainStageConfig, 'exemplar_corpus')}"
    if not path.is_file():
        raise InputError("exemplar file not found", file=path, fix=fix)
    exemplars = []
    for line, record in read_jsonl(path):
        if not isinstance(record, dict):
            raise InputError(f"expected a JSON object, got {type(record).__name__}", file=path, line=line)
        label = record.get("label")
        if label not in LABELS:
            raise InputError(f"label {label!r} is not one of {', '.join(LABELS)}", file=path, line=line)
        start, end = _offset_field(record, "start", path, line), _offset_field(record, "end", path, line)
        if start is None or end is None or start >= end:
            raise InputError(f"needs offsets 'start' < 'end', got {start!r}:{end!r}", file=path, line=line)
        doc = _string_field(record, "doc", path, line)
        if doc not in documents:
            raise InputError(f"document {doc!r} is not in {where}", file=path, line=line, fix=fix)
        if end > len(documents[doc]):
            raise InputError(f"offsets {start}:{end} run past the end of {doc!r}", file=path, line=line)
        sentence = Sentence(doc, start, end, documents[doc][start:end])
        exemplars.append(Exemplar(_string_field(record, "id", path, line), sentence.norm, str(label)))
    if not exemplars:
        raise InputError("exemplar file holds no sentences", file=path)
    return exemplars


def corpus_texts(folder: str | Path) -> dict[str, str]:
    """The ``.txt`` documents of a folder (id -> text), read as the training corpus reads them."""
    return {document.id: document.text for document in Corpus(folder, suffixes=[".txt"])}


def with_exemplars(
    texts: Sequence[str],
    labels: Sequence[str],
    exemplars: Sequence[Exemplar],
    repeat: int = 1,
    targets: np.ndarray | None = None,
) -> tuple[list[str], list[str], np.ndarray | None]:
    """The weakly labelled training pairs plus each exemplar ``repeat`` times (one-hot ``targets`` rows where
    soft targets are given); a weak pair whose text is an exemplar's is dropped: the hand label wins."""
    hand = {e.text for e in exemplars}
    keep = [i for i, text in enumerate(texts) if text not in hand]
    added = [e for e in exemplars for _ in range(repeat)]
    out_texts = [texts[i] for i in keep] + [e.text for e in added]
    out_labels = [labels[i] for i in keep] + [e.label for e in added]
    if targets is None:
        return out_texts, out_labels, None
    one_hot = np.eye(len(LABELS))[[LABEL2ID[e.label] for e in added]]
    return out_texts, out_labels, np.concatenate([np.asarray(targets)[keep], one_hot])
