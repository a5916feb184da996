from __future__ import annotations

import json

import pytest

from pipeline.errors import InputError
from pipeline.io import write_json
from pipeline.runs import RunFolder, is_complete_run, resolve_model_dir, safe_child


def test_run_is_hidden_until_finished_then_renamed(tmp_path):
    run = RunFolder(tmp_path, "r1")
    partial = run.start()
    assert partial.name == ".r1.partial" and not run.final.exists()
    (run.checkpoints / "checkpoint-1").mkdir(parents=True)
    (partial / "model").mkdir()
    assert not is_complete_run(partial)
    with pytest.raises(InputError):
        resolve_model_dir(partial)
    final = run.finish({"seed": 3})
    assert final == tmp_path / "r1" and not partial.exists()
    assert is_complete_run(final) and not (final / "checkpoints").exists()
    assert json.loads((final / "run.json").read_text())["seed"] == 3
    assert resolve_model_dir(final) == final / "model"


def test_finished_run_is_never_overwritten(tmp_path):
    run = RunFolder(tmp_path, "r1")
    run.start()
    run.finish({})
    with pytest.raises(InputError, match="exists already"):
        RunFolder(tmp_path, "r1").start()


def test_resume_keeps_the_partial_folder_and_a_fresh_start_refuses_to_delete_it(tmp_path):
    first = RunFolder(tmp_path, "r")
    first.start("seed: 0\nresume: false\n")
    (first.path / "keep.txt").write_text("x")
    RunFolder(tmp_path, "r", resume=True).start("seed: 0\nresume: true\n")
    assert (first.path / "keep.txt").exists()
    with pytest.raises(InputError, match="interrupted run of this name exists"):
        RunFolder(tmp_path, "r").start()
    assert (first.path / "keep.txt").exists()
    with pytest.raises(InputError, match="no interrupted run"):
        RunFolder(tmp_path, "other", resume=True).start()


def test_resume_with_other_settings_is_refused(tmp_path):
    RunFolder(tmp_path, "r").start("seed: 0\ntrain:\n  epochs: 1\n")
    with pytest.raises(InputError, match="differ") as error:
        RunFolder(tmp_path, "r", resume=True).start("seed: 0\ntrain:\n  epochs: 2\n")
    assert "epochs: 2" in str(error.value) and "\n" not in str(error.value)


@pytest.mark.parametrize("name", ["..", "../escape", "/abs", ".hidden", "a/b", ""])
def test_run_names_cannot_leave_the_runs_folder(tmp_path, name):
    with pytest.raises(InputError):
        safe_child(tmp_path, name)


def test_unfinished_run_json_is_not_complete(tmp_path):
    write_json(tmp_path / "run" / "run.json", {"status": "running"})
    assert not is_complete_run(tmp_path / "run")
    assert resolve_model_dir(tmp_path) == tmp_path  # a plain model folder is used as it is
