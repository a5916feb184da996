"""The report stage: ``report.md``, ``lf_summary.csv`` and ``confusion_matrix.png`` for one run, then the run finished.

``report.md`` puts the scores side by side, the weak labeller's coverage and its misses on each gold part.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.config import PredictAppConfig
from pipeline.gold import GoldItem, GoldSet
from pipeline.io import write_json, write_text_atomic
from pipeline.labels import ABSTAIN, LABELS
from pipeline.plots import plot_confusion_matrices
from pipeline.report_caveats import caveats
from pipeline.report_sections import comparison_lines, self_training_lines
from pipeline.runs import RunFolder
from pipeline.stages import Clock, Evaluation, Inputs, Split, Trained, WeakLabels, say
from pipeline.text import NORMALIZATION
from pipeline.train import TrainSettings
from pipeline.weak.analysis import SUMMARY_COLUMNS, lf_summary, travel_table
from pipeline.weak.labeler import WeakLabeler

SYSTEM_TITLES = {
    "model": "fine-tuned model",
    "weak_labeller": "weak labeller alone",
    "majority": "majority class (of the training labels)",
    "tfidf_lr": "TF-IDF + logistic regression (on the training sentences)",
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


def _lf_table(table: pd.DataFrame, columns: Sequence[str] = SUMMARY_COLUMNS) -> list[str]:
    columns = [c for c in columns if c in table.columns]
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


def _quote(item: GoldItem, limit: int = 220) -> str:
    flat = item.sentence.norm.replace("|", "\\|")
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _stage_lines(stages: dict[str, dict[str, float]], precision: dict[str, Any]) -> list[str]:
    """One line per stage (seconds, sentences/s, peak RSS), then the inference path of each model and why."""
    lines = []
    for name, row in stages.items():
        rate = f", {row['sentences_per_s']:.0f} sentences/s" if "sentences_per_s" in row else ""
        lines.append(f"Stage {name}: {row['seconds']:.1f} s{rate}, peak RSS {row['peak_rss_mb']:.0f} MB.  ")
    for model, choice in precision.items():
        if isinstance(choice, dict):
            lines.append(f"Path of {model.replace('_', ' ')}: {choice['path']} ({choice['reason']}).  ")
    if "threads" in precision:
        lines.append(f"Threads: {precision['threads']}.  ")
    return lines


def report(
    run: RunFolder,
    *,
    inputs: Inputs,
    split: Split,
    weak: WeakLabels,
    trained: Trained,
    evaluation: Evaluation,
    labeler: WeakLabeler,
    settings: TrainSettings,
    clock: Clock,
    overrides: Sequence[str],
) -> Path:
    """Write the LF table, the plot and report.md, then finish the run folder; print the scores; return it."""
    folder, gold = run.path, inputs.gold
    table = lf_summary(
        weak.votes,
        weak.names,
        list(labeler.lf_groups),
        weights=labeler.weights(),
        L_gold=evaluation.gold_votes[gold.analysis_part],
        y_gold=np.array([LABELS.index(label) for label in gold.labels(gold.analysis_part)]),
    )
    table.to_csv(folder / "lf_summary.csv", index=False)
    speed, predict_path = prediction_speed(trained.model_dir, weak.texts, settings)
    write_json(folder / "overrides.json", list(overrides))
    plot_confusion_matrices(
        {
            "fine-tuned model": evaluation.primary["model"]["confusion_matrix"],
            "weak labeller": evaluation.primary["weak_labeller"]["confusion_matrix"],
        },
        list(LABELS),
        folder / "confusion_matrix.png",
    )
    info = {
        "seed": settings.seed,
        "timings": clock.rounded(),
        "train_sentences": len(trained.texts),
        "none_logit_offset": trained.none_offset,
        "corpus_sentences": len(split.sentences),
        "train": trained.stats,
        "predict_sentences_per_s": speed,
        "predict_path": predict_path,
        "corpus": inputs.corpus.report.summary(),
        "analysis_part": gold.analysis_part,
        "text_normalization": NORMALIZATION,
    }
    info["caveats"] = caveats(gold, (doc.id for doc in inputs.documents))
    write_report(folder, evaluation.metrics, table, info, run.name, overrides, weak, gold, evaluation, labeler)
    final = run.finish(info)
    say(f"run folder: {final}")
    _say_scores(evaluation.metrics)
    for caveat in info["caveats"]:
        say(caveat)
    return final


def _say_scores(metrics: Mapping[str, Any]) -> None:
    for part, result in metrics["parts"].items():
        tag = " (reported)" if part == metrics["gold"]["primary"] else ""
        scores = ", ".join(
            f"{s} macro-F1 {m['macro_f1']:.3f} [{m['ci']['macro_f1'][0]:.2f}, {m['ci']['macro_f1'][1]:.2f}]"
            for s, m in result["systems"].items()
        )
        say(f"gold {part}{tag}, n={result['n']}: {scores}")
    if metrics.get("splitter"):
        say(f"splitter boundary F1 {metrics['splitter']['f1']:.3f}")


def _path_note(path: dict[str, str] | None) -> str:
    """``, `onnx_int8` (auto: ...)`` for the report's speed line; empty for runs written before it was recorded."""
    return f", `{path['path']}` ({path['reason']})" if path else ""


