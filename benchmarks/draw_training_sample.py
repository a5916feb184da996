"""Draw a hand-labelled *training* sample from ``../shared/corpora/ungd-train`` (offsets only, no UN text stored).

Issue 14: the weak labels are the model's ceiling (the model agrees with its labeller on 86-96% of unseen
sentences), and `favor` is where both fail. A few hundred sentences labelled by the guideline give the model
evidence that no rule encodes, the setting of "rules generalizing labelled exemplars" (Awasthi et al., ICLR 2020).

Sentences come only from training speeches: the set-aside speeches (``configs/corpus/ungd_train_heldout_ids.txt``)
and therefore every test sample drawn from them are left out, and no gold set comes from ``ungd-train``. Half of the
draw comes from keyword sentences that name peacekeeping, contingents or a force's mandate (where `favor` lives and
where its weak labels are least precise), half from all keyword sentences (the filter of the test samples).

    .venv/bin/python benchmarks/draw_training_sample.py --n 1600 --texts /tmp/exemplar_texts.jsonl

A second draw, appended to the first once labelled, leaves the first draw's sentences out:

    .venv/bin/python benchmarks/draw_training_sample.py --n 3200 --seed 20261205 --first-id 1600 \
        --exclude configs/exemplars/ungd_train_labelled.jsonl --out /tmp/draw2.jsonl --texts /tmp/draw2_texts.jsonl
The draws above read the set-aside list and the exemplar file as they were at commit 3a90767 (100 speeches set
aside, 10,400 lines). Since then 100 more speeches are set aside and their 688 exemplars removed
(``configs/exemplars/README.md``); to redraw, pass those two files from that commit (``git show
3a90767:configs/corpus/ungd_train_heldout_ids.txt``, ``git show 3a90767:configs/exemplars/ungd_train_labelled.jsonl``)
as ``--held-out`` and to ``--exclude``.
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

from draw_fresh_sample import KEYWORDS, candidate_sentences, sentences_of, write_draw

from pipeline.corpus import read_corpus

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261204
FAVOR_SIDE = re.compile(
    r"\b(peace-?keep\w*|contingents?|blue helmets|mandates?|multinational force|stabili[sz]ation force|"
    r"troop[- ]contribut\w*|contribut\w* troops|deploy\w*|(?:un|united nations) (?:force|mission|presence))\b",
    re.IGNORECASE,
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "ungd-train")
    parser.add_argument("--held-out", type=Path, default=ROOT / "configs" / "corpus" / "ungd_train_heldout_ids.txt")
    parser.add_argument("--out", type=Path, default=ROOT / "configs" / "exemplars" / "ungd_train_labelled.jsonl")
    parser.add_argument("--texts", type=Path, required=True, help="text + context for the annotators (not committed)")
    parser.add_argument("--n", type=int, default=1600, help="sentences to draw (half from each pool)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--exclude", type=Path, nargs="*", default=[], help="earlier draws: their sentences stay out")
    parser.add_argument("--first-id", type=int, default=0, help="number of the first id (after an earlier draw)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    held_out = set(args.held_out.read_text(encoding="utf-8").split())
    earlier = sentences_of(args.exclude)
    documents = [doc for doc in read_corpus(args.corpus, suffixes=[".txt"], exclude=[]) if doc.id not in held_out]
    favor_side, keyword = [], []
    for row in candidate_sentences(documents, earlier):
        if KEYWORDS.search(row["text"]):
            (favor_side if FAVOR_SIDE.search(row["text"]) else keyword).append(row)
    n_favor_side = args.n // 2
    drawn = [r | {"pool": "favor_side"} for r in rng.sample(favor_side, n_favor_side)]
    taken = {(r["doc"], r["start"]) for r in drawn}
    everything = [r for r in favor_side + keyword if (r["doc"], r["start"]) not in taken]
    drawn += [r | {"pool": "keyword"} for r in rng.sample(everything, args.n - n_favor_side)]
    rng.shuffle(drawn)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write_draw(drawn, [f"train14-{args.first_id + k:04d}" for k in range(len(drawn))], args.out, args.texts)
    print(
        f"{len(documents)} training speeches; favor-side pool {len(favor_side)}, other keyword {len(keyword)}; "
        f"drew {len(drawn)}"
    )


if __name__ == "__main__":
    main()
