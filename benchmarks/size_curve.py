"""Learning curve: development macro-F1 against the number of training sentences, to choose ``train.max_train``.

Runs ``benchmarks/train_dev.py`` on a finished run's weak labels at each size (same seed, targets, epochs) and
prints one row per size with the model's macro-F1 on the tuning part and on the development samples' B halves
(what decides; see README, Evaluation protocol). Pick the smallest size after which adding more stops helping,
within the time budget of ``experiment=ungd_large``.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/size_curve.py artifacts/runs/<run> --sizes 3000 6000 12000 24000
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", type=Path)
    parser.add_argument("--sizes", type=int, nargs="+", default=[3000, 6000, 12000, 24000])
    parser.add_argument("--epochs", type=float, default=2.0)
    parser.add_argument("--targets", choices=["hard", "soft"], default="soft")
    parser.add_argument("--work", type=Path, default=Path("/tmp/size_curve"))
    args = parser.parse_args()
    print("| training sentences | seconds | tuning part | B halves (decision data) |")
    print("| --- | --- | --- | --- |")
    for size in args.sizes:
        tick = time.perf_counter()
        out = subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "train_dev.py"), str(args.run), "--out",
             str(args.work / f"m{size}"), "--max-train", str(size), "--epochs", str(args.epochs),
             "--targets", args.targets, "--none-share", "0.92"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        scores = re.findall(r"(tuning part|B halves \(\d+\))\s+model macro-F1 ([0-9.]+)", out)
        shown = " | ".join(score for _, score in scores)
        print(f"| {size} | {time.perf_counter() - tick:.0f} | {shown} |", flush=True)


if __name__ == "__main__":
    main()
