"""Hydra entry points (``stance-train``, ``stance-predict``, ``stance-compare``): config in, plain calls out.

The checks and error handling every command shares live in :mod:`pipeline.entry`.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import sys
from pathlib import Path

from pipeline.entry import guarded, quiet_libraries, run_command

# ---------------------------------------------------------------- stance-train


def _corpus(path: str, settings, shard: tuple[int, int] = (0, 1)):  # noqa: ANN001, ANN202
    """stance-predict's input at ``path``, read with its reading settings (training uses ``sources.build_corpus``)."""
    from pipeline.corpus import Corpus

    return Corpus(
        path,
        suffixes=settings.suffixes,
        exclude=settings.exclude,
        shard=shard,
        max_document_mb=settings.max_document_mb,
    )


def _run_location(cfg) -> tuple[str, str]:  # noqa: ANN001
    """(runs root, run name): ``runs_dir/name`` alone; in a sweep, one folder per job in the sweep folder."""
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    hydra_cfg = HydraConfig.get()
    if hydra_cfg.mode == RunMode.MULTIRUN:
        label = re.sub(r"[^A-Za-z0-9_.=,-]+", "-", hydra_cfg.job.override_dirname or "defaults")
        return hydra_cfg.sweep.dir, f"{hydra_cfg.job.num}_{label}"[:120]
    return cfg.runs_dir, cfg.name


def _train_task(cfg) -> None:  # noqa: ANN001
    quiet_libraries()  # here, in the task: launcher workers (joblib, submitit) start fresh processes
    from hydra.core.hydra_config import HydraConfig
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    from pipeline.capability import resolve_threads
    from pipeline.config import TrainAppConfig, setting_key
    from pipeline.errors import ConfigError
    from pipeline.runs import RunFolder
    from pipeline.sources import build_corpus
    from pipeline.train import TrainSettings
    from pipeline.workflow import run_training

    def action() -> object:
        root, name = _run_location(cfg)
        task_overrides = list(HydraConfig.get().overrides.task)
        if int(os.environ.get("WORLD_SIZE", "1")) > 1 and not any(o.startswith("name=") for o in task_overrides):
            raise ConfigError(
                "under torchrun every process must write the same run: give it a name",
                key=setting_key(TrainAppConfig, "name"),
                fix="add name=<run name>",
            )
        threads = resolve_threads(cfg.threads)
        settings = TrainSettings(**OmegaConf.to_container(cfg.train, resolve=True), seed=cfg.seed, threads=threads)
        return run_training(
            corpus=build_corpus(OmegaConf.to_object(cfg.corpus)),
            splitter=instantiate(cfg.splitter),
            labeler=instantiate(cfg.weak, seed=cfg.seed, threads=threads),
            model_source=instantiate(cfg.model),
            settings=settings,
            gold=OmegaConf.to_object(cfg.gold),
            run=RunFolder(root, name, resume=cfg.resume),
            config_yaml=OmegaConf.to_yaml(cfg, resolve=True),
            overrides=task_overrides,
            eval_batch_size=cfg.eval_batch_size,
            progress=cfg.progress,
            self_training=OmegaConf.to_object(cfg.self_train),
        )

    guarded("stance-train", cfg.debug, action)


def train_main() -> None:
    """``stance-train [overrides]``: split, weak-label, fine-tune and evaluate into one run folder."""
    run_command("stance-train", "train", _train_task, sys.argv[1:])


# ---------------------------------------------------------------- stance-predict


