"""Label models at corpus scale: majority vote against snorkel's LabelModel, fitted on a finished run's votes.

A run's ``weak_labels.jsonl`` holds every corpus sentence's LF votes. This script fits each label model on that
vote matrix (no gold label is used to fit) and scores the weak labels it gives on the decision data of the
README's evaluation protocol: the B halves of the two development samples, whose sentences are corpus sentences
found in the run by their offsets (their errors were never read). ``--drop`` removes LF columns by name before
fitting, as ``weak.drop_lfs`` would (the learned LF keeps the votes it was fitted with in the run, so this is a
close stand-in, not the same run). Never reads the reporting part or the fresh ``ungd-train`` test sample.

    .venv/bin/python benchmarks/label_models.py artifacts/runs/<run> [--drop LF ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from pipeline.labels import ABSTAIN, LABEL2ID, LABELS
from pipeline.weak.label_model import make_label_model

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from weak_dev import load_fresh, macro_line, read_jsonl, sample_halves  # noqa: E402

DECISION_SAMPLES = [
    ROOT / "benchmarks" / "data" / "ungd_fresh_dev.jsonl",
    ROOT / "benchmarks" / "data" / "ungd_dev2.jsonl",
]


def vote_matrix(weak: list[dict], drop: list[str]) -> tuple[np.ndarray, list[str]]:
    """The (sentences, LFs) vote matrix of a run's weak labels, without the ``drop`` columns."""
    names = [n for n in weak[0]["votes"] if n not in drop]
    unknown = sorted(set(drop) - set(weak[0]["votes"]))
    if unknown:
        raise SystemExit(f"--drop names no LF of this run: {unknown}")
    code = {None: ABSTAIN, **LABEL2ID}
    return np.array([[code[w["votes"][n]] for n in names] for w in weak], dtype=np.int64), names


def decision_rows(weak: list[dict]) -> tuple[list[int], list[str]]:
    """Row numbers in the run of the B-half sentences of the development samples, and their labels."""
    index = {(w["doc"], w["start"], w["end"]): i for i, w in enumerate(weak)}
    rows, truth, missing = [], [], 0
    for path in DECISION_SAMPLES:
        for r in sample_halves(load_fresh(path))[1]:
            key = (r["doc"], r["start"], r["end"])
            if key in index:
                rows.append(index[key])
                truth.append(r["label"])
            else:
                missing += 1
    if missing:
        print(f"  {missing} B-half sentences are not sentences of the run (different split); left out")
    return rows, truth


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", type=Path)
    parser.add_argument("--drop", nargs="*", default=[], help="LF names to leave out")
    parser.add_argument("--models", nargs="+", default=["majority", "snorkel"])
    args = parser.parse_args()
    weak = read_jsonl(args.run / "weak_labels.jsonl")
    L, names = vote_matrix(weak, args.drop)
    rows, truth = decision_rows(weak)
    print(f"{len(weak):,} corpus sentences, {len(names)} LFs; decision data: {len(rows)} B-half sentences")
    for kind in args.models:
        tick = time.perf_counter()
        model = make_label_model(kind).fit(L)
        labels = ["none" if k == ABSTAIN else LABELS[k] for k in model.predict(L[rows])]
        print(f"  {kind:9s} fit {time.perf_counter() - tick:5.1f}s  {macro_line(truth, labels, ci=True)}")


if __name__ == "__main__":
    main()
