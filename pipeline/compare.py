"""Compare finished runs: one row per configuration, seeds pooled, optional paired tests against one run.

Runs are found and read by :mod:`pipeline.run_records`, the table written by :mod:`pipeline.compare_table`.
Configurations are told apart by
their command-line overrides (``overrides.json``): keys whose values are not the same in every run are the
table's override columns, and runs that differ only in a seed key (``seed``, ``train.seed``, any ``*.seed``)
are one configuration whose row gives the mean and standard deviation of macro-F1 across the seeds.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.compare_table import format_table, write_comparison
from pipeline.config import CompareAppConfig
from pipeline.errors import InputError
from pipeline.evaluate import paired_bootstrap_groups
from pipeline.run_records import BASELINES, MODEL, WEAK, RunRecord, find_runs, load_run, read_gold_predictions

__all__ = [
    "compare_runs",
    "differing_overrides",
    "find_runs",
    "format_table",
    "load_run",
    "parse_overrides",
    "run_compare",
    "write_comparison",
]

log = logging.getLogger(__name__)


def parse_overrides(overrides: Sequence[str]) -> dict[str, str]:
    """``["model=tiny", "+x.y=1", "~z"]`` -> ``{"model": "tiny", "x.y": "1", "z": "<deleted>"}``."""
    parsed: dict[str, str] = {}
    for override in overrides:
        key, sep, value = override.partition("=")
        if key.startswith("~"):
            parsed[key.lstrip("~")] = "<deleted>"
            continue
        parsed[key.lstrip("+")] = value if sep else ""
    return parsed


def is_seed_key(key: str) -> bool:
    """Seed keys tell repeats of one configuration apart; they never define a configuration."""
    return key == "seed" or key.endswith(".seed")


# Settings that name or show a run but do not change what it learns: never a configuration difference.
NOT_CONFIGURATION = frozenset({"name", "runs_dir", "progress", "debug", "resume"})


def differing_overrides(runs: Sequence[RunRecord]) -> list[str]:
    """Override keys (seed and bookkeeping keys excluded) whose value differs between runs, first-seen order."""
    parsed = [parse_overrides(r.overrides) for r in runs]
    keys: list[str] = []
    for params in parsed:
        keys.extend(k for k in params if k not in keys and not is_seed_key(k) and k not in NOT_CONFIGURATION)
    return [k for k in keys if len({params.get(k) for params in parsed}) > 1]


def _paired_against(group: Sequence[RunRecord], reference: RunRecord, n_bootstrap: int, seed: int) -> dict[str, float]:
    part = reference.primary
    ref_rows = read_gold_predictions(reference.gold_predictions_path, part)
    ids = sorted(ref_rows)
    y_true = [str(ref_rows[i]["gold"]) for i in ids]
    preds = []
    for run in group:
        if run.primary != part:
            raise InputError(
                f"primary gold part is {run.primary!r}, not {part!r} as in {reference.name}",
                file=run.path / "metrics.json",
            )
        rows = read_gold_predictions(run.gold_predictions_path, part)
        if set(rows) != set(ref_rows):
            only_here = sorted(set(rows) - set(ref_rows))[:3]
            only_there = sorted(set(ref_rows) - set(rows))[:3]
            raise InputError(
                f"gold ids on part {part!r} differ from {reference.name}'s "
                f"(only here: {only_here}, only there: {only_there})",
                file=run.gold_predictions_path,
                fix="a paired test needs both runs evaluated on the same gold set",
            )
        if any(str(rows[i]["gold"]) != y for i, y in zip(ids, y_true, strict=True)):
            raise InputError(f"gold labels differ from {reference.name}'s", file=run.gold_predictions_path)
        preds.append([str(rows[i][MODEL]) for i in ids])
    ref_pred = [str(ref_rows[i][MODEL]) for i in ids]
    labels = reference.system(MODEL)["labels"]
    result = paired_bootstrap_groups(y_true, preds, [ref_pred], labels=labels, n_bootstrap=n_bootstrap, seed=seed)
    return {
        "diff": result["diff"],
        "diff_ci_low": result["ci"][0],
        "diff_ci_high": result["ci"][1],
        "p_value": result["p_value"],
    }


def _mean(values: Sequence[float | None]) -> float:
    present = [float(v) for v in values if v is not None]
    return float(np.mean(present)) if present else math.nan


def _display_names(runs: Sequence[RunRecord]) -> list[str]:
    names = [r.name for r in runs]
    if len(set(names)) == len(names):
        return names
    return [f"{r.path.parent.name}/{r.path.name}" for r in runs]


def _config_label(params: Mapping[str, str], keys: Sequence[str], fallback: str) -> str:
    if keys:
        return " ".join(f"{k}={params[k]}" if k in params else f"{k}=(default)" for k in keys)
    return fallback


def _configurations(records: Sequence[RunRecord], keys: Sequence[str]) -> dict[tuple, list[int]]:
    """Indices of the runs of each configuration: same values of the differing keys, same gold set and part."""
    groups: dict[tuple, list[int]] = {}
    for i, run in enumerate(records):
        params = parse_overrides(run.overrides)
        group_key = (tuple(params.get(k) for k in keys), run.gold_path, run.primary)
        groups.setdefault(group_key, []).append(i)
    return groups


def _scores(group: Sequence[RunRecord]) -> dict[str, object]:
    """One configuration's columns: seeds, its model's scores pooled over seeds, the other systems, timings."""
    models = [r.system(MODEL) for r in group]
    macro = [m["macro_f1"] for m in models]
    row: dict[str, object] = {
        "n_seeds": len(group),
        "seeds": ", ".join(str(r.seed) for r in group),
        "part": group[0].primary,
        "n": group[0].metrics["parts"][group[0].primary].get("n"),
        "macro_f1": float(np.mean(macro)),
        "macro_f1_std": float(np.std(macro, ddof=1)) if len(macro) > 1 else math.nan,
        "macro_f1_ci_low": _mean([m["ci"]["macro_f1"][0] for m in models]),
        "macro_f1_ci_high": _mean([m["ci"]["macro_f1"][1] for m in models]),
        "accuracy": _mean([m["accuracy"] for m in models]),
    }
    for label in models[0]["labels"]:
        row[f"f1_{label}"] = _mean([m["per_label"][label]["f1"] for m in models])
    for system, column in [(WEAK, "weak_macro_f1")] + [(b, f"{b}_macro_f1") for b in BASELINES]:
        row[column] = _mean([(r.system(system) or {}).get("macro_f1") for r in group])
    row["train_s"] = _mean([r.timings.get("train") for r in group])
    row["total_s"] = _mean([r.timings.get("total") for r in group])
    row["predict_sentences_per_s"] = _mean([r.predict_sentences_per_s for r in group])
    return row


def compare_runs(
    runs: Sequence[RunRecord | str | Path],
    against: str | Path | RunRecord | None = None,
    n_bootstrap: int = CompareAppConfig.n_bootstrap,
    seed: int = CompareAppConfig.seed,
) -> pd.DataFrame:
    """One row per configuration, best macro-F1 of the fine-tuned model (primary gold part) first.

    Columns: ``config`` (its differing overrides), ``runs``, one column per differing override key,
    ``n_seeds``, ``seeds``, ``part``, ``n``, ``macro_f1`` (mean over seeds), ``macro_f1_std`` (NaN for one
    seed), ``macro_f1_ci_low``/``_high`` (the run's 95% bootstrap interval; for several seeds the mean of
    their bounds), ``accuracy``, ``f1_<label>``, ``weak_macro_f1``, ``majority_macro_f1``,
    ``tfidf_lr_macro_f1``, ``train_s``, ``total_s``, ``predict_sentences_per_s``; with ``against``, also
    ``vs``, ``diff``, ``diff_ci_low``, ``diff_ci_high`` and ``p_value`` of the paired bootstrap of mean
    macro-F1 (this configuration's seeds) minus the reference run's, on gold items paired by id.
    ``table.attrs`` holds ``override_keys``, ``primary`` and ``against``.
    """
    records = [r if isinstance(r, RunRecord) else load_run(r) for r in runs]
    if not records:
        raise InputError("no complete runs to compare", fix="train a run first or point at artifacts/runs")
    reference = None
    if against is not None:
        reference = against if isinstance(against, RunRecord) else load_run(against)
    keys = differing_overrides(records)
    gold_sets = {(r.gold_path, r.primary) for r in records}
    if len(gold_sets) > 1:
        log.warning("runs were evaluated on different gold sets/parts: %s", sorted(gold_sets))
    names = _display_names(records)

    groups = _configurations(records, keys)

    common = [o for o in records[0].overrides if not is_seed_key(o.partition("=")[0].lstrip("+~"))]
    common = [o for o in common if all(o in r.overrides for r in records)]
    rows = []
    for members in groups.values():
        group = [records[i] for i in members]
        params = parse_overrides(group[0].overrides)
        fallback = names[members[0]] if len(records) == 1 else (" ".join(common) or "defaults")
        row: dict[str, object] = {
            "config": _config_label(params, keys, fallback),
            "runs": ", ".join(names[i] for i in members),
        }
        row |= {key: params.get(key, "") for key in keys}
        row |= _scores(group)
        if reference is not None:
            row["vs"] = reference.name
            row |= _paired_against(group, reference, n_bootstrap, seed)
        if len(gold_sets) > 1:
            row["gold"] = f"{group[0].gold_path}:{group[0].primary}"
        rows.append(row)

    table = pd.DataFrame(rows)
    table = table.sort_values(["macro_f1", "config"], ascending=[False, True], kind="stable").reset_index(drop=True)
    table.attrs = {
        "override_keys": keys,
        "primary": sorted({p for _, p in gold_sets}),
        "against": reference.name if reference is not None else None,
    }
    return table


def run_compare(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    against: str | Path | None = None,
    n_bootstrap: int = CompareAppConfig.n_bootstrap,
    seed: int = CompareAppConfig.seed,
) -> tuple[pd.DataFrame, dict[str, Path]]:
    """find_runs -> compare_runs -> write_comparison, for the ``stance-compare`` command."""
    run_dirs = find_runs(paths)
    if not run_dirs:
        raise InputError(
            f"no complete runs under {', '.join(str(p) for p in paths)}", fix="train a run first (stance-train)"
        )
    table = compare_runs(run_dirs, against=against, n_bootstrap=n_bootstrap, seed=seed)
    return table, write_comparison(table, out_dir)
