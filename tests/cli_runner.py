"""Run the real console scripts (``stance-train``, ``stance-predict``, ``stance-compare``) as subprocesses.

Shared by the end-to-end tests of bad input, crash safety and determinism: each checks what a user at the
terminal gets (exit status, stderr lines, files left behind), not what a function raises.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SEED_DIR = ROOT / "seeds"
SEED_DOC = SEED_DIR / "000_2e6cc240c023ba1f.txt"
SEED_GOLD = SEED_DIR / "gold" / "seed_gold.jsonl"
ENV = {
    **os.environ,
    "OMP_NUM_THREADS": "1",
    "OMP_WAIT_POLICY": "PASSIVE",
    "HF_HUB_OFFLINE": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


@dataclass(frozen=True)
class Result:
    """What a user sees: the exit status and the two streams."""

    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def stderr_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    @property
    def warnings(self) -> list[str]:
        """Logged warnings, on either stream (Hydra's console log handler writes to stdout by default)."""
        return [line for line in (self.stdout + "\n" + self.stderr).splitlines() if "WARNING" in line]

    def explain(self) -> str:
        return (
            f"{' '.join(self.args)}\n--- exit {self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"
        )


def command(program: str) -> str:
    """The console script installed beside the running interpreter (the project's venv)."""
    return str(BIN / program)


def hydra_args(work: Path) -> list[str]:
    """Keep Hydra's own log folder inside the test's temporary folder."""
    return [f"hydra.run.dir={work / 'hydra'}"]


def train_args(runs_dir: Path, name: str, *extra: str) -> list[str]:
    """A seconds-long ``stance-train``: the tiny random BERT on the seed document and its gold set."""
    return [
        "experiment=quick",
        "model=tiny",
        f"name={name}",
        f"runs_dir={runs_dir}",
        f"corpus.path={SEED_DIR}",
        f"gold.path={SEED_GOLD}",
        "gold.n_bootstrap=50",
        "progress=false",
        *hydra_args(runs_dir.parent),
        *extra,
    ]


def run(program: str, *args: str, cwd: Path, timeout: float = 300) -> Result:
    """Run a console script to the end in ``cwd`` (so relative default outputs land in the test's folder)."""
    done = subprocess.run(
        [command(program), *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout, check=False
    )
    return Result((program, *args), done.returncode, done.stdout, done.stderr)


def start(program: str, *args: str, cwd: Path) -> subprocess.Popen[str]:
    """Start a console script without waiting for it (its output is discarded)."""
    return subprocess.Popen(
        [command(program), *args], cwd=cwd, env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True
    )


def assert_one_line_error(result: Result, program: str, *fragments: str, status: int | None = None) -> str:
    """The command failed with exactly one ``<program>: error: ...`` line holding every fragment, no traceback.

    Other stderr lines may only be logged warnings (a skipped file, say), never a second error line.
    Returns the error line.
    """
    assert result.returncode != 0, result.explain()
    if status is not None:
        assert result.returncode == status, result.explain()
    assert "Traceback" not in result.stderr, result.explain()
    errors = [line for line in result.stderr_lines if line.startswith(f"{program}: error: ")]
    assert len(errors) == 1, result.explain()
    others = [line for line in result.stderr_lines if line not in errors]
    assert all("WARNING" in line for line in others), result.explain()
    for fragment in fragments:
        assert fragment in errors[0], f"{fragment!r} not in the error line\n{result.explain()}"
    return errors[0]


def files_under(folder: Path) -> list[str]:
    """Every file and folder below ``folder`` (hidden ones included), relative, sorted."""
    if not folder.exists():
        return []
    return sorted(path.relative_to(folder).as_posix() for path in folder.rglob("*"))


# Long enough to be killed between checkpoints (60 steps of the tiny model: a few seconds), short enough for CI.
SHORT_TRAINING: tuple[str, ...] = ("train.max_steps=60", "train.save_steps=10")

_REFERENCE_RUNS: dict[tuple[str, ...], Path] = {}


def reference_run(runs_dir: Path, name: str, *extra: str) -> Path:
    """A finished run of ``train_args(..., *extra)``, trained once per test session and shared.

    The crash test compares a resumed run with it and the determinism test trains the same config a second
    time, so the uninterrupted run is trained only once when both run in one session.
    """
    if extra not in _REFERENCE_RUNS:
        result = run("stance-train", *train_args(runs_dir, name, *extra), cwd=runs_dir.parent)
        assert result.returncode == 0, result.explain()
        _REFERENCE_RUNS[extra] = runs_dir / name
    return _REFERENCE_RUNS[extra]


def results(metrics_path: Path) -> dict:
    """A run's metrics.json without ``stages`` (seconds and memory the machine measured, not results of the run)."""
    metrics = json.loads(metrics_path.read_text())
    assert set(metrics["stages"]) >= {"split", "weak", "train", "evaluate"}  # measured, and present in every run
    metrics.pop("stages")
    return metrics
