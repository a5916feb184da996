"""Label models: shapes, row sums, determinism, tie and abstain policies, majority-vote arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.errors import ConfigError
from pipeline.labels import ABSTAIN, AGAINST, FAVOR, NONE
from pipeline.weak.label_model import (
    MajorityVoteModel,
    SnorkelLabelModel,
    majority_class_balance,
    make_label_model,
)

A, F, N, X = AGAINST, FAVOR, NONE, ABSTAIN


def synthetic_votes(n: int = 400, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Votes of 5 noisy LFs of known accuracy on random true labels (each LF covers ~60% of rows)."""
    rng = np.random.default_rng(seed)
    y = rng.choice(3, size=n, p=[0.3, 0.2, 0.5])
    accuracies = [0.9, 0.85, 0.8, 0.75, 0.6]
    L = np.full((n, len(accuracies)), X)
    for j, acc in enumerate(accuracies):
        covered = rng.random(n) < 0.6
        correct = rng.random(n) < acc
        wrong = (y + rng.integers(1, 3, size=n)) % 3
        L[covered, j] = np.where(correct, y, wrong)[covered]
    return L, y


def test_majority_vote_on_hand_made_votes() -> None:
    L = np.array(
        [
            [A, A, F],  # majority against
            [F, X, X],  # single vote favor
            [N, F, N],  # majority none
            [A, F, X],  # tie against/favor
            [X, X, X],  # all abstain
        ]
    )
    model = MajorityVoteModel(tie_policy="abstain", abstain_policy="none").fit(L)
    proba = model.predict_proba(L)
    np.testing.assert_allclose(proba[0], [2 / 3, 1 / 3, 0])
    np.testing.assert_allclose(proba[1], [0, 1, 0])
    np.testing.assert_allclose(proba[4], [0, 0, 1])
    assert list(model.predict(L)) == [A, F, N, X, N]
    assert model.weights() is None


def test_tie_policies() -> None:
    L = np.array([[A, F, X], [A, F, N], [F, A, X]])
    assert list(MajorityVoteModel(tie_policy="none").predict(L)) == [N, N, N]
    assert list(MajorityVoteModel(tie_policy="abstain").predict(L)) == [X, X, X]
    random_labels = MajorityVoteModel(tie_policy="random", seed=7).predict(np.repeat(L[:1], 50, axis=0))
    assert set(random_labels) == {A, F}  # only tied labels are drawn, and both get drawn
    again = MajorityVoteModel(tie_policy="random", seed=7).predict(np.repeat(L[:1], 50, axis=0))
    np.testing.assert_array_equal(random_labels, again)


def test_abstain_policy_drop_and_none() -> None:
    L = np.array([[X, X], [A, X]])
    drop = MajorityVoteModel(abstain_policy="drop")
    assert list(drop.predict(L)) == [X, A]
    np.testing.assert_allclose(drop.predict_proba(L)[0], [1 / 3] * 3)
    keep = MajorityVoteModel(abstain_policy="none")
    assert list(keep.predict(L)) == [N, A]


@pytest.mark.parametrize("abstain_policy", ["none", "drop"])
def test_snorkel_shapes_row_sums_and_uncovered_rows(abstain_policy: str) -> None:
    L, _ = synthetic_votes()
    L[:5] = X
    model = SnorkelLabelModel(epochs=100, seed=1, abstain_policy=abstain_policy).fit(L)
    proba = model.predict_proba(L)
    assert proba.shape == (len(L), 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    pred = model.predict(L)
    assert pred.shape == (len(L),)
    expected_uncovered = NONE if abstain_policy == "none" else ABSTAIN
    assert (pred[:5] == expected_uncovered).all()
    assert model.weights().shape == (L.shape[1],)


def test_snorkel_beats_majority_vote_and_is_deterministic() -> None:
    L, y = synthetic_votes()
    first = SnorkelLabelModel(epochs=200, seed=5, class_balance=[0.3, 0.2, 0.5]).fit(L)
    second = SnorkelLabelModel(epochs=200, seed=5, class_balance=[0.3, 0.2, 0.5]).fit(L)
    np.testing.assert_array_equal(first.predict_proba(L), second.predict_proba(L))
    np.testing.assert_array_equal(first.predict(L), second.predict(L))
    covered = (L != X).any(axis=1)
    snorkel_accuracy = (first.predict(L)[covered] == y[covered]).mean()
    majority = MajorityVoteModel(tie_policy="random", seed=5).fit(L)
    majority_accuracy = (majority.predict(L)[covered] == y[covered]).mean()
    assert snorkel_accuracy > majority_accuracy  # learned LF accuracies beat equal weights
    weights = first.weights()
    assert weights[0] > weights[-1]  # the 90%-accurate LF outweighs the 60% one


def test_majority_class_balance_estimates_prior_from_votes() -> None:
    L = np.array([[A, A, X], [N, X, X], [N, N, N], [X, X, X], [F, N, X]])
    balance = majority_class_balance(L, floor=0.0)
    np.testing.assert_allclose(balance, [0.25, 0.125, 0.625])
    model = SnorkelLabelModel(epochs=10, class_balance="majority").fit(L)
    np.testing.assert_allclose(model.fitted_class_balance_, majority_class_balance(L))


def test_snorkel_requires_fit_and_validates_inputs() -> None:
    with pytest.raises(RuntimeError, match="not fitted"):
        SnorkelLabelModel().predict_proba(np.array([[A]]))
    with pytest.raises(ValueError, match="votes must lie"):
        MajorityVoteModel().predict(np.array([[3]]))
    with pytest.raises(ConfigError, match="class_balance"):
        SnorkelLabelModel(class_balance=[0.5, 0.5])
    with pytest.raises(ConfigError, match="at least 3"):
        SnorkelLabelModel().fit(np.array([[A, A], [N, X]]))
    with pytest.raises(ConfigError, match="tie_policy"):
        MajorityVoteModel(tie_policy="coin")


def test_make_label_model() -> None:
    assert isinstance(make_label_model("majority", tie_policy="none"), MajorityVoteModel)
    model = make_label_model("snorkel", epochs=10, class_balance=[0.2, 0.1, 0.7])
    assert isinstance(model, SnorkelLabelModel) and model.class_balance == [0.2, 0.1, 0.7]
    with pytest.raises(ConfigError, match="label model kind"):
        make_label_model("dawid-skene")
