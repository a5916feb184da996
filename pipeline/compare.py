"""Compare finished runs: one row per configuration, seeds pooled, optional paired tests against one run.

Reads run folders as docs/run-folder.md defines them. Only complete runs count (``run.json`` with
``"status": "complete"``); anything else is skipped with a logged note. Configurations are told apart by
their command-line overrides (``overrides.json``): keys whose values are not the same in every run are the
table's override columns, and runs that differ only in a seed key (``seed``, ``train.seed``, any ``*.seed``)
are one configuration whose row gives the mean and standard deviation of macro-F1 across the seeds.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from pipeline.errors import InputError
from pipeline.evaluate import paired_bootstrap_groups
from pipeline.plots import plot_comparison

log = logging.getLogger(__name__)

MODEL = "model"
WEAK = "weak_labeller"
BASELINES: tuple[str, ...] = ("majority", "tfidf_lr")
_MAX_DEPTH = 3
"""How deep :func:`find_runs` looks below a given folder (``multiruns/<time>/<job>`` is 2 below)."""


@dataclass
class RunRecord:
    """What comparing needs from one complete run folder."""

    path: Path
    name: str
    overrides: list[str]
    metrics: dict
    run: dict = field(default_factory=dict)

    @property
    def seed(self) -> int | None:
        return self.run.get("seed")

    @property
    def timings(self) -> dict[str, float]:
        return dict(self.run.get("timings") or {})

    @property
    def predict_sentences_per_s(self) -> float | None:
        return self.run.get("predict_sentences_per_s")

    @property
    def primary(self) -> str:
        return str(self.metrics["gold"]["primary"])

    @property
    def gold_path(self) -> str:
        return str(self.metrics["gold"].get("path", ""))

    @property
    def gold_predictions_path(self) -> Path:
        return self.path / "gold_predictions.jsonl"

    def system(self, name: str, part: str | None = None) -> dict | None:
        """METRICS of one system on a part (the primary part by default), None when the run lacks it."""
        systems = self.metrics["parts"][part or self.primary]["systems"]
        return systems.get(name)


# ---------------------------------------------------------------------------------------------------- finding


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"not valid JSON ({err})", file=path) from None


def _is_complete(run_dir: Path) -> bool:
    """True for a finished run; logs why any other folder holding a run.json is skipped."""
    try:
        run = _read_json(run_dir / "run.json")
    except InputError as err:
        log.warning("skipping %s: %s", run_dir, err)
        return False
    status = run.get("status") if isinstance(run, dict) else None
    if status != "complete":
        log.warning("skipping %s: run.json status is %r, not 'complete'", run_dir, status)
        return False
    return True


def _search(folder: Path, depth: int, found: list[Path]) -> None:
    if (folder / "run.json").is_file():
        if _is_complete(folder):
            found.append(folder)
        return
    if depth >= _MAX_DEPTH:
        return
    children = sorted(
        (c for c in folder.iterdir() if c.is_dir() and not c.name.startswith(".")),
        key=lambda c: (not c.name.isdigit(), int(c.name) if c.name.isdigit() else 0, c.name),
    )
    for child in children:
        _search(child, depth + 1, found)


def find_runs(paths: Sequence[str | Path]) -> list[Path]:
    """Complete run folders under the given paths, each found once, in a stable order.

    A path may be a run folder, a folder of runs (``artifacts/runs``) or a multirun folder whose numbered job
    subfolders are runs (searched up to three levels down). Hidden folders (runs still being written) are
    never entered. A path that does not exist is an error; an incomplete run is skipped with a logged note.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            raise InputError("no such run folder", file=path, fix="give a run folder or a folder of runs")
        before = len(found)
        _search(path, 0, found)
        if len(found) == before:
            log.warning("no complete run found under %s", path)
    unique: list[Path] = []
    seen: set[Path] = set()
    for run_dir in found:
        key = run_dir.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(run_dir)
    return unique


