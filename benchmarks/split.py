"""Benchmark the sentence splitter: MB/s on the UN speeches, the seed gold check, agreement with pysbd.

Run from the repository root, on one core:

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/split.py [--corpus ../shared/corpora/ungd-dev]
        [--repeats 3] [--pysbd-docs 20]

Speed counts the UTF-8 bytes of the documents over the time spent splitting them (reading excluded).
``--pysbd-docs N`` also splits the first N speeches with pysbd itself (backend="pysbd", slow) and prints
pysbd's speed and the span agreement between the two backends.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from pipeline.corpus import Document, read_corpus
from pipeline.split import PysbdSplitter, Sentence, boundary_scores, wrap_profile

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_2e6cc240c023ba1f.txt"
SEED_GOLD = ROOT / "seeds" / "gold" / "seed_gold.jsonl"


def seed_check() -> bool:
    """Split the seed and compare with its gold segmentation; print the scores; True when exact."""
    document = Document(SEED.stem, SEED.read_text(encoding="utf-8"), str(SEED))
    records = [json.loads(line) for line in SEED_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold = [Sentence(r["doc"], r["start"], r["end"], r["text"]) for r in records]
    predicted = PysbdSplitter().split(document)
    scores = boundary_scores(predicted, gold)
    exact = [(s.start, s.end, s.text) for s in predicted] == [(g.start, g.end, g.text) for g in gold]
    print(
        f"seed: {len(predicted)} sentences vs {len(gold)} gold; precision {scores['precision']:.3f} "
        f"recall {scores['recall']:.3f} f1 {scores['f1']:.3f}; exact reproduction: {exact}; "
        f"hard-wrapped: {wrap_profile(document.text).wrapped}"
    )
    return exact


def time_split(splitter: PysbdSplitter, documents: list[Document]) -> tuple[float, int]:
    """Seconds to split all documents, and the number of sentences."""
    started = time.perf_counter()
    count = sum(len(splitter.split(document)) for document in documents)
    return time.perf_counter() - started, count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(ROOT / ".." / "shared" / "corpora" / "ungd-dev"))
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--pysbd-docs", type=int, default=0, help="also run pysbd on this many speeches")
    args = parser.parse_args(argv)

    exact = seed_check()
    documents = read_corpus(args.corpus, exclude=["README.md"])
    megabytes = sum(len(d.text.encode("utf-8")) for d in documents) / 1e6
    wrapped = sum(wrap_profile(d.text).wrapped for d in documents)
    print(f"corpus: {len(documents)} documents, {megabytes:.2f} MB, {wrapped} detected as hard-wrapped")

    splitter = PysbdSplitter()
    times = []
    for _ in range(args.repeats):
        seconds, count = time_split(splitter, documents)
        times.append(seconds)
    best, median = min(times), statistics.median(times)
    print(
        f"rules backend: {count} sentences; best {best:.2f} s = {megabytes / best:.1f} MB/s, "
        f"median {median:.2f} s = {megabytes / median:.1f} MB/s (one core, {args.repeats} runs)"
    )

    if args.pysbd_docs:
        subset = documents[: args.pysbd_docs]
        subset_mb = sum(len(d.text.encode("utf-8")) for d in subset) / 1e6
        seconds, count = time_split(PysbdSplitter(backend="pysbd"), subset)
        print(
            f"pysbd backend on {len(subset)} documents ({subset_mb:.2f} MB): {count} sentences, "
            f"{seconds:.1f} s = {subset_mb / seconds:.3f} MB/s"
        )
        rules = [s for d in subset for s in splitter.split(d)]
        reference = [s for d in subset for s in PysbdSplitter(backend="pysbd").split(d)]
        agreement = boundary_scores(rules, reference)
        print(
            f"rules vs pysbd spans on those documents: precision {agreement['precision']:.3f} "
            f"recall {agreement['recall']:.3f} f1 {agreement['f1']:.3f}"
        )
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
