"""What a run's scores can and cannot claim, worked out from the data, for ``report.md`` and the terminal.

A gold set whose sentences come from the training corpus itself, with no part held out from the development of
the labelling functions (the seed: 54 sentences, the whole corpus, the rules written on them), scores the
pipeline's wiring, not a model of new text. The report says so plainly, from the data rather than from a run
name, and says how to get a model that is meant for new text.
"""

from __future__ import annotations

from collections.abc import Iterable

from pipeline.gold import GoldSet

FOR_NEW_TEXT = (
    "For a model of new text, train `stance-train experiment=ungd` (300 UN speeches and 8,971 hand-labelled "
    "training sentences, 23 to 55 minutes on 2 cores, depending on the CPU): "
    "on 800 sentences from UN speeches outside its corpus (benchmarks/data/ungd_train_fresh7.jsonl, read once) its "
    "model scores macro-F1 0.86 and its weak labeller 0.73 (README, Results)."
)


def gold_in_corpus(gold: GoldSet, corpus_ids: Iterable[str]) -> float:
    """The share of gold sentences whose document is one of the training corpus' documents."""
    ids = set(corpus_ids)
    items = [item for part in gold.parts.values() for item in part]
    return sum(item.doc in ids for item in items) / len(items) if items else 0.0


def caveats(gold: GoldSet, corpus_ids: Iterable[str]) -> list[str]:
    """Plain sentences on what the scores measure; empty when the gold set is independent of the corpus."""
    share = gold_in_corpus(gold, corpus_ids)
    if share == 0:
        return []
    if gold.primary == "all" and share == 1:
        return [
            "These scores are a wiring check, not a claim about new text: every gold sentence is a sentence of "
            "the training corpus itself (trained on with weak labels), and no gold part was held out from "
            "writing the labelling functions, which were written alongside it. A model trained this way is "
            "not a model for new text.",
            FOR_NEW_TEXT,
        ]
    return [
        f"{share:.0%} of the gold sentences come from documents of the training corpus (whose sentences can be "
        f"trained on with weak labels, never gold ones); the reported part `{gold.primary}` was never used for "
        "tuning, but a sample from documents outside the corpus is the fairer test of new text (README, Results)."
    ]
