"""The comparison table written out: an aligned Markdown table, comparison.csv, comparison.md and a plot."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

from pipeline.plots import plot_comparison


def _fmt(value: object, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def format_table(table: pd.DataFrame) -> str:
    """The comparison as an aligned Markdown table, readable in a terminal and in comparison.md."""
    headers = ["config", "run", "seeds", "macro-F1 [95% CI]", "± sd"]
    f1_columns = [c for c in table.columns if c.startswith("f1_")]
    headers += [c.replace("f1_", "F1 ") for c in f1_columns]
    extra = [
        ("weak_macro_f1", "weak"),
        ("majority_macro_f1", "majority"),
        ("tfidf_lr_macro_f1", "tfidf_lr"),
        ("train_s", "train s"),
        ("predict_sentences_per_s", "sent/s"),
    ]
    extra = [(c, h) for c, h in extra if c in table.columns]
    headers += [h for _, h in extra]
    has_against = "diff" in table.columns
    if has_against:
        headers += [f"diff vs {table['vs'].iloc[0]} [95% CI]", "p"]
    body = []
    for _, row in table.iterrows():
        names = str(row["runs"]).split(", ")
        cells = [
            str(row["config"]),
            names[0] + (f" +{len(names) - 1}" if len(names) > 1 else ""),
            str(row["n_seeds"]),
            f"{_fmt(row['macro_f1'])} [{_fmt(row['macro_f1_ci_low'])}, {_fmt(row['macro_f1_ci_high'])}]",
            _fmt(row["macro_f1_std"]),
        ]
        cells += [_fmt(row[c]) for c in f1_columns]
        cells += [_fmt(row[c], 1 if c in ("train_s", "predict_sentences_per_s") else 3) for c, _ in extra]
        if has_against:
            cells.append(f"{row['diff']:+.3f} [{row['diff_ci_low']:+.3f}, {row['diff_ci_high']:+.3f}]")
            cells.append(f"{row['p_value']:.3g}")
        body.append([c.replace("|", "\\|") for c in cells])
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(headers)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)) + " |",
        "| " + " | ".join("-" * w for w in widths) + " |",
    ]
    lines += ["| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in body]
    return "\n".join(lines)


def write_comparison(table: pd.DataFrame, out_dir: str | Path) -> dict[str, Path]:
    """Write comparison.csv (every column), comparison.md (the readable table) and comparison.png."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"csv": out_dir / "comparison.csv", "md": out_dir / "comparison.md", "png": out_dir / "comparison.png"}
    table.to_csv(paths["csv"], index=False)
    parts = ", ".join(table.attrs.get("primary") or []) or "primary"
    notes = [
        "# Run comparison",
        "",
        f"Macro-F1 of the fine-tuned model on the primary gold part `{parts}`, best configuration first.",
        "macro-F1 is the mean over seeds; the interval is the 95% percentile bootstrap interval over gold",
        "sentences (for several seeds, the mean of their bounds); `± sd` is the standard deviation across seeds.",
    ]
    if table.attrs.get("against"):
        notes += [
            f"`diff vs {table.attrs['against']}` is a paired bootstrap over the same gold sentences (by id); "
            "p is two-sided: 2*(1+min(#diff<=0, #diff>=0))/(B+1).",
        ]
    paths["md"].write_text("\n".join(notes) + "\n\n" + format_table(table) + "\n", encoding="utf-8")
    plot_comparison(table, paths["png"], title=f"macro-F1 on gold part {parts}")
    return paths
