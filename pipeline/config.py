"""Structured configs: dataclass schemas behind every YAML file in ``configs/``.

Every setting and its default is defined here, once: the YAML files in ``configs/`` only select a schema and
override what differs, and code that needs a default reads it from these classes. Hydra validates each
composed config against them, so a misspelt key, a wrong type or a value outside an enumeration fails at once;
ranges are checked by :func:`pipeline.config_check.validate` before any work starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import Enum
from typing import Any

from hydra.core.config_store import ConfigStore
from omegaconf import MISSING


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
    auto = "auto"  # chosen from the CPU (pipeline.capability.choose_path): onnx_int8 wherever onnxruntime is
    onnx_int8 = "onnx_int8"
    fp32 = "fp32"
    int8 = "int8"
    bf16 = "bf16"
    onnx = "onnx"


class EmbedPrecision(Enum):
    auto = "auto"  # as FastPath.auto: onnx_int8 (7-bit weights, exact on AVX2 and VNNI), else bf16 if native, else fp32
    onnx_int8 = "onnx_int8"
    onnx = "onnx"
    bf16 = "bf16"  # torch bf16 autocast: fast only with AVX512_BF16 or AMX (54x slower than fp32 on AVX2)
    fp32 = "fp32"  # torch fp32: the reference (and the previous implementation in benchmarks/weak.py)


class SplitMode(Enum):
    sentences = "sentences"  # split each document with the configured splitter
    none = "none"  # each JSONL record {"id", "text"} is one unit


# ---------------------------------------------------------------- stage groups


@dataclass
class CorpusConfig:
    """configs/corpus/: the documents to train on (the default: the seed document; gold/ beside it is no document)."""

    path: str = "seeds"
    suffixes: list[str] = field(default_factory=lambda: [".txt", ".md", ".jsonl"])
    exclude: list[str] = field(default_factory=lambda: ["gold/*"])
    max_document_mb: float | None = 50.0  # larger documents are skipped with a warning (null: no limit)


@dataclass
class PysbdSplitterConfig:
    """configs/splitter/: the sentence splitter with exact offsets (pipeline.split.PysbdSplitter)."""

    _target_: str = "pipeline.split.PysbdSplitter"
    unwrap: str = "auto"  # auto | true | false: join hard-wrapped lines (PDF text) into paragraphs, offsets kept
    max_chars: int | None = 2000  # cut longer runs at whitespace (null: never)
    backend: str = "rules"  # rules (fast, pysbd's English conventions, >4 MB/s) | pysbd (the library, ~0.1 MB/s)


@dataclass
class WeakConfig:
    """configs/weak/: labelling functions (by evidence group) and the label model that combines their votes.

    Majority vote is the default label model: it scored higher than Snorkel's LabelModel on both halves of the UN
    tuning part (0.93 vs 0.88-0.92), and on a small corpus such as the seed (54 sentences) Snorkel cannot
    estimate the functions' accuracies (seed macro-F1 0.60 against majority vote's 1.00). ``epochs``, ``lr`` and
    the class balance settings apply to Snorkel's LabelModel only.
    """

    _target_: str = "pipeline.weak.build.build_weak_labeler"
    lf_groups: list[str] = field(default_factory=lambda: ["patterns", "modality", "targets", "lexicons", "embeddings"])
    label_model: LabelModelKind = LabelModelKind.majority
    epochs: int = 500
    lr: float = 0.01
    class_balance: list[float] | None = None  # label prior in [against, favor, none] order, e.g. [0.2, 0.1, 0.7]
    estimate_class_balance: bool = True  # with class_balance null: estimate the prior from the votes; false: uniform
    tie_policy: TiePolicy = TiePolicy.none  # abstain | random | none (a tie becomes `none`)
    abstain_policy: AbstainPolicy = AbstainPolicy.none  # none: all-abstain sentences are `none`; drop: not trained on
    learned_threshold: float = 0.9  # the learned LF (embeddings -> rule labels) votes at this confidence or more
    embed_precision: EmbedPrecision = EmbedPrecision.auto  # embeddings of both embedding LFs (see EmbedPrecision)
    embed_cache: bool = True  # keep embeddings on disk keyed by model, path and text (under STANCE_CACHE_DIR)


@dataclass
class PackagedMiniLMConfig:
    name: str = "minilm"
    _target_: str = "pipeline.models.PackagedMiniLM"  # last: pipeline.models subclasses this


@dataclass
class PretrainedModelConfig:
    path_or_id: str = MISSING
    name: str = "pretrained"
    _target_: str = "pipeline.models.PretrainedModel"  # last: pipeline.models subclasses this


@dataclass
class TinyBertConfig:
    hidden_size: int = 32
    num_layers: int = 2
    num_heads: int = 2
    intermediate_size: int = 64
    seed: int = 0
    name: str = "tiny"
    _target_: str = "pipeline.models.TinyBert"  # last: pipeline.models subclasses this


@dataclass
class TrainStageConfig:
    """Fine-tuning hyper-parameters (configs/train/); pipeline.train.TrainSettings adds seed and threads."""

    epochs: float = 10.0
    learning_rate: float = 1e-4
    batch_size: int = 16
    max_length: int = 128
    weight_decay: float = 0.01
    warmup_ratio: float = 0.1
    max_train: int | None = None  # cap on training sentences; null: all weakly labelled sentences
    balance: bool = False  # class-balanced sample (equal quota per label)
    on_topic_none_share: float = 0.0  # with balance: share of the `none` quota drawn from sentences about troops
    class_weights: bool = True  # weight the loss by inverse label frequency
    group_by_length: bool = True  # batch sentences of similar length together: less padding, faster epochs
    calibrate_on: str | None = None  # a development gold part (e.g. tuning) on which to choose the `none` shift
    save_steps: int = 50  # checkpoint every N steps (for resume=true)
    max_steps: int = -1  # >0 overrides epochs


@dataclass
class GoldConfig:
    """configs/gold/: the gold set, its parts (id lists) and the part whose scores are reported.

    The default is the seed's 54 sentences with offsets; their boundaries are also the gold segmentation.
    """

    path: str = "seeds/gold/seed_gold.jsonl"
    parts: dict[str, str] = field(default_factory=dict)
    primary: str = "all"
    require_offsets: bool = True
    n_bootstrap: int = 1000


# ---------------------------------------------------------------- applications


@dataclass
class TrainAppConfig:
    """stance-train (configs/stance_train.yaml selects a config of each group)."""

    name: str = "${now:%Y-%m-%d_%H-%M-%S}"  # run folder name under runs_dir
    runs_dir: str = "artifacts/runs"
    shared_dir: str = "../shared"  # the read-only data beside the project (UN corpus and gold)
    resume: bool = False  # continue an interrupted run of the same name from its last checkpoint
    seed: int = 0
    threads: str = "auto"  # auto: the cores this process may use (affinity, cgroup quota); or a number
    progress: bool = True
    debug: bool = False  # true: show tracebacks instead of one-line errors
    corpus: CorpusConfig = MISSING
    splitter: Any = MISSING
    weak: WeakConfig = MISSING
    model: Any = MISSING
    train: TrainStageConfig = MISSING
    gold: GoldConfig = MISSING
    eval_batch_size: int = 64


@dataclass
class PredictAppConfig:
    """stance-predict model=<run or model folder> input=<file, folder, .jsonl or -> output=<.jsonl or .csv>."""

    model: str = MISSING
    input: str = MISSING
    output: str = "artifacts/predictions/predictions.jsonl"
    split: SplitMode = SplitMode.sentences  # sentences | none (each JSONL record {"id", "text"} is one unit)
    splitter: PysbdSplitterConfig = field(default_factory=PysbdSplitterConfig)  # used when split=sentences
    fast_path: FastPath = FastPath.auto  # see README, Performance
    batch_size: int = 64
    max_length: int = 128
    threads: str = TrainAppConfig.threads  # auto or a number (see TrainAppConfig)
    resume: bool = False  # continue after the last complete document of an interrupted run
    overwrite: bool = False  # replace an existing output (otherwise an existing output is an error)
    shard: str = "0/1"  # i/n: the i-th of n contiguous blocks of the input documents
    suffixes: list[str] = field(default_factory=lambda: CorpusConfig().suffixes)
    exclude: list[str] = field(default_factory=lambda: CorpusConfig().exclude)
    max_document_mb: float | None = CorpusConfig.max_document_mb
    chunk_docs: int = 32
    progress: bool = TrainAppConfig.progress
    debug: bool = TrainAppConfig.debug


@dataclass
class CompareAppConfig:
    """stance-compare [folders...] [--against RUN]: a table, CSV, Markdown and plot across runs."""

    runs: list[str] = field(default_factory=lambda: [TrainAppConfig.runs_dir])
    against: str | None = None
    out: str | None = None  # default: the single folder given, else artifacts/compare
    n_bootstrap: int = 2000
    seed: int = 0
    debug: bool = TrainAppConfig.debug


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
_PREFIXES: dict[type, str] = {schema: group for group, named in _GROUP_SCHEMAS.items() for schema in named.values()}


def setting_key(schema: type, name: str) -> str:
    """The key a user types for field ``name`` of ``schema`` (``weak.lf_groups``, ``fast_path``).

    Error messages name settings through this, so they always name a real key: a field that the schema lacks
    fails here, when the message is built (and the tests build every one).
    """
    if name not in {f.name for f in fields(schema)}:
        raise KeyError(f"{schema.__name__} has no setting {name!r}")
    prefix = _PREFIXES.get(schema)
    return f"{prefix}.{name}" if prefix else name


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