def _predict_task(cfg) -> None:  # noqa: ANN001
    quiet_libraries(training=False)
    from hydra.utils import instantiate

    from pipeline.config import PredictSystem, SplitMode
    from pipeline.config_check import parse_shard
    from pipeline.metadata import MetadataSource
    from pipeline.predict import Predictor, predict_corpus

    def action() -> object:
        corpus = _corpus(cfg.input, cfg, shard=parse_shard(cfg.shard))
        splitter = None if cfg.split == SplitMode.none else instantiate(cfg.splitter)
        metadata = MetadataSource(cfg.metadata.pattern, preset=cfg.metadata.preset, table=cfg.metadata.table)
        if cfg.system == PredictSystem.weak:  # the run's weak labeller, with each sentence's votes
            from pipeline.predict.weak import WeakPredictor  # snorkel and scikit-learn: imported only when used

            predictor = WeakPredictor(cfg.model, batch_size=cfg.batch_size, threads=cfg.threads)
        else:
            predictor = Predictor(
                cfg.model,
                fast_path=cfg.fast_path.value,
                batch_size=cfg.batch_size,
                max_length=cfg.max_length,
                threads=cfg.threads,
            )
        summary = predict_corpus(
            corpus,
            predictor,
            splitter,
            Path(cfg.output),
            chunk_docs=cfg.chunk_docs,
            chunk_sentences=cfg.chunk_sentences,
            resume=cfg.resume,
            overwrite=cfg.overwrite,
            progress=cfg.progress,
            metadata=None if metadata.empty else metadata,
        )
        # The output is complete and fsynced: from here a Ctrl-C has nothing left to stop, so it is ignored
        # rather than turned into exit status 130 with no message.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        choice = predictor.choice
        print(f"[stance-predict] {summary.line()}; path {choice.value}: {choice.reason}", flush=True)
        return summary

    guarded("stance-predict", cfg.debug, action)


def predict_main() -> None:
    """``stance-predict model=... input=... output=...``: label every sentence of new documents."""
    run_command("stance-predict", "predict", _predict_task, sys.argv[1:])
    _exit_now(0)


def _exit_now(status: int) -> None:
    """Exit at once once everything is written and flushed.

    Tearing down torch's and ONNX Runtime's thread pools and modules at interpreter exit took ~1.7 s after the
    summary line; nothing in it matters once the output is complete and the logs are flushed.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(status)


# ---------------------------------------------------------------- stance-compare


def _compare_task(cfg) -> None:  # noqa: ANN001
    from pipeline.compare import compare_runs, find_runs, format_table, load_run, write_comparison
    from pipeline.errors import InputError

    def action() -> object:
        paths = [Path(p) for p in cfg.runs]
        runs = [load_run(path) for path in find_runs(paths)]
        if not runs:
            raise InputError(
                "no finished run found",
                file=", ".join(map(str, paths)),
                fix="train one with stance-train, or name run folders",
            )
        table = compare_runs(
            runs,
            against=Path(cfg.against) if cfg.against else None,
            n_bootstrap=cfg.n_bootstrap,
            seed=cfg.seed,
        )
        out = (
            Path(cfg.out)
            if cfg.out
            else (paths[0] if len(paths) == 1 and paths[0].is_dir() else Path("artifacts/compare"))
        )
        written = write_comparison(table, out)
        print(format_table(table))
        print("[stance-compare] wrote " + ", ".join(str(p) for p in written.values()), flush=True)
        return table

    guarded("stance-compare", cfg.debug, action)


def compare_argv(argv: list[str]) -> list[str]:
    """Let ``stance-compare DIR... [--against RUN]`` stand for ``runs=[DIR,...] against=RUN``."""
    folders, rest, index = [], [], 0
    while index < len(argv):
        arg = argv[index]
        if arg == "--against" and index + 1 < len(argv):
            rest.append(f"against={argv[index + 1]}")
            index += 2
            continue
        if arg.startswith("--against="):
            rest.append("against=" + arg.split("=", 1)[1])
        elif "=" in arg or arg.startswith("-"):
            rest.append(arg)
        else:
            folders.append(arg)
        index += 1
    if folders:
        rest.insert(0, "runs=[" + ",".join(f"'{f}'" for f in folders) + "]")
    return rest


def compare_main() -> None:
    """``stance-compare [folders...] [--against RUN]``: table, CSV, Markdown and plot across runs."""
    run_command("stance-compare", "compare", _compare_task, compare_argv(sys.argv[1:]))
