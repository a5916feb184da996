"""Benchmark the weak-labelling stage on the UN speeches: splitting, labelling functions, embeddings, label model.

Usage (from the repository root)::

    OMP_WAIT_POLICY=PASSIVE .venv/bin/python benchmarks/weak.py [--corpora ungd-dev ungd-train] [--baseline 2000]
        [--limit N] [--memory-curve 20000 100000 0]

Prints, for the whole corpus, each stage's seconds, throughput (MB/s for splitting, sentences/s otherwise) and the
process's peak RSS, with the embeddings cache cold (a fresh temporary cache folder; ``--warm`` runs the same labeller
again on the now-filled cache). Then it runs the previous implementation (every LF on every sentence one by one,
no literal gate, every sentence embedded with torch fp32, no disk cache) and the current one on the first
``--baseline`` sentences in the same process, and prints the ratio, and whether their majority-vote labels agree.

``--memory-curve N ...`` runs the stage on the first N sentences (0: all), each size in a fresh process with a cold
cache, and prints each size's peak RSS and its ratio to the first size's: flat memory means ratios near 1. The
sentences are split one document at a time and kept on disk (``SpilledTexts``), so the peak is the labeller's own.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.capability import available_cpus, capability  # noqa: E402
from pipeline.clock import peak_rss_mb  # noqa: E402
from pipeline.corpus import Corpus  # noqa: E402
from pipeline.split import PysbdSplitter, split_documents  # noqa: E402
from pipeline.weak.build import build_weak_labeler  # noqa: E402
from pipeline.weak.embedder import SentenceEmbedder  # noqa: E402
from pipeline.weak.labeler import WeakLabeler  # noqa: E402
from pipeline.weak.lfs import cues, gate, select_lfs  # noqa: E402
from pipeline.weak.spilled import SpilledTexts  # noqa: E402


def split_corpora(names: list[str], limit: int | None = None) -> tuple[SpilledTexts, float, float]:
    """The normalised sentences of the named corpora (the first ``limit``), on disk as the stage would hold them,
    the seconds splitting took and the megabytes split. Documents are read and split one at a time."""
    clock = {"seconds": 0.0, "megabytes": 0.0}
    splitter = PysbdSplitter()

    def sentences() -> Iterator[str]:
        for name in names:
            for document in Corpus(REPO / ".." / "shared" / "corpora" / name, suffixes=[".txt"]):
                clock["megabytes"] += len(document.text.encode("utf-8")) / 1e6
                tick = time.perf_counter()
                norms = [s.norm for s in split_documents([document], splitter, progress=False)]
                clock["seconds"] += time.perf_counter() - tick
                yield from norms

    texts = SpilledTexts(itertools.islice(sentences(), limit or None))
    return texts, clock["seconds"], clock["megabytes"]


def label(labeler: WeakLabeler, texts: Sequence[str]) -> tuple[float, object]:
    """Seconds to apply, fit and label ``texts`` (the whole weak-labelling stage), and the labels."""
    tick = time.perf_counter()
    votes = labeler.fit_apply(texts, progress=False)
    labels = labeler.predict(votes)
    return time.perf_counter() - tick, labels


def previous(threads: int) -> WeakLabeler:
    """The previous implementation: torch fp32 embeddings of every sentence, no disk cache, no literal gate."""
    labeler = build_weak_labeler(threads=threads, embed_precision="fp32", embed_cache=False)
    labeler.embedder = SentenceEmbedder(threads=threads, precision="fp32")
    labeler.embed_all = True
    return labeler


def ungated(run):  # noqa: ANN001, ANN201
    """Run ``run()`` with the literal gate and the cue memo off (the previous implementation's regex work)."""
    saved, memo = gate.required_literals, cues.has
    modules = [m for n, m in sys.modules.items() if n.startswith("pipeline.weak.lfs") and getattr(m, "has", 0) is memo]
    gate.required_literals = lambda pattern: None
    for module in modules:
        module.has = memo.__wrapped__
    try:
        return run()
    finally:
        gate.required_literals = saved
        for module in modules:
            module.has = memo


def memory_curve(sizes: list[int], threads: int, corpora: list[str]) -> None:
    """Peak RSS of weak labelling the first N sentences, each N in its own process, against the first N's."""
    pattern = re.compile(r"^weak\s+([\d,]+) sentences .*peak RSS (\d+) MB; workers (\d+) MB", re.MULTILINE)
    first = None
    print("| sentences | peak RSS MB | x first | worker peak RSS MB |\n| ---: | ---: | ---: | ---: |")
    for size in sizes:
        command = [sys.executable, __file__, "--limit", str(size), "--baseline", "0", "--threads", str(threads)]
        command += ["--corpora", *corpora]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
        found = pattern.search(output)
        if found is None:
            raise SystemExit(f"no 'weak ... peak RSS' line in the output of {' '.join(command)}:\n{output}")
        sentences, peak, workers = found.group(1), int(found.group(2)), int(found.group(3))
        first = first or peak
        print(f"| {sentences} | {peak} | {peak / first:.2f} | {workers} |", flush=True)


def workers_peak_mb() -> float:
    """The largest peak RSS of a finished child process (the rule-LF workers), in MB; shared pages count too."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", nargs="+", default=["ungd-dev", "ungd-train"])
    parser.add_argument("--threads", default="auto")
    parser.add_argument("--baseline", type=int, default=2000, help="sentences for the previous implementation")
    parser.add_argument("--warm", action="store_true", help="also run again on the filled cache")
    parser.add_argument("--limit", type=int, help="weak-label only the first N sentences (0: all)")
    parser.add_argument("--memory-curve", type=int, nargs="+", metavar="N", help="peak RSS at each size (0: all)")
    args = parser.parse_args()
    threads = available_cpus() if args.threads == "auto" else int(args.threads)
    if args.memory_curve:
        return memory_curve(args.memory_curve, threads, args.corpora)
    os.environ["STANCE_CACHE_DIR"] = tempfile.mkdtemp(prefix="weak-bench-")  # cold cache
    print(f"CPU: {capability().describe()}; threads {threads}; cache {os.environ['STANCE_CACHE_DIR']}")

    texts, split_s, megabytes = split_corpora(args.corpora, args.limit)
    print(
        f"split     {megabytes:7.1f} MB, {len(texts):,} sentences in {split_s:6.1f} s: "
        f"{megabytes / split_s:5.2f} MB/s; peak RSS so far {peak_rss_mb():.0f} MB"
    )
    labeler = build_weak_labeler(threads=threads)
    seconds, _ = label(labeler, texts)
    encoded = labeler.embedder.encoded if labeler.embedder else 0
    print(
        f"weak      {len(texts):,} sentences in {seconds:6.1f} s: {len(texts) / seconds:7.0f} sentences/s "
        f"(embedded {encoded:,}, path {labeler.embedder.choice.value}); peak RSS {peak_rss_mb():.0f} MB; "
        f"workers {workers_peak_mb():.0f} MB"
    )
    if args.warm:
        seconds, _ = label(build_weak_labeler(threads=threads), texts)
        print(f"weak warm {len(texts):,} sentences in {seconds:6.1f} s: {len(texts) / seconds:7.0f} sentences/s")

    if not args.baseline:
        return None
    sample = texts[: args.baseline]
    os.environ["STANCE_CACHE_DIR"] = tempfile.mkdtemp(prefix="weak-bench-")
    new_s, new_labels = label(build_weak_labeler(threads=threads), sample)
    old_s, old_labels = ungated(lambda: label(previous(threads), sample))
    agree = float((new_labels == old_labels).mean()) if len(sample) else 1.0
    print(
        f"first {len(sample):,} sentences, cold: previous {len(sample) / old_s:6.0f} sentences/s, "
        f"now {len(sample) / new_s:6.0f} sentences/s: {old_s / new_s:5.1f}x; same weak labels on {agree:.2%}"
    )
    print(f"LFs: {len(select_lfs(None))}; peak RSS of the process {peak_rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
