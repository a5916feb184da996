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
    auto = "auto"  # pipeline.capability.choose_path: onnx_int8 with VNNI, else onnx (fp32), where onnxruntime is
    onnx_int8 = "onnx_int8"
    fp32 = "fp32"
    int8 = "int8"
    bf16 = "bf16"
    onnx = "onnx"


class EmbedPrecision(Enum):
    auto = "auto"  # onnx (fp32: one vector per text, whatever its batch), else bf16 if native, else fp32
    onnx_int8 = "onnx_int8"
    onnx = "onnx"
    bf16 = "bf16"  # torch bf16 autocast: fast only with AVX512_BF16 or AMX (54x slower than fp32 on AVX2)
    fp32 = "fp32"  # torch fp32: the reference (and the previous implementation in benchmarks/weak.py)


class Pooling(Enum):
    cls = "cls"  # the [CLS] vector through BERT's pooler (transformers' BertForSequenceClassification)
    mean = "mean"  # the mask-weighted mean of the token vectors, as all-MiniLM-L6-v2 was trained (pipeline.mean_pool)


class TrainTargets(Enum):
    hard = "hard"  # the label model's label, one-hot
    soft = "soft"  # the label model's probabilities


class TrainLoss(Enum):
    ce = "ce"  # cross-entropy (soft targets: the expected cross-entropy)
    gce = "gce"  # generalized cross-entropy (Zhang & Sabuncu 2018): bounded, so confident wrong labels weigh less


class PredictSystem(Enum):
    model = "model"  # the fine-tuned model
    weak = "weak"  # the run's weak labeller: label-model probabilities plus each labelling function's vote


class SplitMode(Enum):
    sentences = "sentences"  # split each document with the configured splitter
    none = "none"  # each JSONL record {"id", "text"} is one unit


# ---------------------------------------------------------------- stage groups

NOT_DOCUMENTS: tuple[str, ...] = ("README*", "*/README*", "LICENSE*", "*/LICENSE*", ".*", "*/.*")
"""Files of a corpus folder that describe the collection rather than belong to it, excluded by default."""


@dataclass
class CorpusConfig:
    """configs/corpus/: the documents to train on (the default: the seed document; gold/ beside it is no document)."""

    path: str = "seeds"
    suffixes: list[str] = field(default_factory=lambda: [".txt", ".md", ".jsonl"])
    # globs over paths relative to the folder: its gold set, and files that describe a collection, not documents
    # (README*, LICENSE*, hidden files), at any depth
    exclude: list[str] = field(default_factory=lambda: ["gold/*", *NOT_DOCUMENTS])
    max_document_mb: float | None = 50.0  # larger documents are skipped with a warning (null: no limit)
    more_paths: list[str] = field(default_factory=list)  # further corpora read after `path`, same reading settings
    exclude_ids: str | None = None  # a file of document ids (one a line, # comments) never read: held-out speeches


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
    drop_lfs: list[str] = field(default_factory=list)  # LFs left out by name (rules that do not travel)


@dataclass
class PackagedMiniLMConfig:
    pooling: Pooling = Pooling.cls  # what the classifier head reads
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
    pooling: Pooling = Pooling.cls
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
    max_train: int | None = None  # cap on weakly labelled training sentences; null: all (0: none but near misses)
    balance: bool = False  # class-balanced sample (equal quota per label)
    on_topic_none_share: float = 0.0  # with balance: share of the `none` quota drawn from sentences about troops
    near_miss_none: int = 0  # with balance: more `none` sentences off the topic with a stance word (pipeline.sampling)
    exemplars: str | None = None  # hand-labelled training sentences: JSONL of id, doc, start, end, label
    exemplar_corpus: str | None = None  # the folder of .txt documents their offsets point into (null: corpus.path)
    exemplar_repeat: int = 1  # each exemplar is trained on this many times per epoch (a weak label: once)
    class_weights: bool = True  # weight the loss by inverse label frequency
    group_by_length: bool = True  # batch sentences of similar length together: less padding, faster epochs
    calibrate_on: str | None = None  # a development gold part (e.g. tuning) on which to choose the `none` shift
    save_steps: int = 50  # checkpoint every N steps (for resume=true)
    max_steps: int = -1  # >0 overrides epochs
    targets: TrainTargets = TrainTargets.hard  # hard: the weak label; soft: the label model's probabilities
    loss: TrainLoss = TrainLoss.ce  # ce: (soft) cross-entropy | gce: generalized cross-entropy, robust to noise
    gce_q: float = 0.7  # GCE's q in (0, 1]: 1 is mean absolute error (most robust), towards 0 cross-entropy


