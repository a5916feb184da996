"""Draw more hand-labelled *training* sentences where a fine-tuned model is least sure (uncertainty sampling).

The earlier rounds (``draw_training_sample.py``) drew at random from keyword sentences, so most of their labels
repeat what the model already gets right. This round lets a finished run's model score every keyword sentence of
the training speeches (the set-aside speeches and every earlier draw left out) and takes those with the
smallest margin between its two most probable labels, plus a share drawn at random from the same pool, so that
the training sample keeps sentences of every kind (Settles, "Active Learning Literature Survey", 2009, sec. 3.1).
The model never sees a test sample or a gold set here, and its scores choose only which sentences get read.

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/draw_uncertain_sample.py artifacts/runs/<name> \
        --n 3200 --random-share 0.25 --seed 20261207 --first-id 4800 \
        --exclude <(head -4800 configs/exemplars/ungd_train_labelled.jsonl) --out /tmp/draw3.jsonl \
        --texts /tmp/draw3_texts.jsonl

(``artifacts/runs/un-hand`` = ``stance-train experiment=ungd`` at commit 8e8a116, the first 4,800 exemplars; the
command redraws ids ``train14-4800`` to ``-7999`` of the committed file exactly, with 1 or 2 threads.)

``--by favor`` ranks by the model's probability of ``favor`` instead, highest first, to feed the rarest label: the
top of that ranking holds the model's favor calls (right ones and false alarms, which the labels correct) and the
sentences just below its threshold (the favor it misses). The fourth round:

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/draw_uncertain_sample.py artifacts/runs/un-8k --by favor \
        --n 2400 --random-share 0.25 --seed 20261208 --first-id 8000 \
        --exclude <(head -8000 configs/exemplars/ungd_train_labelled.jsonl) --out /tmp/draw4.jsonl \
        --texts /tmp/draw4_texts.jsonl

(``artifacts/runs/un-8k`` = ``stance-train experiment=ungd`` at commit 681af48, the first 8,000 exemplars; it
draws ids ``train14-8000`` to ``-10399``. The 1,800th sentence of that ranking has a favor probability of 0.001.)

A fifth round (2026-12-07; ids ``-10400`` to ``-13599``, kept apart in ``configs/exemplars/ungd_train_round5.jsonl``
because it lost on the B halves) drew 1,600 by favor and then 1,600 by margin, with the model of ``un-9k7`` (the
9,712 exemplars of commit 7a870ee), after the seventh test sample had set 100 more speeches aside:

    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/draw_uncertain_sample.py artifacts/runs/un-9k7 --by favor \
        --n 1600 --random-share 0.25 --seed 20261210 --first-id 10400 \
        --exclude configs/exemplars/ungd_train_labelled.jsonl --out /tmp/d5/draw5a.jsonl --texts /tmp/d5/a.jsonl
    OMP_NUM_THREADS=2 .venv/bin/python benchmarks/draw_uncertain_sample.py artifacts/runs/un-9k7 \
        --n 1600 --random-share 0.25 --seed 20261211 --first-id 12000 \
        --exclude configs/exemplars/ungd_train_labelled.jsonl /tmp/d5/draw5a.jsonl --out /tmp/d5/draw5b.jsonl \
        --texts /tmp/d5/b.jsonl

(with the set-aside list and exemplar file of commit 0cea3f4: 300 speeches, 8,971 lines.)

The first four draws read the set-aside list and the exemplar file as they were at commit 3a90767 (100 speeches set
aside, 10,400 lines). Since then 100 more speeches are set aside and their 688 exemplars removed
(``configs/exemplars/README.md``); to redraw, pass those two files from that commit (``git show
3a90767:configs/corpus/ungd_train_heldout_ids.txt``, ``git show 3a90767:configs/exemplars/ungd_train_labelled.jsonl``)
as ``--held-out`` and to ``--exclude``.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np
from draw_fresh_sample import KEYWORDS, candidate_sentences, sentences_of, write_draw

from pipeline.corpus import read_corpus
from pipeline.labels import FAVOR
from pipeline.predict import Predictor
from pipeline.runs import resolve_model_dir
from pipeline.text import normalize

ROOT = Path(__file__).resolve().parents[1]


def ranking_scores(run: Path, texts: list[str], threads: int, by: str) -> np.ndarray:
    """Score each text with the run's model; the smallest scores are drawn first.

    ``margin``: top-1 minus top-2 probability (small: the model is unsure). ``favor``: minus the probability of
    ``favor`` (small: the model leans to favor).
    """
    probs = Predictor(resolve_model_dir(run), fast_path="fp32", threads=threads).predict_proba(texts)
    if by == "favor":
        return -probs[:, FAVOR]
    top = np.sort(probs, axis=1)
    return top[:, -1] - top[:, -2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run", type=Path, help="a finished run whose model scores the candidates")
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "ungd-train")
    parser.add_argument("--held-out", type=Path, default=ROOT / "configs" / "corpus" / "ungd_train_heldout_ids.txt")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--texts", type=Path, required=True, help="text + context for the annotators (not committed)")
    parser.add_argument("--n", type=int, default=3200)
    parser.add_argument("--random-share", type=float, default=0.25, help="share drawn at random from the pool")
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--exclude", type=Path, nargs="*", default=[], help="earlier draws: their sentences stay out")
    parser.add_argument("--first-id", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--by", choices=["margin", "favor"], default="margin", help="what ranks the pool")
    args = parser.parse_args()
    held_out = set(args.held_out.read_text(encoding="utf-8").split())
    documents = (doc for doc in read_corpus(args.corpus, suffixes=[".txt"], exclude=[]) if doc.id not in held_out)
    pool = [row for row in candidate_sentences(documents, sentences_of(args.exclude)) if KEYWORDS.search(row["text"])]
    score = ranking_scores(args.run, [normalize(r["text"]) for r in pool], args.threads, args.by)
    n_random = round(args.n * args.random_share)
    ranked = np.argsort(score, kind="stable")[: args.n - n_random].tolist()
    chosen = set(ranked)
    rest = [i for i in range(len(pool)) if i not in chosen]
    rng = random.Random(args.seed)
    drawn = [pool[i] | {"pool": "uncertain" if args.by == "margin" else "favor-ranked"} for i in ranked]
    drawn += [pool[i] | {"pool": "keyword"} for i in rng.sample(rest, n_random)]
    rng.shuffle(drawn)
    write_draw(drawn, [f"train14-{args.first_id + k:04d}" for k in range(len(drawn))], args.out, args.texts)
    cut = float(score[ranked[-1]]) if ranked else float("nan")
    print(f"pool {len(pool)} keyword sentences; drew {len(drawn)} ({len(ranked)} with {args.by} score <= {cut:.3f})")


if __name__ == "__main__":
    main()
