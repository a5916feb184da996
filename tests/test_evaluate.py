"""Metrics: hand-computed values, the METRICS layout, bootstrap intervals and the paired bootstrap."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from sklearn.metrics import f1_score

from pipeline.evaluate import classification_metrics, paired_bootstrap, paired_bootstrap_groups
from pipeline.labels import LABELS

METRICS_KEYS = {
    "labels",
    "accuracy",
    "macro_f1",
    "per_label",
    "confusion_matrix",
    "ci",
    "ci_level",
    "n_bootstrap",
}


def _noisy(y_true: list[str], error_rate: float, seed: int) -> list[str]:
    """Predictions that replace a share of gold labels with another label."""
    rng = np.random.default_rng(seed)
    out = []
    for label in y_true:
        if rng.random() < error_rate:
            out.append(str(rng.choice([lab for lab in LABELS if lab != label])))
        else:
            out.append(label)
    return out


def _gold(n: int, seed: int = 1) -> list[str]:
    rng = np.random.default_rng(seed)
    return [str(x) for x in rng.choice(LABELS, size=n, p=[0.3, 0.1, 0.6])]


def test_hand_computed_small_case() -> None:
    y_true = ["against", "against", "against", "favor", "none", "none"]
    y_pred = ["against", "against", "none", "favor", "favor", "none"]
    m = classification_metrics(y_true, y_pred, n_bootstrap=50)
    assert set(m) == METRICS_KEYS
    assert m["labels"] == ["against", "favor", "none"]
    assert m["confusion_matrix"] == [[2, 0, 1], [0, 1, 0], [0, 1, 1]]
    assert m["accuracy"] == pytest.approx(4 / 6)
    against, favor, none = (m["per_label"][label] for label in LABELS)
    assert (against["precision"], against["recall"], against["f1"]) == pytest.approx((1.0, 2 / 3, 0.8))
    assert (favor["precision"], favor["recall"], favor["f1"]) == pytest.approx((0.5, 1.0, 2 / 3))
    assert (none["precision"], none["recall"], none["f1"]) == pytest.approx((0.5, 0.5, 0.5))
    assert [against["support"], favor["support"], none["support"]] == [3, 1, 2]
    assert m["macro_f1"] == pytest.approx((0.8 + 2 / 3 + 0.5) / 3)
    assert set(m["ci"]) == {"accuracy", "macro_f1", "f1_against", "f1_favor", "f1_none"}
    assert m["n_bootstrap"] == 50 and m["ci_level"] == 0.95
    json.dumps(m)  # plain Python types only


def test_perfect_predictions_give_ones_and_degenerate_intervals() -> None:
    # One rare label, as in the seed gold set: resamples that lose it must not pull the interval below 1.
    y_true = ["against"] * 7 + ["favor"] + ["none"] * 46
    m = classification_metrics(y_true, y_true, n_bootstrap=500)
    assert m["accuracy"] == 1.0 and m["macro_f1"] == 1.0
    assert all(m["per_label"][label]["f1"] == 1.0 for label in LABELS)
    assert all(interval == [1.0, 1.0] for interval in m["ci"].values())


def test_label_absent_everywhere_counts_zero_like_sklearn() -> None:
    y_true = ["against", "none", "none", "against"]
    y_pred = ["against", "none", "against", "against"]
    m = classification_metrics(y_true, y_pred, n_bootstrap=200)
    assert m["per_label"]["favor"]["f1"] == 0.0
    assert m["ci"]["f1_favor"] == [0.0, 0.0]
    assert m["macro_f1"] == pytest.approx(
        f1_score(y_true, y_pred, labels=list(LABELS), average="macro", zero_division=0)
    )
    assert m["ci"]["macro_f1"][1] <= 2 / 3 + 1e-12  # favor's 0 is in every resample


def test_bootstrap_is_deterministic_per_seed() -> None:
    y_true = _gold(120)
    y_pred = _noisy(y_true, 0.3, seed=2)
    first = classification_metrics(y_true, y_pred, seed=7)
    assert classification_metrics(y_true, y_pred, seed=7) == first
    assert classification_metrics(y_true, y_pred, seed=8)["ci"] != first["ci"]


def test_intervals_contain_point_and_have_the_expected_width() -> None:
    y_true = _gold(400)
    y_pred = _noisy(y_true, 0.25, seed=3)
    m = classification_metrics(y_true, y_pred, n_bootstrap=2000)
    for key, point in [("accuracy", m["accuracy"]), ("macro_f1", m["macro_f1"])] + [
        (f"f1_{label}", m["per_label"][label]["f1"]) for label in LABELS
    ]:
        low, high = m["ci"][key]
        assert low < point < high, key
    # Accuracy is a proportion: the bootstrap half-width is close to the normal approximation.
    acc = m["accuracy"]
    expected_half = 1.96 * math.sqrt(acc * (1 - acc) / len(y_true))
    low, high = m["ci"]["accuracy"]
    assert (high - low) / 2 == pytest.approx(expected_half, abs=0.008)


def test_bad_inputs_raise() -> None:
    with pytest.raises(ValueError, match="2 predictions for 3 gold labels"):
        classification_metrics(["none"] * 3, ["none"] * 2)
    with pytest.raises(ValueError, match="'pro', not one of"):
        classification_metrics(["none"], ["pro"])
    with pytest.raises(ValueError, match="empty gold set"):
        classification_metrics([], [])
    with pytest.raises(ValueError, match="n_bootstrap"):
        classification_metrics(["none"], ["none"], n_bootstrap=0)


def test_paired_bootstrap_identical_predictions() -> None:
    y_true = _gold(100)
    y_pred = _noisy(y_true, 0.3, seed=4)
    result = paired_bootstrap(y_true, y_pred, list(y_pred), n_bootstrap=500)
    assert result["diff"] == 0.0
    assert result["ci"] == [0.0, 0.0]
    assert result["p_value"] == 1.0


def test_paired_bootstrap_clearly_better_system() -> None:
    y_true = _gold(200)
    better = _noisy(y_true, 0.1, seed=5)
    worse = _noisy(y_true, 0.5, seed=6)
    result = paired_bootstrap(y_true, better, worse)
    assert result["a"] == pytest.approx(f1_score(y_true, better, labels=list(LABELS), average="macro", zero_division=0))
    assert result["b"] == pytest.approx(f1_score(y_true, worse, labels=list(LABELS), average="macro", zero_division=0))
    assert result["diff"] == pytest.approx(result["a"] - result["b"])
    assert 0 < result["ci"][0] <= result["diff"] <= result["ci"][1]
    assert result["p_value"] < 0.01
    reverse = paired_bootstrap(y_true, worse, better)
    assert reverse["diff"] == pytest.approx(-result["diff"])
    assert reverse["ci"][1] < 0 and reverse["p_value"] < 0.01
    assert paired_bootstrap(y_true, better, worse) == result  # seeded


def test_paired_bootstrap_small_difference_is_not_significant() -> None:
    y_true = _gold(60)
    a = _noisy(y_true, 0.3, seed=10)
    b = list(a)
    flipped = next(i for i, (g, p) in enumerate(zip(y_true, a, strict=True)) if g == p)
    b[flipped] = next(lab for lab in LABELS if lab != y_true[flipped])  # b makes one more error
    result = paired_bootstrap(y_true, a, b)
    assert result["diff"] > 0
    assert result["ci"][0] <= 0 <= result["ci"][1]
    assert result["p_value"] > 0.05


def test_paired_bootstrap_groups_averages_seeds() -> None:
    y_true = _gold(150)
    seeds_a = [_noisy(y_true, 0.1, seed=s) for s in (11, 12, 13)]
    b = _noisy(y_true, 0.4, seed=14)
    result = paired_bootstrap_groups(y_true, seeds_a, [b], n_bootstrap=300)
    mean_a = np.mean([f1_score(y_true, p, labels=list(LABELS), average="macro", zero_division=0) for p in seeds_a])
    assert result["a"] == pytest.approx(mean_a)
    assert result["ci"][0] > 0
