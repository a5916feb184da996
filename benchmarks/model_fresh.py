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
from sklearn.metrics import f1_score

from pipeline.evaluate import classification_metrics
from pipeline.labels import LABEL2ID, LABELS
from pipeline.predict import Predictor

ROOT = Path(__file__).resolve().parents[1]
FRESH = ROOT / "benchmarks" / "data" / "ungd_fresh_dev.jsonl"


def macro(y_true: list[int], y_pred: list[int]) -> str:
    per = f1_score(y_true, y_pred, labels=[0, 1, 2], average=None, zero_division=0)
    low, high = classification_metrics([LABELS[i] for i in y_true], [LABELS[i] for i in y_pred])["ci"]["macro_f1"]
    per_label = "  ".join(f"{lab} {f:.3f}" for lab, f in zip(LABELS, per, strict=True))
    return f"macro-F1 {per.mean():.3f} [{low:.2f}, {high:.2f}]  {per_label}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", type=Path)
    parser.add_argument("--sample", type=Path, default=FRESH, help="offsets-labelled sample (default: fresh)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from weak_dev import load_fresh

    rows = load_fresh(args.sample)
    weak = {}
    with (args.run / "weak_labels.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            weak[(record["doc"], record["start"], record["end"])] = record["label"] or "none"
    y = [LABEL2ID[r["label"]] for r in rows]
    weak_pred = [LABEL2ID[weak[(r["doc"], r["start"], r["end"])]] for r in rows]
    predictor = Predictor(args.run / "model", fast_path="fp32", threads=1)
    model_pred = [LABEL2ID[label] for label in predictor.predict([r["text"] for r in rows]).labels]
    print(f"{args.sample.name} ({len(rows)} sentences)")
    print(f"  weak labeller {macro(y, weak_pred)}")
    print(f"  model         {macro(y, model_pred)}")
    agree = np.mean(np.array(weak_pred) == np.array(model_pred))
    print(f"  model agrees with the weak labeller on {agree:.1%}")
    metrics = json.loads((args.run / "metrics.json").read_text(encoding="utf-8"))
    tuning = metrics.get("parts", {}).get("tuning", {}).get("systems", {})
    for system in ("model", "weak_labeller"):
        if system in tuning:
            print(f"  tuning part, {system}: macro-F1 {tuning[system]['macro_f1']:.3f}")


if __name__ == "__main__":
    main()
