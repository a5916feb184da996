"""LF summary table and the uncovered-row mask, on a small hand-made vote matrix."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.labels import ABSTAIN, AGAINST, FAVOR, NONE
from pipeline.weak.analysis import SUMMARY_COLUMNS, lf_summary, uncovered

A, F, N, X = AGAINST, FAVOR, NONE, ABSTAIN

L = np.array(
    [
        [A, A, X],
        [A, F, X],
        [X, X, N],
        [X, X, X],
    ]
)


def test_uncovered_mask() -> None:
    assert list(uncovered(L)) == [False, False, False, True]


def test_summary_columns_and_values_without_gold() -> None:
    frame = lf_summary(L, ["lf_a", "lf_b", "lf_c"], ["patterns", "modality", "targets"])
    assert list(frame.columns) == SUMMARY_COLUMNS
    assert list(frame["name"]) == ["lf_a", "lf_b", "lf_c"]
    assert frame["polarity"].tolist() == [["against"], ["against", "favor"], ["none"]]
    np.testing.assert_allclose(frame["coverage"], [0.5, 0.5, 0.25])
    np.testing.assert_allclose(frame["overlaps"], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(frame["conflicts"], [0.25, 0.25, 0.0])
    assert frame["gold_coverage"].isna().all() and frame["empirical_accuracy"].isna().all()
    assert frame["weight"].isna().all()


def test_summary_gold_accuracy_and_weights() -> None:
    L_gold = np.array([[A, F, X], [A, X, X], [F, X, X]])
    y_gold = np.array([A, A, N])
    frame = lf_summary(
        L, ["a", "b", "c"], ["g", "g", "g"], weights=np.array([0.9, 0.6, 0.7]), L_gold=L_gold, y_gold=y_gold
    )
    np.testing.assert_allclose(frame["gold_coverage"], [1.0, 1 / 3, 0.0])
    np.testing.assert_allclose(frame["empirical_accuracy"].iloc[:2], [2 / 3, 0.0])
    assert np.isnan(frame["empirical_accuracy"].iloc[2])  # never votes on gold
    np.testing.assert_allclose(frame["weight"], [0.9, 0.6, 0.7])


def test_summary_rejects_mismatched_names() -> None:
    with pytest.raises(ValueError, match="3 vote columns"):
        lf_summary(L, ["only_one"], ["g"])
