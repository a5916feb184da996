"""ONNX Runtime sessions for the ``onnx`` and ``onnx_int8`` fast paths: export once, quantise once, cache both.

The export is written by hand with ``torch.onnx.export`` rather than with optimum's exporter: the exporter now
lives in ``optimum-onnx``, which requires ``transformers<4.58`` while this project runs transformers 5 (checked
with ``pip install --dry-run optimum-onnx``, 2026-12), so it cannot be installed beside it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
import warnings
from importlib.metadata import version
from pathlib import Path
from typing import Any

from pipeline.config import PredictAppConfig, setting_key
from pipeline.errors import ConfigError
from pipeline.io import atomic_target


def onnx_session(
    model: Any,
    model_dir: Path,
    input_names: list[str],
    threads: int,
    cache_dir: str | Path | None,
    *,
    quantize: bool = False,
    head: str = "logits",
) -> Any:
    """An ONNX Runtime session for ``model``, exporting it once into a cache keyed by the model folder.

    ``head``: ``logits`` (a classifier) or ``embedding`` (an encoder, mean-pooled over the attention mask and
    L2-normalised inside the graph: the embedding LFs' vectors). With ``quantize`` the graph's weight matrix
    products run in int8 (:data:`QUANTIZATION`; activation-by-activation products such as attention stay float).
    """
    _require_onnx()
    source = cached_graph(model_dir, cache_dir, head=head)
    if not source.exists():
        _export_onnx(model, input_names, source, head)
    return open_session(_quantized_onnx(source) if quantize else source, threads)


def cached_graph(
    model_dir: Path, cache_dir: str | Path | None, *, head: str = "logits", quantize: bool = False
) -> Path:
    """Where the exported graph of the model in ``model_dir`` lies in the cache (it may not exist yet).

    The key is the folder, its weights' and tokenizer files' sizes and times, torch's version (the exporter) and
    the head, all read without importing torch, so that a cached graph can run without torch or transformers.
    """
    files = [model_dir / name for name in ("model.safetensors", *_TOKENIZER_FILES)]
    stats = [(f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in files if f.exists()]
    key_text = json.dumps([str(model_dir.resolve()), stats, version("torch"), head])
    key = hashlib.sha256(key_text.encode()).hexdigest()[:16]
    folder = Path(cache_dir) if cache_dir is not None else Path(tempfile.gettempdir()) / "stance-pipeline-onnx"
    graph = folder / key / "model.onnx"
    return graph.with_name(QUANTIZED_NAME) if quantize else graph


def open_session(graph: Path, threads: int) -> Any:
    """An ONNX Runtime CPU session on ``graph`` with ``threads`` intra-op threads that sleep when idle.

    Memory patterns are off and the arena grows by what is asked, not in doubling steps: a pattern is planned and
    kept per input shape, and sentence batches come in hundreds of shapes, so they only added memory. Embedding
    13,102 UN sentences peaked at 506 MB this way against 553 MB with both defaults, in 123 s against 129 s
    (2 threads, Zen 4, 2026-12-03).
    """
    _require_onnx()
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # as OMP_WAIT_POLICY=PASSIVE
    options.enable_mem_pattern = False
    providers = [("CPUExecutionProvider", {"arena_extend_strategy": "kSameAsRequested"})]
    return ort.InferenceSession(str(graph), options, providers=providers)


def _require_onnx() -> None:
    """A one-line config error where onnx or onnxruntime is missing (found without importing them)."""
    from importlib.util import find_spec

    for name in ("onnx", "onnxruntime"):
        if find_spec(name) is None:
            raise ConfigError(
                f"fast_path=onnx needs the '{name}' package, which is not installed",
                key=setting_key(PredictAppConfig, "fast_path"),
                fix="pip install onnx onnxruntime, or use fast_path=fp32",
            )


_TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json")
QUANTIZED_NAME = "model.int8r7.onnx"


QUANTIZATION = {"weight_type": "QInt8", "per_channel": True, "reduce_range": True}
"""ONNX Runtime dynamic quantisation: u8 activations, s8 weights per output channel, 7-bit weight range.

Without ``reduce_range`` the AVX2 kernels (``vpmaddubsw``) saturate the int16 sums of u8*s8 pairs, so int8 results
depended on the CPU: on AVX2 the tiny test model's probabilities moved 0.085 from fp32 where VNNI CPUs stayed
within 0.05. With 7-bit weights every pair sum fits int16, so the integer products are exact on AVX2 and VNNI
alike. Measured on this project's AVX2 machine (UN model, 5,000 UN sentences, labels agreeing with torch fp32):
see README, Performance.
"""


def _quantized_onnx(source: Path) -> Path:
    """The int8 twin of an exported graph (:data:`QUANTIZATION`, MatMul with constant weights only), cached."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = source.with_name(QUANTIZED_NAME)
    if target.exists():
        return target
    logging.disable(logging.WARNING)  # onnxruntime advises pre-processing on the root logger; not needed here
    try:
        with atomic_target(target, suffix=".onnx.tmp") as temporary:
            quantize_dynamic(
                str(source),
                str(temporary),
                weight_type=QuantType[QUANTIZATION["weight_type"]],
                per_channel=QUANTIZATION["per_channel"],
                reduce_range=QUANTIZATION["reduce_range"],
                op_types_to_quantize=["MatMul"],
                extra_options={"MatMulConstBOnly": True},
            )
    finally:
        logging.disable(logging.NOTSET)
    return target


def _export_onnx(model: Any, input_names: list[str], target: Path, head: str = "logits") -> None:
    """Export with dynamic batch and sequence axes into a temp file, then rename it into place atomically."""
    import torch

    from pipeline.mean_pool import masked_mean

    sample = torch.ones((2, 8), dtype=torch.int64)
    names = ["input_ids", *input_names]
    arguments = {name: sample if name != "token_type_ids" else torch.zeros_like(sample) for name in names}

    class _Logits(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            inputs = dict(zip(names, tensors, strict=True))
            if head == "logits":
                return self.inner(**inputs).logits
            pooled = masked_mean(self.inner(**inputs).last_hidden_state, inputs["attention_mask"])
            return torch.nn.functional.normalize(pooled, dim=-1)

    axes = {name: {0: "batch", 1: "sequence"} for name in names} | {head: {0: "batch"}}
    with atomic_target(target, suffix=".onnx.tmp") as temporary, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python conditionals; tests check the graph
        torch.onnx.export(
            _Logits(model.float().eval()),
            tuple(arguments[n] for n in names),
            str(temporary),
            input_names=names,
            output_names=[head],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
