"""Peak memory of streaming prediction: does RSS stay flat as the corpus grows?

Builds a temporary folder of UN speeches (../shared/corpora/ungd-dev, repeated under new names) holding at
least ``--sentences`` sentences, streams it through ``predict_corpus`` into a temporary JSONL output and
prints the process's peak RSS (``ru_maxrss``). Compare two sizes, each in its own process::

    OMP_NUM_THREADS=1 /usr/bin/time -v .venv/bin/python benchmarks/memory.py --sentences 20000
    OMP_NUM_THREADS=1 /usr/bin/time -v .venv/bin/python benchmarks/memory.py --sentences 200000

Target: the 200k peak under 2 GB and within 10% of the 20k peak. The model is resolved as in
benchmarks/predict.py (``--model``, else the newest MiniLM run, else artifacts/bench-model/).
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import sys
import tempfile
import time
from pathlib import Path

import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from pipeline.corpus import Corpus, Document  # noqa: E402
from pipeline.predict import DEFAULT_FAST_PATH, Predictor, predict_corpus  # noqa: E402
from pipeline.split import PysbdSplitter  # noqa: E402

_spec = importlib.util.spec_from_file_location("bench_predict", Path(__file__).with_name("predict.py"))
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def build_corpus(folder: Path, sentences: int, splitter: PysbdSplitter) -> tuple[int, int]:
    """Write speeches (cycling through the UN corpus) into ``folder`` until ``sentences`` are reached."""
    speeches = [(p.stem, p.read_text(encoding="utf-8")) for p in sorted(bench.UN_CORPUS.glob("*.txt"))]
    counts = [len(splitter.split(Document(name, text))) for name, text in speeches]
    total = files = 0
    while total < sentences:
        name, text = speeches[files % len(speeches)]
        (folder / f"{files // len(speeches):04d}_{name}.txt").write_text(text, encoding="utf-8")
        total += counts[files % len(speeches)]
        files += 1
    return files, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=int, default=20000)
    parser.add_argument("--model", type=Path)
    parser.add_argument("--fast-path", default=DEFAULT_FAST_PATH)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--chunk-docs", type=int, default=32)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    model_dir = args.model or bench.newest_minilm_run() or bench.BENCH_MODEL
    if not (Path(model_dir) / "config.json").exists() and not (Path(model_dir) / "model").is_dir():
        sys.exit(f"no model at {model_dir}: run benchmarks/predict.py first or pass --model")

    splitter = PysbdSplitter()
    with tempfile.TemporaryDirectory(prefix="stance-memory-") as temp:
        corpus_dir = Path(temp) / "corpus"
        corpus_dir.mkdir()
        files, planned = build_corpus(corpus_dir, args.sentences, splitter)
        after_build = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        predictor = Predictor(model_dir, fast_path=args.fast_path, threads=args.threads)
        started = time.perf_counter()
        summary = predict_corpus(
            Corpus(corpus_dir),
            predictor,
            splitter,
            Path(temp) / "out.jsonl",
            chunk_docs=args.chunk_docs,
            progress=True,
        )
        seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(summary.line())
    print(
        f"files {files}, sentences {summary.sentences} (planned {planned}), {seconds:.0f} s, "
        f"{summary.sentences / seconds:.0f} sentences/s, fast_path {args.fast_path}, threads {args.threads}"
    )
    print(f"peak RSS (ru_maxrss) {peak_kb / 1024:.0f} MB; after building the corpus {after_build / 1024:.0f} MB")


if __name__ == "__main__":
    main()
