"""Training corpora over several folders minus held-out documents; no experiment may train on the test speeches."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hydra import compose, initialize_config_dir
from hydra.core.global_hydra import GlobalHydra
from omegaconf import OmegaConf

from pipeline.config import CorpusConfig, register_configs
from pipeline.errors import InputError
from pipeline.sources import CorpusUnion, build_corpus, read_id_list
from tests.conftest import ROOT, SHARED

HELDOUT_IDS = ROOT / "configs" / "corpus" / "ungd_train_heldout_ids.txt"


def _folder(root: Path, name: str, ids: list[str]) -> Path:
    folder = root / name
    folder.mkdir()
    for doc_id in ids:
        (folder / f"{doc_id}.txt").write_text(f"Speech {doc_id}. The troops must leave.", encoding="utf-8")
    return folder


def test_union_reads_every_folder_and_skips_the_excluded_ids(tmp_path: Path):
    first, second = _folder(tmp_path, "a", ["A_1", "A_2"]), _folder(tmp_path, "b", ["B_1", "B_2", "B_3"])
    ids = tmp_path / "held.txt"
    ids.write_text("# set aside\nB_2\n\n", encoding="utf-8")
    corpus = build_corpus(CorpusConfig(path=str(first), more_paths=[str(second)], exclude_ids=str(ids)))
    assert [d.id for d in corpus] == ["A_1", "A_2", "B_1", "B_3"]
    assert isinstance(corpus, CorpusUnion) and corpus.excluded == 1
    assert corpus.report.documents == 4


def test_a_document_id_in_two_folders_is_an_error(tmp_path: Path):
    first, second = _folder(tmp_path, "a", ["X"]), _folder(tmp_path, "b", ["X"])
    with pytest.raises(InputError, match="document id 'X'"):
        list(build_corpus(CorpusConfig(path=str(first), more_paths=[str(second)])))


def test_a_missing_id_list_is_a_one_line_error(tmp_path: Path):
    with pytest.raises(InputError) as error:
        read_id_list(tmp_path / "nope.txt")
    assert "corpus.exclude_ids" in error.value.one_line()


def _composed_corpus(experiment: str) -> CorpusConfig:
    register_configs("train")
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(ROOT / "configs"), version_base="1.3"):
        cfg = compose(config_name="stance_train", overrides=[f"experiment={experiment}"])
    GlobalHydra.instance().clear()
    return OmegaConf.to_object(cfg.corpus)  # type: ignore[return-value]


@pytest.mark.parametrize("experiment", sorted(p.stem for p in (ROOT / "configs" / "experiment").glob("*.yaml")))
def test_no_experiment_reads_a_held_out_speech(experiment: str):
    """Every experiment whose corpus reaches into ungd-train must exclude the set-aside speeches, which hold every
    sentence of every fresh test sample (100 more with each of the sixth and seventh samples: 300)."""
    held_out = read_id_list(HELDOUT_IDS)
    samples = sorted((ROOT / "benchmarks" / "data").glob("ungd_train_fresh*.jsonl"))
    assert len(samples) >= 7 and len(held_out) == 300
    for sample in samples:
        assert {json.loads(line)["doc"] for line in sample.read_text(encoding="utf-8").splitlines()} <= held_out
    corpus = _composed_corpus(experiment)
    paths = [corpus.path, *corpus.more_paths]
    reaches_train = any("ungd-train" in str(p) for p in paths)
    if reaches_train:
        assert corpus.exclude_ids is not None, f"experiment={experiment} reads ungd-train without exclude_ids"
        assert held_out <= read_id_list(ROOT / corpus.exclude_ids)
    for path in paths:  # and no other corpus folder holds one of them under another name
        folder = Path(str(path).replace("${shared_dir}", str(SHARED)))
        if folder.is_dir() and "ungd-train" not in str(path):
            assert not held_out & {p.stem for p in folder.glob("*.txt")}


def test_the_held_out_speeches_are_never_read_by_the_large_experiment():
    if not (SHARED / "corpora" / "ungd-train").is_dir():
        pytest.skip("../shared/corpora/ungd-train absent")
    corpus = _composed_corpus("ungd_large")
    corpus.path = str(corpus.path).replace("${shared_dir}", str(SHARED))
    union = build_corpus(corpus)
    assert isinstance(union, CorpusUnion)
    held_out = read_id_list(HELDOUT_IDS)
    read_ids = {f.stem for part in union.parts for f in part.files()} - union.exclude_ids
    assert held_out <= union.exclude_ids and not held_out & read_ids
