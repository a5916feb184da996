"""Aggregation by metadata field: numbers counted by hand on a four-speech corpus; CIs resample documents."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.aggregate import (
    aggregate,
    bootstrap_ratio,
    documents_without,
    parse_by,
    read_predictions,
    with_metadata,
    write_table,
)
from pipeline.metadata import MetadataSource

# (doc, label, p_against, p_favor, p_none), as stance-predict writes them.
CORPUS = [
    ("FRA_45_1990", "against", 0.8, 0.1, 0.1),
    ("FRA_45_1990", "against", 0.6, 0.2, 0.2),
    ("FRA_45_1990", "favor", 0.2, 0.7, 0.1),
    ("FRA_45_1990", "none", 0.1, 0.1, 0.8),
    ("FRA_56_2001", "none", 0.1, 0.1, 0.8),
    ("FRA_56_2001", "none", 0.2, 0.0, 0.8),
    ("DEU_50_1995", "favor", 0.1, 0.8, 0.1),
    ("DEU_50_1995", "favor", 0.2, 0.6, 0.2),
    ("DEU_50_1995", "against", 0.5, 0.3, 0.2),
    ("CSK_46_1991", "none", 0.0, 0.1, 0.9),
    ("README", "none", 0.0, 0.0, 1.0),  # no metadata: left out of every table
]


def records(rows: list[tuple] = CORPUS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["doc", "label", "p_against", "p_favor", "p_none"])
    return with_metadata(frame, MetadataSource(preset="ungd"))


def row(table: pd.DataFrame, **where: object) -> dict:
    mask = np.logical_and.reduce([table[k] == v for k, v in where.items()])
    assert mask.sum() == 1, where
    return table[mask].iloc[0].to_dict()


def test_by_country_hand_counts() -> None:
    table = aggregate(records(), ["country"], n_bootstrap=200)
    assert list(table["country"]) == ["CSK", "DEU", "FRA"]
    assert list(table["country_name"]) == ["Czechoslovakia", "Germany", "France"]
    fra = row(table, country="FRA")
    assert (fra["documents"], fra["sentences"]) == (2, 6)
    assert (fra["n_against"], fra["n_favor"], fra["n_none"], fra["n_stance"]) == (2, 1, 3, 3)
    assert fra["share_against"] == pytest.approx(2 / 3, abs=1e-4)
    assert fra["share_favor"] == pytest.approx(1 / 3, abs=1e-4)
    assert (fra["docs_with_stance"], fra["share_docs_with_stance"]) == (1, 0.5)
    # expected counts: the sums of probabilities, against .8+.6+.2+.1 + .1+.2, favor .1+.2+.7+.1 + .1+0
    assert (fra["e_against"], fra["e_favor"], fra["e_none"]) == pytest.approx((2.0, 1.2, 2.8))
    assert fra["e_share_against"] == pytest.approx(2.0 / 3.2, abs=1e-4)
    deu = row(table, country="DEU")
    assert (deu["n_against"], deu["n_favor"], deu["share_against"]) == (1, 2, pytest.approx(1 / 3, abs=1e-4))
    assert deu["e_share_against"] == pytest.approx(0.8 / 2.5, abs=1e-4)
    csk = row(table, country="CSK")
    assert (csk["sentences"], csk["n_stance"], csk["docs_with_stance"]) == (1, 0, 0)
    assert math.isnan(csk["share_against"]) and math.isnan(csk["share_against_low"])


def test_by_decade_and_country_decade_hand_counts() -> None:
    by_decade = aggregate(records(), ["decade"], n_bootstrap=200)
    assert list(by_decade["decade"]) == [1990, 2000]
    nineties = row(by_decade, decade=1990)
    assert (nineties["documents"], nineties["sentences"]) == (3, 8)
    assert (nineties["n_against"], nineties["n_favor"], nineties["n_none"]) == (3, 3, 2)
    assert nineties["share_against"] == 0.5 and nineties["docs_with_stance"] == 2
    pairs = aggregate(records(), parse_by("country+decade"), n_bootstrap=200)
    assert len(pairs) == 4
    assert row(pairs, country="FRA", decade=2000)["n_none"] == 2
    assert row(pairs, country="FRA", decade=1990)["share_against"] == pytest.approx(2 / 3, abs=1e-4)


def test_documents_without_metadata_are_named() -> None:
    assert documents_without(records(), ["country"]) == ["README"]
    assert aggregate(records(), ["country"], n_bootstrap=10)["sentences"].sum() == 10


def _speeches(labels_per_doc: list[list[str]]) -> pd.DataFrame:
    rows = [
        (f"USA_{i}_{1990 + i}", label, float(label == "against"), float(label == "favor"), float(label == "none"))
        for i, labels in enumerate(labels_per_doc)
        for label in labels
    ]
    return records(rows)


def test_ci_resamples_documents_not_sentences() -> None:
    # Two speeches: one all against, one all favor. Resampling documents gives shares 0, 1/2 or 1, so the
    # interval spans [0, 1]; resampling the 40 sentences as if independent would give about [0.35, 0.65].
    one_sided = aggregate(_speeches([["against"] * 20, ["favor"] * 20]), ["country"], n_bootstrap=2000)
    usa = row(one_sided, country="USA")
    assert usa["share_against"] == 0.5
    assert (usa["share_against_low"], usa["share_against_high"]) == (0.0, 1.0)
    assert (usa["share_favor_low"], usa["share_favor_high"]) == (0.0, 1.0)
    # Two speeches that each split evenly: every resample of documents gives 1/2, so the interval is a point.
    even = row(aggregate(_speeches([["against", "favor"] * 10] * 2), ["country"]), country="USA")
    assert (even["share_against_low"], even["share_against_high"]) == (0.5, 0.5)


def test_ci_narrows_with_more_documents_and_is_seeded() -> None:
    few = _speeches([["against"] * 3, ["favor"] * 3] * 2)
    many = _speeches([["against"] * 3, ["favor"] * 3] * 40)
    width = [row(aggregate(r, ["country"], seed=1), country="USA") for r in (few, many)]
    assert (width[1]["share_against_high"] - width[1]["share_against_low"]) < (
        width[0]["share_against_high"] - width[0]["share_against_low"]
    ) / 2
    assert aggregate(few, ["country"], seed=3).equals(aggregate(few, ["country"], seed=3))


def test_bootstrap_ratio_skips_resamples_without_stance() -> None:
    rng = np.random.default_rng(0)
    low, high = bootstrap_ratio(np.array([1.0, 0.0]), np.array([1.0, 0.0]), rng, 500, 0.95)
    assert (low, high) == (1.0, 1.0)  # resamples of only the stance-less document carry no ratio


def test_read_predictions_jsonl_and_csv_agree_and_tables_write_by_extension(tmp_path: Path) -> None:
    fields = ["doc", "start", "end", "text", "label", "p_against", "p_favor", "p_none", "truncated"]
    rows = [dict(zip(fields, (d, 0, 1, 'x, "y"', lab, a, f, n, False), strict=True)) for d, lab, a, f, n in CORPUS]
    jsonl = tmp_path / "p.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    pd.DataFrame(rows).to_csv(tmp_path / "p.csv", index=False)
    source = MetadataSource(preset="ungd")
    tables = [aggregate(with_metadata(read_predictions(p), source), ["country"]) for p in (jsonl, tmp_path / "p.csv")]
    pd.testing.assert_frame_equal(tables[0], tables[1])
    for suffix in ("csv", "md", "parquet"):
        write_table(tables[0], tmp_path / f"t.{suffix}")
    assert pd.read_csv(tmp_path / "t.csv")["n_against"].tolist() == [0, 1, 2]
    assert pd.read_parquet(tmp_path / "t.parquet")["country"].tolist() == ["CSK", "DEU", "FRA"]
    markdown = (tmp_path / "t.md").read_text(encoding="utf-8").splitlines()
    assert markdown[0].startswith("| country | country_name |") and len(markdown) == 5
    assert "| FRA | France | 2 | 6 | 2 | 1 | 3 | 3 | 0.667 |" in markdown[4]
