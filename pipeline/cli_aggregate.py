"""``stance-aggregate``: tables, plots and the explorer from a ``stance-predict`` output (or a run folder).

A Hydra app like the others: its structured config is registered in Hydra's ConfigStore, and the shared entry
helpers of :mod:`pipeline.entry` compose every override first, so a misspelt key fails at once with one line.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from pipeline.config import AggregateAppConfig
from pipeline.entry import guarded, run_command

PROGRAM = "stance-aggregate"


def default_out(input_path: Path) -> Path:
    """``<input stem>.analysis/`` beside the prediction output (or ``<run>/analysis`` for a run folder)."""
    return input_path / "analysis" if input_path.is_dir() else input_path.with_name(input_path.stem + ".analysis")


class Progress:
    """One line per step with the time since start, on stderr (stdout keeps the list of files)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.started = enabled, time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            print(f"[{PROGRAM}] {time.perf_counter() - self.started:6.1f}s {message}", file=sys.stderr, flush=True)


def _check(cfg: AggregateAppConfig) -> None:
    from pipeline.errors import ConfigError

    unknown = [f for f in cfg.formats if f not in ("csv", "md", "parquet")]
    if unknown:
        raise ConfigError(f"unknown format(s) {unknown} (allowed: csv, md, parquet)", key="formats")
    if not 0 < cfg.level < 1:
        raise ConfigError(f"must be between 0 and 1, got {cfg.level}", key="level")


def write_tables(records: Any, cfg: AggregateAppConfig, out: Path, say: Progress) -> dict[str, Any]:
    """One table per ``by`` spec, in each format; fields no document has are skipped with a note."""
    from pipeline.aggregate import aggregate, documents_without, parse_by, table_name, write_table

    tables: dict[str, Any] = {}
    for spec in cfg.by:
        by = parse_by(spec)
        lacking = documents_without(records, by)
        if len(lacking) == records["doc"].nunique():
            say(f"skipped by {spec}: no document has {' and '.join(by)} (see metadata.*)")
            continue
        table = aggregate(records, by, n_bootstrap=cfg.n_bootstrap, seed=cfg.seed, level=cfg.level)
        for fmt in cfg.formats:
            write_table(table, out / f"{table_name(by)}.{fmt}")
        tables["+".join(by)] = table
        note = f"; {len(lacking)} documents lack it and are left out (e.g. {lacking[0]})" if lacking else ""
        say(f"by {spec}: {len(table)} rows{note}")
    return tables


def write_plots(tables: dict[str, Any], cfg: AggregateAppConfig, out: Path, say: Progress) -> None:
    from pipeline.aggregate_plots import plot_heatmap, plot_share_over_time, plot_top_countries

    for field_name in ("year", "decade"):
        if field_name in tables:
            plot_share_over_time(tables[field_name], field_name, out / f"share_by_{field_name}.png")
    if "country" in tables:
        plot_top_countries(tables["country"], out / "top_countries.png", min_stance=cfg.min_stance)
    if "country+decade" in tables:
        plot_heatmap(tables["country+decade"], out / "heatmap_country_decade.png")
    say("plots written")


def run_aggregate(cfg: AggregateAppConfig) -> Path:
    """Read, join metadata by ``doc``, write tables, plots and the explorer into the output folder."""
    from pipeline.aggregate import read_predictions, with_metadata
    from pipeline.explorer import explorer_from_predictions, explorer_from_run, is_run_folder
    from pipeline.metadata import MetadataSource

    _check(cfg)
    say = Progress(cfg.progress)
    source = MetadataSource(cfg.metadata.pattern, preset=cfg.metadata.preset, table=cfg.metadata.table)
    input_path = Path(cfg.input)
    out = Path(cfg.out) if cfg.out else default_out(input_path)
    out.mkdir(parents=True, exist_ok=True)
    if is_run_folder(input_path):
        page = explorer_from_run(input_path, out / "explorer.html", source)
        say(f"explorer of the run's weak labels and gold errors: {page}")
        return out
    records = with_metadata(read_predictions(input_path), source)
    say(f"read {len(records):,} sentences of {records['doc'].nunique():,} documents from {input_path}")
    tables = write_tables(records, cfg, out, say)
    if cfg.plots and tables:
        write_plots(tables, cfg, out, say)
    if cfg.explorer:
        say("building the explorer (documents' text, sentences, metadata) ...")
        page = explorer_from_predictions(input_path, out / "explorer.html", source, texts=cfg.texts)
        say(f"explorer: {page} ({page.stat().st_size / 1e6:.1f} MB)")
    print(f"[{PROGRAM}] wrote {out}/: " + ", ".join(sorted(p.name for p in out.iterdir())), flush=True)
    return out


def _aggregate_task(cfg: AggregateAppConfig) -> None:
    guarded(PROGRAM, cfg.debug, lambda: run_aggregate(cfg))


def aggregate_main() -> None:
    """``stance-aggregate input=<predictions .jsonl/.csv or run folder> [by=[country,decade]] [out=...]``."""
    run_command(PROGRAM, "aggregate", _aggregate_task, sys.argv[1:])


if __name__ == "__main__":
    aggregate_main()
