"""A run folder, written atomically: built under a hidden temporary name, renamed into place when complete.

A run killed at any point leaves only ``.<name>.partial/``, which nothing treats as finished; ``resume`` picks
that folder up again (its training checkpoints included). See docs/run-folder.md for what a run holds.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.io import write_json, write_text_atomic

COMPLETE = "complete"
RUN_FILE = "run.json"


def safe_child(root: Path, name: str) -> Path:
    """``root / name``, refusing names that would leave ``root`` (``..``, absolute paths, separators)."""
    if not name or name in {".", ".."} or "/" in name or "\\" in name or name.startswith("."):
        raise InputError(f"run name '{name}' is not a plain folder name", fix="use letters, digits, - and _")
    return root / name


# Partial folders this process is writing: the training workflow evaluates its own model before the run is
# complete, while any other process (stance-predict, stance-compare) must treat a partial folder as unusable.
_LIVE_PARTIALS: set[Path] = set()


class RunFolder:
    """Where one training run writes. Files go to :attr:`path` (the partial folder) until :meth:`finish`."""

    def __init__(self, root: str | Path, name: str, *, resume: bool = False) -> None:
        self.root = Path(root)
        self.name = name
        self.final = safe_child(self.root, name)
        self.path = self.root / f".{name}.partial"
        self.resume = resume

    def start(self, config_yaml: str | None = None) -> Path:
        """Create (or, with resume, reopen) the partial folder; refuse to overwrite a finished run.

        ``config_yaml`` is written at once, so that a resumed run can check it continues the same config.
        """
        if self.final.exists():
            raise InputError(
                "a finished run with this name exists already",
                file=self.final,
                fix="choose another name=..., or delete the folder",
            )
        if self.path.exists() and not self.resume:
            raise InputError(
                "an interrupted run of this name exists; starting afresh would delete its checkpoints",
                file=self.path,
                fix="add resume=true to continue it, or delete the folder, or choose another name=...",
            )
        if self.resume and not self.path.exists():
            raise InputError(
                "no interrupted run of this name to resume",
                file=self.path,
                fix="drop resume=true, or give the interrupted run's name=...",
            )
        self.path.mkdir(parents=True, exist_ok=True)
        _LIVE_PARTIALS.add(self.path.resolve())
        if config_yaml is not None:
            self._check_or_write_config(config_yaml)
        return self.path

    def _check_or_write_config(self, config_yaml: str) -> None:
        saved = self.path / "config.yaml"
        if self.resume and saved.is_file():
            before, now = _comparable(saved.read_text(encoding="utf-8")), _comparable(config_yaml)
            if before != now:
                changed = sorted(set(before.splitlines()) ^ set(now.splitlines()))
                raise InputError(
                    "resume=true with settings that differ from the interrupted run's: " + "; ".join(changed[:4]),
                    file=saved,
                    fix="resume with the same overrides as the interrupted run",
                )
        write_text_atomic(saved, config_yaml)

    @property
    def checkpoints(self) -> Path:
        return self.path / "checkpoints"

    def finish(self, info: dict[str, Any]) -> Path:
        """Mark the run complete and move it into place in one rename; checkpoints are dropped first."""
        shutil.rmtree(self.checkpoints, ignore_errors=True)
        record = {
            "name": self.name,
            "status": COMPLETE,
            "created": dt.datetime.now().isoformat(timespec="seconds"),
        }
        write_json(self.path / RUN_FILE, record | info)
        os.replace(self.path, self.final)
        _LIVE_PARTIALS.discard(self.path.resolve())
        return self.final


CHECKPOINT_PREFIX = "checkpoint-"
TRAINER_STATE = "trainer_state.json"
CHECKPOINT_WEIGHTS = ("model.safetensors", "model.safetensors.index.json")


def _checkpoint_step(folder: Path) -> int | None:
    suffix = folder.name[len(CHECKPOINT_PREFIX) :]
    return int(suffix) if folder.name.startswith(CHECKPOINT_PREFIX) and suffix.isdigit() else None


def is_complete_checkpoint(folder: Path) -> bool:
    """A training checkpoint written to the end.

    The Hugging Face Trainer writes a checkpoint in place (weights, optimiser, scheduler, RNG state) and its
    ``trainer_state.json`` last, so a checkpoint whose state file is missing, torn, or names another step was
    cut short by a crash and cannot be resumed from.
    """
    step = _checkpoint_step(folder)
    if step is None or not folder.is_dir() or not any((folder / name).is_file() for name in CHECKPOINT_WEIGHTS):
        return False
    try:
        state = json.loads((folder / TRAINER_STATE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return False
    return isinstance(state, dict) and state.get("global_step") == step


def last_complete_checkpoint(checkpoint_dir: Path, *, remove_torn: bool = True) -> Path | None:
    """The newest complete checkpoint under ``checkpoint_dir``, or None.

    A checkpoint cut short by a crash is newer than the last complete one; left in place, the Trainer's
    ``resume_from_checkpoint=True`` would pick it and fail. With ``remove_torn`` such checkpoints (newer than
    the one returned) are deleted, so the resumed training writes its next checkpoint afresh.
    """
    if not checkpoint_dir.is_dir():
        return None
    found = sorted(
        (step, folder) for folder in checkpoint_dir.iterdir() if (step := _checkpoint_step(folder)) is not None
    )
    best: Path | None = None
    torn: list[Path] = []
    for _, folder in reversed(found):
        if is_complete_checkpoint(folder):
            best = folder
            break
        torn.append(folder)
    if remove_torn:
        for folder in torn:
            shutil.rmtree(folder, ignore_errors=True)
    return best


def _comparable(config_yaml: str) -> str:
    """A run's config without the settings that may change on resume (resume itself, progress bars)."""
    keep = [line for line in config_yaml.splitlines() if not line.startswith(("resume:", "progress:", "debug:"))]
    return "\n".join(keep)


