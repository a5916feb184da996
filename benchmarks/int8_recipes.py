"""Agreement with fp32 labels (and speed) of ONNX Runtime int8 recipes, on the same 5,000 UN sentences as predict.py.

Usage (from the repository root)::

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/int8_recipes.py --model artifacts/runs/<run> [--threads 2]

Each recipe quantises the exported fp32 graph's MatMul weights (dynamic quantisation); the labels are compared with
the torch fp32 model's on the same sentences in the same process. Run it on each CPU family you care about: the
integer kernels differ (AVX2 ``vpmaddubsw`` saturates int16 pair sums with 8-bit weights; VNNI does not).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from predict import REPO, select, un_sentences  # noqa: E402

sys.path.insert(0, str(REPO))
from pipeline.capability import capability  # noqa: E402
from pipeline.predict import Predictor  # noqa: E402

RECIPES = {
    "s8 per channel, 8-bit": {"weight_type": "QInt8", "per_channel": True},
    "s8 per channel, 7-bit (default)": {"weight_type": "QInt8", "per_channel": True, "reduce_range": True},
    "u8 per channel": {"weight_type": "QUInt8", "per_channel": True},
}


def main() -> None:
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sentences", type=int, default=5000)
    args = parser.parse_args()
    sentences, _ = select(un_sentences(), args.sentences)
    cache = Path(tempfile.mkdtemp(prefix="int8-recipes-"))
    print(f"CPU: {capability().describe()}")
    tick = time.perf_counter()
    reference = Predictor(args.model, fast_path="fp32", threads=args.threads).predict_proba(sentences)
    print(f"fp32 (torch): {len(sentences) / (time.perf_counter() - tick):.0f} sentences/s")
    onnx = Predictor(args.model, fast_path="onnx", threads=args.threads, onnx_cache_dir=cache)
    source = next(cache.rglob("model.onnx"))
    for number, (name, recipe) in enumerate(RECIPES.items()):
        target = source.with_name(f"recipe{number}.onnx")
        options = {k: QuantType[v] if k == "weight_type" else v for k, v in recipe.items()}
        quantize_dynamic(str(source), str(target), op_types_to_quantize=["MatMul"], **options)
        session_options = ort.SessionOptions()
        session_options.intra_op_num_threads = args.threads
        onnx._session = ort.InferenceSession(str(target), session_options, providers=["CPUExecutionProvider"])
        tick = time.perf_counter()
        probs = onnx.predict_proba(sentences)
        rate = len(sentences) / (time.perf_counter() - tick)
        agree = float((probs.argmax(1) == reference.argmax(1)).mean())
        print(
            f"{name}: {rate:.0f} sentences/s, agreement with fp32 labels {agree:.2%}, "
            f"largest probability gap {np.abs(probs - reference).max():.3f}"
        )


if __name__ == "__main__":
    main()
