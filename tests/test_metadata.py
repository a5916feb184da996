"""Document metadata: filename patterns, tables, JSONL extras, derived decade and country names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.errors import ConfigError, InputError
from pipeline.metadata import MetadataSource, coerce, country_name


def test_ungd_preset_reads_country_session_year_and_derives_decade_and_name() -> None:
    fields = MetadataSource(preset="ungd").for_document("PAK_43_1988")
    assert fields == {
        "country": "PAK",
        "session": 43,
        "year": 1988,
        "decade": 1980,
        "country_name": "Pakistan",
    }


def test_preset_matches_a_file_name_inside_a_folder_id_and_the_path() -> None:
    source = MetadataSource(preset="ungd")
    assert source.for_document("1970s/FRA_25_1970")["year"] == 1970
    assert source.for_document("speech-1", Path("/corpus/USA_79_2024.txt"))["country"] == "USA"


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("CSK", "Czechoslovakia"),
        ("DDR", "German Democratic Republic"),
        ("YUG", "Yugoslavia"),
        ("YMD", "Yemen, Democratic"),  # not "Yemen": that is YEM, a different country
        ("YEM", "Yemen"),
        ("GBR", "United Kingdom"),
        ("XKX", "Kosovo"),  # user-assigned, from the project table
    ],
)
def test_country_names_include_historic_and_project_codes(code: str, name: str) -> None:
    assert country_name(code) == name


def test_unknown_code_reads_as_itself_and_non_matching_documents_get_nothing() -> None:
    assert country_name("QQQ") == "QQQ"
    # The UN corpus folders hold a README.md: its id "README" (whose first letters "REA" look like a code) is
    # no speech, and must get no country rather than a made-up one.
    assert MetadataSource(preset="ungd").for_document("README") == {}


def test_every_code_of_the_shared_un_corpora_has_a_name() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared" / "corpora"
    names = [p.name for folder in ("ungd-dev", "ungd-train") for p in (shared / folder).glob("*_*_*.txt")]
    if not names:
        pytest.skip(f"../shared UN corpora absent: {shared}")
    source = MetadataSource(preset="ungd")
    unnamed = {source.for_document(n)["country"] for n in names if "country_name" not in source.for_document(n)}
    assert unnamed == set()
    assert {source.for_document(n)["country_name"] == source.for_document(n)["country"] for n in names} == {False}


def test_custom_pattern_csv_table_and_extras_combine_later_wins(tmp_path: Path) -> None:
    table = tmp_path / "meta.csv"
    table.write_text("doc,speaker,year\nspeeches/a-2001,Smith,2003\nb-1999,Jones,\n", encoding="utf-8")
    source = MetadataSource(r"-(?P<year>\d{4})$", table=table)
    assert source.for_document("speeches/a-2001") == {"year": 2003, "decade": 2000, "speaker": "Smith"}
    # looked up by the id's last part too; an empty cell does not erase the pattern's value
    assert source.for_document("old/b-1999") == {"year": 1999, "decade": 1990, "speaker": "Jones"}
    extra = {"id": "x", "text": "...", "speaker": "Lee", "country": "FRA"}
    assert source.for_document("c-2010", extra=extra) == {
        "year": 2010,
        "decade": 2010,
        "speaker": "Lee",
        "country": "FRA",
        "country_name": "France",
    }


def test_jsonl_table_keyed_by_id(tmp_path: Path) -> None:
    table = tmp_path / "meta.jsonl"
    table.write_text(json.dumps({"id": "d1", "country": "CSK", "year": 1968}) + "\n", encoding="utf-8")
    fields = MetadataSource(table=table).for_document("d1")
    assert fields["country_name"] == "Czechoslovakia" and fields["decade"] == 1960


def test_frame_has_one_row_per_document() -> None:
    frame = MetadataSource(preset="ungd").frame(["FRA_45_1990", "FRA_45_1990", "DEU_50_1995", "README"])
    assert list(frame["doc"]) == ["FRA_45_1990", "DEU_50_1995", "README"]
    assert frame.loc[1, "country_name"] == "Germany"
    assert frame["country"].isna().tolist() == [False, False, True]


def test_bad_settings_fail_with_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown preset"):
        MetadataSource(preset="nope")
    with pytest.raises(ConfigError, match="no named group"):
        MetadataSource(r"\d{4}")
    with pytest.raises(ConfigError, match="not a regular expression"):
        MetadataSource(r"(?P<year>\d{4}")
    bad = tmp_path / "meta.csv"
    bad.write_text("name,year\na,1990\n", encoding="utf-8")
    with pytest.raises(InputError, match="no 'doc'"):
        MetadataSource(table=bad)


def test_coerce_keeps_codes_as_text_and_numbers_as_ints() -> None:
    assert coerce("1988") == 1988 and coerce(1990.0) == 1990 and coerce("043") == 43
    assert coerce("PAK") == "PAK" and coerce("19.5") == "19.5" and coerce(True) == "true"
