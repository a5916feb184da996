"""Sentence embeddings on disk, computed once per distinct text and model and reused by every later run.

A store is one folder per (model weights, inference path, max length): shards of float32 rows
(``<id>.vec.npy``) and the 16-byte BLAKE2 hashes of their texts (``<id>.keys.npy``). Each file is written
atomically and the keys file last, so a shard is either complete or absent; concurrent runs (SLURM array shards)
only add shards, never rewrite one. Vectors are read memory-mapped and unmapped after each lookup, so a large store
does not sit in RAM (nor in the process's resident set, which counts mapped pages once read).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from pipeline.io import atomic_target


def cache_root() -> Path:
    """``$STANCE_CACHE_DIR/embeddings``, else ``<temp dir>/stance-pipeline-embeddings``."""
    base = os.environ.get("STANCE_CACHE_DIR")
    return Path(base) / "embeddings" if base else Path(tempfile.gettempdir()) / "stance-pipeline-embeddings"


def text_key(text: str) -> bytes:
    """The 16-byte hash a text is stored under."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


class EmbeddingStore:
    """Append-only embedding shards for one model, path and max length, looked up by text hash."""

    def __init__(self, model_dir: Path, path: str, max_length: int, root: Path | None = None) -> None:
        weights = model_dir / "model.safetensors"
        stat = weights.stat() if weights.exists() else None
        ident = [
            str(model_dir.resolve()),
            stat.st_size if stat else 0,
            stat.st_mtime_ns if stat else 0,
            path,
            max_length,
        ]
        digest = hashlib.sha256(json.dumps(ident).encode()).hexdigest()[:16]
        self.folder = (root or cache_root()) / digest
        self._index: dict[bytes, tuple[int, int]] = {}
        self._shards: list[Path] = []  # vector files, in index order
        self._seen: set[str] = set()

    def _refresh(self) -> None:
        """Index the shards written since the last look (by this process or another)."""
        if not self.folder.is_dir():
            return
        for keys_file in sorted(self.folder.glob("*.keys.npy")):
            name = keys_file.name.removesuffix(".keys.npy")
            if name in self._seen:
                continue
            self._seen.add(name)
            shard = len(self._shards)
            self._shards.append(self.folder / f"{name}.vec.npy")
            for row, key in enumerate(np.load(keys_file)):
                self._index.setdefault(bytes(key), (shard, row))

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of those ``texts`` that are stored (float32 copies), read shard by shard."""
        self._refresh()
        wanted: dict[int, list[tuple[int, str]]] = {}
        for text in texts:
            where = self._index.get(text_key(text))
            if where is not None:
                wanted.setdefault(where[0], []).append((where[1], text))
        found: dict[str, np.ndarray] = {}
        for shard, rows in wanted.items():
            mapped = np.load(self._shards[shard], mmap_mode="r")
            block = np.asarray(mapped[[row for row, _ in rows]], dtype=np.float32)  # fancy indexing copies
            del mapped  # unmapped here: read pages leave the resident set
            found.update(zip((text for _, text in rows), block, strict=True))
        return found

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store one shard of ``texts`` and their vectors (vectors first, keys last: a shard is whole or absent)."""
        if not len(texts):
            return
        name = uuid.uuid4().hex
        keys = np.array([np.frombuffer(text_key(t), dtype=np.uint8) for t in texts], dtype=np.uint8)
        for suffix, array in ((".vec.npy", np.asarray(vectors, dtype=np.float32)), (".keys.npy", keys)):
            with atomic_target(self.folder / f"{name}{suffix}", suffix=".part") as temporary, temporary.open("wb") as f:
                np.save(f, array)
