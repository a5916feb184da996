"""Tests for pipeline.sampling: which weakly labelled sentences the model trains on."""

from __future__ import annotations

from pipeline.labels import LABELS
from pipeline.sampling import lexical_near_misses, select_training_rows


def test_select_rows_drops_unlabelled_and_caps():
    labels = ["none"] * 10 + ["against"] * 3 + [None] * 4 + ["favor"]
    rows = select_training_rows(labels, max_train=None, balance=False, seed=0)
    assert len(rows) == 14 and all(labels[i] is not None for i in rows)
    capped = select_training_rows(labels, max_train=5, balance=False, seed=0)
    assert len(capped) == 5 and set(capped) <= set(rows)
    assert capped == select_training_rows(labels, max_train=5, balance=False, seed=0)


def test_select_rows_balances_each_label_to_its_quota():
    labels = ["none"] * 50 + ["against"] * 20 + ["favor"] * 2
    rows = select_training_rows(labels, max_train=30, balance=True, seed=1)
    chosen = [labels[i] for i in rows]
    assert chosen.count("none") == 10 and chosen.count("against") == 10 and chosen.count("favor") == 2
    uncapped = [labels[i] for i in select_training_rows(labels, max_train=None, balance=True, seed=1)]
    assert {label: uncapped.count(label) for label in LABELS} == {"against": 2, "favor": 2, "none": 2}


def test_hard_negatives_fill_their_share_of_the_none_quota():
    labels = ["none"] * 100 + ["against"] * 10 + ["favor"] * 10
    on_topic = [i < 20 for i in range(100)] + [True] * 20  # 20 of the `none` sentences mention troops
    rows = select_training_rows(labels, max_train=30, balance=True, seed=0, on_topic=on_topic, on_topic_none_share=0.6)
    none_rows = [i for i in rows if labels[i] == "none"]
    assert len(none_rows) == 10 and sum(on_topic[i] for i in none_rows) == 6
    plain = select_training_rows(labels, max_train=30, balance=True, seed=0)
    assert sum(on_topic[i] for i in plain if labels[i] == "none") < 6


def test_near_misses_are_off_topic_sentences_sharing_a_stance_word():
    stance = ["we pay tribute to the peacekeepers of the mission"] * 12 + ["foreign troops must leave our land"] * 12
    off = ["we pay tribute to the Secretary-General"] * 6 + ["the economy grew by three percent"] * 6
    on = ["the troops arrived in the capital"] * 6
    texts = stance + off + on
    labels = ["favor"] * 12 + ["against"] * 12 + ["none"] * 18
    on_topic = [True] * 24 + [False] * 12 + [True] * 6
    misses = lexical_near_misses(texts, labels, on_topic, min_count=5)
    assert misses[24:30].all()  # "tribute": typical of favor sentences, seen off the topic too
    assert not misses[30:36].any()  # no stance word
    assert not misses[:24].any() and not misses[36:].any()  # on the topic: never a near miss


def test_near_miss_negatives_come_on_top_of_the_none_quota():
    labels = ["none"] * 100 + ["against"] * 10 + ["favor"] * 10
    near_miss = [40 <= i < 60 for i in range(120)]
    base = select_training_rows(labels, max_train=30, balance=True, seed=0)
    rows = select_training_rows(labels, max_train=30, balance=True, seed=0, near_miss=near_miss, near_miss_none=8)
    assert set(base) <= set(rows) and len(rows) == len(base) + 8
    extra = set(rows) - set(base)
    assert all(labels[i] == "none" and near_miss[i] for i in extra)
    everything = select_training_rows(
        labels, max_train=30, balance=True, seed=0, near_miss=near_miss, near_miss_none=99
    )
    assert sum(near_miss[i] for i in everything) == 20  # all of them, and no row twice
    assert len(everything) == len(set(everything))


def test_a_zero_cap_keeps_only_the_near_misses():
    """max_train=0: the weak labels give no stance rows, only off-topic negatives (beside hand-labelled exemplars)."""
    labels = ["none"] * 100 + ["against"] * 10 + ["favor"] * 10
    near_miss = [40 <= i < 60 for i in range(120)]
    rows = select_training_rows(labels, max_train=0, balance=True, seed=0, near_miss=near_miss, near_miss_none=8)
    assert len(rows) == 8 and all(near_miss[i] and labels[i] == "none" for i in rows)
    assert select_training_rows(labels, max_train=0, balance=True, seed=0) == []
