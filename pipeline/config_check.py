"""Checks of a composed config before any work starts, and Hydra's errors turned into one line naming the key."""

from __future__ import annotations

import itertools
import re
from typing import Any

from omegaconf import DictConfig, OmegaConf

from pipeline.capability import resolve_threads
from pipeline.config import (
    GoldConfig,
    PredictAppConfig,
    PysbdSplitterConfig,
    TrainAppConfig,
    TrainStageConfig,
    WeakConfig,
    setting_key,
)
from pipeline.errors import ConfigError

# ---------------------------------------------------------------- ranges

_POSITIVE = {
    "threads",
    "eval_batch_size",
    "batch_size",
    "max_length",
    "save_steps",
    "n_bootstrap",
    "chunk_docs",
    "chunk_sentences",
    "max_chars",
    "epochs",
    "learning_rate",
    "hidden_size",
    "num_layers",
    "num_heads",
    "intermediate_size",
    "max_targets",
    "gce_q",
    "exemplar_repeat",
}
_NON_NEGATIVE = {"weight_decay", "seed", "rounds", "pool", "near_miss_none"}
_FRACTION = {"warmup_ratio"}
_SHARE = {"on_topic_none_share", "on_topic_share", "gce_q", "keep_weak", "threshold"}


def _check_ranges(node: Any, prefix: str) -> None:
    if not isinstance(node, DictConfig):
        return
    for key in node:
        full = f"{prefix}{key}"
        child = None if OmegaConf.is_missing(node, key) else node[key]
        if isinstance(child, DictConfig):
            _check_ranges(child, full + ".")
            continue
        if isinstance(child, bool) or not isinstance(child, int | float):
            continue
        if key in _POSITIVE and child <= 0:
            raise ConfigError(f"must be greater than 0, got {child}", key=full)
        if key in _NON_NEGATIVE and child < 0:
            raise ConfigError(f"must be 0 or more, got {child}", key=full)
        if key in _SHARE and not 0 <= child <= 1:
            raise ConfigError(f"must be in [0, 1], got {child}", key=full)
        if key in _FRACTION and not 0 <= child < 1:
            raise ConfigError(f"must be in [0, 1), got {child}", key=full)


def validate(cfg: DictConfig) -> None:
    """Range checks that types alone cannot express, and cross-field rules; raises ConfigError."""
    _check_ranges(cfg, "")
    if "threads" in cfg:
        resolve_threads(cfg.threads, "threads")  # auto or a whole number > 0 (a string setting, so checked here)
    if (
        "train" in cfg
        and cfg.train.max_train is not None
        and (cfg.train.max_train < 0 or cfg.train.max_train == 0 and not cfg.train.get("exemplars"))
    ):
        raise ConfigError(
            f"must be a positive number or null (0 only with train.exemplars), got {cfg.train.max_train}",
            key=setting_key(TrainStageConfig, "max_train"),
        )
    if "gold" in cfg and cfg.gold.primary not in (cfg.gold.parts or {"all": None}):
        allowed = ", ".join(cfg.gold.parts or ["all"])
        raise ConfigError(
            f"'{cfg.gold.primary}' is not a gold part (allowed: {allowed})", key=setting_key(GoldConfig, "primary")
        )
    if "shard" in cfg:
        parse_shard(cfg.shard)
    if "name" in cfg and not OmegaConf.is_missing(cfg, "name"):
        name = str(cfg.name)
        if not name or name in {".", ".."} or "/" in name or "\\" in name or name.startswith("."):
            raise ConfigError(
                f"'{name}' is not a plain folder name",
                key=setting_key(TrainAppConfig, "name"),
                fix="use letters, digits, - and _",
            )
    if "train" in cfg:
        if cfg.train.max_steps == 0 or cfg.train.max_steps < -1:
            raise ConfigError(
                f"must be -1 (train for epochs) or > 0, got {cfg.train.max_steps}",
                key=setting_key(TrainStageConfig, "max_steps"),
            )
        if cfg.train.max_length > 512:
            raise ConfigError(
                f"must be at most 512 (the models' positions), got {cfg.train.max_length}",
                key=setting_key(TrainStageConfig, "max_length"),
            )
    unwrap = str(cfg.splitter.unwrap).lower() if "splitter" in cfg and "unwrap" in cfg.splitter else "auto"
    if unwrap not in {"auto", "true", "false"}:
        raise ConfigError(
            f"'{unwrap}' is not a choice (allowed: auto, true, false)", key=setting_key(PysbdSplitterConfig, "unwrap")
        )
    if "weak" in cfg and cfg.weak.lf_groups is not None:
        from pipeline.weak.lfs import LF_GROUPS

        unknown = [g for g in cfg.weak.lf_groups if g not in LF_GROUPS]
        if unknown:
            raise ConfigError(
                f"unknown group(s) {unknown} (allowed: {', '.join(LF_GROUPS)})",
                key=setting_key(WeakConfig, "lf_groups"),
            )


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` -> (i, n) with 0 <= i < n."""
    try:
        index, count = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise ConfigError(
            f"'{text}' is not of the form i/n", key=setting_key(PredictAppConfig, "shard"), fix="e.g. shard=0/4"
        ) from None
    if count < 1 or not 0 <= index < count:
        raise ConfigError(
            f"'{text}' has no such shard", key=setting_key(PredictAppConfig, "shard"), fix="use 0 <= i < n"
        ) from None
    return index, count


# ---------------------------------------------------------------- errors before any work


def sweep_combinations(overrides: list[str], limit: int = 64) -> list[list[str]]:
    """Expand sweep overrides (``a=1,2``) into the concrete override lists a multirun will compose."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parsed = OverridesParser.create().parse_overrides(overrides)
    choices: list[list[str]] = []
    for override in parsed:
        key = override.get_key_element()
        if override.is_sweep_override():
            choices.append([f"{key}={value}" for value in override.sweep_string_iterator()])
        else:
            choices.append([override.input_line])
    combos = [list(combo) for combo in itertools.islice(itertools.product(*choices), limit)]
    return combos or [[]]


def one_line_config_error(error: BaseException, defaults: DictConfig | None = None) -> str:
    """Hydra and OmegaConf errors span many lines; keep what names the key, and say what is allowed."""
    text = str(error)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    full_key = next((line.split(":", 1)[1].strip() for line in lines if line.startswith("full_key:")), None)
    message = next(
        (
            line
            for line in lines
            if not line.startswith(("full_key:", "object_type", "reference_type", "To append", "Set the environment"))
        ),
        text,
    )
    if "Available options in" in text:
        options = [
            line
            for line in lines[lines.index(next(x for x in lines if x.startswith("Available"))) + 1 :]
            if not line.startswith(("Config search path", "provider=")) and not line.endswith("_schema")
        ]
        return f"{message} (allowed: {', '.join(options)})"
    cause = error.__cause__
    if cause is not None and message.startswith(("Error merging override", "Could not override", "In '")):
        return one_line_config_error(cause, defaults)
    if full_key and full_key not in message:
        message = f"config key '{full_key}': {message}"
    missing = re.match(r"Key '([^']+)' not in", message.split(": ", 1)[-1])
    if missing and defaults is not None and full_key:
        parent = full_key.rsplit(".", 1)[0] if "." in full_key else ""
        node = OmegaConf.select(defaults, parent) if parent else defaults
        if isinstance(node, DictConfig):
            message += f" (allowed keys{' in ' + parent if parent else ''}: {', '.join(map(str, node.keys()))})"
    return message
