"""Draw the fresh UN test sample of issue 14 from ``../shared/corpora/ungd-train`` (offsets only, no UN text stored).

100 speeches are set aside at random (seed 20261202); they are never training text (``experiment=ungd`` excludes
them through ``configs/corpus/ungd_train_heldout_ids.txt``). From their sentences (the project's splitter, default
settings) 300 are drawn from those that match a military keyword filter and 100 from the rest, the same design as
the UN development gold set. The sample is written in a random order with ids, offsets and an empty label; a
second file for the annotators (text and the sentence before it) goes to ``--texts`` outside the repository.

    .venv/bin/python benchmarks/draw_fresh_sample.py --texts /tmp/fresh_texts.jsonl

A later sample from the same set-aside speeches (``--seed`` other than the first) reads their ids from
``--ids-out`` instead of drawing them again, and leaves out every sentence of the samples named by ``--exclude``:

    .venv/bin/python benchmarks/draw_fresh_sample.py --seed 20261203 --keyword 400 --random 0 \
        --exclude benchmarks/data/ungd_train_fresh.jsonl --id-prefix fresh14b \
        --out benchmarks/data/ungd_train_fresh2.jsonl --texts /tmp/fresh2_texts.jsonl

Once their keyword pool is used up, ``--new-speeches N`` sets N more speeches aside (seeded by ``--seed``, from
those not yet set aside), appends them to ``--ids-out`` and draws only from them. Hand-labelled training
sentences of those speeches must then leave ``configs/exemplars/`` (its README says how).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Iterable
from pathlib import Path

from pipeline.corpus import Document, read_corpus
from pipeline.split import PysbdSplitter

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261202
N_SPEECHES, N_KEYWORD, N_RANDOM = 100, 300, 100
KEYWORDS = re.compile(
    r"\b(troops?|forces?|military|armed|bases?|occupation|occupied|occupying|invasion|invaded|withdraw\w*|"
    r"peace-?keep\w*|missions?|deploy\w*|aggression|presence|soldiers|contingents?|intervention|army|armies)\b",
    re.IGNORECASE,
)


def sentences_of(samples: list[Path]) -> set[tuple[str, int]]:
    """(doc, start) of every sentence of earlier samples, which a new draw leaves out."""
    return {
        (row["doc"], row["start"])
        for path in samples
        for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())
    }


def candidate_sentences(documents: Iterable[Document], taken: set[tuple[str, int]]) -> list[dict]:
    """Sentences of at least 4 words (the project's splitter) not among ``taken``, each with the sentence before
    it as context, in document order: the pool every draw script samples from."""
    rows = []
    splitter = PysbdSplitter()
    for doc in documents:
        sentences = splitter.split(doc)
        for index, sentence in enumerate(sentences):
            if len(sentence.text.split()) >= 4 and (doc.id, sentence.start) not in taken:
                row = {"doc": doc.id, "start": sentence.start, "end": sentence.end, "text": sentence.text}
                rows.append(row | {"context": sentences[index - 1].text if index else ""})
    return rows


def write_draw(drawn: list[dict], ids: list[str], out: Path, texts_out: Path) -> None:
    """The sample (offsets, pool, an empty label) to ``out`` and the annotators' file (text, context) to
    ``texts_out``, both in the order of ``drawn``."""
    with out.open("w", encoding="utf-8") as sample, texts_out.open("w", encoding="utf-8") as texts:
        for sid, row in zip(ids, drawn, strict=True):
            fields = {"id": sid, "doc": row["doc"], "start": row["start"], "end": row["end"], "pool": row["pool"]}
            sample.write(json.dumps(fields | {"label": None, "reason": ""}) + "\n")
            texts.write(json.dumps({"id": sid, "context": row["context"], "text": row["text"]}) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpora" / "ungd-train")
    parser.add_argument("--ids-out", type=Path, default=ROOT / "configs" / "corpus" / "ungd_train_heldout_ids.txt")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "data" / "ungd_train_fresh.jsonl")
    parser.add_argument("--texts", type=Path, required=True, help="text + context for the annotators (not committed)")
    parser.add_argument("--seed", type=int, default=SEED, help="sentence draw; the first seed also sets speeches aside")
    parser.add_argument("--keyword", type=int, default=N_KEYWORD, help="sentences drawn from the keyword pool")
    parser.add_argument("--random", type=int, default=N_RANDOM, help="sentences drawn from the rest")
    parser.add_argument("--exclude", type=Path, nargs="*", default=[], help="earlier samples: their sentences stay out")
    parser.add_argument("--id-prefix", default="fresh14")
    parser.add_argument("--new-speeches", type=int, default=0, help="set this many more speeches aside; draw from them")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    first_draw = args.seed == SEED
    speeches = sorted(path.stem for path in args.corpus.glob("*.txt"))
    set_aside = [] if first_draw else args.ids_out.read_text(encoding="utf-8").split()
    if first_draw or args.new_speeches:
        remaining = sorted(set(speeches) - set(set_aside))
        held_out = sorted(rng.sample(remaining, args.new_speeches or N_SPEECHES))
    else:
        held_out = set_aside
    taken = sentences_of(args.exclude)
    documents = {doc.id: doc for doc in read_corpus(args.corpus, suffixes=[".txt"], exclude=[])}
    keyword, other = [], []
    for row in candidate_sentences((documents[doc_id] for doc_id in held_out), taken):
        (keyword if KEYWORDS.search(row["text"]) else other).append(row)
    drawn = [r | {"pool": "keyword"} for r in rng.sample(keyword, args.keyword)]
    drawn += [r | {"pool": "random"} for r in rng.sample(other, args.random)]
    rng.shuffle(drawn)
    if first_draw or args.new_speeches:
        args.ids_out.write_text("\n".join(set_aside + held_out) + "\n", encoding="utf-8")
    write_draw(drawn, [f"{args.id_prefix}-{k:03d}" for k in range(len(drawn))], args.out, args.texts)
    print(f"{len(held_out)} speeches set aside; keyword pool {len(keyword)}, other {len(other)}; drew {len(drawn)}")


if __name__ == "__main__":
    main()
