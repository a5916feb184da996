"""Determinism on CPU: the same config and seed give identical metrics, weights and predictions.

Two real ``stance-train`` runs of the same tiny-model config (different names), then ``stance-predict`` with
each model on the same input. Timings live in ``run.json`` and are the only thing allowed to differ.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_runner import SEED_DOC, SHORT_TRAINING, hydra_args, reference_run, results, run, train_args

pytestmark = pytest.mark.slow


def _predict(run_dir: Path, output: Path) -> str:
    output.parent.mkdir(parents=True)
    result = run(
        "stance-predict",
        f"model={run_dir}",
        f"input={SEED_DOC}",
        f"output={output}",
        "progress=false",
        *hydra_args(output.parent),
        cwd=output.parent,
    )
    assert result.returncode == 0, result.explain()
    return output.read_text(encoding="utf-8")


def test_same_config_and_seed_give_identical_metrics_and_predictions(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    first = reference_run(tmp_path_factory.mktemp("reference") / "runs", "reference", *SHORT_TRAINING)
    runs_dir = tmp_path / "runs"
    again = run("stance-train", *train_args(runs_dir, "again", *SHORT_TRAINING), cwd=tmp_path)
    assert again.returncode == 0, again.explain()
    second = runs_dir / "again"

    assert results(first / "metrics.json") == results(second / "metrics.json")
    for name in ("gold_predictions.jsonl", "weak_labels.jsonl", "sentences.jsonl", "lf_summary.csv"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    assert (first / "model" / "model.safetensors").read_bytes() == (second / "model" / "model.safetensors").read_bytes()
    first_info, second_info = (json.loads((r / "run.json").read_text()) for r in (first, second))
    assert first_info["train"]["loss"] == second_info["train"]["loss"]

    predictions = [_predict(r, tmp_path / f"{r.name}-predict" / "seed.jsonl") for r in (first, second)]
    assert predictions[0] == predictions[1]
    assert len(predictions[0].splitlines()) == 54
    summaries = [(tmp_path / f"{r.name}-predict" / "seed.jsonl.summary.csv").read_text() for r in (first, second)]
    assert summaries[0] == summaries[1]
