"""Predictions against gold: the METRICS dict of docs/run-folder.md, bootstrap intervals, paired comparison.

Point metrics come from scikit-learn (``zero_division=0``). Intervals are percentile bootstrap intervals over
gold items, vectorised with numpy and seeded, so the same inputs always give the same numbers.

Bootstrap resamples of a small gold set often lose a rare label entirely (the seed gold set has one
``favor`` sentence: about a third of resamples hold none). Counting such a label's F1 as 0 in that resample
would drag the macro-F1 interval down for a system that made no error, so within a resample a label that
appears neither in the gold labels nor in the predictions is left out of the macro average, and out of its
own F1 interval. A label absent from gold and predictions of the whole set counts as 0 everywhere, as in
scikit-learn's point value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

from pipeline.config import CompareAppConfig, GoldConfig
from pipeline.labels import LABELS

_MAX_CELLS_PER_CHUNK = 4_000_000
"""Bound on resample-by-item index cells held at once, so large gold sets do not exhaust memory."""


def _encode(values: Sequence[str], labels: Sequence[str], what: str) -> np.ndarray:
    index = {label: i for i, label in enumerate(labels)}
    try:
        return np.fromiter((index[v] for v in values), dtype=np.int64, count=len(values))
    except KeyError as err:
        raise ValueError(f"{what} holds label {err.args[0]!r}, not one of {list(labels)}") from None


def _check_lengths(y_true: Sequence[str], *preds: Sequence[str]) -> None:
    if len(y_true) == 0:
        raise ValueError("cannot evaluate on an empty gold set")
    for pred in preds:
        if len(pred) != len(y_true):
            raise ValueError(f"{len(pred)} predictions for {len(y_true)} gold labels")


def _resampled_confusions(
    true_codes: np.ndarray, pred_codes: Sequence[np.ndarray], n_labels: int, n_bootstrap: int, seed: int
) -> np.ndarray:
    """Confusion matrices of each prediction set on the same bootstrap resamples: (systems, B, K, K)."""
    n = len(true_codes)
    rng = np.random.default_rng(seed)
    cells = n_labels * n_labels
    cell_codes = [true_codes * n_labels + pred for pred in pred_codes]
    out = np.empty((len(pred_codes), n_bootstrap, n_labels, n_labels), dtype=np.int64)
    chunk = max(1, _MAX_CELLS_PER_CHUNK // n)
    for begin in range(0, n_bootstrap, chunk):
        size = min(chunk, n_bootstrap - begin)
        idx = rng.integers(0, n, size=(size, n))
        offsets = (np.arange(size) * cells)[:, None]
        for s, codes in enumerate(cell_codes):
            counts = np.bincount((codes[idx] + offsets).ravel(), minlength=size * cells)
            out[s, begin : begin + size] = counts.reshape(size, n_labels, n_labels)
    return out


def _f1_from_confusions(
    matrices: np.ndarray, present_overall: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per-label F1 (NaN where a label is absent from a resample) and macro-F1, from (..., K, K) counts.

    ``present_overall`` marks labels present in gold or predictions of the full set; absent ones count 0.
    """
    tp = np.diagonal(matrices, axis1=-2, axis2=-1).astype(float)
    gold_count = matrices.sum(axis=-1)
    pred_count = matrices.sum(axis=-2)
    denom = (gold_count + pred_count).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        f1 = np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1), np.nan)
    if present_overall is not None:
        f1 = np.where(present_overall, f1, 0.0)
    macro = np.nanmean(f1, axis=-1)  # every resample holds some label, so never all NaN
    return f1, macro


def _interval(values: np.ndarray, ci_level: float) -> list[float]:
    """Percentile interval, ignoring NaN (resamples where the statistic is undefined)."""
    finite = values[~np.isnan(values)]
    if finite.size == 0:
        return [0.0, 0.0]
    alpha = (1.0 - ci_level) / 2
    low, high = np.quantile(finite, [alpha, 1.0 - alpha])
    return [float(low), float(high)]


def _check_bootstrap_args(n_bootstrap: int, ci_level: float) -> None:
    if n_bootstrap < 1:
        raise ValueError(f"n_bootstrap must be at least 1, got {n_bootstrap}")
    if not 0.0 < ci_level < 1.0:
        raise ValueError(f"ci_level must be between 0 and 1, got {ci_level}")


