"""What every command does before and around its task: check the config, run Hydra, turn errors into one line.

Before Hydra runs, every override (each combination of a sweep) is composed against the structured configs, so
a misspelt key, a wrong type or an out-of-range value stops the command with one line on stderr before any work
starts. Errors in the user's input are one line too; ``debug=true`` shows the traceback instead.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path

CONFIG_ROOT = Path(__file__).resolve().parents[1] / "configs"
# stance-predict and stance-compare have config folders of their own: their `model` key is a path, which the
# training config group `model/` would otherwise capture.
CONFIG_DIRS = {name: CONFIG_ROOT / name for name in ("predict", "compare", "aggregate")} | {"train": CONFIG_ROOT}
# The top-level config file of each app: stance_train.yaml, not train.yaml, which would read as the `train/` group.
CONFIG_FILES = {"train": "stance_train", "predict": "predict", "compare": "compare", "aggregate": "aggregate"}


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
    from pipeline.errors import ConfigError, PipelineError
    from pipeline.prechecks import check_paths

    register_configs(config_name)
    overrides = _user_overrides(argv)
    multirun = any(arg in {"-m", "--multirun"} for arg in argv)
    info_only = any(arg in {"--cfg", "-c", "--info", "--help", "-h", "--hydra-help"} for arg in argv)
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
                if not info_only:
                    check_paths(config_name, cfg, multirun=multirun)
            except PipelineError as error:
                _fail(program, error.one_line(), status=2 if isinstance(error, ConfigError) else 1)
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


def quiet_libraries(*, training: bool = True) -> None:
    """Keep the terminal for our own progress bars and messages: library noise that tells a user nothing.

    Called inside the task, after the config checks: importing transformers takes seconds, which a config error
    must not wait for, and prediction from a cached ONNX graph never imports it (pipeline.predict.loading quiets
    its weight-loading bar where it is used). ``datasets`` is imported only where training uses it.
    """
    import warnings

    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # read when transformers is first imported
    if training:
        import transformers

        transformers.utils.logging.disable_progress_bar()
        import datasets

        datasets.disable_progress_bars()
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message="divide by zero", category=RuntimeWarning, module="snorkel")


def run_command(program: str, config_name: str, task: Callable, argv: list[str]) -> None:
    logging.basicConfig(level=logging.WARNING, format=f"{program}: %(levelname)s: %(message)s")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    check_config(program, config_name, argv)
    sys.argv = [program, *argv]
    _hydra_app(config_name, task)()
