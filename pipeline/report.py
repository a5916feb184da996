"""``report.md`` for one run: the scores side by side, the weak labeller's coverage and its misses."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.gold import GoldItem
from pipeline.labels import ABSTAIN, LABELS
from pipeline.runs import write_text_atomic
from pipeline.split import Sentence, clean_text
from pipeline.weak.analysis import SUMMARY_COLUMNS

SYSTEM_TITLES = {
    "model": "fine-tuned model",
    "weak_labeller": "weak labeller alone",
    "majority": "majority class (of weak labels)",
    "tfidf_lr": "TF-IDF + logistic regression (on weak labels)",
}
MAX_LISTED = 60


def _ci(metrics: Mapping[str, Any], key: str) -> str:
    low, high = metrics["ci"][key]
    return f"[{low:.2f}, {high:.2f}]"


def _scores_table(systems: Mapping[str, Mapping[str, Any]]) -> list[str]:
    head = "| system | accuracy | macro-F1 (95% CI) | " + " | ".join(f"F1 {label}" for label in LABELS) + " |"
    lines = [head, "|" + " --- |" * (3 + len(LABELS))]
    for system, m in systems.items():
        per_label = " | ".join(f"{m['per_label'][label]['f1']:.3f} {_ci(m, 'f1_' + label)}" for label in LABELS)
        lines.append(
            f"| {SYSTEM_TITLES.get(system, system)} | {m['accuracy']:.3f} {_ci(m, 'accuracy')} | "
            f"**{m['macro_f1']:.3f}** {_ci(m, 'macro_f1')} | {per_label} |"
        )
    return lines


def _lf_table(table: pd.DataFrame) -> list[str]:
    columns = [c for c in SUMMARY_COLUMNS if c in table.columns]
    lines = ["| " + " | ".join(columns) + " |", "|" + " --- |" * len(columns)]
    for _, row in table.iterrows():
        cells = []
        for column in columns:
            value = row[column]
            if isinstance(value, list | tuple):
                value = ", ".join(map(str, value)) or "-"
            cells.append(
                f"{value:.3f}"
                if isinstance(value, float | np.floating) and not pd.isna(value)
                else ("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))
            )
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _quote(text: str, limit: int = 220) -> str:
    flat = clean_text(text).replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def write_report(
    folder: Path,
    *,
    metrics: Mapping[str, Any],
    lf_table: pd.DataFrame,
    run_info: Mapping[str, Any],
    name: str,
    overrides: Sequence[str],
    sentences: Sequence[Sentence],
    texts: Sequence[str],
    votes: np.ndarray,
    gold_parts: Mapping[str, Sequence[GoldItem]],
    gold_votes: Mapping[str, np.ndarray],
    labeler: Any,
) -> Path:
    """Write ``report.md`` into ``folder`` and return its path."""
    primary = metrics["gold"]["primary"]
    systems = metrics["parts"][primary]["systems"]
    covered = (votes != ABSTAIN).any(axis=1)
    lines = [f"# Stance run `{name}`", ""]
    lines += [
        f"Overrides: `{' '.join(overrides) or '(defaults)'}`  ",
        f"Corpus: {run_info['corpus']}  ",
        f"Gold set: `{metrics['gold']['path']}`; reported part: **{primary}**"
        + ("" if primary == "all" else " (never used for tuning; the `tuning` part is the development part)"),
        "",
    ]
    lines += [
        "## Headline",
        "",
        f"- Fine-tuned model macro-F1: **{systems['model']['macro_f1']:.3f}** {_ci(systems['model'], 'macro_f1')}",
        f"- Weak labeller macro-F1: **{systems['weak_labeller']['macro_f1']:.3f}** "
        f"{_ci(systems['weak_labeller'], 'macro_f1')}",
    ]
    if metrics.get("splitter"):
        s = metrics["splitter"]
        lines.append(
            f"- Splitter boundary F1 against the gold segmentation: **{s['f1']:.3f}** "
            f"(precision {s['precision']:.3f}, recall {s['recall']:.3f})"
        )
    lines += [
        f"- Training sentences (weakly labelled corpus sentences, never gold): {run_info['train_sentences']}"
        f" of {run_info['corpus_sentences']}",
        f"- Prediction speed (default fast path): {run_info['predict_sentences_per_s']} sentences/s",
        "",
    ]
    if run_info.get("none_logit_offset"):
        lines[-1:-1] = [
            f"- The model's `none` logit was shifted by {run_info['none_logit_offset']:+.2f}, chosen on "
            "the development gold part (a prior correction for training on a balanced sample)"
        ]
    for part, result in metrics["parts"].items():
        role = "reported" if part == primary else ("development" if part == "tuning" else "")
        lines += [f"## Scores on gold part `{part}` (n={result['n']}{', ' + role if role else ''})", ""]
        lines += _scores_table(result["systems"]) + [""]
    lines += [
        "Intervals are 95% bootstrap percentile intervals over gold sentences.",
        "",
        "![confusion matrices](confusion_matrix.png)",
        "",
    ]

    lines += [
        "## Weak labels",
        "",
        f"Labelling-function coverage of the corpus: {covered.mean():.1%} of {len(texts)} sentences have at "
        "least one vote.",
        "",
    ]
    counts = {label: 0 for label in LABELS}
    for label in labeler.predict(votes):
        if label != ABSTAIN:
            counts[LABELS[label]] += 1
    lines += [
        "Weak label counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()),
        "",
        f"Per labelling function (empirical accuracy on gold part `{run_info['analysis_part']}`):",
        "",
    ]
    lines += _lf_table(lf_table) + [""]

    for part, items in gold_parts.items():
        part_votes = gold_votes[part]
        weak = labeler.predict(part_votes)
        uncovered = [g for g, row in zip(items, part_votes, strict=True) if (row == ABSTAIN).all()]
        wrong = [
            (g, "none" if w == ABSTAIN else LABELS[w])
            for g, w in zip(items, weak, strict=True)
            if ("none" if w == ABSTAIN else LABELS[w]) != g.label
        ]
        lines += [f"### Gold part `{part}`: {len(uncovered)} sentences no labelling function covers", ""]
        lines += [f"- `{g.id}` ({g.label}): {_quote(g.text)}" for g in uncovered[:MAX_LISTED]]
        if len(uncovered) > MAX_LISTED:
            lines.append(f"- … and {len(uncovered) - MAX_LISTED} more")
        lines += [
            "",
            f"### Gold part `{part}`: {len(wrong)} sentences the weak labeller gets wrong",
            "",
            "| id | gold | weak | sentence |",
            "| --- | --- | --- | --- |",
        ]
        lines += [f"| `{g.id}` | {g.label} | {w} | {_quote(g.text)} |" for g, w in wrong[:MAX_LISTED]]
        if len(wrong) > MAX_LISTED:
            lines.append(f"| … | | | {len(wrong) - MAX_LISTED} more |")
        lines.append("")

    timings = ", ".join(f"{k} {v:.1f} s" for k, v in run_info["timings"].items())
    lines += [
        "## Run",
        "",
        f"Timings: {timings}.  ",
        f"Seed: {run_info['seed']}.  ",
        "Files: `metrics.json`, `gold_predictions.jsonl`, `weak_labels.jsonl`, `lf_summary.csv`, "
        "`sentences.jsonl`, `model/`, `config.yaml` (see docs/run-folder.md).",
        "",
    ]
    path = folder / "report.md"
    write_text_atomic(path, "\n".join(lines))
    return path
