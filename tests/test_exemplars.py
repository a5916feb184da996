"""Hand-labelled training sentences: read by offsets from a corpus, checked line by line, added to training."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import InputError
from pipeline.exemplars import Exemplar, corpus_texts, load_exemplars, with_exemplars

DOC = "Foreign troops must leave now.  We thank the   peacekeepers.\nElections were held."


def _write(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def _row(start: int, end: int, label: str, doc: str = "speech", sid: str = "x") -> dict[str, object]:
    return {"id": sid, "doc": doc, "start": start, "end": end, "label": label, "reason": ""}


def test_exemplars_are_read_by_offset_and_normalised_as_the_model_sees_text(tmp_path):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "speech.txt").write_text(DOC, encoding="utf-8")
    start = DOC.index("We thank")
    path = _write(tmp_path / "ex.jsonl", [_row(0, 30, "against", sid="a"), _row(start, start + 28, "favor", sid="b")])

    exemplars = load_exemplars(path, corpus_texts(tmp_path / "corpus"), "corpus")

    assert exemplars == [
        Exemplar("a", "Foreign troops must leave now.", "against"),
        Exemplar("b", "We thank the peacekeepers.", "favor"),  # runs of spaces collapse, as for corpus sentences
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (_row(0, 30, "pro"), "label 'pro' is not one of against, favor, none"),
        (_row(0, 30, "none", doc="elsewhere"), "document 'elsewhere' is not in corpus"),
        (_row(0, 9999, "none"), "run past the end of 'speech'"),
        (_row(30, 0, "none"), "needs offsets 'start' < 'end'"),
        ({"id": "x", "doc": "speech", "start": 0, "label": "none"}, "needs offsets"),
        (["not", "an", "object"], "expected a JSON object"),
    ],
)
def test_a_bad_line_stops_with_its_file_and_line(tmp_path, row, message):
    path = _write(tmp_path / "ex.jsonl", [_row(0, 30, "against"), row])
    with pytest.raises(InputError) as err:
        load_exemplars(path, {"speech": DOC}, "corpus")
    assert message in str(err.value)
    assert f"{path}:2" in str(err.value)


def test_a_missing_or_empty_file_names_the_setting(tmp_path):
    with pytest.raises(InputError, match="train.exemplars"):
        load_exemplars(tmp_path / "absent.jsonl", {"speech": DOC}, "corpus")
    with pytest.raises(InputError, match="no sentences"):
        load_exemplars(_write(tmp_path / "empty.jsonl", []), {"speech": DOC}, "corpus")


def test_exemplars_join_the_weak_pairs_repeated_and_override_a_weak_label_of_the_same_text():
    texts, labels = ["a stance", "thanks to the force", "off topic"], ["against", "none", "none"]
    exemplars = [Exemplar("e1", "thanks to the force", "favor"), Exemplar("e2", "new text", "none")]
    targets = np.array([[0.8, 0.1, 0.1], [0.1, 0.2, 0.7], [0.0, 0.0, 1.0]])

    out_texts, out_labels, out_targets = with_exemplars(texts, labels, exemplars, repeat=2, targets=targets)

    assert out_texts == ["a stance", "off topic"] + ["thanks to the force"] * 2 + ["new text"] * 2
    assert out_labels == ["against", "none", "favor", "favor", "none", "none"]
    assert out_targets is not None
    np.testing.assert_allclose(out_targets[:2], targets[[0, 2]])
    np.testing.assert_allclose(out_targets[2:], [[0, 1, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1]])
    assert with_exemplars(texts, labels, [], targets=None) == (texts, labels, None)


@pytest.mark.parametrize("name", ["ungd_train_labelled.jsonl", "ungd_train_round5.jsonl"])
def test_the_committed_exemplars_come_from_training_speeches_only(name: str):
    """No exemplar shares a speech with the set-aside ungd-train speeches that every fresh test sample comes from."""
    root = Path(__file__).resolve().parents[1]
    rows = [json.loads(line) for line in (root / "configs/exemplars" / name).read_text().splitlines()]
    held_out = set((root / "configs/corpus/ungd_train_heldout_ids.txt").read_text().split())
    samples = (root / "benchmarks" / "data").glob("*.jsonl")
    tests = [json.loads(line) for path in samples for line in path.read_text().splitlines()]
    assert len({r["id"] for r in rows}) == len(rows) and {r["label"] for r in rows} == {"against", "favor", "none"}
    assert not {r["doc"] for r in rows} & held_out
    assert not {(r["doc"], r["start"]) for r in rows} & {(t["doc"], t["start"]) for t in tests}
