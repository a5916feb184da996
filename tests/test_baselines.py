"""Baselines: fit on weak labels (None skipped), predict label strings, seeded and honest about one class."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.baselines import MajorityClassBaseline, TfidfLogRegBaseline
from pipeline.labels import LABELS

AGAINST = ["Foreign troops must withdraw from our soil.", "We demand the withdrawal of foreign forces."]
FAVOR = ["We welcome the peacekeepers and their presence.", "The peacekeeping mission must stay."]
NONE = ["The harvest was good this year.", "Trade talks continue in Geneva.", "The economy grew last year."]


def _training_set(repeats: int = 5, seed: int = 0) -> tuple[list[str], list[str | None]]:
    rng = np.random.default_rng(seed)
    texts: list[str] = []
    labels: list[str | None] = []
    for _ in range(repeats):
        for text in AGAINST:
            texts.append(text)
            labels.append("against")
        for text in FAVOR:
            texts.append(text)
            labels.append("favor")
        for text in NONE * 3:
            texts.append(text + " " + str(rng.integers(1000)))
            labels.append("none")
        texts.append("Nothing fired here.")
        labels.append(None)
    return texts, labels


def test_majority_predicts_most_frequent_weak_label() -> None:
    texts, labels = _training_set()
    model = MajorityClassBaseline().fit(texts, labels)
    assert model.predict(["anything", "else"]) == ["none", "none"]
    model = MajorityClassBaseline().fit(["a", "b", "c", "d"], ["favor", None, None, None])
    assert model.predict(["x"]) == ["favor"]  # abstains are not a label
    tie = MajorityClassBaseline().fit(["a", "b"], ["none", "against"])
    assert tie.predict(["x"]) == ["against"]  # ties go to the earlier label in LABELS


def test_majority_errors() -> None:
    with pytest.raises(RuntimeError, match="before fit"):
        MajorityClassBaseline().predict(["x"])
    with pytest.raises(ValueError, match="no labelled training sentences"):
        MajorityClassBaseline().fit(["a"], [None])
    with pytest.raises(ValueError, match="unknown labels"):
        MajorityClassBaseline().fit(["a"], ["pro"])
    with pytest.raises(ValueError, match="2 texts but 1 labels"):
        MajorityClassBaseline().fit(["a", "b"], ["none"])


def test_tfidf_learns_the_weak_labels() -> None:
    texts, labels = _training_set()
    model = TfidfLogRegBaseline(seed=0).fit(texts, labels)
    unseen = [
        "All foreign troops must withdraw now.",
        "We welcome the peacekeepers.",
        "The harvest in Geneva.",
    ]
    assert model.predict(unseen) == ["against", "favor", "none"]
    probs = model.predict_proba(unseen)
    assert all(set(p) == set(LABELS) and sum(p.values()) == pytest.approx(1.0) for p in probs)
    assert probs[0]["against"] == max(probs[0].values())
    assert model.predict([]) == []


def test_tfidf_is_deterministic_and_class_weight_matters() -> None:
    texts, labels = _training_set()
    first = TfidfLogRegBaseline(seed=3).fit(texts, labels)
    second = TfidfLogRegBaseline(seed=3).fit(texts, labels)
    probe = ["Troops and peacekeepers in Geneva.", "A sentence about the economy."]
    assert first.predict_proba(probe) == second.predict_proba(probe)
    plain = TfidfLogRegBaseline(seed=3, class_weight=None).fit(texts, labels)
    assert plain.model_ is not None and first.model_ is not None
    assert plain.model_.class_weight is None and first.model_.class_weight == "balanced"
    # Balanced weights raise the rare labels' probability on the same text.
    rare_plain = plain.predict_proba(probe)[1]["favor"]
    rare_balanced = first.predict_proba(probe)[1]["favor"]
    assert rare_balanced > rare_plain


def test_tfidf_sample_weight_and_single_class() -> None:
    texts, labels = _training_set()
    weights = [0.1 if label == "favor" else 1.0 for label in labels]
    weighted = TfidfLogRegBaseline(class_weight=None).fit(texts, labels, sample_weight=weights)
    unweighted = TfidfLogRegBaseline(class_weight=None).fit(texts, labels)
    probe = ["The peacekeeping mission."]
    assert weighted.predict_proba(probe)[0]["favor"] < unweighted.predict_proba(probe)[0]["favor"]
    single = TfidfLogRegBaseline().fit(["a b", "c d", "e"], ["none", "none", None])
    assert single.predict(["x", "y"]) == ["none", "none"]
    assert single.predict_proba(["x"]) == [{"against": 0.0, "favor": 0.0, "none": 1.0}]
    with pytest.raises(RuntimeError, match="before fit"):
        TfidfLogRegBaseline().predict(["x"])
