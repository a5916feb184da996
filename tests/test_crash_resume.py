"""Crash safety: a training run killed with SIGKILL leaves nothing that looks finished and resumes exactly.

The test starts a real ``stance-train`` subprocess, waits for its first complete training checkpoint, kills it
with SIGKILL, checks that neither ``stance-compare`` nor ``stance-predict`` accepts what is left, resumes it
with ``resume=true`` and checks that the resumed run equals an uninterrupted run with the same seed: the same
metrics, the same gold predictions and bit-identical weights.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.runs import is_complete_checkpoint, is_complete_run, last_complete_checkpoint, resolve_model_dir
from tests.cli_runner import (
    SHORT_TRAINING,
    assert_one_line_error,
    files_under,
    reference_run,
    results,
    run,
    start,
    train_args,
)

pytestmark = pytest.mark.slow

NAME = "killed"


def _wait_for_complete_checkpoint(checkpoints: Path, process, timeout: float = 240) -> Path:  # noqa: ANN001
    """Poll until the first checkpoint is written to the end (its trainer_state.json names its step)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"stance-train ended (exit {process.returncode}) before its first checkpoint")
        done = [c for c in checkpoints.glob("checkpoint-*") if is_complete_checkpoint(c)]
        if done:
            return done[0]
        time.sleep(0.02)
    process.kill()
    pytest.fail("no checkpoint written in time")


@pytest.fixture(scope="module")
def killed_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runs folder of a ``stance-train`` killed with SIGKILL after its first checkpoint, mid-training."""
    runs_dir = tmp_path_factory.mktemp("crash") / "runs"
    process = start("stance-train", *train_args(runs_dir, NAME, *SHORT_TRAINING), cwd=runs_dir.parent)
    _wait_for_complete_checkpoint(runs_dir / f".{NAME}.partial" / "checkpoints", process)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    shutil.copytree(runs_dir / f".{NAME}.partial", _pristine(runs_dir))
    return runs_dir


def _pristine(runs_dir: Path) -> Path:
    """A copy of the partial folder as the kill left it (the resume test renames the original)."""
    return runs_dir.parent / "pristine"


def _copy_partial(runs_dir: Path, name: str) -> Path:
    target = runs_dir / f".{name}.partial"
    shutil.copytree(_pristine(runs_dir), target)
    return target


def test_a_killed_run_leaves_nothing_that_looks_finished(killed_run: Path, tmp_path: Path) -> None:
    partial = killed_run / f".{NAME}.partial"
    assert not (killed_run / NAME).exists()
    assert files_under(killed_run)[0] == f".{NAME}.partial", "only the hidden partial folder exists"
    assert not (partial / "run.json").exists() and not is_complete_run(partial)
    (checkpoint,) = [c for c in (partial / "checkpoints").glob("checkpoint-*") if is_complete_checkpoint(c)]
    state = json.loads((checkpoint / "trainer_state.json").read_text())
    assert 0 < state["global_step"] < 60, "killed mid-training, not after it"

    compared = run("stance-compare", str(killed_run), f"out={tmp_path / 'compare'}", cwd=tmp_path)
    assert_one_line_error(compared, "stance-compare", "no finished run found", str(killed_run), status=1)
    assert not (tmp_path / "compare").exists()

    output = tmp_path / "p.jsonl"
    predicted = run(
        "stance-predict", f"model={partial}", f"input={killed_run.parent}", f"output={output}", cwd=tmp_path
    )
    assert_one_line_error(predicted, "stance-predict", "did not finish", str(partial), "resume=true", status=1)
    assert not output.exists()


def test_nothing_inside_a_partial_run_is_a_usable_model(killed_run: Path) -> None:
    partial = _copy_partial(killed_run, "inspected")
    (checkpoint,) = (partial / "checkpoints").glob("checkpoint-*")
    for path in (partial, checkpoint, partial / "checkpoints"):
        with pytest.raises(InputError, match="did not finish"):
            resolve_model_dir(path)


def test_resume_reaches_the_uninterrupted_result(killed_run: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    reference = reference_run(tmp_path_factory.mktemp("reference") / "runs", "reference", *SHORT_TRAINING)
    resumed = run("stance-train", *train_args(killed_run, NAME, *SHORT_TRAINING, "resume=true"), cwd=killed_run.parent)
    assert resumed.returncode == 0, resumed.explain()
    final = killed_run / NAME
    assert is_complete_run(final) and not (killed_run / f".{NAME}.partial").exists()
    info = json.loads((final / "run.json").read_text())
    assert info["train"]["resumed"] == 1.0 and info["train"]["steps"] == 60

    assert results(final / "metrics.json") == results(reference / "metrics.json")
    assert (final / "gold_predictions.jsonl").read_text() == (reference / "gold_predictions.jsonl").read_text()
    assert (final / "model" / "model.safetensors").read_bytes() == (
        reference / "model" / "model.safetensors"
    ).read_bytes()


def test_a_torn_checkpoint_is_dropped_and_the_complete_one_found(killed_run: Path, tmp_path: Path) -> None:
    """A kill while a checkpoint is written leaves a newer, incomplete checkpoint: resume must not pick it."""
    shutil.copytree(_pristine(killed_run) / "checkpoints", tmp_path / "checkpoints")
    checkpoints = tmp_path / "checkpoints"
    (complete,) = checkpoints.glob("checkpoint-*")
    torn = checkpoints / "checkpoint-9990"
    torn.mkdir()
    weights = (complete / "model.safetensors").read_bytes()
    (torn / "model.safetensors").write_bytes(weights[: len(weights) // 2])
    stale_state = checkpoints / "checkpoint-9991"
    shutil.copytree(complete, stale_state)  # trainer_state.json names another step: a copy, not this step's
    assert not is_complete_checkpoint(torn) and not is_complete_checkpoint(stale_state)
    assert last_complete_checkpoint(checkpoints) == complete
    assert not torn.exists() and not stale_state.exists()
    assert last_complete_checkpoint(tmp_path / "nowhere") is None
