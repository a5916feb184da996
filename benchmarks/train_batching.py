"""Benchmark length-grouped training batches against random ones: training sentences per second, same process.

Fine-tunes the default MiniLM for one epoch on the same UN sentences twice, with ``group_by_length`` off (the
baseline: random batches padded to their longest sentence) and on, and prints both speeds and their ratio.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/train_batching.py [--sentences 480]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from pipeline.corpus import read_corpus
from pipeline.labels import LABELS
from pipeline.models import PackagedMiniLM
from pipeline.split import PysbdSplitter, split_documents
from pipeline.train import TrainSettings, train_classifier

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / ".." / "shared" / "corpora" / "ungd-dev"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=480)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    documents = read_corpus(args.corpus, suffixes=(".txt",))[:40]
    texts = [s.norm for s in split_documents(documents, PysbdSplitter(), progress=False)]
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(texts), size=min(args.sentences, len(texts)), replace=False)
    sample = [texts[i] for i in chosen]
    labels = [LABELS[i % len(LABELS)] for i in range(len(sample))]  # labels do not change the cost of a step
    speeds = {}
    for grouped in (False, True):
        settings = TrainSettings(epochs=1, group_by_length=grouped, save_steps=10_000)
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            train_classifier(
                sample,
                labels,
                PackagedMiniLM(),
                settings,
                Path(tmp) / "model",
                checkpoint_dir=Path(tmp) / "ckpt",
                progress=False,
            )
            speeds[grouped] = len(sample) / (time.perf_counter() - start)
        print(f"group_by_length={grouped!s:5s}: {speeds[grouped]:.1f} sentences/s", flush=True)
    print(f"length-grouped / random: {speeds[True] / speeds[False]:.2f}x ({len(sample)} UN sentences, 1 epoch)")


if __name__ == "__main__":
    main()