def prediction_speed(
    model_dir: Path, texts: Sequence[str], settings: TrainSettings, sample: int = 512
) -> tuple[float, dict[str, str]]:
    """Sentences per second of the default prediction path on up to ``sample`` corpus sentences, and that path
    with the reason it was chosen on this CPU."""
    from pipeline.predict import Predictor

    chosen = list(texts[:sample])
    # The exported graphs of this measurement are thrown away: stance-predict caches its own.
    with tempfile.TemporaryDirectory(prefix="stance-speed-") as cache:
        predictor = Predictor(
            model_dir,
            batch_size=PredictAppConfig.batch_size,
            max_length=settings.max_length,
            threads=settings.threads,
            onnx_cache_dir=cache,
        )
        predictor.predict_proba(chosen[:8])  # warm-up
        tick = time.perf_counter()
        predictor.predict_proba(chosen)
        return round(len(chosen) / max(time.perf_counter() - tick, 1e-9), 1), predictor.choice.record()


def write_report(
    folder: Path,
    metrics: Mapping[str, Any],
    lf_table: pd.DataFrame,
    run_info: Mapping[str, Any],
    name: str,
    overrides: Sequence[str],
    weak: WeakLabels,
    gold: GoldSet,
    evaluation: Evaluation,
    labeler: WeakLabeler,
) -> Path:
    """Write ``report.md`` into ``folder`` and return its path."""
    lines = _headline(metrics, run_info, name, overrides)
    for part, result in metrics["parts"].items():
        role = "reported" if part == gold.primary else ("development" if part == "tuning" else "")
        lines += [f"## Scores on gold part `{part}` (n={result['n']}{', ' + role if role else ''})", ""]
        lines += _scores_table(result["systems"]) + [""] + comparison_lines(result)
    lines += self_training_lines(metrics.get("self_training", []))
    lines += [
        "Intervals are 95% bootstrap percentile intervals over gold sentences.",
        "",
        "![confusion matrices](confusion_matrix.png)",
        "",
    ]
    lines += _weak_section(weak, lf_table, labeler, run_info["analysis_part"])
    lines += _travel_section(gold, evaluation, labeler)
    for part, items in gold.parts.items():
        lines += _misses(part, items, labeler.predict(evaluation.gold_votes[part]), evaluation.gold_votes[part])
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in run_info["timings"].items())
    lines += [
        "## Run",
        "",
        f"Timings: {timings}.  ",
        *_stage_lines(evaluation.metrics.get("stages", {}), evaluation.metrics.get("precision", {})),
        f"Seed: {run_info['seed']}.  ",
        "Files: `metrics.json`, `gold_predictions.jsonl`, `weak_labels.jsonl`, `lf_summary.csv`, "
        "`sentences.jsonl`, `model/`, `config.yaml` (see docs/run-folder.md).",
        "",
    ]
    path = folder / "report.md"
    write_text_atomic(path, "\n".join(lines))
    return path


