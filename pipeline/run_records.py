"""Finished runs found and read back: which folders under a path are complete runs, and what comparing needs.

Only complete runs count (``run.json`` with ``"status": "complete"``); anything else is skipped with a logged
note. Run folders are as docs/run-folder.md defines them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError
from pipeline.io import read_json as _read_json
from pipeline.io import read_jsonl

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


def read_gold_predictions(path: Path, part: str) -> dict[str, dict]:
    """Rows of gold_predictions.jsonl on one part, keyed by gold id."""
    if not path.is_file():
        raise InputError("gold predictions not found", file=path, fix="the paired test needs gold_predictions.jsonl")
    rows: dict[str, dict] = {}
    for number, row in read_jsonl(path):
        if not isinstance(row, dict) or "id" not in row or "gold" not in row or MODEL not in row:
            raise InputError("expected an object with 'id', 'gold' and 'model'", file=path, line=number)
        if row.get("part") == part:
            rows[str(row["id"])] = row
    if not rows:
        raise InputError(f"no gold predictions on part {part!r}", file=path)
    return rows
