"""Structured configs reject bad overrides before any work, with one line naming the key and what is allowed."""

from __future__ import annotations

import pytest

from pipeline.cli import compare_argv
from pipeline.config_check import parse_shard, sweep_combinations
from pipeline.entry import check_config
from pipeline.errors import ConfigError


def _error(capsys: pytest.CaptureFixture[str], config: str, *overrides: str) -> str:
    with pytest.raises(SystemExit) as exit_info:
        check_config("stance-train", config, list(overrides))
    assert exit_info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("train.epoks=1", ["train.epoks", "allowed keys in train", "epochs"]),
        ("trian.epochs=1", ["trian", "allowed keys", "train"]),
        ("model=bogus", ["model/bogus", "allowed: distilbert, minilm, tiny"]),
        ("train.epochs=three", ["train.epochs", "Float"]),
        ("weak.label_model=vote", ["weak.label_model", "snorkel, majority"]),
        ("threads=0", ["threads", "greater than 0"]),
        ("train.warmup_ratio=1.5", ["train.warmup_ratio", "[0, 1)"]),
        ("train.near_miss_none=-5", ["train.near_miss_none", "0 or more"]),
        ("train.exemplar_repeat=0", ["train.exemplar_repeat", "greater than 0"]),
        ("train.max_train=0", ["train.max_train", "0 only with train.exemplars"]),
        ("gold.primary=nope", ["gold.primary"]),
    ],
)
def test_bad_train_overrides_fail_with_one_line(capsys, override, expected):
    err = _error(capsys, "train", override)
    for fragment in expected:
        assert fragment in err


def test_each_sweep_value_is_checked(capsys):
    err = _error(capsys, "train", "-m", "train.epochs=1,x")
    assert "train.epochs" in err and "'x'" in err


def test_good_overrides_and_experiments_pass(capsys, tiny_model_dir, tmp_path):
    check_config("stance-train", "train", ["-m", "model=tiny,minilm", "train.epochs=1,2", "experiment=ungd"])
    (tmp_path / "doc.txt").write_text("Troops must leave.", encoding="utf-8")
    predict = [f"model={tiny_model_dir}", f"input={tmp_path / 'doc.txt'}", f"output={tmp_path / 'out.jsonl'}"]
    check_config("stance-predict", "predict", [*predict, "fast_path=bf16", "shard=1/3"])
    assert capsys.readouterr().err == ""


def test_predict_config_checks_enums_and_shards(capsys):
    assert "fast_path" in _error(capsys, "predict", "fast_path=fp8")
    assert "shard" in _error(capsys, "predict", "shard=3/3")


def test_sweep_combinations_expand_the_product():
    combos = sweep_combinations(["model=tiny,minilm", "train.epochs=1,3", "seed=0"])
    assert len(combos) == 4 and ["model=tiny", "train.epochs=1", "seed=0"] in combos


def test_parse_shard():
    assert parse_shard("2/5") == (2, 5)
    for bad in ("5/5", "-1/2", "a/b", "3"):
        with pytest.raises(ConfigError):
            parse_shard(bad)


def test_compare_argv_turns_folders_and_against_into_overrides():
    argv = compare_argv(["artifacts/multiruns/x", "runs/b", "--against", "runs/b", "n_bootstrap=10"])
    assert argv == ["runs=['artifacts/multiruns/x','runs/b']", "against=runs/b", "n_bootstrap=10"]


def test_error_messages_name_settings_that_exist() -> None:
    from dataclasses import fields

    from pipeline.config import _APP_SCHEMAS, _GROUP_SCHEMAS, SelfTrainConfig, WeakConfig, setting_key
    from pipeline.config_check import _FRACTION, _NON_NEGATIVE, _POSITIVE, _SHARE

    schemas = list(_APP_SCHEMAS.values()) + [s for named in _GROUP_SCHEMAS.values() for s in named.values()]
    schemas.append(SelfTrainConfig)
    assert setting_key(SelfTrainConfig, "rounds") == "self_train.rounds"
    known = {f.name for schema in schemas for f in fields(schema)}
    assert known >= _POSITIVE | _NON_NEGATIVE | _FRACTION | _SHARE
    assert setting_key(WeakConfig, "lf_groups") == "weak.lf_groups"
    with pytest.raises(KeyError, match="groups"):
        setting_key(WeakConfig, "groups")
