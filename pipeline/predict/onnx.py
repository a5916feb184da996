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
from pathlib import Path
from typing import Any

import torch

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
) -> Any:
    """An ONNX Runtime session for ``model``, exporting it once into a cache keyed by the weights.

    With ``quantize`` the graph's weight matrix products run in int8 (ONNX Runtime's dynamic quantisation, one
    scale per output channel; activation-by-activation products such as attention stay in float): on the UN
    speeches it kept 99.6% of the fp32 labels at about 5.7 times the default transformers pipeline's speed.
    """
    try:
        import onnx  # noqa: F401  (torch's exporter needs it to write the file)
        import onnxruntime as ort
    except ImportError as error:
        raise ConfigError(
            f"fast_path=onnx needs the '{error.name}' package, which is not installed",
            key=setting_key(PredictAppConfig, "fast_path"),
            fix="pip install onnx, or use fast_path=int8",
        ) from None
    weights = model_dir / "model.safetensors"
    stat = weights.stat() if weights.exists() else None
    key_text = json.dumps(
        [
            str(model_dir.resolve()),
            stat.st_size if stat else 0,
            stat.st_mtime_ns if stat else 0,
            torch.__version__,
            input_names,
        ]
    )
    key = hashlib.sha256(key_text.encode()).hexdigest()[:16]
    folder = Path(cache_dir) if cache_dir is not None else Path(tempfile.gettempdir()) / "stance-pipeline-onnx"
    target = folder / key / "model.onnx"
    if not target.exists():
        _export_onnx(model, input_names, target)
    if quantize:
        target = _quantized_onnx(target)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(target), options, providers=["CPUExecutionProvider"])


def _quantized_onnx(source: Path) -> Path:
    """The int8 twin of an exported graph (weights per channel, MatMul with constant weights only), cached."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = source.with_name("model.int8.onnx")
    if target.exists():
        return target
    logging.disable(logging.WARNING)  # onnxruntime advises pre-processing on the root logger; not needed here
    try:
        with atomic_target(target, suffix=".onnx.tmp") as temporary:
            quantize_dynamic(
                str(source),
                str(temporary),
                weight_type=QuantType.QInt8,
                per_channel=True,
                op_types_to_quantize=["MatMul"],
                extra_options={"MatMulConstBOnly": True},
            )
    finally:
        logging.disable(logging.NOTSET)
    return target


def _export_onnx(model: Any, input_names: list[str], target: Path) -> None:
    """Export with dynamic batch and sequence axes into a temp file, then rename it into place atomically."""
    sample = torch.ones((2, 8), dtype=torch.int64)
    names = ["input_ids", *input_names]
    arguments = {name: sample if name != "token_type_ids" else torch.zeros_like(sample) for name in names}

    class _Logits(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
            return self.inner(**dict(zip(names, tensors, strict=True))).logits

    axes = {name: {0: "batch", 1: "sequence"} for name in names} | {"logits": {0: "batch"}}
    with atomic_target(target, suffix=".onnx.tmp") as temporary, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on Python conditionals; tests check the graph
        torch.onnx.export(
            _Logits(model.float().eval()),
            tuple(arguments[n] for n in names),
            str(temporary),
            input_names=names,
            output_names=["logits"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
