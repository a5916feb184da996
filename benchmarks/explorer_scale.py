"""Scale check of stance-aggregate and the explorer: fake predictions over the real ungd-train speeches.

Writes ~200,000 sentence records (real text split at sentence-ending punctuation, random labels and
probabilities) under /tmp, runs the aggregation and opens the explorer in headless chromium, timing the load,
a label filter, a metadata filter and a search. Nothing is written into the repository.

    PYTHONPATH=. python benchmarks/explorer_scale.py [--sentences 200000] [--out /tmp/explorer-scale]
    PYTHONPATH=. python benchmarks/explorer_scale.py --explorer artifacts/<predictions>.analysis/explorer.html

With ``--explorer`` it only opens an explorer that ``stance-aggregate`` wrote and runs the same steps (the
screenshot lands beside it).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.chromium import Browser, chromium_binary  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpora" / "ungd-train"


def fake_predictions(target: int, out: Path, seed: int = 0) -> Path:
    """Records for every speech; sentences split finer (also at ';' and ',') until ``target`` is reached."""
    rng = np.random.default_rng(seed)
    files = sorted(CORPUS.glob("*_*_*.txt"))
    texts = {f.stem: f.read_text(encoding="utf-8") for f in files}
    pattern = re.compile(r"[^.!?]+[.!?]?" if target <= 180_000 else r"[^.!?;:]+[.!?;:]?")
    path = out / "predictions.jsonl"
    with path.open("w", encoding="utf-8") as stream:
        count = 0
        for doc, text in texts.items():
            for match in pattern.finditer(text):
                start = match.start() + len(match.group()) - len(match.group().lstrip())
                if match.end() - start < 3:
                    continue
                p = rng.dirichlet([1, 1, 6])
                label = ("against", "favor", "none")[int(p.argmax())]
                record = {"doc": doc, "start": start, "end": match.end(), "text": text[start : match.end()]}
                record |= {"label": label, "p_against": round(p[0], 4), "p_favor": round(p[1], 4)}
                stream.write(json.dumps(record | {"p_none": round(p[2], 4), "truncated": False}) + "\n")
                count += 1
    print(f"{count:,} sentences of {len(texts):,} speeches -> {path}")
    return path


def browse(page: Path) -> None:
    with Browser(chromium_binary()) as browser:
        print(f"load (navigate to load event, data parsed and first page drawn): {browser.open(page, 300):.2f}s")
        print("status:", browser.js("document.getElementById('status').textContent"))
        steps = {
            "untick favor": "document.getElementById('f-favor').click()",
            "country = France": "{ const s = document.getElementById('field-country'); s.value = 'FRA'; s.onchange() }",
            "country = all": "{ const s = document.getElementById('field-country'); s.value = ''; s.onchange() }",
            "search 'withdrawal'": "S.q = 'withdrawal'; render()",
            "sentences view": "document.querySelector('nav button[data-view=sentences]').click()",
            "charts view": "document.querySelector('nav button[data-view=charts]').click()",
        }
        for name, expression in steps.items():
            started = time.perf_counter()
            browser.js(expression, timeout=120)
            took = time.perf_counter() - started
            print(f"{name}: {took:.2f}s; {browser.js('document.getElementById(`status`).textContent')}")
        browser.screenshot(page.with_suffix(".png"))
        print("console errors:", browser.errors())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=Path("/tmp/explorer-scale"))
    parser.add_argument("--explorer", type=Path, help="browse this existing explorer.html instead (real predictions)")
    args = parser.parse_args()
    if args.explorer is not None:
        browse(args.explorer)
        return
    args.out.mkdir(parents=True, exist_ok=True)
    predictions = fake_predictions(args.sentences, args.out)
    from pipeline.cli_aggregate import aggregate_main

    started = time.perf_counter()
    sys.argv = ["stance-aggregate", f"input={predictions}", f"out={args.out / 'analysis'}", f"texts={CORPUS}"]
    try:
        aggregate_main()
    except SystemExit as stop:
        if stop.code:
            raise
    print(f"stance-aggregate: {time.perf_counter() - started:.1f}s")
    browse(args.out / "analysis" / "explorer.html")


if __name__ == "__main__":
    main()
