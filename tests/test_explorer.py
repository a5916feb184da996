"""The explorer: its embedded data (unit tests) and the page itself in a real headless chromium."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.explorer import build_payload, explorer_from_predictions, explorer_from_run, rebuild_text
from pipeline.metadata import MetadataSource
from tests.chromium import Browser, chromium_binary

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "artifacts" / "test-screenshots"
SPEECHES = {
    "FRA_45_1990": "Foreign troops must leave our land. We welcome the peacekeepers.\nThe weather is fine.",
    "DEU_50_1995": "We support the UN force. The occupation must end. Bases abroad must close.",
    "CSK_46_1991": "Soviet troops must withdraw. Thank you, Mr. President.",
    "USA_79_2024": "We thank the peacekeepers. Their presence keeps the peace. <script>alert(1)</script>",
}


def _label(sentence: str) -> str:
    if re.search(r"leave|end|close|withdraw", sentence):
        return "against"
    return "favor" if re.search(r"welcome|support|thank|keeps", sentence) else "none"


def write_predictions(folder: Path) -> Path:
    """stance-predict style records of SPEECHES (sentences split at '. ')."""
    lines = []
    for doc, text in SPEECHES.items():
        for match in re.finditer(r"[^.\n]+[.>]?", text):
            start, end = match.start() + (len(match.group()) - len(match.group().lstrip())), match.end()
            label = _label(text[start:end])
            probs = {"against": 0.1, "favor": 0.1, "none": 0.1} | {label: 0.8}
            record = {"doc": doc, "start": start, "end": end, "text": text[start:end], "label": label}
            lines.append(record | {f"p_{k}": v for k, v in probs.items()} | {"truncated": False})
    path = folder / "predictions.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    return path


def embedded(page: Path) -> dict:
    html = page.read_text(encoding="utf-8")
    match = re.search(r'<script id="data" type="application/json">(.*?)</script>', html, re.S)
    assert match is not None
    return json.loads(match.group(1))


def test_rebuild_text_puts_sentences_at_their_offsets() -> None:
    import pandas as pd

    frame = pd.DataFrame({"start": [0, 9], "end": [6, 13], "text": ["Troops", "stay"]})
    assert rebuild_text(frame) == "Troops   stay"


def test_payload_uses_source_text_only_when_offsets_agree(tmp_path: Path) -> None:
    predictions = write_predictions(tmp_path)
    (tmp_path / "texts").mkdir()
    for doc, text in SPEECHES.items():
        (tmp_path / "texts" / f"{doc}.txt").write_text(text, encoding="utf-8")
    (tmp_path / "texts" / "DEU_50_1995.txt").write_text("an edited file", encoding="utf-8")
    page = explorer_from_predictions(
        predictions, tmp_path / "e.html", MetadataSource(preset="ungd"), texts=tmp_path / "texts"
    )
    data = embedded(page)
    texts = dict(zip(data["docs"]["id"], data["docs"]["text"], strict=True))
    assert texts["FRA_45_1990"] == SPEECHES["FRA_45_1990"]  # the newline survives from the source file
    assert texts["DEU_50_1995"] == SPEECHES["DEU_50_1995"]  # rebuilt: the file no longer matches the offsets
    assert data["docs"]["meta"]["country_name"] == ["France", "Germany", "Czechoslovakia", "United States"]
    assert data["fields"][:4] == ["country", "country_name", "year", "decade"]
    first = data["sent"]
    assert (first["l"][0], first["pa"][0], first["pn"][0]) == (0, 800, 100)
    assert "<script>alert" not in page.read_text(encoding="utf-8").split('type="application/json">', 1)[1]


def write_run(folder: Path) -> Path:
    """A run folder in the docs/run-folder.md layout, with votes of two labelling functions."""
    run = folder / "runs" / "demo"
    run.mkdir(parents=True)
    sentences, weak = [], []
    for doc, text in SPEECHES.items():
        for match in re.finditer(r"[^.\n]+\.", text):
            start, end = match.start() + (len(match.group()) - len(match.group().lstrip())), match.end()
            sentences.append({"doc": doc, "start": start, "end": end, "text": text[start:end]})
            label = _label(text[start:end])
            votes = {"lf_withdraw": "against" if label == "against" else None, "lf_thanks": None}
            probs = {"against": 0.2, "favor": 0.2, "none": 0.2} | {label: 0.6}
            weak.append({"doc": doc, "start": start, "end": end, "votes": votes, "probs": probs, "label": label})
    gold = folder / "gold.jsonl"
    gold.write_text(json.dumps({"id": "g1", "doc": "X", "text": "Troops out!", "label": "against"}) + "\n")
    for name, rows in (("sentences", sentences), ("weak_labels", weak)):
        (run / f"{name}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    predictions = [
        {"id": "g1", "part": "all", "gold": "against", "model": "none", "weak_labeller": "against"},
        {"id": "g2", "part": "all", "gold": "none", "model": "none", "weak_labeller": "favor"},
    ]
    (run / "gold_predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in predictions))
    (run / "metrics.json").write_text(json.dumps({"gold": {"path": str(gold)}}))
    return run


def test_run_explorer_has_votes_and_gold_errors(tmp_path: Path) -> None:
    data = embedded(explorer_from_run(write_run(tmp_path), tmp_path / "run.html", MetadataSource(preset="ungd")))
    assert data["lfs"] == ["lf_thanks", "lf_withdraw"]
    assert data["sent"]["v"][0] == ".a"  # "Foreign troops must leave our land.": lf_withdraw votes against
    assert data["gold"] == [
        {
            "id": "g1",
            "part": "all",
            "gold": "against",
            "model": "none",
            "weak": "against",
            "doc": "X",
            "text": "Troops out!",
        }
    ]


def test_payload_of_no_metadata_has_no_fields(tmp_path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame([{"doc": "a", "start": 0, "end": 1, "text": "x", "label": "none", "p_against": 0,
                           "p_favor": 0, "p_none": 1}])  # fmt: skip
    assert build_payload(frame, MetadataSource())["fields"] == []


@pytest.fixture(scope="module")
def browser():
    binary = chromium_binary()
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing under CI (.ci/run installs it: apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium); the browser test needs it")
    with Browser(binary) as opened:
        yield opened


def _status(browser: Browser) -> str:
    return browser.js("document.getElementById('status').textContent")


def test_explorer_in_headless_chromium(tmp_path: Path, browser: Browser) -> None:
    page = explorer_from_predictions(write_predictions(tmp_path), tmp_path / "e.html", MetadataSource(preset="ungd"))
    browser.open(page)
    assert browser.js("document.querySelectorAll('#doc-list tr.doc-row').length") == 4
    # one pager above the list and one below it
    assert browser.js("[...document.getElementById('view').children].map(e => e.className || e.id)") == [
        "pager",
        "doc-list",
        "pager",
    ]
    # against: FRA 1, DEU 2, CSK 1; favor: FRA 1, DEU 1, USA 2 ("none" is unticked at first)
    assert _status(browser) == "4 of 4 documents, 8 sentences match"
    browser.js("document.getElementById('f-favor').click()")
    assert _status(browser) == "3 of 4 documents, 4 sentences match"
    rows = browser.js("[...document.querySelectorAll('#doc-list tr.doc-row')].map(r => r.dataset.doc)")
    assert "USA_79_2024" not in rows
    browser.js("{ const s = document.getElementById('field-country_name'); s.value = 'Germany'; s.onchange() }")
    assert browser.js("[...document.querySelectorAll('#doc-list tr.doc-row')].map(r => r.dataset.doc)") == [
        "DEU_50_1995"
    ]
    browser.js("document.querySelector('#doc-list tr.doc-row').click()")
    assert browser.js("document.querySelectorAll('#doctext span.s').length") == 3
    assert browser.js("document.querySelectorAll('#doctext span.s.l0:not(.dim)').length") == 2
    assert browser.js("document.querySelectorAll('#doctext span.s.l1.dim').length") == 1  # favor: filtered out
    browser.js("{ const s = document.getElementById('field-country_name'); s.value = ''; s.onchange() }")
    browser.js("{ const q = document.getElementById('q'); q.value = 'TROOPS'; q.oninput({target: q}) }")
    browser.js("new Promise(r => setTimeout(r, 400))")
    browser.js("document.querySelector('nav button[data-view=sentences]').click()")
    assert browser.js("document.querySelectorAll('#sent-list tr.sent-row').length") == 2
    assert browser.js("document.querySelectorAll('#sent-list mark').length") == 2
    browser.js("document.getElementById('q').value = ''; document.getElementById('q').oninput({target: {value: ''}})")
    browser.js("new Promise(r => setTimeout(r, 400))")
    browser.js("document.getElementById('f-favor').click()")
    browser.js("document.querySelector('nav button[data-view=charts]').click()")
    assert browser.js("document.querySelectorAll('#chart-time circle').length") == 4
    assert browser.js("document.querySelectorAll('#heatmap td[title]').length") == 4
    browser.screenshot(SCREENSHOTS / "explorer-charts.png")
    browser.js("document.querySelector('nav button[data-view=documents]').click()")
    browser.js("document.querySelector('#doc-list tr.doc-row').click()")
    browser.js("document.querySelector('#doctext span.s').click()")
    assert browser.screenshot(SCREENSHOTS / "explorer.png").stat().st_size > 10_000
    assert browser.errors() == []


def test_run_explorer_gold_page_in_chromium(tmp_path: Path, browser: Browser) -> None:
    browser.open(explorer_from_run(write_run(tmp_path), tmp_path / "run.html", MetadataSource(preset="ungd")))
    browser.js("document.querySelector('#doc-list tr.doc-row[data-doc=FRA_45_1990]').click()")
    assert "lf_withdraw" in browser.js("document.querySelector('#doctext span.s').title")
    browser.js("document.querySelector('nav button[data-view=gold]').click()")
    assert browser.js("[...document.querySelectorAll('#gold-list td')].map(t => t.textContent)") == [
        "g1", "all", "against", "none", "against", "Troops out!"
    ]  # fmt: skip
    assert browser.errors() == []


def test_stance_aggregate_command_writes_tables_plots_and_explorer(tmp_path: Path) -> None:
    predictions = write_predictions(tmp_path)
    command = [sys.executable, "-m", "pipeline.cli_aggregate", f"input={predictions}", "n_bootstrap=50"]
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "predictions.analysis"
    for name in ("by_country.csv", "by_country.md", "by_decade.csv", "share_by_year.png", "explorer.html"):
        assert (out / name).is_file(), name
    assert "by country: 4 rows" in done.stderr
    bad = subprocess.run([*command, "formats=[xlsx]"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "unknown format" in bad.stderr