def load_run(path: str | Path) -> RunRecord:
    """Read one complete run folder's run.json, overrides.json and metrics.json."""
    path = Path(path)
    run = _read_json(path / "run.json")
    if not isinstance(run, dict) or run.get("status") != "complete":
        raise InputError('not a complete run (run.json lacks "status": "complete")', file=path / "run.json")
    metrics = _read_json(path / "metrics.json")
    if not isinstance(metrics, dict):
        raise InputError("expected a JSON object", file=path / "metrics.json")
    try:
        primary = metrics["gold"]["primary"]
        metrics["parts"][primary]["systems"][MODEL]["macro_f1"]
    except (KeyError, TypeError) as err:
        raise InputError(
            f"lacks key {err} needed to compare (gold.primary, parts.<primary>.systems.model)",
            file=path / "metrics.json",
            fix="see docs/run-folder.md",
        ) from None
    overrides_path = path / "overrides.json"
    overrides: object = []
    if overrides_path.is_file():
        overrides = _read_json(overrides_path)
    else:
        log.warning("%s has no overrides.json; treating the run as made with no overrides", path)
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise InputError("expected a JSON list of override strings", file=overrides_path)
    name = str(run.get("name") or path.name)
    return RunRecord(path=path, name=name, overrides=list(overrides), metrics=metrics, run=run)


# ------------------------------------------------------------------------------------------------- comparing


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


def read_gold_predictions(path: Path, part: str) -> dict[str, dict]:
    """Rows of gold_predictions.jsonl on one part, keyed by gold id."""
    if not path.is_file():
        raise InputError("gold predictions not found", file=path, fix="the paired test needs gold_predictions.jsonl")
    rows: dict[str, dict] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as err:
            raise InputError(f"not valid JSON ({err.msg})", file=path, line=number) from None
        if not isinstance(row, dict) or "id" not in row or "gold" not in row or MODEL not in row:
            raise InputError("expected an object with 'id', 'gold' and 'model'", file=path, line=number)
        if row.get("part") == part:
            rows[str(row["id"])] = row
    if not rows:
        raise InputError(f"no gold predictions on part {part!r}", file=path)
    return rows


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


def compare_runs(
    runs: Sequence[RunRecord | str | Path],
    against: str | Path | RunRecord | None = None,
    n_bootstrap: int = 2000,
    seed: int = 0,
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

    groups: dict[tuple, list[int]] = {}
    for i, run in enumerate(records):
        params = parse_overrides(run.overrides)
        group_key = (tuple(params.get(k) for k in keys), run.gold_path, run.primary)
        groups.setdefault(group_key, []).append(i)

    common = [o for o in records[0].overrides if not is_seed_key(o.partition("=")[0].lstrip("+~"))]
    common = [o for o in common if all(o in r.overrides for r in records)]
    rows = []
    for members in groups.values():
        group = [records[i] for i in members]
        params = parse_overrides(group[0].overrides)
        fallback = names[members[0]] if len(records) == 1 else (" ".join(common) or "defaults")
        models = [r.system(MODEL) for r in group]
        macro = [m["macro_f1"] for m in models]
        row: dict[str, object] = {
            "config": _config_label(params, keys, fallback),
            "runs": ", ".join(names[i] for i in members),
        }
        for key in keys:
            row[key] = params.get(key, "")
        row |= {
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


# -------------------------------------------------------------------------------------------------- writing


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


def run_compare(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    against: str | Path | None = None,
    n_bootstrap: int = 2000,
    seed: int = 0,
) -> tuple[pd.DataFrame, dict[str, Path]]:
    """find_runs -> compare_runs -> write_comparison, for the ``stance-compare`` command."""
    run_dirs = find_runs(paths)
    if not run_dirs:
        raise InputError(
            f"no complete runs under {', '.join(str(p) for p in paths)}", fix="train a run first (stance-train)"
        )
    table = compare_runs(run_dirs, against=against, n_bootstrap=n_bootstrap, seed=seed)
    return table, write_comparison(table, out_dir)
