"""What a new user meets (issue 17): an honest quick start, and the rough edges of prediction.

Each test backs a row of docs/bad-input.md ("Prediction's rough edges" and "What the scores mean"). The
end-to-end ones run the real console scripts; the refused inputs among them must fail before the model loads,
so they take about a second and leave nothing behind, Hydra's log folder included.
"""

from __future__ import annotations

import codecs
import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.config import PredictAppConfig
from pipeline.corpus import Corpus
from pipeline.decode import CorpusReport, decode_bytes
from pipeline.io import unwritable_reason
from pipeline.plots import F1_AXIS, plot_comparison
from pipeline.predict import Predictor, predict_corpus, progress_path_for, summary_path_for
from pipeline.predict.output import legacy_summary_path_for
from pipeline.predict.stream import LOG_REDRAW_S, progress_bar
from tests.cli_runner import (
    ENV,
    ROOT,
    SEED_DOC,
    assert_one_line_error,
    command,
    files_under,
    hydra_args,
    run,
    train_args,
)
from tests.test_predict import RegexSplitter

SPEECH = " ".join(f"Sentence number {i} says the foreign troops must leave." for i in range(150))


@pytest.fixture(scope="module")
def tiny(tiny_model_dir: Path) -> Predictor:
    return Predictor(tiny_model_dir, fast_path="fp32")


def _predict_fails(tmp_path: Path, model: Path, *overrides: str) -> str:
    """``stance-predict`` meant to fail before the model loads: one line, nothing written (Hydra's folder neither)."""
    result = run("stance-predict", f"model={model}", *overrides, *hydra_args(tmp_path), cwd=tmp_path)
    assert not (tmp_path / "hydra").exists(), result.explain()
    assert not (tmp_path / "artifacts").exists(), result.explain()
    return assert_one_line_error(result, "stance-predict")


# ------------------------------------------------------------------------------------- 1. unwritable output


