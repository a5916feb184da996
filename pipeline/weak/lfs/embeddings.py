"""Embedding LF: cosine similarity of a sentence's MiniLM embedding to hand-written prototype sentences.

Embeddings come from ``pipeline.weak.embedder.SentenceEmbedder`` (batched, once per distinct text, cached on disk).
The applier in ``pipeline.weak.labeler`` computes this LF's column for many sentences at once
(``nearest_prototype_votes``, the same rules as the LF); the LF itself embeds a lone sentence when called on its own
(tests, notebooks).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
from snorkel.labeling import labeling_function

from pipeline.labels import ABSTAIN, AGAINST, FAVOR, NONE
from pipeline.weak.embedder import SentenceEmbedder, default_model_path
from pipeline.weak.lfs.cues import OCCUPATION, PEACEKEEPING, TextPoint, has, target_mentioned

__all__ = ["SentenceEmbedder", "default_model_path", "emb_nearest_prototype", "nearest_prototype_votes"]

PROTOTYPES: dict[int, tuple[str, ...]] = {
    AGAINST: (
        "All foreign troops must be withdrawn from our country immediately.",
        "We demand an end to the military occupation of our land.",
        "The occupying army must leave the territories it has seized.",
        "We condemn the invasion of our neighbour by foreign forces as a violation of its sovereignty.",
        "The presence of foreign military bases is an obstacle to peace in the region.",
        "The people will continue to resist the occupiers until they leave.",
        "Foreign fleets and bases should be removed from the region.",
        "We welcome the withdrawal of the invading troops as a victory for the people.",
    ),
    FAVOR: (
        "We thank the peacekeepers for their courage and sacrifice.",
        "Our country is proud to contribute troops to United Nations peacekeeping operations.",
        "We call for the deployment of an international force to protect civilians.",
        "The mission's mandate should be extended, because a premature withdrawal would be dangerous.",
        "Since the arrival of the multinational force, security has greatly improved.",
        "The troops are present at the request and with the consent of the host Government.",
        "We pay tribute to the soldiers from many nations who serve in the mission.",
        "Our soldiers are serving with the United Nations force abroad.",
    ),
    NONE: (
        "We must strengthen international cooperation for sustainable development.",
        "Our national army and police are responsible for security within our borders.",
        "The financing of peacekeeping operations requires reform.",
        "Nuclear disarmament remains a priority for the international community.",
        "Terrorist groups continue to threaten the stability of the region.",
        "The occupation began in 1967 and many years have passed since then.",
        "Elections were held peacefully last year.",
        "Settlement construction in the occupied territory violates human rights.",
        "The safety and security of peacekeepers must be improved with better equipment and training.",
        "Attacks against United Nations personnel in the field have increased.",
    ),
}
"""Prototype sentences per label, written for this LF (not taken from any gold set)."""

SIMILARITY_THRESHOLD = 0.6
"""Minimum cosine similarity to the nearest prototype for the LF to vote. 0.6 (was 0.5) removes most of its false
stance votes on peacekeeping-management sentences: on the UN tuning part and half A of the fresh development
sample the weak labeller rose from 0.931 to 0.946 and from 0.764 to 0.782 (0.65 ties on tuning)."""
MARGIN = 0.05
"""Minimum lead of the best label's similarity over the runner-up label's."""
NONE_MARGIN = 0.1
"""A larger lead required for a NONE vote, so the LF does not outvote a precise stance rule on a near-tie."""


@cache
def default_embedder() -> SentenceEmbedder:
    """The process-wide embedder used by the embedding LFs (one model load, one cache)."""
    return SentenceEmbedder()


def prototype_matrix(embedder: SentenceEmbedder | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Prototype embeddings (k, dim) and the label of each row, embedded by ``embedder`` (default: the process's)."""
    labels, sentences = [], []
    for label, protos in PROTOTYPES.items():
        labels.extend([label] * len(protos))
        sentences.extend(protos)
    return (embedder or default_embedder()).embed(sentences), np.array(labels)


def nearest_prototype_votes(
    embeddings: np.ndarray, texts: Sequence[str], embedder: SentenceEmbedder | None = None
) -> np.ndarray:
    """``emb_nearest_prototype``'s votes for many sentences at once (one matrix product; the same rules)."""
    out = np.full(len(texts), ABSTAIN, dtype=int)
    if not len(texts):
        return out
    protos, labels = prototype_matrix(embedder)
    sims = embeddings @ protos.T
    order = sorted(PROTOTYPES)
    per_label = np.stack([sims[:, labels == label].max(axis=1) for label in order], axis=1)
    ranked = np.sort(per_label, axis=1)
    best = np.array(order)[per_label.argmax(axis=1)]
    margin = np.where(best == NONE, NONE_MARGIN, MARGIN)
    clear = (ranked[:, -1] >= SIMILARITY_THRESHOLD) & (ranked[:, -1] - ranked[:, -2] >= margin)
    for i in np.flatnonzero(clear):
        out[i] = _stance_rules(int(best[i]), texts[i])
    return out


def _stance_rules(best: int, text: str) -> int:
    """The topic checks that follow a clear nearest label (see ``emb_nearest_prototype``)."""
    if best != NONE and not target_mentioned(text):
        return ABSTAIN
    if best == FAVOR and has(OCCUPATION, text) and not has(PEACEKEEPING, text):
        return ABSTAIN  # support for an occupation is rare; near an occupation the favor prototypes mislead
    return best


def label_similarities(embedding: np.ndarray) -> dict[int, float]:
    """Best cosine similarity of ``embedding`` to each label's prototypes."""
    protos, labels = prototype_matrix()
    sims = protos @ embedding
    return {int(label): float(sims[labels == label].max()) for label in np.unique(labels)}


def point_embedding(x: TextPoint) -> np.ndarray:
    """The precomputed embedding of ``x``, or one computed now (outside the batched applier)."""
    if x.embedding is not None:
        return x.embedding
    return default_embedder().embed([x.text])[0]


@labeling_function()
def emb_nearest_prototype(x: TextPoint) -> int:
    """Label of the most similar prototype sentence when similarity and margin clear their thresholds;
    AGAINST/FAVOR only when foreign forces, an occupation or peacekeeping is named (prototypes share topic
    words, so similarity alone would also match sentences about armies in general); no FAVOR next to an
    occupation unless peacekeepers are named."""
    sims = label_similarities(point_embedding(x))
    ranked = sorted(sims.items(), key=lambda item: item[1], reverse=True)
    (best, best_sim), (_, second_sim) = ranked[0], ranked[1]
    if best_sim < SIMILARITY_THRESHOLD or best_sim - second_sim < (NONE_MARGIN if best == NONE else MARGIN):
        return ABSTAIN
    return _stance_rules(best, x.text)


emb_nearest_prototype.needs_embedding = True  # type: ignore[attr-defined]

EMBEDDING_LFS = [emb_nearest_prototype]