@dataclass
class SelfTrainConfig:
    """COSINE-style self-training after fine-tuning (pipeline.self_train): the model relabels a pool of corpus
    sentences (covered by a rule or not); predictions at ``threshold`` or above become the next round's targets,
    weighted by confidence, and the model trains on from where it was. ``rounds: 0`` turns the stage off."""

    rounds: int = 0
    threshold: float = 0.9  # a prediction needs this probability to become a target
    pool: int = 20000  # corpus sentences relabelled per round (a seeded sample; null-like 0: all)
    on_topic_share: float = 0.0  # pool share from sentences naming forces (0: uniform; 0.75 gained nothing on UN)
    max_targets: int = 6000  # cap on the targets of a round, equal quota per label (rare stances keep all)
    epochs: float = 1.0  # epochs over a round's targets
    learning_rate: float = 2e-5  # lower than fine-tuning: the model is refined, not retrained
    keep_weak: float = 0.5  # share of a round's targets drawn from the weak labels (anchors against drift)


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
    self_train: SelfTrainConfig = field(default_factory=SelfTrainConfig)
    eval_batch_size: int = 64


@dataclass
class MetadataConfig:
    """Where document metadata comes from (pipeline.metadata.MetadataSource); later sources win."""

    preset: str | None = "ungd"  # filename preset (ungd: ISO3_SESSION_YEAR -> country, session, year), or null
    pattern: str | None = None  # a regular expression with named groups matched against each doc id
    table: str | None = None  # a CSV or JSONL of metadata keyed by doc (or id)


@dataclass
class PredictAppConfig:
    """stance-predict model=<run or model folder> input=<file, folder, .jsonl or -> output=<.jsonl or .csv>."""

    model: str = MISSING
    input: str = MISSING
    system: PredictSystem = PredictSystem.model  # model | weak (a finished run's weak labeller, with votes)
    output: str = "artifacts/predictions/predictions.jsonl"
    split: SplitMode = SplitMode.sentences  # sentences | none (each JSONL record {"id", "text"} is one unit)
    splitter: PysbdSplitterConfig = field(default_factory=PysbdSplitterConfig)  # used when split=sentences
    fast_path: FastPath = FastPath.auto  # see README, Performance
    batch_size: int = 32  # smaller batches stay in cache: 16-32 ran faster than 64 on 2 AVX2 cores
    max_length: int = 128
    threads: str = TrainAppConfig.threads  # auto or a number (see TrainAppConfig)
    resume: bool = False  # continue after the last complete document of an interrupted run
    overwrite: bool = False  # replace an existing output (otherwise an existing output is an error)
    shard: str = "0/1"  # i/n: the i-th of n contiguous blocks of the input documents
    suffixes: list[str] = field(default_factory=lambda: CorpusConfig().suffixes)
    exclude: list[str] = field(default_factory=lambda: CorpusConfig().exclude)
    max_document_mb: float | None = CorpusConfig.max_document_mb
    chunk_docs: int = 32  # write (and mark a resume point) after this many documents at most; split=none: units
    # predicted together
    chunk_sentences: int = 100  # ... or once this many sentences are done (with a splitter), whichever is first
    # fields added to every record and summary row; none from file names unless asked (e.g. metadata.preset=ungd)
    metadata: MetadataConfig = field(default_factory=lambda: MetadataConfig(preset=None))
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


@dataclass
class AggregateAppConfig:
    """stance-aggregate input=<predictions or run folder>: tables, plots and the explorer."""

    input: str = MISSING
    out: str | None = None  # default: <input stem>.analysis/ beside the input (a run folder: <run>/analysis/)
    by: list[str] = field(default_factory=lambda: ["country", "year", "decade", "country+decade"])  # field or a+b
    formats: list[str] = field(default_factory=lambda: ["csv", "md"])  # csv | md | parquet
    metadata: MetadataConfig = field(default_factory=MetadataConfig)
    n_bootstrap: int = 1000  # resamples of documents for each interval
    seed: int = 0
    level: float = 0.95
    min_stance: int = 20  # top-countries plot: only countries with at least this many stance sentences
    plots: bool = True
    explorer: bool = True
    texts: str | None = None  # the input folder of stance-predict, to show documents' original text
    progress: bool = TrainAppConfig.progress
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
_APP_SCHEMAS: dict[str, type] = {
    "train": TrainAppConfig,
    "predict": PredictAppConfig,
    "compare": CompareAppConfig,
    "aggregate": AggregateAppConfig,
}
_PREFIXES: dict[type, str] = {schema: group for group, named in _GROUP_SCHEMAS.items() for schema in named.values()}
_PREFIXES[SelfTrainConfig] = "self_train"  # a nested block of stance-train's settings, not a config group


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
