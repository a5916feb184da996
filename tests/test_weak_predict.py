"""End to end: a run trained on soft targets with a self-training round, then `stance-predict system=weak`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.predict.output import summary_path_for
from pipeline.predict.weak import WeakPredictor
from pipeline.split import PysbdSplitter
from tests.cli_runner import SEED_DIR, hydra_args, run, train_args
from tests.test_predict import predict_whole_and_shards


@pytest.fixture(scope="module")
def soft_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    runs = tmp_path_factory.mktemp("work") / "runs"
    args = train_args(
        runs, "soft", "train.targets=soft", "train.loss=gce", "self_train.rounds=1", "self_train.pool=30",
        "self_train.threshold=0.0", "self_train.max_targets=12",
    )  # fmt: skip
    result = run("stance-train", *args, cwd=runs.parent)
    assert result.returncode == 0, result.explain()
    return runs / "soft"


def test_metrics_hold_the_paired_bootstrap_and_each_round(soft_run: Path):
    metrics = json.loads((soft_run / "metrics.json").read_text(encoding="utf-8"))
    pair = metrics["parts"]["all"]["model_vs_weak_labeller"]
    systems = metrics["parts"]["all"]["systems"]
    assert pair["a"] == pytest.approx(systems["model"]["macro_f1"])
    assert pair["b"] == pytest.approx(systems["weak_labeller"]["macro_f1"])
    assert pair["ci"][0] <= pair["diff"] <= pair["ci"][1]
    rounds = metrics["self_training"]
    assert [r["round"] for r in rounds] == [0, 1]
    assert rounds[1]["pool"] == 30 and sum(rounds[1]["targets"].values()) > 0  # threshold 0: some targets
    report = (soft_run / "report.md").read_text(encoding="utf-8")
    assert "Self-training" in report and "model - weak labeller" in report


def test_system_weak_gives_the_runs_own_weak_labels_and_votes(soft_run: Path, tmp_path: Path):
    out = tmp_path / "weak.jsonl"
    args = [f"model={soft_run}", f"input={SEED_DIR}", f"output={out}", "system=weak", "progress=false"]
    result = run("stance-predict", *args, *hydra_args(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.explain()
    predicted = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    stored = [json.loads(line) for line in (soft_run / "weak_labels.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(predicted) == len(stored) > 0
    for p, s in zip(predicted, stored, strict=True):
        assert (p["doc"], p["start"], p["end"]) == (s["doc"], s["start"], s["end"])
        assert p["votes"] == s["votes"]
        for label, prob in s["probs"].items():
            assert p[f"p_{label}"] == pytest.approx(prob, abs=1e-5)
        if s["label"] is not None and sorted(s["probs"].values())[-2] < max(s["probs"].values()):
            assert p["label"] == s["label"]  # no tie: the label model's label is the most probable one


def test_weak_labelling_in_shards_concatenates_to_the_whole(soft_run: Path, tmp_path: Path):
    """`stance-predict system=weak shard=i/n`: shards written one after another are the unsharded output."""
    folder = tmp_path / "docs"
    folder.mkdir()
    text = (SEED_DIR / "000_2e6cc240c023ba1f.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    for number in range(5):  # five documents cut from the seed, so that each shard holds some
        (folder / f"doc{number}.txt").write_text("\n\n".join(paragraphs[number::5]), encoding="utf-8")
    labeller = WeakPredictor(soft_run, threads=1)
    whole, parts = predict_whole_and_shards(folder, labeller, PysbdSplitter(), tmp_path, shards=2, chunk_docs=2)
    assert all(p.read_bytes() for p in parts), "every shard holds documents"
    assert b"".join(p.read_bytes() for p in parts) == whole.read_bytes()
    assert all("votes" in json.loads(line) for line in whole.read_text(encoding="utf-8").splitlines())
    summaries = [summary_path_for(p).read_text(encoding="utf-8").splitlines()[1:] for p in parts]
    assert sum(summaries, []) == summary_path_for(whole).read_text(encoding="utf-8").splitlines()[1:]
