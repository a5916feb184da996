"""How should a run choose its `none` logit shift? Each method scored on the B halves of the development samples.

``calibrate_on: tuning`` picks the shift that maximises macro-F1 on the 201 sentences of the dev gold set's tuning
part. Across runs of one design the chosen shift has ranged from -1.75 to +3.75, which suggests that the optimum on
so few sentences is noise. This script takes finished runs, undoes each run's applied shift (read from
``run.json``), and applies the shift each method would choose, all on the data the protocol allows for tuning:

- ``tuning``: the current method (argmax of macro-F1 on the tuning part);
- ``tuning+A``: the same argmax on the tuning part pooled with the A halves of the development samples;
- ``tuning bagged``: the median of the argmaxes over 200 bootstrap resamples of the tuning part;
- ``none``: no shift.

Each method's macro-F1 on the B halves (scores only, the data that decides between designs) is printed per run,
with the mean over runs. It never reads the reporting part or a test sample.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/calibration.py artifacts/runs/un-9k7 artifacts/runs/un-9k7-s1 ...
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score

from pipeline.gold import load_gold, split_parts
from pipeline.labels import LABELS
from pipeline.predict import Predictor
from pipeline.train import choose_none_offset

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = [ROOT / "benchmarks" / "data" / "ungd_fresh_dev.jsonl", ROOT / "benchmarks" / "data" / "ungd_dev2.jsonl"]
NONE = LABELS.index("none")


def bagged_offset(logp: np.ndarray, truth: list[str], n: int = 200, seed: int = 0) -> float:
    """The median of the macro-F1-best shifts over bootstrap resamples: a choice less at the mercy of a few
    sentences than the argmax on one sample."""
    rng = np.random.default_rng(seed)
    y = np.array(truth)
    picks = []
    for _ in range(n):
        idx = rng.integers(0, len(y), len(y))
        picks.append(choose_none_offset(np.exp(logp[idx]), list(y[idx])))
    return float(np.median(picks))


def macro(logp: np.ndarray, truth: list[str], offset: float) -> float:
    """Macro-F1 of the argmax after adding ``offset`` to the `none` log-probability."""
    shifted = logp.copy()
    shifted[:, NONE] += offset
    predicted = [LABELS[i] for i in shifted.argmax(axis=1)]
    return float(f1_score(truth, predicted, labels=list(LABELS), average="macro", zero_division=0))


def unshifted_log_probs(run: Path, parts: tuple[list[str], ...]) -> list[np.ndarray]:
    """The run's log-probabilities of each part's texts with its applied `none` shift undone (as trained),
    renormalised, since choose_none_offset takes probabilities."""
    applied = json.loads((run / "run.json").read_text(encoding="utf-8")).get("none_logit_offset") or 0.0
    predictor = Predictor(run / "model", fast_path="fp32", threads=1)
    out = []
    for texts in parts:
        logp = np.log(np.clip(predictor.predict_proba(texts), 1e-12, 1.0))
        logp[:, NONE] -= applied
        out.append(logp - np.logaddexp.reduce(logp, axis=1, keepdims=True))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("runs", type=Path, nargs="+")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from weak_dev import load_fresh, sample_halves

    gold = split_parts(
        load_gold(args.shared / "gold" / "ungd_dev.jsonl"),
        {"tuning": ROOT / "configs" / "gold" / "ungd_dev_split" / "tuning_ids.txt"},
    )["tuning"]
    halves = [sample_halves(load_fresh(path)) for path in SAMPLES]
    half_a = [row for a, _ in halves for row in a]
    half_b = [row for _, b in halves for row in b]
    tuning_y, a_y, b_y = [g.label for g in gold], [r["label"] for r in half_a], [r["label"] for r in half_b]
    methods = ("tuning", "tuning+A", "tuning bagged", "none")
    print(f"tuning part {len(tuning_y)}, A halves {len(a_y)}, B halves {len(b_y)} sentences")
    print(f"{'run':12s} " + "  ".join(f"{m:>20s}" for m in methods) + "   (shift: B macro-F1)")
    texts = ([g.sentence.norm for g in gold], [r["text"] for r in half_a], [r["text"] for r in half_b])
    table = []
    for run in args.runs:
        tuning_lp, a_lp, b_lp = unshifted_log_probs(run, texts)
        offsets = {
            "tuning": choose_none_offset(np.exp(tuning_lp), tuning_y),
            "tuning+A": choose_none_offset(np.exp(np.vstack([tuning_lp, a_lp])), tuning_y + a_y),
            "tuning bagged": bagged_offset(tuning_lp, tuning_y),
            "none": 0.0,
        }
        scores = [macro(b_lp, b_y, offsets[m]) for m in methods]
        table.append(scores)
        cells = (f"{offsets[m]:+6.2f}: {s:.3f}{'':6s}" for m, s in zip(methods, scores, strict=True))
        print(f"{run.name:12s} " + "  ".join(cells))
    mean = np.mean(table, axis=0)
    print(f"{'mean':12s} " + "  ".join(f"{'':8s}{s:.3f}{'':6s}" for s in mean))


if __name__ == "__main__":
    main()
