"""Gold loading: every malformed input is one InputError naming file and line; the real gold sets load."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.gold import GoldItem, check_offsets, load_gold, load_id_list, split_parts

REPO = Path(__file__).parents[1]
SHARED = REPO / ".." / "shared"
SEED_GOLD = REPO / "seeds" / "gold" / "seed_gold.jsonl"
SEED_DOC = REPO / "seeds" / "000_2e6cc240c023ba1f.txt"
UN_GOLD = SHARED / "gold" / "ungd_dev.jsonl"
UN_SPLIT = REPO / "configs" / "gold" / "ungd_dev_split"


def _write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n", encoding="utf-8")
    return path


def _item(i: int, label: str = "none", **extra: object) -> dict[str, object]:
    return {"id": f"g{i}", "doc": "d1", "text": f"Sentence {i}.", "label": label, **extra}


def test_load_gold_reads_items_in_order(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "g.jsonl", [_item(0, "against", context="Before."), "", _item(1, "favor")])
    gold = load_gold(path)
    assert [g.id for g in gold] == ["g0", "g1"]
    assert gold[0] == GoldItem(id="g0", doc="d1", text="Sentence 0.", label="against", context="Before.")
    assert gold[1].line == 3 and gold[1].source == str(path)
    assert not gold[0].has_offsets


def test_bad_json_names_file_and_line(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "g.jsonl", [_item(0), '{"id": "g1", "doc": '])
    with pytest.raises(InputError, match=r"g\.jsonl:2: not valid JSON"):
        load_gold(path)


def test_unknown_label_lists_allowed_ones(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "g.jsonl", [_item(0), _item(1, "pro")])
    with pytest.raises(InputError, match=r"g\.jsonl:2: unknown label 'pro' \(allowed labels: against, favor, none\)"):
        load_gold(path)


def test_missing_field_is_named(tmp_path: Path) -> None:
    record = _item(0)
    del record["doc"]
    path = _write_jsonl(tmp_path / "g.jsonl", [record])
    with pytest.raises(InputError, match=r"g\.jsonl:1: missing field 'doc'"):
        load_gold(path)


def test_require_offsets_makes_offsets_mandatory(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "g.jsonl", [_item(0)])
    assert load_gold(path)[0].start is None
    with pytest.raises(InputError, match=r"g\.jsonl:1: missing field 'start', 'end'"):
        load_gold(path, require_offsets=True)


def test_bad_offsets_rejected(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "g.jsonl", [_item(0, start=5, end=2)])
    with pytest.raises(InputError, match=r"g\.jsonl:1: 'start' \(5\) is after 'end' \(2\)"):
        load_gold(path)
    path = _write_jsonl(tmp_path / "h.jsonl", [_item(0, start=5)])
    with pytest.raises(InputError, match=r"h\.jsonl:1: has only one of"):
        load_gold(path)
    path = _write_jsonl(tmp_path / "k.jsonl", [_item(0, start="0", end=3)])
    with pytest.raises(InputError, match=r"k\.jsonl:1: field 'start' must be a non-negative integer"):
        load_gold(path)


def test_duplicate_id_names_first_line(tmp_path: Path) -> None:
    path = _write_jsonl(tmp_path / "g.jsonl", [_item(0), _item(1), _item(0, "favor")])
    with pytest.raises(InputError, match=r"g\.jsonl:3: duplicate id 'g0', first seen on line 1"):
        load_gold(path)


def test_non_object_line_and_missing_or_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"g\.jsonl:1: expected a JSON object, got list"):
        load_gold(_write_jsonl(tmp_path / "g.jsonl", ["[1, 2]"]))
    with pytest.raises(InputError, match="gold file not found"):
        load_gold(tmp_path / "absent.jsonl")
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="holds no items"):
        load_gold(tmp_path / "empty.jsonl")


def _offset_gold(tmp_path: Path) -> list[GoldItem]:
    source = "Troops out. Stay here."
    records = [
        {"id": "a", "doc": "d1", "start": 0, "end": 11, "text": source[0:11], "label": "against"},
        {"id": "b", "doc": "d1", "start": 12, "end": 22, "text": source[12:22], "label": "favor"},
    ]
    return load_gold(_write_jsonl(tmp_path / "g.jsonl", records), require_offsets=True)


def test_check_offsets_accepts_exact_slices(tmp_path: Path) -> None:
    gold = _offset_gold(tmp_path)
    source = "Troops out. Stay here."
    assert check_offsets(gold, {"d1": source, "other": "x"}) is None  # no error: every item slices its text
    assert [source[g.start : g.end] for g in gold] == [g.text for g in gold]
    assert [g.sentence.norm for g in gold] == ["Troops out.", "Stay here."]


def test_check_offsets_rejects_wrong_slice_with_line(tmp_path: Path) -> None:
    gold = _offset_gold(tmp_path)
    with pytest.raises(InputError, match=r"g\.jsonl:2: offsets 12:22 of 'b' slice"):
        check_offsets(gold, {"d1": "Troops out.  Stay here."})
    with pytest.raises(InputError, match=r"g\.jsonl:2: offsets 12:22 of 'b' run past the end"):
        check_offsets(gold, {"d1": "Troops out."})


def test_check_offsets_missing_document_and_disjoint_corpus(tmp_path: Path) -> None:
    gold = _offset_gold(tmp_path) + [GoldItem("c", "d2", "Other.", "none", source="g.jsonl", line=3)]
    with pytest.raises(InputError, match=r"g\.jsonl:3: document 'd2' of gold item 'c' is not in the corpus"):
        check_offsets(gold, {"d1": "Troops out. Stay here."})
    check_offsets(gold, {"d1": "Troops out. Stay here."}, allow_missing_docs=True)
    with pytest.raises(InputError, match="no gold document is in the corpus"):
        check_offsets(gold, {"x": "y"}, allow_missing_docs=True)


def test_load_id_list_and_split_parts(tmp_path: Path) -> None:
    gold = load_gold(_write_jsonl(tmp_path / "g.jsonl", [_item(i) for i in range(5)]))
    (tmp_path / "tune.txt").write_text("# tuning\ng3\ng0\n\n", encoding="utf-8")
    (tmp_path / "report.txt").write_text("g1\ng4\n", encoding="utf-8")
    assert load_id_list(tmp_path / "tune.txt") == ["g3", "g0"]
    parts = split_parts(gold, {"tuning": tmp_path / "tune.txt", "reporting": tmp_path / "report.txt"})
    assert [g.id for g in parts["tuning"]] == ["g0", "g3"]  # gold order
    assert [g.id for g in parts["reporting"]] == ["g1", "g4"]


def test_split_parts_errors(tmp_path: Path) -> None:
    gold = load_gold(_write_jsonl(tmp_path / "g.jsonl", [_item(i) for i in range(3)]))
    (tmp_path / "a.txt").write_text("g0\ng9\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"a\.txt:2: id 'g9' of part 'tuning' is not in the gold set"):
        split_parts(gold, {"tuning": tmp_path / "a.txt"})
    (tmp_path / "b.txt").write_text("g0\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("g1\ng0\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"c\.txt:2: id 'g0' is in both part 'tuning' and part 'reporting'"):
        split_parts(gold, {"tuning": tmp_path / "b.txt", "reporting": tmp_path / "c.txt"})
    (tmp_path / "d.txt").write_text("g1\ng1\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"d\.txt:2: duplicate id 'g1', first on line 1"):
        load_id_list(tmp_path / "d.txt")


def test_seed_gold_loads_and_matches_seed_document() -> None:
    gold = load_gold(SEED_GOLD, require_offsets=True)
    assert len(gold) == 54
    assert Counter(g.label for g in gold) == {"against": 7, "favor": 1, "none": 46}
    check_offsets(gold, {"000_2e6cc240c023ba1f": SEED_DOC.read_text(encoding="utf-8")})


@pytest.mark.skipif(not UN_GOLD.is_file(), reason="../shared UN gold set is absent")
def test_un_gold_loads_and_splits_into_its_halves() -> None:
    gold = load_gold(UN_GOLD)
    assert len(gold) == 400
    assert Counter(g.label for g in gold) == {"against": 111, "favor": 40, "none": 249}
    assert all(g.context is not None and not g.has_offsets for g in gold)
    parts = split_parts(gold, {"tuning": UN_SPLIT / "tuning_ids.txt", "reporting": UN_SPLIT / "reporting_ids.txt"})
    assert (len(parts["tuning"]), len(parts["reporting"])) == (201, 199)
    assert not {g.doc for g in parts["tuning"]} & {g.doc for g in parts["reporting"]}
