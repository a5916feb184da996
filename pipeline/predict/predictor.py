"""The sentence classifier behind every prediction: length-sorted batches, a choice of CPU fast path."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.capability import Choice, choose_path, resolve_threads
from pipeline.config import FastPath, PredictAppConfig, setting_key
from pipeline.errors import ConfigError
from pipeline.labels import LABELS
from pipeline.predict.loading import JsonTokenizer, check_model_dir, load_classifier, model_max_positions
from pipeline.predict.onnx import cached_graph, onnx_session, open_session
from pipeline.runs import resolve_model_dir

FAST_PATHS: tuple[str, ...] = tuple(path.value for path in FastPath)
DEFAULT_FAST_PATH: str = PredictAppConfig.fast_path.value
"""``auto``: pipeline.capability.choose_path picks ``onnx_int8`` on a CPU with VNNI and ``onnx`` (fp32 ONNX Runtime)
on one without, wherever onnxruntime is installed (README, Performance)."""


@dataclass
class Prediction:
    """Per text: label probabilities (rows in LABELS order, summing to 1) and whether it was cut short."""

    probs: np.ndarray
    truncated: list[bool]
    votes: list[dict[str, str | None]] | None = None  # the weak labeller's: each labelling function's vote

    @property
    def labels(self) -> list[str]:
        return [LABELS[i] for i in self.probs.argmax(axis=1)] if len(self.probs) else []


class Predictor:
    """Sentence classifier with a choice of CPU fast path.

    Texts are tokenized once, sorted by token length, cut into batches padded only to their own longest
    text, and the results put back in input order. Texts longer than ``max_length`` tokens are truncated
    (keeping the special tokens) and flagged.

    ``fast_path``: ``fp32`` (reference), ``int8`` (dynamic int8 quantisation of every Linear layer),
    ``bf16`` (bfloat16 weights), ``onnx`` (ONNX Runtime on an exported graph; needs the ``onnx`` package).
    ``auto`` (the default) chooses from the CPU; ``self.choice`` records the path and why.
    ``threads`` (``auto``: the cores this process may use) sets ``torch.set_num_threads`` (process-wide) and the
    ONNX Runtime session threads.
    """

    def __init__(
        self,
        model_dir: str | Path,
        *,
        fast_path: str = DEFAULT_FAST_PATH,
        batch_size: int = PredictAppConfig.batch_size,
        max_length: int = PredictAppConfig.max_length,
        threads: int | str = PredictAppConfig.threads,
        onnx_cache_dir: str | Path | None = None,
    ) -> None:
        if fast_path not in FAST_PATHS:
            raise ConfigError(
                f"unknown fast path {fast_path!r}",
                key=setting_key(PredictAppConfig, "fast_path"),
                fix=f"choose one of {', '.join(FAST_PATHS)}",
            )
        if batch_size < 1:
            raise ConfigError(
                f"batch_size must be >= 1, got {batch_size}", key=setting_key(PredictAppConfig, "batch_size")
            )
        threads = resolve_threads(threads, setting_key(PredictAppConfig, "threads"))
        if max_length < 3:
            raise ConfigError(
                f"max_length must be >= 3, got {max_length}", key=setting_key(PredictAppConfig, "max_length")
            )
        self.model_dir = resolve_model_dir(model_dir)
        self.choice: Choice = choose_path(fast_path)
        fast_path = self.fast_path = self.choice.value
        self.batch_size = batch_size
        self.threads = threads
        self._session: Any = None
        self._model: Any = None
        check_model_dir(self.model_dir)
        onnx_path = fast_path in ("onnx", "onnx_int8")
        graph = cached_graph(self.model_dir, onnx_cache_dir, quantize=fast_path == "onnx_int8") if onnx_path else None
        if graph is not None and graph.exists() and JsonTokenizer.usable(self.model_dir):
            # exported before: run the graph without loading the torch model (nor importing torch or transformers)
            self.tokenizer: Any = JsonTokenizer(self.model_dir)
            self._session = open_session(graph, threads)
            limit = model_max_positions(self.model_dir, max_length)
        else:
            limit = self._load_torch(fast_path, threads, onnx_cache_dir, max_length)
        self.max_length = min(max_length, limit)
        names = [i.name for i in self._session.get_inputs()] if self._session else self.tokenizer.model_input_names
        self._input_names = [n for n in names if n in ("attention_mask", "token_type_ids")]
        self._pad_id = self.tokenizer.pad_token_id or 0

    def _load_torch(self, fast_path: str, threads: int, onnx_cache_dir: str | Path | None, max_length: int) -> int:
        """Load the torch model and tokenizer, and ready the fast path (an ONNX export the first time); the model's
        position limit."""
        import torch

        torch.set_num_threads(threads)
        model, self.tokenizer = load_classifier(self.model_dir)
        names = [n for n in self.tokenizer.model_input_names if n in ("attention_mask", "token_type_ids")]
        if fast_path in ("onnx", "onnx_int8"):
            self._session = onnx_session(
                model, self.model_dir, names, threads, onnx_cache_dir, quantize=fast_path == "onnx_int8"
            )
        elif fast_path == "int8":
            with warnings.catch_warnings():  # torch deprecates quantized tensors (pytorch#184982); still works
                warnings.filterwarnings("ignore", message=".*quantize_per_tensor.*", category=UserWarning)
                self._model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
        elif fast_path == "bf16":
            self._model = model.to(torch.bfloat16)
        else:
            self._model = model.float()
        return int(getattr(model.config, "max_position_embeddings", max_length) or max_length)

    @property
    def row_independent(self) -> bool:
        """Whether each text's probabilities are the same bits whatever shares its batch (``tests/test_predict.py``).

        True of fp32 ONNX Runtime, whose matmuls sum each row in a fixed order; not of int8 paths (the dynamic
        activation scale is the whole batch's: on UN speeches 0.6% of labels moved with the batch) nor of torch's
        kernels (the last bits move with the batch's shape). :func:`~pipeline.predict.predict_corpus` batches
        across documents only when this holds, so that a document's output never depends on its neighbours.
        """
        return self.fast_path == "onnx"

    def _encode(self, texts: Sequence[str]) -> tuple[list[list[int]], list[bool]]:
        """Token ids per text, cut to ``max_length`` with the closing special token kept; truncation flags."""
        encoded = self.tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
        flags = [len(ids) > self.max_length for ids in encoded]
        long_rows = [i for i, flag in enumerate(flags) if flag]
        if long_rows:
            cut = self.tokenizer(
                [texts[i] for i in long_rows],
                add_special_tokens=True,
                truncation=True,
                max_length=self.max_length,
            )["input_ids"]
            for row, ids in zip(long_rows, cut, strict=True):
                encoded[row] = ids
        return encoded, flags

    def predict(self, texts: Sequence[str], on_batch: Callable[[int], object] | None = None) -> Prediction:
        """Probabilities ``(len(texts), len(LABELS))`` in input order, and the truncation flags.

        ``on_batch(n)`` is called after each batch of ``n`` texts (a progress bar that moves inside one long
        document)."""
        probs = np.zeros((len(texts), len(LABELS)), dtype=np.float32)
        if not texts:
            return Prediction(probs, [])
        encoded, flags = self._encode(texts)
        order = sorted(range(len(encoded)), key=lambda i: len(encoded[i]), reverse=True)
        with self._no_grad():
            for lo in range(0, len(order), self.batch_size):
                rows = order[lo : lo + self.batch_size]
                width = len(encoded[rows[0]])
                ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
                mask = np.zeros((len(rows), width), dtype=np.int64)
                for r, row in enumerate(rows):
                    ids[r, : len(encoded[row])] = encoded[row]
                    mask[r, : len(encoded[row])] = 1
                probs[rows] = self._forward(ids, mask)
                if on_batch is not None:
                    on_batch(len(rows))
        return Prediction(probs, flags)

    def _no_grad(self) -> contextlib.AbstractContextManager[object]:
        if self._session is not None:
            return contextlib.nullcontext()
        import torch

        return torch.inference_mode()

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        inputs = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            inputs["token_type_ids"] = np.zeros_like(ids)
        if self._session is not None:
            wanted = {i.name for i in self._session.get_inputs()}
            logits = np.asarray(self._session.run(None, {k: v for k, v in inputs.items() if k in wanted})[0])
            return _softmax(logits.astype(np.float32))
        import torch

        tensors = {k: torch.from_numpy(v) for k, v in inputs.items()}
        logits = self._model(**tensors).logits.float()
        return torch.softmax(logits, dim=-1).numpy()

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Rows of label probabilities in LABELS order, one per text, in input order."""
        return self.predict(texts).probs

    def truncated(self, texts: Sequence[str]) -> list[bool]:
        """Whether each text is longer than ``max_length`` tokens (and so is cut before prediction)."""
        return self._encode(texts)[1]


def _softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float32 (ONNX paths: no torch needed)."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    return shifted / shifted.sum(axis=1, keepdims=True)
