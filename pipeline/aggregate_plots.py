"""PNG plots of aggregated stance tables (:mod:`pipeline.aggregate`), on matplotlib's Agg canvas.

Each plot reads a table written by :func:`pipeline.aggregate.aggregate` and shows counts beside shares, so a
group with three stance sentences is visibly thin rather than silently at the top of a ranking.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from pipeline.plots import _save

AGAINST_COLOUR, FAVOR_COLOUR = "#c0392b", "#2471a3"


def _label(row: pd.Series, field: str) -> str:
    name = row.get(f"{field}_name")
    return str(name) if isinstance(name, str) and name else str(row[field])


def plot_share_over_time(table: pd.DataFrame, field: str, path: str | Path) -> Path:
    """Share of stance sentences that are against, by ``field`` (year or decade), with its 95% band.

    A lower panel shows the number of stance sentences behind each point.
    """
    data = table.dropna(subset=["share_against"]).sort_values(field)
    figure = Figure(figsize=(8, 4.6))
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    x = data[field].astype(float).to_numpy()
    top.fill_between(x, data["share_against_low"], data["share_against_high"], color=AGAINST_COLOUR, alpha=0.2)
    top.plot(x, data["share_against"], color=AGAINST_COLOUR, marker="o", ms=3, label="against (hard counts)")
    if "e_share_against" in data:
        top.plot(x, data["e_share_against"], color="#555", ls="--", lw=1, label="against (expected counts)")
    top.axhline(0.5, color="#aaa", lw=0.8)
    top.set_ylim(0, 1)
    top.set_ylabel("share against\n(of stance sentences)")
    top.set_title(f"Stance toward foreign troops by {field} (band: 95% CI, documents resampled)", fontsize=10)
    top.legend(fontsize=8, loc="upper left")
    width = 0.8 * (np.min(np.diff(x)) if len(x) > 1 else 1.0)
    bottom.bar(x, data["n_against"], width=width, color=AGAINST_COLOUR, label="against")
    bottom.bar(x, data["n_favor"], width=width, bottom=data["n_against"], color=FAVOR_COLOUR, label="favor")
    bottom.set_ylabel("sentences")
    bottom.set_xlabel(field)
    bottom.legend(fontsize=7, loc="upper left")
    return _save(figure, path)


def plot_top_countries(
    table: pd.DataFrame, path: str | Path, *, field: str = "country", k: int = 12, min_stance: int = 20
) -> Path:
    """The ``k`` groups most against and most in favour, among those with ``min_stance`` stance sentences."""
    data = table[table["n_stance"] >= min_stance].dropna(subset=["share_against"])
    figure = Figure(figsize=(10, 0.32 * k + 1.6))
    panels = figure.subplots(1, 2)
    for axes, column, colour, title in (
        (panels[0], "share_against", AGAINST_COLOUR, "most against"),
        (panels[1], "share_favor", FAVOR_COLOUR, "most in favour"),
    ):
        top = data.sort_values([column, "n_stance"], ascending=False).head(k).iloc[::-1]
        y = np.arange(len(top))
        errors = np.vstack([top[column] - top[f"{column}_low"], top[f"{column}_high"] - top[column]]).clip(0)
        axes.barh(y, top[column], xerr=errors, color=colour, alpha=0.85, error_kw={"lw": 0.8})
        labels = [f"{_label(r, field)} (n={int(r.n_stance)}, {int(r.documents)} docs)" for _, r in top.iterrows()]
        axes.set_yticks(y, labels, fontsize=8)
        axes.set_xlim(0, 1)
        axes.set_title(f"{title} (≥{min_stance} stance sentences)", fontsize=10)
        axes.set_xlabel(column.replace("_", " "))
    figure.tight_layout()
    return _save(figure, path)


def plot_heatmap(
    table: pd.DataFrame,
    path: str | Path,
    *,
    rows: str = "country",
    columns: str = "decade",
    max_rows: int = 40,
    min_stance: int = 5,
) -> Path:
    """Share against by ``rows`` x ``columns`` for the ``max_rows`` rows with most stance sentences.

    Cells with fewer than ``min_stance`` stance sentences are grey; each cell is annotated with its count.
    """
    totals = table.groupby(rows)["n_stance"].sum().sort_values(ascending=False).head(max_rows)
    data = table[table[rows].isin(totals.index)]
    shares = data.pivot_table(index=rows, columns=columns, values="share_against", aggfunc="first")
    counts = data.pivot_table(index=rows, columns=columns, values="n_stance", aggfunc="first").fillna(0)
    order = sorted(totals.index, key=lambda code: str(code))
    shares, counts = shares.reindex(order), counts.reindex(order).fillna(0)
    label_of = {r[rows]: _label(r, rows) for _, r in data.drop_duplicates(rows).iterrows()}
    masked = np.ma.masked_where((counts.to_numpy() < min_stance) | shares.isna().to_numpy(), shares.to_numpy())
    figure = Figure(figsize=(1.0 + 0.7 * shares.shape[1], 1.2 + 0.26 * len(order)))
    axes = figure.subplots()
    axes.set_facecolor("#e5e5e5")
    image = axes.imshow(masked, cmap="RdBu_r", vmin=0, vmax=1, aspect="auto")
    for (i, j), count in np.ndenumerate(counts.to_numpy()):
        if count:
            axes.text(j, i, int(count), ha="center", va="center", fontsize=6)
    axes.set_xticks(range(shares.shape[1]), [str(c) for c in shares.columns], fontsize=8, rotation=45)
    axes.set_yticks(range(len(order)), [label_of[c] for c in order], fontsize=7)
    axes.set_title(f"share against by {rows} x {columns} (number: stance sentences; grey: < {min_stance})", fontsize=9)
    figure.colorbar(image, ax=axes, fraction=0.04, label="share against")
    return _save(figure, path)
