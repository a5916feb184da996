"""LF summary table and the uncovered-row mask, on a small hand-made vote matrix."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.labels import ABSTAIN, AGAINST, FAVOR, NONE
from pipeline.weak.analysis import SUMMARY_COLUMNS, lf_summary, travel_table, uncovered

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


def _travel_example() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Three LFs: `steady` right everywhere, `fitted` right where written and mostly wrong on unseen text,
    `rare` wrong on unseen text but with too few votes there to judge."""
    y_written = np.array([AGAINST] * 6 + [NONE] * 4)
    L_written = np.full((10, 3), ABSTAIN)
    L_written[:6, 0] = AGAINST
    L_written[:6, 1] = AGAINST
    L_written[:2, 2] = AGAINST
    y_unseen = np.array([AGAINST] * 4 + [NONE] * 6)
    L_unseen = np.full((10, 3), ABSTAIN)
    L_unseen[:4, 0] = AGAINST
    L_unseen[:8, 1] = AGAINST  # 4 right, 4 wrong
    L_unseen[5, 2] = AGAINST  # 1 vote, wrong
    return L_written, y_written, L_unseen, y_unseen


def test_travel_table_flags_a_rule_that_loses_accuracy_on_unseen_text():
    L_w, y_w, L_u, y_u = _travel_example()
    table = travel_table(["steady", "fitted", "rare"], (L_w, y_w), (L_u, y_u)).set_index("name")
    assert table.loc["fitted", "written_accuracy"] == 1.0 and table.loc["fitted", "unseen_accuracy"] == 0.5
    assert table.loc["fitted", "unseen_votes"] == 8
    assert table["travels"].to_dict() == {"steady": True, "fitted": False, "rare": True}  # rare: 1 vote < 5
    strict = travel_table(["steady", "fitted", "rare"], (L_w, y_w), (L_u, y_u), min_votes=1).set_index("name")
    assert not strict.loc["rare", "travels"]


def test_the_report_sets_each_rule_beside_the_reported_part_only_when_they_differ():
    from types import SimpleNamespace

    from pipeline.labels import LABELS
    from pipeline.report import _travel_section

    L_w, y_w, L_u, y_u = _travel_example()
    labels = {"tuning": [LABELS[k] for k in y_w], "reporting": [LABELS[k] for k in y_u]}
    gold = SimpleNamespace(analysis_part="tuning", primary="reporting", labels=labels.__getitem__)
    evaluation = SimpleNamespace(gold_votes={"tuning": L_w, "reporting": L_u})
    labeler = SimpleNamespace(lf_names=["steady", "fitted", "rare"])
    text = "\n".join(_travel_section(gold, evaluation, labeler))  # type: ignore[arg-type]
    assert "### Rules that travel" in text and "Not travelling" in text and "`fitted`" in text.split("):")[1]
    assert "| fitted | 6 | 1.000 | 8 | 0.500 | False |" in text
    same = SimpleNamespace(analysis_part="all", primary="all", labels=labels.__getitem__)
    assert _travel_section(same, evaluation, labeler) == []  # type: ignore[arg-type]
