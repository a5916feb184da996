"""Rules that travel: each labelling function's accuracy on the text it was written on beside text it was not.

Written on: the tuning part of the UN dev gold set and the A halves of the two development samples (their errors
were read while writing rules). Not written on: the B halves (scored only) and the held-out sample (a design
check: this script looks at it, and says so). Never the reporting part, never the fresh ``ungd-train`` test sample.
The learned LF is fitted per corpus, so it abstains here (rules and prototypes only). Prints a Markdown table and
writes a CSV (``--out``); an LF "does not travel" when it has at least ``--min-votes`` votes on unseen text and its
accuracy there is below ``--min-accuracy`` or more than ``--max-drop`` below its accuracy where it was written.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/lf_travel.py --out artifacts/lf_travel.csv [--unseen exemplars]

``--unseen exemplars`` compares against the hand-labelled training sentences instead (the 4,800 of the first two
rounds, drawn at random from keyword sentences of 1,400 ``ungd-train`` speeches, ``configs/exemplars/README.md``):
a larger unseen side that no rule was written on. The third and fourth rounds are left out: a model's scores
chose most of them, so they are no fair sample of text. (The committed table uses the labels after the second
and third readings.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.exemplars import corpus_texts, load_exemplars
from pipeline.labels import LABEL2ID
from pipeline.text import normalize
from pipeline.weak.analysis import travel_table
from pipeline.weak.labeler import WeakLabeler
from pipeline.weak.lfs import select_lfs
from pipeline.weak.lfs.embeddings import SentenceEmbedder

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from weak_dev import SHARED, load_fresh, read_jsonl, sample_halves  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
EXEMPLARS = ROOT / "configs" / "exemplars" / "ungd_train_labelled.jsonl"


def samples(unseen_from: str) -> tuple[list[dict], list[dict]]:
    """(written-on rows, unseen rows), each row with ``text`` and ``label``; ``unseen_from`` ``exemplars`` takes
    the hand-labelled training sentences (``ungd-train`` speeches no rule was written on) as the unseen side."""
    tuning_ids = set((ROOT / "configs" / "gold" / "ungd_dev_split" / "tuning_ids.txt").read_text().split())
    tuning = [r | {"text": normalize(r["text"])} for r in read_jsonl(SHARED / "gold" / "ungd_dev.jsonl")]
    written, unseen = [r for r in tuning if r["id"] in tuning_ids], []
    for name in ("ungd_fresh_dev.jsonl", "ungd_dev2.jsonl"):
        half_a, half_b = sample_halves(load_fresh(DATA / name))
        written += half_a
        unseen += half_b
    if unseen_from == "exemplars":
        texts = corpus_texts(SHARED / "corpora" / "ungd-train")
        exemplars = load_exemplars(EXEMPLARS, texts, "ungd-train")[:4800]  # the first two rounds, drawn at random
        return written, [{"text": e.text, "label": e.label} for e in exemplars]
    print("looking at the held-out sample (benchmarks/data/ungd_heldout.jsonl) for the LF travel table")
    return written, unseen + load_fresh(DATA / "ungd_heldout.jsonl")


def markdown(table: pd.DataFrame) -> str:
    """A Markdown table (pandas' own needs the tabulate package)."""
    lines = ["| " + " | ".join(table.columns) + " |", "|" + " --- |" * len(table.columns)]
    lines += ["| " + " | ".join(str(v) for v in row) + " |" for row in table.itertuples(index=False)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=ROOT / "artifacts" / "lf_travel.csv")
    parser.add_argument("--min-votes", type=int, default=5)
    parser.add_argument("--min-accuracy", type=float, default=0.7)
    parser.add_argument("--max-drop", type=float, default=0.25)
    parser.add_argument("--unseen", choices=["dev", "exemplars"], default="dev", help="B halves + held-out, or "
                        "the first 4,800 hand-labelled training sentences of configs/exemplars/")  # fmt: skip
    args = parser.parse_args()
    written, unseen = samples(args.unseen)
    labeler = WeakLabeler(select_lfs(None), embedder=SentenceEmbedder(precision="fp32"))
    sides = []
    for rows in (written, unseen):
        votes = labeler.apply([r["text"] for r in rows], progress=False)
        sides.append((votes, np.array([LABEL2ID[r["label"]] for r in rows])))
    travel = travel_table(
        labeler.lf_names, sides[0], sides[1],
        min_votes=args.min_votes, min_accuracy=args.min_accuracy, max_drop=args.max_drop,
    )  # fmt: skip
    for side, (votes, _) in zip(("written", "unseen"), sides, strict=True):
        travel.insert(
            travel.columns.get_loc(f"{side}_votes") + 1, f"{side}_coverage", travel[f"{side}_votes"] / len(votes)
        )
    table = travel.rename(columns={"name": "lf", "written_votes": "written_n", "unseen_votes": "unseen_n"})
    table.insert(1, "group", labeler.lf_groups)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    table.round(3).to_csv(args.out, index=False)
    print(f"written on: {len(written)} sentences; unseen: {len(unseen)}; wrote {args.out}")
    print(markdown(table.round(3)))
    print("does not travel:", ", ".join(table.loc[~table["travels"], "lf"]) or "none")


if __name__ == "__main__":
    main()
