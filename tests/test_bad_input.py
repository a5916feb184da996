"""Bad input, end to end: what a user at the terminal gets from the real commands.

Each test backs a row of docs/bad-input.md. A refused input gives exit status 1 (2 for a config error) and
exactly one ``<command>: error: ...`` line on stderr naming the file and line, or the key, with no traceback
and nothing left that looks finished; a bad file inside a corpus is skipped with one warning line naming it,
counted in the summary, and the command keeps working.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from pipeline.entry import check_config, guarded
from pipeline.errors import InputError
from tests.cli_runner import (
    ROOT,
    SEED_DOC,
    SEED_GOLD,
    Result,
    assert_one_line_error,
    files_under,
    hydra_args,
    run,
    train_args,
)

pytestmark = pytest.mark.slow

LEGACY_TEXT = "Les troupes étrangères doivent quitter le pays. Nous refusons leur présence."
HOSTILE_ID = "../../escape"
HOSTILE_TEXT = "${oc.env:HOME} {0} %s <script>alert(1)</script> __import__('os').system('touch pwned')."
LONG_SENTENCE = "The foreign troops " + "really " * 200 + "must leave now."


def _train_fails(tmp_path: Path, *overrides: str) -> Result:
    """``stance-train`` with overrides meant to fail before any work; checks that no run folder is left."""
    runs_dir = tmp_path / "runs"
    result = run("stance-train", *train_args(runs_dir, "bad", *overrides), cwd=tmp_path)
    assert files_under(runs_dir) == [], f"something was left in the runs folder\n{result.explain()}"
    return result


# ------------------------------------------------------------------------------------------------ corpus


def test_missing_corpus_path_is_one_line_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    result = _train_fails(tmp_path, f"corpus.path={missing}")
    assert_one_line_error(result, "stance-train", f"{missing}: corpus path does not exist", status=1)


def test_a_corpus_of_only_bad_files_is_refused_naming_each(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02 troops \x00" * 50)
    result = _train_fails(tmp_path, f"corpus.path={corpus}")
    assert_one_line_error(result, "stance-train", str(corpus), "no readable document", status=1)
    warnings = result.warnings
    assert any(f"{corpus / 'empty.txt'}: empty" in line for line in warnings), result.explain()
    assert any(f"{corpus / 'binary.txt'}: binary" in line for line in warnings), result.explain()


@pytest.fixture(scope="module")
def mixed_prediction(tiny_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    """One ``stance-predict`` over a folder holding a good document and one of each bad kind."""
    work = tmp_path_factory.mktemp("mixed")
    corpus = work / "corpus"
    corpus.mkdir()
    shutil.copy(SEED_DOC, corpus / "good.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02 troops \x00" * 50)
    (corpus / "legacy.txt").write_bytes(LEGACY_TEXT.encode("cp1252"))
    with (corpus / "huge.txt").open("wb") as handle:  # 100 MB, one document
        handle.write(b"troops " * 14_285_715)
    (corpus / "nopunct.txt").write_text(" ".join(["troops"] * 3000), encoding="utf-8")
    (corpus / "longsent.txt").write_text(LONG_SENTENCE, encoding="utf-8")
    (corpus / "units.jsonl").write_text(json.dumps({"id": HOSTILE_ID, "text": HOSTILE_TEXT}) + "\n", "utf-8")
    output = work / "out" / "predictions.jsonl"
    result = run(
        "stance-predict",
        f"model={tiny_model_dir}",
        f"input={corpus}",
        f"output={output}",
        "fast_path=fp32",
        "progress=false",
        *hydra_args(work),
        cwd=work,
    )
    assert result.returncode == 0, result.explain()
    return result, output


def _records(output: Path, doc: str | None = None) -> list[dict]:
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    return [r for r in records if doc is None or r["doc"] == doc]


def _warning(result: Result, *fragments: str) -> str:
    matches = [line for line in result.warnings if all(fragment in line for fragment in fragments)]
    assert len(matches) == 1, f"expected one warning with {fragments}\n{result.explain()}"
    return matches[0]


def test_a_corpus_with_bad_files_keeps_working_and_says_what_was_skipped(mixed_prediction) -> None:  # noqa: ANN001
    result, output = mixed_prediction
    assert "Traceback" not in result.stderr and "error:" not in result.stderr
    assert all("WARNING" in line for line in result.stderr_lines), result.explain()
    summary = re.search(r"predicted (\d+) documents, (\d+) sentences \((\d+) truncated\)", result.stdout)
    assert summary, result.explain()
    assert int(summary[1]) == 5 and int(summary[2]) == len(_records(output))
    assert "skipped files: 1 binary, 1 empty, 1 too large" in result.stdout
    with (output.parent / "predictions.jsonl.summary.csv").open(newline="") as handle:
        docs = [row["doc"] for row in csv.DictReader(handle)]
    assert sorted(docs) == sorted([HOSTILE_ID, "good", "legacy", "longsent", "nopunct"])


def test_an_empty_file_is_skipped_with_a_warning(mixed_prediction) -> None:  # noqa: ANN001
    result, output = mixed_prediction
    _warning(result, "empty.txt", "empty: the file holds no text")
    assert _records(output, "empty") == []


def test_a_binary_file_is_skipped_with_a_warning(mixed_prediction) -> None:  # noqa: ANN001
    result, output = mixed_prediction
    _warning(result, "binary.txt", "binary")
    assert _records(output, "binary") == []


def test_a_non_utf8_file_is_decoded_and_the_encoding_named(mixed_prediction) -> None:  # noqa: ANN001
    result, output = mixed_prediction
    _warning(result, "legacy.txt", "not UTF-8", "cp1252")
    records = _records(output, "legacy")
    assert [r["text"] for r in records] == [
        "Les troupes étrangères doivent quitter le pays.",
        "Nous refusons leur présence.",
    ]
    assert all(LEGACY_TEXT[r["start"] : r["end"]] == r["text"] for r in records)


def test_a_100_mb_document_is_skipped_unread_with_the_limit_named(mixed_prediction) -> None:  # noqa: ANN001
    result, output = mixed_prediction
    _warning(result, "huge.txt", "too large: 100.0 MB is above max_document_mb=50")
    assert _records(output, "huge") == []


def test_a_document_without_sentence_punctuation_is_cut_and_flagged(mixed_prediction) -> None:  # noqa: ANN001
    _, output = mixed_prediction
    records = _records(output, "nopunct")
    source = " ".join(["troops"] * 3000)
    assert len(records) >= 10 and all(len(r["text"]) <= 2000 for r in records)
    assert all(source[r["start"] : r["end"]] == r["text"] for r in records)
    assert " ".join(r["text"] for r in records) == source, "nothing lost between the pieces"
    assert all(r["truncated"] for r in records), "each 2000-character piece is longer than 128 tokens"


def test_a_sentence_longer_than_the_model_maximum_is_flagged_truncated(mixed_prediction) -> None:  # noqa: ANN001
    result, output = mixed_prediction
    (record,) = _records(output, "longsent")
    assert record["text"] == LONG_SENTENCE and record["truncated"] is True
    truncated = sum(r["truncated"] for r in _records(output))
    assert f"({truncated} truncated)" in result.stdout
    assert not any(r["truncated"] for r in _records(output, "good")), "short sentences are not flagged"


def test_input_text_is_only_data_and_outputs_stay_beside_the_output(mixed_prediction) -> None:  # noqa: ANN001
    _, output = mixed_prediction
    records = _records(output, HOSTILE_ID)
    assert records and records[0]["text"].startswith("${oc.env:HOME} {0} %s <script>")
    assert all(HOSTILE_TEXT[r["start"] : r["end"]] == r["text"] for r in records)
    work = output.parent.parent
    assert not list(work.parent.rglob("pwned")) and not list(work.parent.rglob("escape*"))
    assert files_under(output.parent) == [
        "predictions.jsonl",
        "predictions.jsonl.progress",
        "predictions.jsonl.summary.csv",
    ]


def test_predicting_a_missing_input_leaves_no_output(tiny_model_dir: Path, tmp_path: Path) -> None:
    from pipeline.corpus import Corpus
    from pipeline.predict import Predictor, predict_corpus

    output = tmp_path / "out" / "p.jsonl"
    with pytest.raises(InputError, match="does not exist"):
        predict_corpus(Corpus(tmp_path / "nowhere"), Predictor(tiny_model_dir), None, output, progress=False)
    assert files_under(tmp_path / "out") == []


# -------------------------------------------------------------------------------------------------- gold


def _gold_variant(tmp_path: Path, change) -> Path:  # noqa: ANN001
    """The seed gold set with one change applied to its parsed lines, written to ``tmp_path/gold.jsonl``."""
    records = [json.loads(line) for line in SEED_GOLD.read_text(encoding="utf-8").splitlines()]
    lines = change(records)
    gold = tmp_path / "gold.jsonl"
    gold.write_text("\n".join(line if isinstance(line, str) else json.dumps(line) for line in lines) + "\n")
    return gold


def _bad_json(records: list[dict]) -> list:
    return [records[0], json.dumps(records[1])[:-1], *records[2:]]


def _missing_label(records: list[dict]) -> list:
    return [*records[:2], {k: v for k, v in records[2].items() if k != "label"}, *records[3:]]


def _duplicate_id(records: list[dict]) -> list:
    return [*records[:4], records[4] | {"id": records[0]["id"]}, *records[5:]]


def _shifted_offsets(records: list[dict]) -> list:
    return [*records[:3], records[3] | {"start": records[3]["start"] + 1, "end": records[3]["end"] + 1}, *records[4:]]


def _other_corpus(records: list[dict]) -> list:
    return [record | {"doc": "some_other_speech"} for record in records]


@pytest.mark.parametrize(
    ("change", "line", "fragments"),
    [
        (_bad_json, 2, ["not valid JSON"]),
        (_missing_label, 3, ["missing field 'label'"]),
        (_duplicate_id, 5, ["duplicate id", "first seen on line 1"]),
        (_shifted_offsets, 4, ["offsets", "not its text"]),
        (_other_corpus, None, ["no gold document is in the corpus", "some_other_speech"]),
    ],
    ids=["bad-json", "missing-field", "duplicate-id", "offsets-do-not-slice", "no-shared-sentence"],
)
def test_bad_gold_is_refused_before_any_run_folder(tmp_path: Path, change, line: int | None, fragments) -> None:  # noqa: ANN001
    gold = _gold_variant(tmp_path, change)
    result = _train_fails(tmp_path, f"gold.path={gold}")
    where = f"{gold}:{line}: " if line else f"{gold}: "
    assert_one_line_error(result, "stance-train", where, *fragments, status=1)


# ------------------------------------------------------------------------------------------------ config


def test_a_misspelt_key_stops_the_real_command_before_any_work(tmp_path: Path) -> None:
    result = _train_fails(tmp_path, "train.epoks=3")
    assert_one_line_error(result, "stance-train", "train.epoks", "allowed keys in train", "epochs", status=2)
    assert files_under(tmp_path) == [], "not even Hydra's log folder: the config is checked first"


def _config_error(capsys: pytest.CaptureFixture[str], program: str, config: str, *overrides: str) -> str:
    with pytest.raises(SystemExit) as stopped:
        check_config(program, config, list(overrides))
    assert stopped.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{program}: error: "), lines
    return lines[0]


@pytest.mark.parametrize(
    ("program", "config", "overrides", "fragments"),
    [
        ("stance-predict", "predict", ["model=m", "input=i", "modle=m"], ["modle", "allowed keys", "model"]),
        ("stance-predict", "predict", ["model=m", "input=i", "batch_size=0"], ["batch_size", "greater than 0"]),
        ("stance-predict", "predict", ["model=m", "input=i", "split=words"], ["split", "sentences", "none"]),
        ("stance-compare", "compare", ["n_bootstrap=many"], ["n_bootstrap", "Integer"]),
        ("stance-train", "train", ["splitter=spacy"], ["splitter/spacy", "allowed: pysbd"]),
        ("stance-train", "train", ["seed=-1"], ["seed", "0 or more"]),
    ],
)
def test_config_errors_of_each_command_are_one_line(capsys, program, config, overrides, fragments) -> None:  # noqa: ANN001
    line = _config_error(capsys, program, config, *overrides)
    for fragment in fragments:
        assert fragment in line, line


@pytest.mark.parametrize(
    ("program", "config", "overrides", "key"),
    [
        ("stance-train", "train", ["+trian.epochs=1"], "trian"),  # '+' adds a key that no stage reads
        ("stance-predict", "predict", ["input=i"], "model"),  # a missing mandatory value
        ("stance-train", "train", ["train.max_steps=-5"], "train.max_steps"),  # -1 (use epochs) or > 0
        ("stance-train", "train", ["splitter.unwrap=maybe"], "splitter.unwrap"),  # auto, true or false
        ("stance-train", "train", ["weak.lf_groups=[patterns,bogus]"], "weak.lf_groups"),
        ("stance-train", "train", ["train.max_length=100000"], "train.max_length"),  # the model has 512
        ("stance-train", "train", ["name=../elsewhere"], "name"),  # a run name must be a plain folder name
    ],
    ids=["append-unknown", "missing-model", "max-steps", "unwrap", "lf-group", "max-length", "name"],
)
def test_config_values_that_types_alone_cannot_catch(capsys, program, config, overrides, key) -> None:  # noqa: ANN001
    assert key in _config_error(capsys, program, config, *overrides)


def test_an_error_raised_while_building_a_stage_is_one_line(capsys) -> None:  # noqa: ANN001
    from hydra.utils import instantiate

    def build() -> object:
        return instantiate({"_target_": "pipeline.split.PysbdSplitter", "unwrap": "maybe"})

    with pytest.raises(SystemExit) as stopped:
        guarded("stance-train", False, build)
    assert stopped.value.code == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("stance-train: error: config key 'splitter.unwrap'")


def test_debug_shows_the_traceback_instead_of_one_line(capsys) -> None:  # noqa: ANN001
    def fail() -> object:
        raise InputError("broken", file="x.txt", line=3)

    with pytest.raises(SystemExit) as stopped:
        guarded("stance-train", False, fail)
    assert stopped.value.code == 1
    assert capsys.readouterr().err == "stance-train: error: x.txt:3: broken\n"
    with pytest.raises(InputError, match="broken"):
        guarded("stance-train", True, fail)


# ------------------------------------------------------------------------------------------------- model


def _damaged_model(tiny_model_dir: Path, tmp_path: Path, damage: str) -> Path:
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    if damage == "missing-files":
        (model / "config.json").unlink()
    elif damage == "pickle-only":
        import torch
        from safetensors.torch import load_file

        torch.save(load_file(model / "model.safetensors"), model / "pytorch_model.bin")
        (model / "model.safetensors").unlink()
    elif damage == "other-labels":
        config = json.loads((model / "config.json").read_text())
        config["id2label"] = {"0": "negative", "1": "positive", "2": "neutral"}
        (model / "config.json").write_text(json.dumps(config))
    return model


@pytest.mark.parametrize(
    ("damage", "fragments"),
    [
        ("missing-files", ["no config.json in the model folder"]),
        ("pickle-only", ["only pickle weights", "refused", "safe_serialization=True"]),
        ("other-labels", ["config.json", "the model's labels", "negative", "against"]),
    ],
)
def test_a_bad_model_folder_is_refused_before_any_output(tiny_model_dir, tmp_path, damage, fragments) -> None:  # noqa: ANN001
    model = _damaged_model(tiny_model_dir, tmp_path, damage)
    output = tmp_path / "out" / "p.jsonl"
    result = run(
        "stance-predict", f"model={model}", f"input={SEED_DOC}", f"output={output}", *hydra_args(tmp_path), cwd=tmp_path
    )
    line = assert_one_line_error(result, "stance-predict", str(model), *fragments, status=1)
    assert line.count(str(model)) >= 1
    assert not (tmp_path / "out").exists()


def test_training_from_pickle_only_weights_is_refused(tiny_model_dir: Path, tmp_path: Path) -> None:
    model = _damaged_model(tiny_model_dir, tmp_path, "pickle-only")
    runs_dir = tmp_path / "runs"
    result = run(
        "stance-train",
        *train_args(runs_dir, "pickled", "model=distilbert", f"model.path_or_id={model}"),
        cwd=tmp_path,
    )
    assert_one_line_error(result, "stance-train", str(model), "model.safetensors", status=1)
    assert not (runs_dir / "pickled").exists(), "nothing that looks finished"


# ---------------------------------------------------------------------------------------------- security


def test_a_run_name_cannot_write_outside_the_runs_folder(tmp_path: Path) -> None:
    runs_dir = tmp_path / "area" / "runs"
    result = run("stance-train", *train_args(runs_dir, "../../escaped"), cwd=tmp_path)
    assert_one_line_error(result, "stance-train", "'../../escaped' is not a plain folder name", status=2)
    assert not runs_dir.exists()
    assert not [path for path in files_under(tmp_path.parent) if "escaped" in path]


def test_weights_only_from_safetensors_and_remote_code_never_trusted() -> None:
    """The source itself: every weight load asks for safetensors and no call trusts remote code."""
    sources = {path: path.read_text(encoding="utf-8") for path in (ROOT / "pipeline").rglob("*.py")}
    for path, text in sources.items():
        assert not re.search(r"trust_remote_code\s*=\s*(?!False)", text), path
        assert not re.search(r"\btorch\.load\(|\bpickle\.loads?\(|\bjoblib\.load\(", text), path
    loads = re.compile(r"(?:AutoModel\w*|\w+ForSequenceClassification)\.from_pretrained\((?:[^()]|\([^()]*\))*\)")
    for path, text in sources.items():
        for call in loads.finditer(text):
            assert "use_safetensors=True" in call.group(0), f"{path}: {call.group(0)}"
    assert any("use_safetensors=True" in text for text in sources.values())
