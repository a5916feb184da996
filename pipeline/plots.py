"""PNG plots for reports and comparisons, drawn with matplotlib's Agg canvas (no display, no pyplot state).

Figures are built as :class:`matplotlib.figure.Figure` objects bound to an Agg canvas, so plotting from worker
processes or tests never touches a global backend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

COMPARISON_COLUMNS: tuple[str, ...] = ("config", "macro_f1", "macro_f1_ci_low", "macro_f1_ci_high")
"""Columns :func:`plot_comparison` needs; ``n_seeds`` and ``weak_macro_f1`` are used when present."""


F1_AXIS: tuple[float, float] = (-0.02, 1.02)
"""The macro-F1 axis: a margin beyond 0 and 1, so markers and interval caps at 1.0 are drawn whole."""


def _save(figure: Figure, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    FigureCanvasAgg(figure)
    figure.savefig(path, format="png", dpi=120, bbox_inches="tight")
    return path


def plot_confusion_matrices(
    matrices: Mapping[str, Sequence[Sequence[int]]],
    labels: Sequence[str],
    path: str | Path,
    title: str | None = None,
) -> Path:
    """Confusion matrices side by side (rows gold, columns predicted), one panel per system.

    Cells are shaded by the share of their gold row, so rare labels stay visible, and annotated with counts.
    """
    if not matrices:
        raise ValueError("no confusion matrices to plot")
    k = len(labels)
    for name, matrix in matrices.items():
        if np.asarray(matrix).shape != (k, k):
            raise ValueError(f"confusion matrix of {name!r} is not {k}x{k} for labels {list(labels)}")
    panels = len(matrices)
    figure = Figure(figsize=(3.6 * panels + 0.6, 3.6), layout="constrained")
    axes = figure.subplots(1, panels, squeeze=False)[0]
    image = None
    for ax, (name, matrix) in zip(axes, matrices.items(), strict=True):
        counts = np.asarray(matrix, dtype=int)
        row_totals = counts.sum(axis=1, keepdims=True)
        shares = np.divide(counts, row_totals, out=np.zeros(counts.shape, dtype=float), where=row_totals > 0)
        image = ax.imshow(shares, cmap="Blues", vmin=0.0, vmax=1.0)
        for i in range(k):
            for j in range(k):
                ax.text(
                    j,
                    i,
                    str(counts[i, j]),
                    ha="center",
                    va="center",
                    color="white" if shares[i, j] > 0.6 else "black",
                    fontsize=11,
                )
        ax.set_xticks(range(k), labels)
        ax.set_yticks(range(k), labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("gold")
        ax.set_title(f"{name} (n={int(counts.sum())})")
    if image is not None:
        figure.colorbar(image, ax=list(axes), shrink=0.8, label="share of gold row")
    if title:
        figure.suptitle(title)
    return _save(figure, path)


def plot_comparison(table: pd.DataFrame, path: str | Path, title: str | None = None) -> Path:
    """Macro-F1 per configuration with its 95% bootstrap interval, best at the top.

    Reads the columns in :data:`COMPARISON_COLUMNS`; the weak labeller's macro-F1 is marked when present.
    """
    missing = [c for c in COMPARISON_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"comparison table lacks columns {missing}")
    if table.empty:
        raise ValueError("comparison table has no rows to plot")
    ordered = table.sort_values("macro_f1", ascending=True, kind="stable").reset_index(drop=True)
    point = ordered["macro_f1"].to_numpy(dtype=float)
    low = ordered["macro_f1_ci_low"].to_numpy(dtype=float)
    high = ordered["macro_f1_ci_high"].to_numpy(dtype=float)
    errors = np.vstack([np.clip(point - low, 0, None), np.clip(high - point, 0, None)])
    names = [str(c) for c in ordered["config"]]
    if "n_seeds" in ordered.columns:
        seeds = ordered["n_seeds"].fillna(1).astype(int)
        names = [f"{n} ({s} seeds)" if s > 1 else n for n, s in zip(names, seeds, strict=True)]
    y = np.arange(len(ordered))
    figure = Figure(figsize=(7.5, 1.2 + 0.45 * len(ordered)), layout="constrained")
    ax = figure.subplots()
    ax.errorbar(point, y, xerr=errors, fmt="o", color="tab:blue", capsize=4, label="model macro-F1, 95% CI")
    if "weak_macro_f1" in ordered.columns and ordered["weak_macro_f1"].notna().any():
        ax.plot(ordered["weak_macro_f1"], y, "x", color="tab:orange", label="weak labeller")
    ax.set_yticks(y, names)
    ax.set_xlim(*F1_AXIS)
    ax.set_xlabel("macro-F1")
    ax.grid(axis="x", alpha=0.3)
    figure.legend(loc="outside lower center", ncols=2, fontsize=8)
    if title:
        ax.set_title(title)
    return _save(figure, path)