def classification_metrics(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    labels: Sequence[str] = LABELS,
    n_bootstrap: int = GoldConfig.n_bootstrap,
    seed: int = 0,
    ci_level: float = 0.95,
) -> dict:
    """The METRICS dict of docs/run-folder.md for one system's predictions on one gold part."""
    _check_lengths(y_true, y_pred)
    _check_bootstrap_args(n_bootstrap, ci_level)
    labels = list(labels)
    true_codes = _encode(y_true, labels, "gold")
    pred_codes = _encode(y_pred, labels, "predictions")
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    present = (matrix.sum(axis=1) + matrix.sum(axis=0)) > 0

    boot = _resampled_confusions(true_codes, [pred_codes], len(labels), n_bootstrap, seed)[0]
    boot_accuracy = np.trace(boot, axis1=-2, axis2=-1) / len(y_true)
    boot_f1, boot_macro = _f1_from_confusions(boot, present)
    ci = {
        "accuracy": _interval(boot_accuracy, ci_level),
        "macro_f1": _interval(boot_macro, ci_level),
    }
    for k, label in enumerate(labels):
        ci[f"f1_{label}"] = _interval(boot_f1[:, k], ci_level)
    return {
        "labels": labels,
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "per_label": {
            label: {
                "precision": float(precision[k]),
                "recall": float(recall[k]),
                "f1": float(f1[k]),
                "support": int(support[k]),
            }
            for k, label in enumerate(labels)
        },
        "confusion_matrix": matrix.astype(int).tolist(),
        "ci": ci,
        "ci_level": ci_level,
        "n_bootstrap": n_bootstrap,
    }


def paired_bootstrap_groups(
    y_true: Sequence[str],
    preds_a: Sequence[Sequence[str]],
    preds_b: Sequence[Sequence[str]],
    labels: Sequence[str] = LABELS,
    n_bootstrap: int = CompareAppConfig.n_bootstrap,
    seed: int = 0,
    ci_level: float = 0.95,
) -> dict:
    """Paired bootstrap of mean macro-F1 of prediction sets ``preds_a`` minus that of ``preds_b``.

    Each side may hold several prediction sets (e.g. one per training seed); the statistic is the difference
    of their mean macro-F1, recomputed on the same resampled gold items for every set. The p-value is
    two-sided by the percentile (sign) method: twice the smaller share of resampled differences on either
    side of 0, with one added to count and total, ``2 * (1 + min(#d<=0, #d>=0)) / (B + 1)`` capped at 1; it is
    below 0.05 roughly when the interval excludes 0, and never exactly 0.
    """
    if not preds_a or not preds_b:
        raise ValueError("each side of a paired bootstrap needs at least one prediction set")
    _check_lengths(y_true, *preds_a, *preds_b)
    _check_bootstrap_args(n_bootstrap, ci_level)
    labels = list(labels)
    true_codes = _encode(y_true, labels, "gold")
    codes = [_encode(p, labels, "predictions") for p in (*preds_a, *preds_b)]
    k = len(labels)
    full = np.stack([np.bincount(true_codes * k + c, minlength=k * k).reshape(k, k) for c in codes])
    present = (full.sum(axis=-1) + full.sum(axis=-2)) > 0  # (systems, K)
    _, point_macro = _f1_from_confusions(full, present)
    boot = _resampled_confusions(true_codes, codes, k, n_bootstrap, seed)  # (S, B, K, K)
    _, boot_macro = _f1_from_confusions(boot, present[:, None, :])  # (S, B)
    n_a = len(preds_a)
    point_a, point_b = float(point_macro[:n_a].mean()), float(point_macro[n_a:].mean())
    diffs = boot_macro[:n_a].mean(axis=0) - boot_macro[n_a:].mean(axis=0)
    below = int(np.sum(diffs <= 0))
    above = int(np.sum(diffs >= 0))
    p_value = min(1.0, 2.0 * (1 + min(below, above)) / (n_bootstrap + 1))
    return {
        "metric": "macro_f1",
        "a": point_a,
        "b": point_b,
        "diff": point_a - point_b,
        "ci": _interval(diffs, ci_level),
        "ci_level": ci_level,
        "p_value": p_value,
        "p_method": "two-sided percentile: 2*(1+min(#diff<=0, #diff>=0))/(B+1), capped at 1",
        "n": len(y_true),
        "n_bootstrap": n_bootstrap,
    }


def paired_bootstrap(
    y_true: Sequence[str],
    pred_a: Sequence[str],
    pred_b: Sequence[str],
    n_bootstrap: int = CompareAppConfig.n_bootstrap,
    seed: int = 0,
    labels: Sequence[str] = LABELS,
    ci_level: float = 0.95,
) -> dict:
    """Paired bootstrap of macro-F1(a) - macro-F1(b) on the same gold items (:func:`paired_bootstrap_groups`).

    Returns ``a``, ``b``, ``diff``, ``ci`` ([low, high]), ``p_value``, ``p_method``, ``n``, ``n_bootstrap``.
    """
    return paired_bootstrap_groups(
        y_true, [pred_a], [pred_b], labels=labels, n_bootstrap=n_bootstrap, seed=seed, ci_level=ci_level
    )
