"""Hydra entry points (``stance-train``, ``stance-predict``, ``stance-compare``): config in, plain calls out.

Before Hydra runs, every override (each combination of a sweep) is composed against the structured configs, so
a misspelt key, a wrong type or an out-of-range value stops the command with one line on stderr before any work
starts. Errors in the user's input are one line too; ``debug=true`` shows the traceback instead.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Callable
from pathlib import Path

CONFIG_ROOT = Path(__file__).resolve().parents[1] / "configs"
# stance-predict and stance-compare have config folders of their own: their `model` key is a path, which the
# training config group `model/` would otherwise capture.
CONFIG_DIRS = {"train": CONFIG_ROOT, "predict": CONFIG_ROOT / "predict", "compare": CONFIG_ROOT / "compare"}
# The top-level config file of each app: stance_train.yaml, not train.yaml, which would read as the `train/` group.
CONFIG_FILES = {"train": "stance_train", "predict": "predict", "compare": "compare"}


def _fail(program: str, message: str, status: int = 2) -> None:
    print(f"{program}: error: {message}", file=sys.stderr)
    raise SystemExit(status)


def _user_overrides(argv: list[str]) -> list[str]:
    """The ``key=value`` overrides among argv, leaving Hydra's own flags and ``hydra.*`` settings aside."""
    overrides, skip_next = [], False
    for arg in argv:
        if skip_next:
            skip_next = False
            continue
        if arg in {
            "--cfg",
            "-c",
            "--package",
            "-p",
            "--config-name",
            "-cn",
            "--config-path",
            "-cp",
            "--config-dir",
            "-cd",
            "--info",
        }:
            skip_next = arg not in {"--info"}
            continue
        if arg.startswith("-") or arg.lstrip("+~").startswith(("hydra.", "hydra/")):
            continue
        overrides.append(arg)
    return overrides


def check_config(program: str, config_name: str, argv: list[str]) -> None:
    """Compose the config for each override combination now, so bad ones fail at once with one line."""
    from hydra import compose, initialize_config_dir
    from hydra.core.global_hydra import GlobalHydra
    from omegaconf import OmegaConf

    from pipeline.config import register_configs
    from pipeline.config_check import one_line_config_error, sweep_combinations, validate
    from pipeline.errors import ConfigError

    register_configs(config_name)
    overrides = _user_overrides(argv)
    try:
        combinations = sweep_combinations(overrides)
    except Exception as error:  # noqa: BLE001 - Hydra's parser raises several kinds
        _fail(program, one_line_config_error(error))
    GlobalHydra.instance().clear()
    with initialize_config_dir(config_dir=str(CONFIG_DIRS[config_name]), version_base="1.3"):
        defaults = compose(config_name=CONFIG_FILES[config_name])
        for combination in combinations:
            appended = [o for o in combination if o.startswith("+") and not o.lstrip("+").startswith("hydra.")]
            if appended:
                key = appended[0].lstrip("+").split("=", 1)[0]
                _fail(
                    program,
                    f"config key '{key}': '+' adds a key that nothing reads "
                    f"(allowed keys: {', '.join(map(str, defaults.keys()))})",
                )
            try:
                cfg = compose(config_name=CONFIG_FILES[config_name], overrides=combination)
                validate(cfg)
                missing = sorted(k for k in OmegaConf.missing_keys(cfg) if not k.startswith("hydra"))
                if missing:
                    raise ConfigError("is required and has no value", key=missing[0], fix=f"add {missing[0]}=...")
            except ConfigError as error:
                _fail(program, error.one_line())
            except Exception as error:  # noqa: BLE001 - any composition error becomes one line
                _fail(program, one_line_config_error(error, defaults))
    GlobalHydra.instance().clear()


def guarded(program: str, debug: bool, action: Callable[[], object]) -> object:
    """Run ``action``; a PipelineError becomes one line on stderr and exit status 1 unless ``debug``."""
    from pipeline.errors import ConfigError, PipelineError

    try:
        return action()
    except KeyboardInterrupt:
        _fail(program, "interrupted", status=130)
    except Exception as error:
        # Hydra's instantiate wraps what a stage's constructor raises (InstantiationException): unwrap it.
        cause: BaseException | None = error
        while cause is not None and not isinstance(cause, PipelineError):
            cause = cause.__cause__ or cause.__context__
        if debug or cause is None:
            raise
        _fail(program, cause.one_line(), status=2 if isinstance(cause, ConfigError) else 1)
    return None


def _hydra_app(config_name: str, task: Callable) -> Callable[[], None]:
    import hydra

    from pipeline.config import register_configs

    register_configs(config_name)
    directory = str(CONFIG_DIRS[config_name])
    return hydra.main(config_path=directory, config_name=CONFIG_FILES[config_name], version_base="1.3")(task)


def _quiet_libraries() -> None:
    """Keep the terminal for our own progress bars and messages: library noise that tells a user nothing."""
    import warnings

    import datasets
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    datasets.disable_progress_bars()
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message="divide by zero", category=RuntimeWarning, module="snorkel")


def _entry(program: str, config_name: str, task: Callable, argv: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING, format=f"{program}: %(levelname)s: %(message)s")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _quiet_libraries()
    check_config(program, config_name, argv)
    sys.argv = [program, *argv]
    _hydra_app(config_name, task)()


# ---------------------------------------------------------------- stance-train


def _corpus(path: str, settings, shard: tuple[int, int] = (0, 1)):  # noqa: ANN001, ANN202
    """The corpus at ``path`` read with the reading settings of ``settings`` (``corpus`` group, or stance-predict)."""
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
    _quiet_libraries()  # again here: launcher workers (joblib, submitit) start fresh processes
    from hydra.core.hydra_config import HydraConfig
    from hydra.utils import instantiate
    from omegaconf import OmegaConf

    from pipeline.capability import resolve_threads
    from pipeline.config import TrainAppConfig, setting_key
    from pipeline.errors import ConfigError
    from pipeline.runs import RunFolder
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
            corpus=_corpus(cfg.corpus.path, cfg.corpus),
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
        )

    guarded("stance-train", cfg.debug, action)


def train_main() -> None:
    """``stance-train [overrides]``: split, weak-label, fine-tune and evaluate into one run folder."""
    _entry("stance-train", "train", _train_task, sys.argv[1:])


# ---------------------------------------------------------------- stance-predict


def _predict_task(cfg) -> None:  # noqa: ANN001
    _quiet_libraries()  # again here: launcher workers (joblib, submitit) start fresh processes
    from hydra.utils import instantiate

    from pipeline.config import SplitMode
    from pipeline.config_check import parse_shard
    from pipeline.predict import Predictor, predict_corpus

    def action() -> object:
        corpus = _corpus(cfg.input, cfg, shard=parse_shard(cfg.shard))
        splitter = None if cfg.split == SplitMode.none else instantiate(cfg.splitter)
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
            resume=cfg.resume,
            overwrite=cfg.overwrite,
            progress=cfg.progress,
        )
        choice = predictor.choice
        print(f"[stance-predict] {summary.line()}; path {choice.value}: {choice.reason}", flush=True)
        return summary

    guarded("stance-predict", cfg.debug, action)


def predict_main() -> None:
    """``stance-predict model=... input=... output=...``: label every sentence of new documents."""
    _entry("stance-predict", "predict", _predict_task, sys.argv[1:])


# ---------------------------------------------------------------- stance-compare


def _compare_task(cfg) -> None:  # noqa: ANN001
    _quiet_libraries()  # again here: launcher workers (joblib, submitit) start fresh processes
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
    _entry("stance-compare", "compare", _compare_task, compare_argv(sys.argv[1:]))
