"""Score a finished UN run on a sample labelled by offsets: the fine-tuned model against the run's weak labeller.

The default sample is the fresh development sample (benchmarks/data/ungd_fresh_dev.jsonl); ``--sample`` names
another file of the same form, such as the held-out sample (benchmarks/data/ungd_heldout.jsonl). Its sentences are
corpus sentences, so the run's own weak label for each is read from its ``weak_labels.jsonl`` by offsets, and the
model predicts the same text. Sentences the run never weak-labelled (the fresh ``ungd-train`` test sample: its
speeches are excluded from training) are weak-labelled by the run's saved labeller (``weak/``, the same code as
``stance-predict system=weak``); the text is read back from ``../shared/corpora/ungd-dev`` or ``ungd-train``.
Macro-F1 comes with a bootstrap 95% CI, per-label F1, and a paired bootstrap of model minus labeller. Only the
tuning part of the run's ``metrics.json`` is printed: this script never shows the reporting part.

The lead's one reading of the fresh test sample, at the very end (never during development):

    .venv/bin/python benchmarks/model_fresh.py artifacts/runs/<run> --sample benchmarks/data/ungd_train_fresh.jsonl

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/model_fresh.py artifacts/runs/<name> [--sample FILE ...]
        [--half B] [--model DIR] [--combine]

Deciding between designs reads only the B halves of the development samples (README, Evaluation protocol):
``--sample benchmarks/data/ungd_fresh_dev.jsonl benchmarks/data/ungd_dev2.jsonl --half B`` scores them pooled.
``--model`` scores another model folder (one trained by ``benchmarks/train_dev.py``) against the run's labeller.
``--combine`` adds one combination, fixed before it was scored: the labeller's label where it gives a stance, the
model's elsewhere (the rules are precise where they fire; the model may find stances they miss).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from pipeline.evaluate import classification_metrics, paired_bootstrap
from pipeline.labels import LABELS
from pipeline.predict import Predictor
from pipeline.weak.state import load_labeller

ROOT = Path(__file__).resolve().parents[1]
FRESH = ROOT / "benchmarks" / "data" / "ungd_fresh_dev.jsonl"


def weak_labels_for(run: Path, rows: list[dict], stored: dict[tuple[str, int, int], str]) -> list[str]:
    """The run's weak label of each sample sentence: from ``weak_labels.jsonl`` where the run labelled it, else
    from the run's saved labeller applied to the text (sentences of speeches the run never read)."""
    missing = [r for r in rows if (r["doc"], r["start"], r["end"]) not in stored]
    if missing:
        labeler = load_labeller(run)
        votes = labeler.apply([r["text"] for r in missing], progress=False)
        for r, k in zip(missing, labeler.predict(votes), strict=True):
            stored[(r["doc"], r["start"], r["end"])] = "none" if k < 0 else LABELS[k]
        print(f"  {len(missing)} sentences weak-labelled by the run's saved labeller (not in its corpus)")
    return [stored[(r["doc"], r["start"], r["end"])] or "none" for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", type=Path)
    parser.add_argument("--sample", type=Path, nargs="+", default=[FRESH], help="offsets-labelled samples, pooled")
    parser.add_argument("--half", choices=["A", "B", "all"], default="all", help="by speech, as weak_dev.py splits")
    parser.add_argument("--model", type=Path, default=None, help="model folder (default: the run's model/)")
    parser.add_argument(
        "--combine", action="store_true", help="also score the labeller's stance where it gives one, else the model's"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from weak_dev import load_fresh, macro_line, run_weak_labels, sample_halves

    rows = []
    for path in args.sample:
        sample = load_fresh(path)
        rows += sample if args.half == "all" else sample_halves(sample)["AB".index(args.half)]
    y = [r["label"] for r in rows]
    weak_pred = weak_labels_for(args.run, rows, run_weak_labels(args.run))
    predictor = Predictor(args.model or args.run / "model", fast_path="fp32", threads=1)
    model_pred = predictor.predict([r["text"] for r in rows]).labels
    names = " + ".join(path.name for path in args.sample)
    print(f"{names}, half {args.half} ({len(rows)} sentences; model {args.model or args.run / 'model'})")
    print(f"  weak labeller {macro_line(y, weak_pred, ci=True)}")
    print(f"  model         {macro_line(y, model_pred, ci=True)}")
    for system, pred in (("weak labeller", weak_pred), ("model", model_pred)):
        per_label = classification_metrics(y, pred, n_bootstrap=2000)
        print(f"  {system:13s} " + ", ".join(
            f"F1 {k} {per_label['per_label'][k]['f1']:.3f} [{per_label['ci']['f1_' + k][0]:.3f}, "
            f"{per_label['ci']['f1_' + k][1]:.3f}]" for k in LABELS
        ))  # fmt: skip
    pair = paired_bootstrap(y, model_pred, weak_pred, n_bootstrap=2000)
    print(f"  paired bootstrap, model - labeller: {pair['diff']:+.3f} [{pair['ci'][0]:+.3f}, {pair['ci'][1]:+.3f}]")
    agree = np.mean(np.array(weak_pred) == np.array(model_pred))
    print(f"  model agrees with the weak labeller on {agree:.1%}")
    if args.combine:
        combined = [w if w != "none" else m for w, m in zip(weak_pred, model_pred, strict=True)]
        print(f"  labeller's stance, else model {macro_line(y, combined, ci=True)}")
        pair = paired_bootstrap(y, combined, weak_pred, n_bootstrap=2000)
        print(f"    minus labeller: {pair['diff']:+.3f} [{pair['ci'][0]:+.3f}, {pair['ci'][1]:+.3f}]")
    metrics = json.loads((args.run / "metrics.json").read_text(encoding="utf-8"))
    tuning = metrics.get("parts", {}).get("tuning", {}).get("systems", {})
    for system in ("model", "weak_labeller"):
        if system in tuning:
            print(f"  tuning part, {system}: macro-F1 {tuning[system]['macro_f1']:.3f}")


if __name__ == "__main__":
    main()
