"""Benchmark ``stance-predict`` on a folder of UN speeches against the transformers ``pipeline``, in one call.

Usage (from the repository root)::

    .venv/bin/python benchmarks/predict_folder.py --model artifacts/runs/<run> [--speeches 50]

Both sides are whole processes started cold, so start-up (imports, model loading) and sentence splitting are
included: ``stance-predict`` with its default settings on a folder of the first ``--speeches`` speeches of
../shared/corpora/ungd-dev (copied to a temporary folder), and a script that loads the same model into
``transformers.pipeline("text-classification")`` (its defaults) and labels the same speeches split by the same
splitter. Printed: each side's time to its first labelled sentence, its wall time, sentences/s over the whole
call, and the ratio. Timings on a shared CPU are noisy: compare the ratio, measured in the same call.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UN_CORPUS = REPO / ".." / "shared" / "corpora" / "ungd-dev"

BASELINE = r"""
import sys, time
started = float(sys.argv[3])
from pathlib import Path
from transformers import pipeline
from pipeline.corpus import Corpus
from pipeline.runs import resolve_model_dir
from pipeline.split import PysbdSplitter
classify = pipeline("text-classification", model=str(resolve_model_dir(sys.argv[1])), device=-1)
splitter, first, n = PysbdSplitter(), None, 0
for document in Corpus(sys.argv[2], suffixes=[".txt"]):
    texts = [s.norm for s in splitter.split(document)]
    for _ in classify(texts, truncation=True):
        n += 1
        first = first or time.time() - started
print(first, n)
"""


def _first_record_time(output: Path, process: subprocess.Popen, started: float) -> float | None:
    """Poll until the output holds its first record (or the process ends); seconds since ``started``."""
    while process.poll() is None:
        if output.exists() and output.stat().st_size > 0:
            return time.time() - started
        time.sleep(0.05)
    return None


def run_stance_predict(model: str, folder: Path, work: Path) -> tuple[float | None, float, int]:
    output = work / "predictions.jsonl"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.time()
    process = subprocess.Popen(
        [sys.executable, "-c", "from pipeline.cli import predict_main; predict_main()", f"model={model}",
         f"input={folder}", f"output={output}", "progress=false", f"hydra.run.dir={work / 'hydra'}"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    first = _first_record_time(output, process, started)
    _, stderr = process.communicate()
    wall = time.time() - started
    if process.returncode != 0:
        raise SystemExit(f"stance-predict failed: {stderr}")
    return first, wall, sum(1 for _ in output.open(encoding="utf-8"))


def run_pipeline(model: str, folder: Path) -> tuple[float, float, int]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.time()
    done = subprocess.run(
        [sys.executable, "-c", BASELINE, model, str(folder), str(started)],
        cwd=REPO, env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    wall = time.time() - started
    first, n = done.stdout.split()[-2:]
    return float(first), wall, int(n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a finished run folder or a model folder")
    parser.add_argument("--speeches", type=int, default=50)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    with tempfile.TemporaryDirectory() as temporary:
        work = Path(temporary)
        folder = work / "speeches"
        folder.mkdir()
        for path in sorted(UN_CORPUS.glob("*.txt"))[: args.speeches]:
            shutil.copy(path, folder / path.name)
        first, wall, n = run_stance_predict(args.model, folder, work)
        print(f"stance-predict (defaults): first sentence written after {first:.1f} s; {n} sentences in "
              f"{wall:.1f} s = {n / wall:.1f} sentences/s")  # fmt: skip
        p_first, p_wall, p_n = run_pipeline(args.model, folder)
        print(f"transformers pipeline:     first sentence after {p_first:.1f} s; {p_n} sentences in "
              f"{p_wall:.1f} s = {p_n / p_wall:.1f} sentences/s")  # fmt: skip
        print(f"stance-predict / pipeline, sentences/s including start-up and splitting: "
              f"{(n / wall) / (p_n / p_wall):.2f}x over {args.speeches} speeches")  # fmt: skip


if __name__ == "__main__":
    main()
