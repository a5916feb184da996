"""Structured configs: dataclass schemas behind every YAML file in ``configs/``.

Hydra validates each composed config against these schemas, so a misspelt key, a wrong type or a value outside
an enumeration fails at once; ranges are checked by :func:`validate` before any work starts. Every error is
turned into one line that names the key and says what is allowed.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING, DictConfig, OmegaConf

from pipeline.errors import ConfigError


class LabelModelKind(Enum):
    snorkel = "snorkel"
    majority = "majority"


class TiePolicy(Enum):
    abstain = "abstain"
    random = "random"
    none = "none"


class AbstainPolicy(Enum):
    none = "none"  # sentences on which every labelling function abstains are labelled `none`
    drop = "drop"  # ... or left out of training


class FastPath(Enum):
    onnx_int8 = "onnx_int8"
    fp32 = "fp32"
    int8 = "int8"
    bf16 = "bf16"
    onnx = "onnx"


class EmbedPrecision(Enum):
    bf16 = "bf16"
    fp32 = "fp32"


class SplitMode(Enum):
    sentences = "sentences"  # split each document with the configured splitter
    none = "none"  # each JSONL record {"id", "text"} is one unit


# ---------------------------------------------------------------- stage groups


@dataclass
class CorpusConfig:
    path: str = "seeds"
    suffixes: list[str] = field(default_factory=lambda: [".txt", ".md", ".jsonl"])
    exclude: list[str] = field(default_factory=lambda: ["gold/*"])
    max_document_mb: float | None = 50.0


@dataclass
class PysbdSplitterConfig:
    _target_: str = "pipeline.split.PysbdSplitter"
    unwrap: str = "auto"
    max_chars: int | None = 2000
    backend: str = "rules"


@dataclass
class WeakConfig:
    _target_: str = "pipeline.weak.build.build_weak_labeler"
    lf_groups: list[str] = field(default_factory=lambda: ["patterns", "modality", "targets", "lexicons", "embeddings"])
    label_model: LabelModelKind = LabelModelKind.majority
    epochs: int = 500
    lr: float = 0.01
    class_balance: list[float] | None = None
    estimate_class_balance: bool = True
    tie_policy: TiePolicy = TiePolicy.none
    abstain_policy: AbstainPolicy = AbstainPolicy.none
    learned_threshold: float = 0.9
    embed_precision: EmbedPrecision = EmbedPrecision.bf16


@dataclass
class PackagedMiniLMConfig:
    _target_: str = "pipeline.models.PackagedMiniLM"
    name: str = "minilm"


@dataclass
class PretrainedModelConfig:
    _target_: str = "pipeline.models.PretrainedModel"
    path_or_id: str = MISSING
    name: str = "pretrained"


@dataclass
class TinyBertConfig:
    _target_: str = "pipeline.models.TinyBert"
    hidden_size: int = 32
    num_layers: int = 2
    num_heads: int = 2
    intermediate_size: int = 64
    seed: int = 0
    name: str = "tiny"


@dataclass
class TrainStageConfig:
    """Fine-tuning hyper-parameters (configs/train/); pipeline.train.TrainSettings adds seed and threads."""

    epochs: float = 10.0
    learning_rate: float = 1e-4
    batch_size: int = 16
    max_length: int = 128
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_train: int | None = None
    balance: bool = False
    on_topic_none_share: float = 0.0
    class_weights: bool = True
    group_by_length: bool = True
    calibrate_on: str | None = None
    save_steps: int = 50
    max_steps: int = -1


@dataclass
class GoldConfig:
    path: str = "seeds/gold/seed_gold.jsonl"
    parts: dict[str, str] = field(default_factory=dict)
    primary: str = "all"
    require_offsets: bool = True
    n_bootstrap: int = 1000


# ---------------------------------------------------------------- applications


@dataclass
class TrainAppConfig:
    name: str = MISSING
    runs_dir: str = "artifacts/runs"
    shared_dir: str = "../shared"
    resume: bool = False
    seed: int = 0
    threads: int = 1
    progress: bool = True
    debug: bool = False
    corpus: CorpusConfig = MISSING
    splitter: Any = MISSING
    weak: WeakConfig = MISSING
    model: Any = MISSING
    train: TrainStageConfig = MISSING
    gold: GoldConfig = MISSING
    eval_batch_size: int = 64


@dataclass
class PredictAppConfig:
    model: str = MISSING
    input: str = MISSING
    output: str = "artifacts/predictions/predictions.jsonl"
    split: SplitMode = SplitMode.sentences
    splitter: PysbdSplitterConfig = field(default_factory=PysbdSplitterConfig)
    fast_path: FastPath = FastPath.onnx_int8
    batch_size: int = 64
    max_length: int = 128
    threads: int = 1
    resume: bool = False
    overwrite: bool = False
    shard: str = "0/1"
    suffixes: list[str] = field(default_factory=lambda: [".txt", ".md", ".jsonl"])
    exclude: list[str] = field(default_factory=lambda: ["gold/*"])
    max_document_mb: float | None = 50.0
    chunk_docs: int = 32
    progress: bool = True
    debug: bool = False


@dataclass
class CompareAppConfig:
    runs: list[str] = field(default_factory=lambda: ["artifacts/runs"])
    against: str | None = None
    out: str | None = None
    n_bootstrap: int = 2000
    seed: int = 0
    debug: bool = False


_GROUP_SCHEMAS: dict[str, dict[str, type]] = {
    "corpus": {"corpus_schema": CorpusConfig},
    "splitter": {"pysbd_schema": PysbdSplitterConfig},
    "weak": {"weak_schema": WeakConfig},
    "model": {
        "minilm_schema": PackagedMiniLMConfig,
        "pretrained_schema": PretrainedModelConfig,
        "tiny_schema": TinyBertConfig,
    },
    "train": {"train_stage_schema": TrainStageConfig},
    "gold": {"gold_schema": GoldConfig},
}
_APP_SCHEMAS: dict[str, type] = {"train": TrainAppConfig, "predict": PredictAppConfig, "compare": CompareAppConfig}


def register_configs(app: str = "train") -> None:
    """Put one application's schemas in Hydra's ConfigStore; YAML files name them in their defaults lists.

    Only ``stance-train`` gets the stage groups: in ``stance-predict`` a group named ``model`` would capture the
    ``model=<folder>`` override, so the groups are taken out of the (process-wide) store for the other apps.
    """
    store = ConfigStore.instance()
    for group in _GROUP_SCHEMAS:
        store.repo.pop(group, None)
    store.store(name=f"{app}_schema", node=_APP_SCHEMAS[app])
    if app == "train":
        for group, schemas in _GROUP_SCHEMAS.items():
            for name, node in schemas.items():
                store.store(group=group, name=name, node=node)


# ---------------------------------------------------------------- ranges

_POSITIVE = {
    "threads",
    "eval_batch_size",
    "batch_size",
    "max_length",
    "save_steps",
    "n_bootstrap",
    "chunk_docs",
    "max_chars",
    "epochs",
    "learning_rate",
    "hidden_size",
    "num_layers",
    "num_heads",
    "intermediate_size",
}
_NON_NEGATIVE = {"weight_decay", "seed"}
_FRACTION = {"warmup_ratio"}
_SHARE = {"on_topic_none_share"}


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
    if "train" in cfg and cfg.train.max_train is not None and cfg.train.max_train <= 0:
        raise ConfigError(f"must be a positive number or null, got {cfg.train.max_train}", key="train.max_train")
    if "gold" in cfg and cfg.gold.primary not in (cfg.gold.parts or {"all": None}):
        allowed = ", ".join(cfg.gold.parts or ["all"])
        raise ConfigError(f"'{cfg.gold.primary}' is not a gold part (allowed: {allowed})", key="gold.primary")
    if "shard" in cfg:
        parse_shard(cfg.shard)
    if "name" in cfg and not OmegaConf.is_missing(cfg, "name"):
        name = str(cfg.name)
        if not name or name in {".", ".."} or "/" in name or "\\" in name or name.startswith("."):
            raise ConfigError(f"'{name}' is not a plain folder name", key="name", fix="use letters, digits, - and _")
    if "train" in cfg:
        if cfg.train.max_steps == 0 or cfg.train.max_steps < -1:
            raise ConfigError(f"must be -1 (train for epochs) or > 0, got {cfg.train.max_steps}", key="train.max_steps")
        if cfg.train.max_length > 512:
            raise ConfigError(
                f"must be at most 512 (the models' positions), got {cfg.train.max_length}", key="train.max_length"
            )
    unwrap = str(cfg.splitter.unwrap).lower() if "splitter" in cfg and "unwrap" in cfg.splitter else "auto"
    if unwrap not in {"auto", "true", "false"}:
        raise ConfigError(f"'{unwrap}' is not a choice (allowed: auto, true, false)", key="splitter.unwrap")
    if "weak" in cfg and cfg.weak.lf_groups is not None:
        from pipeline.weak.lfs import LF_GROUPS

        unknown = [g for g in cfg.weak.lf_groups if g not in LF_GROUPS]
        if unknown:
            raise ConfigError(f"unknown group(s) {unknown} (allowed: {', '.join(LF_GROUPS)})", key="weak.lf_groups")


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` -> (i, n) with 0 <= i < n."""
    try:
        index, count = (int(part) for part in str(text).split("/"))
    except ValueError:
        raise ConfigError(f"'{text}' is not of the form i/n", key="shard", fix="e.g. shard=0/4") from None
    if count < 1 or not 0 <= index < count:
        raise ConfigError(f"'{text}' has no such shard", key="shard", fix="use 0 <= i < n") from None
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
