"""Score a finished UN run on a sample labelled by offsets: the fine-tuned model against the run's weak labeller.

The default sample is the fresh development sample (benchmarks/data/ungd_fresh_dev.jsonl); ``--sample`` names
another file of the same form, such as the held-out sample (benchmarks/data/ungd_heldout.jsonl). Its sentences are
corpus sentences, so the run's own weak label for each is read from its ``weak_labels.jsonl`` by offsets, and the
model predicts the same text. Macro-F1 comes with a bootstrap 95% CI. Only the tuning part of the run's
``metrics.json`` is printed: this script never shows the reporting part.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/model_fresh.py artifacts/runs/<name> [--sample FILE]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from pipeline.predict import Predictor

ROOT = Path(__file__).resolve().parents[1]
FRESH = ROOT / "benchmarks" / "data" / "ungd_fresh_dev.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", type=Path)
    parser.add_argument("--sample", type=Path, default=FRESH, help="offsets-labelled sample (default: fresh)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from weak_dev import load_fresh, macro_line, run_weak_labels

    rows = load_fresh(args.sample)
    weak = run_weak_labels(args.run)
    y = [r["label"] for r in rows]
    weak_pred = [weak[(r["doc"], r["start"], r["end"])] for r in rows]
    predictor = Predictor(args.run / "model", fast_path="fp32", threads=1)
    model_pred = predictor.predict([r["text"] for r in rows]).labels
    print(f"{args.sample.name} ({len(rows)} sentences)")
    print(f"  weak labeller {macro_line(y, weak_pred, ci=True)}")
    print(f"  model         {macro_line(y, model_pred, ci=True)}")
    agree = np.mean(np.array(weak_pred) == np.array(model_pred))
    print(f"  model agrees with the weak labeller on {agree:.1%}")
    metrics = json.loads((args.run / "metrics.json").read_text(encoding="utf-8"))
    tuning = metrics.get("parts", {}).get("tuning", {}).get("systems", {})
    for system in ("model", "weak_labeller"):
        if system in tuning:
            print(f"  tuning part, {system}: macro-F1 {tuning[system]['macro_f1']:.3f}")


if __name__ == "__main__":
    main()