def test_an_output_in_a_folder_that_cannot_be_written_is_one_line_before_the_model_loads(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    # A path below a regular file cannot be created even by root (who ignores chmod 555): robust in any container.
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    line = _predict_fails(tmp_path, tiny_model_dir, f"input={SEED_DOC}", f"output={blocker / 'out' / 'p.jsonl'}")
    assert "cannot write the output" in line and str(blocker) in line and "output=" in line


def test_an_unwritable_runs_dir_is_one_line_before_any_work(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    result = run("stance-train", *train_args(blocker / "runs", "r"), cwd=tmp_path)
    line = assert_one_line_error(result, "stance-train", status=1)
    assert "cannot write the run" in line and "runs_dir=" in line
    assert not (tmp_path / "hydra").exists(), result.explain()


def test_a_folder_without_write_permission_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # os.access is what a non-root user meets with chmod 555; tests run as root, so it is simulated here.
    monkeypatch.setattr(os, "access", lambda *args, **kwargs: False)
    assert unwritable_reason(tmp_path / "new" / "deeper") == f"no permission to write in {tmp_path}"
    monkeypatch.undo()
    assert unwritable_reason(tmp_path / "new" / "deeper") is None
    assert not (tmp_path / "new").exists() and not list(tmp_path.iterdir()), "the check leaves nothing behind"


# ------------------------------------------------------------------------------------- 2. summary collision


def test_jsonl_and_csv_outputs_in_one_folder_keep_their_own_summaries(tiny: Predictor, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for folder, n in ((one, 1), (two, 3)):
        folder.mkdir()
        for i in range(n):
            (folder / f"d{i}.txt").write_text("Foreign troops must leave. We agree.", encoding="utf-8")
    out = tmp_path / "out"
    predict_corpus(Corpus(one), tiny, RegexSplitter(), out / "x.jsonl", progress=False)
    predict_corpus(Corpus(two), tiny, RegexSplitter(), out / "x.csv", progress=False)
    assert summary_path_for(out / "x.jsonl") != summary_path_for(out / "x.csv")
    assert len(summary_path_for(out / "x.jsonl").read_text().splitlines()) == 1 + 1
    assert len(summary_path_for(out / "x.csv").read_text().splitlines()) == 1 + 3


def test_resume_continues_a_summary_written_under_the_old_name(tiny: Predictor, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for i in range(4):
        (folder / f"d{i}.txt").write_text(f"Troops must leave {i}. We agree.", encoding="utf-8")
    reference = tmp_path / "ref" / "p.jsonl"
    predict_corpus(Corpus(folder), tiny, RegexSplitter(), reference, chunk_docs=1, progress=False)
    output = tmp_path / "old" / "p.jsonl"
    output.parent.mkdir()
    lines = reference.read_text().splitlines(keepends=True)
    summary = summary_path_for(reference).read_text().splitlines(keepends=True)
    output.write_text("".join(lines[:2]))  # d0's two sentences, as an output begun before the rename
    legacy_summary_path_for(output).write_text("".join(summary[:2]))
    progress = progress_path_for(reference).read_text().splitlines()
    mark = {"documents": 1, "last_doc": "d0", "output_bytes": output.stat().st_size}
    mark["summary_bytes"] = legacy_summary_path_for(output).stat().st_size
    progress_path_for(output).write_text(progress[0] + "\n" + json.dumps(mark) + "\n")
    predict_corpus(Corpus(folder), tiny, RegexSplitter(), output, chunk_docs=1, resume=True, progress=False)
    assert output.read_bytes() == reference.read_bytes()
    assert legacy_summary_path_for(output).read_bytes() == summary_path_for(reference).read_bytes()


# ------------------------------------------------------------------------------------- 3. byte-order mark


def test_offsets_of_a_file_with_a_byte_order_mark_index_it_read_as_utf8_sig(tiny: Predictor, tmp_path: Path) -> None:
    source = tmp_path / "speech.txt"
    source.write_bytes(codecs.BOM_UTF8 + b"Foreign troops must leave. We agree with that.")
    summary = predict_corpus(Corpus(source), tiny, RegexSplitter(), tmp_path / "p.jsonl", progress=False)
    text = source.open(encoding="utf-8-sig").read()
    records = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text().splitlines()]
    assert records and all(text[r["start"] : r["end"]] == r["text"] for r in records)
    assert "1 files began with a UTF-8 byte-order mark" in summary.line() and "utf-8-sig" in summary.line()


# ------------------------------------------------------------------------------------- 4. folder input


def test_a_corpus_folder_input_skips_readme_license_and_hidden_files(tmp_path: Path) -> None:
    corpus = tmp_path / "ungd-dev"  # the layout of ../shared/corpora/ungd-dev: speeches and a README.md
    (corpus / "sub").mkdir(parents=True)
    (corpus / "PAK_43_1988.txt").write_text("Foreign troops must leave.", encoding="utf-8")
    (corpus / "sub" / "FRA_43_1988.txt").write_text("We welcome them.", encoding="utf-8")
    for name in ("README.md", "LICENSE.txt", ".notes.txt", "sub/README.txt"):
        (corpus / name).write_text("About this corpus.", encoding="utf-8")
    settings = PredictAppConfig
    found = Corpus(corpus, suffixes=settings().suffixes, exclude=settings().exclude)
    assert [doc.id for doc in found] == ["PAK_43_1988", "sub/FRA_43_1988"]
    assert [doc.id for doc in Corpus(corpus / "README.md", exclude=settings().exclude)] == ["README"]


# ------------------------------------------------------------------------------------- 5. UTF-16


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Les troupes étrangères doivent partir.".encode("utf-16-le"), "utf-16-le"),
        ("Les troupes étrangères doivent partir.".encode("utf-16-be"), "utf-16-be"),
        ("Les troupes étrangères doivent partir.".encode("utf-16"), "utf-16"),  # with a byte-order mark
    ],
)
def test_utf16_is_decoded_with_a_notice(data: bytes, encoding: str, caplog: pytest.LogCaptureFixture) -> None:
    report = CorpusReport()
    with caplog.at_level("WARNING"):
        text = decode_bytes(data, "speech.txt", report)
    assert text == "Les troupes étrangères doivent partir."
    assert report.decoded_as == {"speech.txt": encoding} and not report.skipped
    assert f"speech.txt is not UTF-8; decoded it as {encoding}" in caplog.text


def test_binary_with_scattered_nul_bytes_is_still_binary() -> None:
    report = CorpusReport()
    assert decode_bytes(b"\x00\x01\x02 troops \x00" * 50, "b.bin", report) is None
    assert report.skipped[0][1].startswith("binary")


# ------------------------------------------------------------------------------------- 6. config errors


def test_a_predict_config_error_is_one_line_with_no_hydra_folder_and_no_torch(tmp_path: Path) -> None:
    result = run("stance-predict", f"model={tmp_path}", f"input={SEED_DOC}", "output=x.txt", cwd=tmp_path)
    assert_one_line_error(result, "stance-predict", "config key 'output'", ".jsonl or .csv", status=2)
    assert files_under(tmp_path) == [], "nothing written, not even artifacts/hydra/predict-*"
    probe = (
        "import sys\nfrom pipeline.entry import check_config\n"
        "try:\n    check_config('stance-predict', 'predict', sys.argv[1:])\nexcept SystemExit as e:\n"
        "    print(e.code, 'torch' in sys.modules, 'transformers' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, f"model={tmp_path}", f"input={SEED_DOC}", "output=x.txt"],
        cwd=tmp_path,
        env={**ENV, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.stdout.split() == ["2", "False", "False"], done.stdout + done.stderr


def test_an_existing_output_is_refused_before_the_model_loads(tiny_model_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "p.jsonl").write_text("{}\n")
    line = _predict_fails(tmp_path, tiny_model_dir, f"input={SEED_DOC}", f"output={tmp_path / 'p.jsonl'}")
    assert "output already exists" in line and "overwrite=true" in line


# ------------------------------------------------------------------------------------- 7. SIGINT at the end


def test_ctrl_c_once_the_output_is_complete_exits_0(tiny_model_dir: Path, tmp_path: Path) -> None:
    output = tmp_path / "p.jsonl"
    args = [f"model={tiny_model_dir}", f"input={SEED_DOC}", f"output={output}", "progress=false"]
    process = subprocess.Popen(
        [command("stance-predict"), *args, *hydra_args(tmp_path)],
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    summary = process.stdout.readline()  # the summary line: the output is complete
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert summary.startswith("[stance-predict] predicted 1 documents"), summary + stderr
    assert process.returncode == 0, stderr
    assert json.loads(progress_path_for(output).read_text().splitlines()[-1]).get("complete") is True


# ------------------------------------------------------------------------------------- 8. empty units


def test_split_none_gives_an_empty_unit_no_label_and_counts_it(
    tiny: Predictor, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    units = tmp_path / "units.jsonl"
    rows = [{"id": "a", "text": "Troops must leave."}, {"id": "b", "text": ""}, {"id": "c", "text": "  "}]
    units.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    with caplog.at_level("WARNING"):
        summary = predict_corpus(Corpus(units), tiny, None, tmp_path / "p.jsonl", progress=False)
    records = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text().splitlines()]
    assert [r["doc"] for r in records] == ["a"]
    assert summary.empty_units == 2 and "2 empty units skipped (no label)" in summary.line()
    assert "unit 'b' has no text" in caplog.text
    summary_rows = summary_path_for(tmp_path / "p.jsonl").read_text().splitlines()[1:]
    assert [row.split(",")[:2] for row in summary_rows] == [["a", "1"], ["b", "0"], ["c", "0"]]


# ------------------------------------------------------------------------------------- 9. chunks


@pytest.mark.parametrize("fast_path", ["fp32", "auto"])  # auto: fp32 ONNX, predicted in windows across documents
def test_a_few_long_documents_are_checkpointed_one_by_one_by_default(
    tiny_model_dir: Path, tmp_path: Path, fast_path: str
) -> None:
    folder = tmp_path / "speeches"
    folder.mkdir()
    for i in range(5):
        (folder / f"s{i}.txt").write_text(SPEECH, encoding="utf-8")
    output = tmp_path / "p.jsonl"
    predictor = Predictor(tiny_model_dir, fast_path=fast_path, onnx_cache_dir=tmp_path / "onnx")
    predict_corpus(Corpus(folder), predictor, RegexSplitter(), output, progress=False)
    marks = [json.loads(line) for line in progress_path_for(output).read_text().splitlines()[1:]]
    assert [m["documents"] for m in marks if not m.get("complete")] == [0, 1, 2, 3, 4, 5]


def test_every_predict_setting_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Predict: `stance-predict`", 1)[1].split("\n### ", 1)[0]
    missing = [name for name in PredictAppConfig.__dataclass_fields__ if f"`{name}`" not in section]
    assert missing == []


# ------------------------------------------------------------------------------------- 10. progress, plots


def test_the_progress_bar_counts_sentences_and_redraws_rarely_into_a_log(tiny: Predictor) -> None:
    log = io.StringIO()  # not a terminal, as when stderr goes to a log file
    bar = progress_bar(True, stream=log)
    assert bar.mininterval == LOG_REDRAW_S and "sentences" in bar.unit
    bar.close()
    seen: list[int] = []
    tiny.predict(["a", "b", "c"] * 50, on_batch=seen.append)
    assert sum(seen) == 150 and len(seen) == -(-150 // tiny.batch_size), "the bar moves batch by batch"


def test_training_with_progress_false_prints_no_raw_log_dicts_and_says_the_scores_are_a_wiring_check(
    tmp_path: Path,
) -> None:
    result = run("stance-train", *train_args(tmp_path / "runs", "seed"), cwd=tmp_path)
    assert result.returncode == 0, result.explain()
    assert "'train_runtime'" not in result.stdout + result.stderr, result.explain()
    assert "wiring check, not a claim about new text" in result.stdout, result.explain()
    assert "experiment=ungd" in result.stdout
    report = (tmp_path / "runs" / "seed" / "report.md").read_text(encoding="utf-8")
    assert "wiring check, not a claim about new text" in report and "experiment=ungd" in report


def test_comparison_plot_draws_markers_at_1_inside_the_axes(tmp_path: Path) -> None:
    import pandas as pd

    assert F1_AXIS[0] < 0 and F1_AXIS[1] > 1
    scores = {"macro_f1": [1.0], "macro_f1_ci_low": [1.0], "macro_f1_ci_high": [1.0], "weak_macro_f1": [1.0]}
    table = pd.DataFrame({"config": ["a"], **scores})
    assert plot_comparison(table, tmp_path / "c.png").is_file()
