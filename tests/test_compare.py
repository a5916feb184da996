"""Comparing runs: built on fake complete run folders written to the docs/run-folder.md layout."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import f1_score

from pipeline.compare import (
    compare_runs,
    differing_overrides,
    find_runs,
    format_table,
    load_run,
    parse_overrides,
    run_compare,
    write_comparison,
)
from pipeline.errors import InputError
from pipeline.evaluate import classification_metrics
from pipeline.labels import LABELS

N_GOLD = 80


def _gold(n: int = N_GOLD) -> list[str]:
    rng = np.random.default_rng(0)
    return [str(x) for x in rng.choice(LABELS, size=n, p=[0.3, 0.15, 0.55])]


def _noisy(y_true: list[str], error_rate: float, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [str(rng.choice([lab for lab in LABELS if lab != y])) if rng.random() < error_rate else y for y in y_true]


def make_run(
    folder: Path,
    overrides: list[str],
    error_rate: float,
    seed: int = 0,
    status: str = "complete",
    ids_prefix: str = "g",
    train_s: float = 10.0,
) -> Path:
    """Write a run folder whose model makes ``error_rate`` errors on a synthetic gold part 'all'."""
    folder.mkdir(parents=True)
    y_true = _gold()
    predictions = {
        "model": _noisy(y_true, error_rate, seed=1000 + seed + int(error_rate * 100)),
        "weak_labeller": _noisy(y_true, 0.35, seed=7),
        "majority": ["none"] * len(y_true),
        "tfidf_lr": _noisy(y_true, 0.45, seed=8),
    }
    systems = {name: classification_metrics(y_true, pred, n_bootstrap=200) for name, pred in predictions.items()}
    metrics = {
        "gold": {"path": "gold.jsonl", "primary": "all"},
        "parts": {"all": {"n": len(y_true), "systems": systems}},
        "splitter": None,
    }
    (folder / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    run = {
        "name": folder.name,
        "status": status,
        "created": "2026-01-01T00:00:00",
        "seed": seed,
        "timings": {"split": 1.0, "weak": 2.0, "train": train_s, "evaluate": 1.0, "total": train_s + 4},
        "train_sentences": 500,
        "predict_sentences_per_s": 120.0,
    }
    (folder / "run.json").write_text(json.dumps(run), encoding="utf-8")
    (folder / "overrides.json").write_text(json.dumps(overrides), encoding="utf-8")
    with (folder / "gold_predictions.jsonl").open("w", encoding="utf-8") as out:
        for i, gold in enumerate(y_true):
            row = {"id": f"{ids_prefix}{i}", "part": "all", "gold": gold}
            row |= {name: pred[i] for name, pred in predictions.items()}
            out.write(json.dumps(row) + "\n")
    return folder


def _macro(error_rate: float, seed: int) -> float:
    y_true = _gold()
    pred = _noisy(y_true, error_rate, seed=1000 + seed + int(error_rate * 100))
    return float(f1_score(y_true, pred, labels=list(LABELS), average="macro", zero_division=0))


@pytest.fixture()
def runs_dir(tmp_path: Path) -> Path:
    runs = tmp_path / "runs"
    make_run(runs / "tiny", ["model=tiny", "train.epochs=1"], 0.4)
    make_run(runs / "minilm-s0", ["model=minilm", "train.epochs=1", "seed=0"], 0.1, seed=0)
    make_run(runs / "minilm-s1", ["model=minilm", "train.epochs=1", "seed=1"], 0.15, seed=1)
    make_run(runs / "minilm-s2", ["model=minilm", "train.epochs=1", "seed=2"], 0.2, seed=2)
    make_run(runs / "broken", ["model=tiny", "train.epochs=3"], 0.0, status="running")
    (runs / ".tmp-half-written").mkdir()
    (runs / ".tmp-half-written" / "run.json").write_text('{"status": "complete"}', encoding="utf-8")
    return runs


def test_find_runs_skips_incomplete_and_hidden(runs_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="pipeline.compare"):
        found = find_runs([runs_dir, runs_dir / "tiny"])
    assert sorted(p.name for p in found) == ["minilm-s0", "minilm-s1", "minilm-s2", "tiny"]
    assert "broken" in caplog.text and "'running'" in caplog.text
    with pytest.raises(InputError, match="no such run folder"):
        find_runs([runs_dir / "absent"])


def test_find_runs_in_multirun_job_folders(tmp_path: Path) -> None:
    sweep = tmp_path / "multiruns" / "2026-01-01_10-00-00"
    for job in (0, 1, 10, 2):
        make_run(sweep / str(job), [f"train.lr={job}"], 0.2)
    (sweep / "multirun.yaml").write_text("x: 1\n", encoding="utf-8")
    assert [p.name for p in find_runs([tmp_path / "multiruns"])] == ["0", "1", "2", "10"]
    assert [p.name for p in find_runs([sweep])] == ["0", "1", "2", "10"]


def test_load_run_reads_the_files(runs_dir: Path) -> None:
    run = load_run(runs_dir / "minilm-s1")
    assert run.name == "minilm-s1"
    assert run.overrides == ["model=minilm", "train.epochs=1", "seed=1"]
    assert run.seed == 1 and run.timings["train"] == 10.0 and run.predict_sentences_per_s == 120.0
    assert run.system("model")["macro_f1"] == pytest.approx(_macro(0.15, 1))
    with pytest.raises(InputError, match="not a complete run"):
        load_run(runs_dir / "broken")
    (runs_dir / "tiny" / "metrics.json").write_text('{"gold": {}}', encoding="utf-8")
    with pytest.raises(InputError, match=r"metrics\.json: lacks key 'primary'"):
        load_run(runs_dir / "tiny")


def test_overrides_parsing_and_differing_keys(runs_dir: Path) -> None:
    assert parse_overrides(["model=tiny", "+x.y=1", "++z=2", "~w", "a=b=c"]) == {
        "model": "tiny",
        "x.y": "1",
        "z": "2",
        "w": "<deleted>",
        "a": "b=c",
    }
    runs = [load_run(p) for p in find_runs([runs_dir])]
    assert differing_overrides(runs) == ["model"]  # train.epochs is shared, seed is not a configuration


def test_table_groups_seeds_and_sorts(runs_dir: Path) -> None:
    table = compare_runs(find_runs([runs_dir]))
    assert list(table["config"]) == ["model=minilm", "model=tiny"]
    assert table.attrs["override_keys"] == ["model"]
    assert list(table["model"]) == ["minilm", "tiny"]
    assert "train.epochs" not in table.columns and "seed" not in table.columns
    minilm, tiny = table.iloc[0], table.iloc[1]
    seeds = [_macro(rate, seed) for rate, seed in [(0.1, 0), (0.15, 1), (0.2, 2)]]
    assert minilm["n_seeds"] == 3 and minilm["seeds"] == "0, 1, 2"
    assert minilm["macro_f1"] == pytest.approx(np.mean(seeds))
    assert minilm["macro_f1_std"] == pytest.approx(np.std(seeds, ddof=1))
    assert minilm["runs"] == "minilm-s0, minilm-s1, minilm-s2"
    assert tiny["n_seeds"] == 1 and math.isnan(tiny["macro_f1_std"])
    assert tiny["macro_f1"] == pytest.approx(_macro(0.4, 0))
    assert tiny["macro_f1_ci_low"] < tiny["macro_f1"] < tiny["macro_f1_ci_high"]
    assert minilm["macro_f1"] > tiny["macro_f1"]
    for column in ["f1_against", "f1_favor", "f1_none", "weak_macro_f1", "majority_macro_f1", "tfidf_lr_macro_f1"]:
        assert 0.0 <= tiny[column] <= 1.0
    assert tiny["train_s"] == 10.0 and tiny["predict_sentences_per_s"] == 120.0
    assert tiny["part"] == "all" and tiny["n"] == N_GOLD


def test_against_adds_paired_columns(runs_dir: Path) -> None:
    table = compare_runs(find_runs([runs_dir]), against=runs_dir / "tiny", n_bootstrap=500)
    minilm, tiny = table.iloc[0], table.iloc[1]
    assert set(table["vs"]) == {"tiny"}
    assert tiny["diff"] == 0.0 and tiny["p_value"] == 1.0
    assert minilm["diff"] == pytest.approx(minilm["macro_f1"] - tiny["macro_f1"])
    assert 0 < minilm["diff_ci_low"] < minilm["diff"] < minilm["diff_ci_high"]
    assert minilm["p_value"] < 0.05


def test_against_with_different_gold_ids_is_an_error(runs_dir: Path, tmp_path: Path) -> None:
    other = make_run(tmp_path / "other" / "elsewhere", ["model=tiny"], 0.2, ids_prefix="h")
    with pytest.raises(InputError, match="gold ids on part 'all' differ from elsewhere's"):
        compare_runs(find_runs([runs_dir]), against=other)


def test_single_run_and_seed_only_runs(tmp_path: Path) -> None:
    make_run(tmp_path / "a" / "only", ["model=tiny"], 0.2)
    table = compare_runs(find_runs([tmp_path / "a"]))
    assert list(table["config"]) == ["only"] and table.attrs["override_keys"] == []
    make_run(tmp_path / "b" / "s0", ["model=tiny", "train.seed=0"], 0.2, seed=0)
    make_run(tmp_path / "b" / "s1", ["model=tiny", "train.seed=1"], 0.3, seed=1)
    table = compare_runs(find_runs([tmp_path / "b"]))
    assert len(table) == 1 and table.iloc[0]["n_seeds"] == 2 and table.iloc[0]["config"] == "model=tiny"
    with pytest.raises(InputError, match="no complete runs"):
        compare_runs([])


def test_write_comparison_files(runs_dir: Path, tmp_path: Path) -> None:
    table = compare_runs(find_runs([runs_dir]), against=runs_dir / "tiny", n_bootstrap=200)
    paths = write_comparison(table, tmp_path / "out")
    assert set(paths) == {"csv", "md", "png"}
    assert paths["png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    csv_lines = paths["csv"].read_text(encoding="utf-8").splitlines()
    assert csv_lines[0].startswith("config,runs,model,n_seeds") and len(csv_lines) == 3
    markdown = paths["md"].read_text(encoding="utf-8")
    assert "| model=minilm" in markdown and "diff vs tiny" in markdown
    printed = format_table(table)
    lines = printed.splitlines()
    assert len(lines) == 4 and len({len(line) for line in lines}) == 1  # aligned columns
    assert f"{table.iloc[0]['macro_f1']:.3f} [" in lines[2]


def test_run_compare_end_to_end(runs_dir: Path, tmp_path: Path) -> None:
    table, paths = run_compare([runs_dir], tmp_path / "cmp", n_bootstrap=100)
    assert len(table) == 2 and all(p.is_file() for p in paths.values())
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no complete runs under"):
        run_compare([empty], tmp_path / "cmp2")
