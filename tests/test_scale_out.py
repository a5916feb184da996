"""Training on existing engines: torchrun (CPU, gloo) and Hydra's submitit launcher with its local executor."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pipeline.runs import is_complete_run
from tests.conftest import ROOT

BIN = Path(sys.executable).parent
QUICK = ["experiment=quick", "progress=false"]


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        args, cwd=ROOT, capture_output=True, text=True, timeout=600, env=os.environ | {"OMP_NUM_THREADS": "1"} | env
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result


def test_training_runs_unchanged_under_torchrun_with_two_processes(tmp_path: Path):
    _run(
        [
            str(BIN / "torchrun"),
            "--nproc_per_node=2",
            "--no-python",
            str(BIN / "stance-train"),
            *QUICK,
            "name=ddp",
            f"runs_dir={tmp_path}",
        ]
    )
    run = tmp_path / "ddp"
    assert is_complete_run(run) and [p.name for p in tmp_path.iterdir()] == ["ddp"]
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["parts"]["all"]["n"] == 54
    assert (run / "model" / "model.safetensors").is_file() and (run / "report.md").is_file()
    # Each of the two processes trained on half the data per step: half the steps of one process.
    steps = json.loads((run / "run.json").read_text())["train"]["steps"]
    assert steps == 4  # 54 sentences, batch 8 per process, 2 processes, 1 epoch


def test_torchrun_without_a_run_name_is_refused(tmp_path: Path):
    result = subprocess.run(
        [
            str(BIN / "torchrun"),
            "--nproc_per_node=2",
            "--no-python",
            str(BIN / "stance-train"),
            *QUICK,
            f"runs_dir={tmp_path}",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode != 0 and "give it a name" in result.stderr


def test_sweep_through_the_submitit_local_launcher(tmp_path: Path):
    _run(
        [
            str(BIN / "stance-train"),
            "-m",
            "hydra/launcher=submitit_local",
            *QUICK,
            "seed=0,1",
            f"hydra.sweep.dir={tmp_path}",
        ]
    )
    runs = sorted(p.name for p in tmp_path.iterdir() if is_complete_run(p))
    assert runs == ["0_experiment=quick,seed=0", "1_experiment=quick,seed=1"]
    compared = _run([str(BIN / "stance-compare"), str(tmp_path)])
    assert "seeds" in compared.stdout and (tmp_path / "comparison.png").is_file()