def _headline(
    metrics: Mapping[str, Any], run_info: Mapping[str, Any], name: str, overrides: Sequence[str]
) -> list[str]:
    primary = metrics["gold"]["primary"]
    systems = metrics["parts"][primary]["systems"]
    hand = int(run_info["train"].get("exemplars", 0))
    lines = [f"# Stance run `{name}`", ""]
    lines += [
        f"Overrides: `{' '.join(overrides) or '(defaults)'}`  ",
        f"Corpus: {run_info['corpus']}  ",
        f"Gold set: `{metrics['gold']['path']}`; reported part: **{primary}**"
        + ("" if primary == "all" else " (never used for tuning; the `tuning` part is the development part)"),
        "",
    ]
    if run_info.get("caveats"):
        lines += ["## What these scores mean", "", *(f"**{c}**" for c in run_info["caveats"][:1]), ""]
        lines += [*run_info["caveats"][1:], ""] if len(run_info["caveats"]) > 1 else []
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
        f"- Training sentences (weakly labelled corpus sentences, never gold): {run_info['train_sentences'] - hand}"
        f" of {run_info['corpus_sentences']}"
        + (f", plus {hand} hand-labelled exemplar rows from training speeches (`train.exemplars`)" if hand else ""),
        f"- Prediction speed (default fast path{_path_note(run_info.get('predict_path'))}): "
        f"{run_info['predict_sentences_per_s']} sentences/s",
        "",
    ]
    if run_info.get("none_logit_offset"):
        lines[-1:-1] = [
            f"- The model's `none` logit was shifted by {run_info['none_logit_offset']:+.2f}, chosen on "
            "the development gold part (a prior correction for training on a balanced sample)"
        ]
    return lines


def _weak_section(weak: WeakLabels, lf_table: pd.DataFrame, labeler: WeakLabeler, analysis_part: str) -> list[str]:
    covered = (weak.votes != ABSTAIN).any(axis=1)
    lines = [
        "## Weak labels",
        "",
        f"Labelling-function coverage of the corpus: {covered.mean():.1%} of {len(weak.sentences)} sentences have "
        "at least one vote.",
        "",
    ]
    counts = {label: 0 for label in LABELS}
    for label in labeler.predict(weak.votes):
        if label != ABSTAIN:
            counts[LABELS[label]] += 1
    lines += [
        "Weak label counts: " + ", ".join(f"{k} {v}" for k, v in counts.items()),
        "",
        f"Per labelling function (empirical accuracy on gold part `{analysis_part}`):",
        "",
    ]
    return lines + _lf_table(lf_table) + [""]


def _travel_section(gold: GoldSet, evaluation: Evaluation, labeler: WeakLabeler) -> list[str]:
    """Each LF's accuracy on the gold part its rules were written on beside the reported part (issue 14)."""
    written, unseen = gold.analysis_part, gold.primary
    if written == unseen:
        return []

    def side(part: str) -> tuple[np.ndarray, np.ndarray]:
        return evaluation.gold_votes[part], np.array([LABELS.index(label) for label in gold.labels(part)])

    table = travel_table(labeler.lf_names, side(written), side(unseen))
    moved = ", ".join(f"`{name}`" for name in table.loc[~table["travels"], "name"]) or "none"
    return [
        "### Rules that travel",
        "",
        f"Votes and accuracy of each labelling function on gold part `{written}` (where rules were written) beside "
        f"`{unseen}` (never read for rules). Not travelling (at least 5 votes there, accuracy below 0.7 or more "
        f"than 0.25 lower): {moved}. Choose what to prune on the development samples (`benchmarks/lf_travel.py`, "
        "README: Evaluation protocol), never on this table, whose second side is the reported part.",
        "",
        *_lf_table(table, list(table.columns)),
        "",
    ]


def _misses(part: str, items: Sequence[GoldItem], weak: np.ndarray, votes: np.ndarray) -> list[str]:
    """The gold sentences of a part that no labelling function covers, and those the weak labeller gets wrong."""
    uncovered = [g for g, row in zip(items, votes, strict=True) if (row == ABSTAIN).all()]
    named = ["none" if w == ABSTAIN else LABELS[w] for w in weak]
    wrong = [(g, w) for g, w in zip(items, named, strict=True) if w != g.label]
    lines = [f"### Gold part `{part}`: {len(uncovered)} sentences no labelling function covers", ""]
    lines += [f"- `{g.id}` ({g.label}): {_quote(g)}" for g in uncovered[:MAX_LISTED]]
    if len(uncovered) > MAX_LISTED:
        lines.append(f"- … and {len(uncovered) - MAX_LISTED} more")
    lines += [
        "",
        f"### Gold part `{part}`: {len(wrong)} sentences the weak labeller gets wrong",
        "",
        "| id | gold | weak | sentence |",
        "| --- | --- | --- | --- |",
    ]
    lines += [f"| `{g.id}` | {g.label} | {w} | {_quote(g)} |" for g, w in wrong[:MAX_LISTED]]
    if len(wrong) > MAX_LISTED:
        lines.append(f"| … | | | {len(wrong) - MAX_LISTED} more |")
    return lines + [""]