def is_complete_run(path: Path) -> bool:
    """A finished run: ``run.json`` says complete and the folder is not a partial one."""
    marker = path / RUN_FILE
    if path.name.startswith(".") or not marker.is_file():
        return False
    try:
        return json.loads(marker.read_text(encoding="utf-8")).get("status") == COMPLETE
    except (OSError, json.JSONDecodeError):
        return False


def _inside_partial_run(path: Path) -> Path | None:
    """The ``.<name>.partial`` folder that ``path`` is in (or is), unless this process is writing it."""
    resolved = path.resolve()
    for folder in (resolved, *resolved.parents):
        if folder.name.startswith(".") and folder.name.endswith(".partial"):
            return None if folder in _LIVE_PARTIALS else folder
    return None


def resolve_model_dir(path: str | Path) -> Path:
    """The model folder behind ``path``: a finished run's ``model/``, or ``path`` itself if it is a model folder.

    Anything inside an unfinished run (its ``model/``, a training checkpoint) is refused: its weights may be
    those of an interrupted training, and nothing of a run is usable before the run is complete. The one
    exception is the run this process is writing (the workflow evaluates its freshly trained model).
    """
    folder = Path(path)
    if not folder.exists():
        raise InputError("model path does not exist", file=folder, fix="give a run folder or a model folder")
    partial = _inside_partial_run(folder)
    if partial is not None:
        raise InputError(
            "this is inside a run that did not finish, so its model is not usable",
            file=folder,
            fix=f"resume it with stance-train resume=true name={partial.name[1 : -len('.partial')]}, "
            "or use a finished run",
        )
    if (folder / "model").is_dir() or (folder / RUN_FILE).exists():
        if not is_complete_run(folder):
            raise InputError(
                "this run did not finish, so its model is not usable",
                file=folder,
                fix="resume it with stance-train resume=true name=... or use a finished run",
            )
        return folder / "model"
    return folder
