"""Tests for pipeline.io: atomic writes leave no temporary file, JSONL lines are read with their numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.io import atomic_target, read_json, read_jsonl, write_json, write_jsonl


def test_atomic_write_replaces_whole_files_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "a.json"
    write_json(path, {"x": 1})
    write_json(path, {"x": 2})
    assert read_json(path) == {"x": 2}
    assert [p.name for p in path.parent.iterdir()] == ["a.json"]
    assert path.stat().st_mode & 0o644 == 0o644


def test_a_failed_write_keeps_the_old_content(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_target(path) as temporary:
        temporary.write_text("new", encoding="utf-8")
        raise RuntimeError("killed")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_jsonl_round_trip_keeps_line_numbers_and_unicode_line_breaks(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    write_jsonl(path, [{"t": "a\u2028b"}, {"t": "é"}])
    path.write_text(path.read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    assert list(read_jsonl(path)) == [(1, {"t": "a\u2028b"}), (2, {"t": "é"})]


def test_a_malformed_jsonl_line_is_named(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"a": 1}) + "\n{oops\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"r\.jsonl:2: not valid JSON"):
        list(read_jsonl(path))
