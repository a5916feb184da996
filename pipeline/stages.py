"""The training stages as typed steps: read -> split -> weak-label -> train -> calibrate -> evaluate.

Each stage takes the previous stage's output and returns its own as a small typed value; the stages that produce
something a person or a later stage reads write it into the run folder (``sentences.jsonl``,
``weak_labels.jsonl``, ``model/``, ``metrics.json``, ``gold_predictions.jsonl``; see docs/run-folder.md). The
report stage lives in :mod:`pipeline.report`; :func:`pipeline.workflow.run_training` runs them in order.
Nothing here knows of Hydra, so a notebook can call any stage.
"""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.clock import Clock, peak_rss_mb  # noqa: F401  (re-exported: workflow, report)
from pipeline.config import GoldConfig, TrainStageConfig, setting_key
from pipeline.corpus import Corpus, Document
from pipeline.errors import InputError
from pipeline.exemplars import Exemplar, corpus_texts, load_exemplars, with_exemplars
from pipeline.gold import GoldSet, load_gold_set
from pipeline.io import write_json, write_jsonl
from pipeline.labels import ABSTAIN, LABELS
from pipeline.models import ModelSource
from pipeline.runs import RunFolder
from pipeline.sampling import lexical_near_misses, select_training_rows
from pipeline.split import Sentence, Splitter, boundary_scores, split_documents
from pipeline.train import TrainSettings, choose_none_offset, shift_none_logit, train_classifier
from pipeline.weak.labeler import WeakLabeler

log = logging.getLogger(__name__)

SYSTEMS: tuple[str, ...] = ("model", "weak_labeller", "majority", "tfidf_lr")


def say(message: str) -> None:
    """Stage progress for the person at the terminal (the progress bars cover the long stages)."""
    if is_rank_zero():
        print(f"[stance-train] {message}", flush=True)


def is_rank_zero() -> bool:
    """True except in the non-zero processes of a torchrun: rank 0 alone writes the run folder."""
    return int(os.environ.get("RANK", "0")) == 0


# ----------------------------------------------------------------------------------------------- read, split


@dataclass
class Inputs:
    """Everything the run reads before it creates its folder, so that bad input leaves nothing behind."""

    corpus: Corpus
    documents: list[Document]
    gold: GoldSet
    exemplars: list[Exemplar] = field(default_factory=list)  # hand-labelled training sentences (train.exemplars)


def read_inputs(corpus: Corpus, gold: GoldConfig, settings: TrainSettings) -> Inputs:
    """Read the corpus and the gold set, and check the settings that depend on them."""
    documents = list(corpus)
    if not documents:
        raise InputError(
            "the corpus holds no readable document",
            file=corpus.path,
            fix="see the warnings above for the files skipped",
        )
    gold_set = load_gold_set(gold, {doc.id: doc.text for doc in documents})
    parts = gold_set.parts
    if settings.calibrate_on and (settings.calibrate_on not in parts or settings.calibrate_on == gold.primary):
        raise InputError(  # checked before the run starts, not after an hour of training
            f"cannot calibrate on gold part '{settings.calibrate_on}' (parts: {', '.join(parts)}; "
            f"reported: {gold.primary})",
            file=gold.path,
            fix="set train.calibrate_on to a development part that is not the reported one, or null",
        )
    say(f"corpus: {corpus.report.summary()}; gold: " + ", ".join(f"{k} {len(v)}" for k, v in parts.items()))
    return Inputs(corpus, documents, gold_set, read_exemplars(settings, documents, corpus.path))


def read_exemplars(settings: TrainSettings, documents: list[Document], corpus_path: str) -> list[Exemplar]:
    """The hand-labelled training sentences of ``train.exemplars`` (none when unset), from ``exemplar_corpus``
    or else from the corpus itself."""
    if not settings.exemplars:
        return []
    if settings.exemplar_corpus:
        if not Path(settings.exemplar_corpus).is_dir():
            fix = f"check {setting_key(TrainStageConfig, 'exemplar_corpus')}"
            raise InputError("exemplar corpus folder not found", file=settings.exemplar_corpus, fix=fix)
        texts, where = corpus_texts(settings.exemplar_corpus), settings.exemplar_corpus
    else:
        texts, where = {doc.id: doc.text for doc in documents}, corpus_path
    exemplars = load_exemplars(settings.exemplars, texts, where)
    counts = Counter(e.label for e in exemplars)
    say(f"exemplars: {len(exemplars)} hand-labelled sentences " + str({label: counts[label] for label in LABELS}))
    return exemplars


@dataclass
class Split:
    """The corpus's sentences, and the splitter's boundary scores where the gold set has offsets."""

    sentences: list[Sentence]
    boundary_scores: dict[str, float] | None


def split(inputs: Inputs, splitter: Splitter, require_offsets: bool, progress: bool = True) -> Split:
    """Split every document; score the boundaries against the gold segmentation when the gold set has one."""
    sentences = list(split_documents(inputs.documents, splitter, progress=progress))
    if not sentences:
        raise InputError("no sentence found in the corpus", file=inputs.corpus.path)
    scores = None
    if require_offsets:
        gold_spans = [g.sentence for items in inputs.gold.parts.values() for g in items]
        gold_docs = {g.doc for g in gold_spans}
        scores = boundary_scores([s for s in sentences if s.doc in gold_docs], gold_spans)
    say(f"split: {len(sentences)} sentences from {len(inputs.documents)} documents")
    return Split(sentences, scores)


# ------------------------------------------------------------------------------------------------ weak labels


@dataclass
class WeakLabels:
    """The vote matrix (sentences x labelling functions), the label model's probabilities and labels."""

    sentences: list[Sentence]
    names: list[str]
    votes: np.ndarray
    probs: np.ndarray
    labels: list[str | None]  # None where the label model abstains: left out of training

    @property
    def texts(self) -> list[str]:
        return [s.norm for s in self.sentences]


def precision_record(labeler: WeakLabeler, settings: TrainSettings) -> dict[str, Any]:
    """Which inference path each model of the run used and why (metrics.json ``precision``, report.md)."""
    embedder = labeler.embedder
    embeddings = embedder.choice.record() if embedder is not None else {"path": "unused", "reason": "no embedder"}
    if embedder is not None:
        embeddings["encoded_sentences"] = embedder.encoded
    return {
        "embeddings": embeddings,
        "learned_lf": {"path": embeddings["path"], "reason": "the learned LF reads the same embeddings"},
        "evaluation": {"path": "fp32", "reason": "gold metrics use the fp32 reference model"},
        "threads": settings.threads,
    }


def label_names(labeler: WeakLabeler, votes: np.ndarray) -> list[str | None]:
    """The label model's label per row; ``None`` where it abstains."""
    return [None if i == ABSTAIN else LABELS[i] for i in labeler.predict(votes)]


def weak_label(
    sentences: list[Sentence], labeler: WeakLabeler, folder: Path | None, progress: bool = True
) -> WeakLabels:
    """Fit the labeller on the corpus (learned LF, then label model) and label it; write the sentences and votes."""
    texts = [s.norm for s in sentences]
    votes = labeler.fit_apply(texts, progress=progress)
    weak = WeakLabels(
        sentences, list(labeler.lf_names), votes, labeler.predict_proba(votes), label_names(labeler, votes)
    )
    if folder is not None:  # under torchrun the other processes write nothing: rank 0 owns the run folder
        write_weak_labels(folder, weak)
    return weak


def write_weak_labels(folder: Path, weak: WeakLabels) -> None:
    """``sentences.jsonl`` and ``weak_labels.jsonl``: every sentence with its offsets, votes and weak label."""
    write_jsonl(
        folder / "sentences.jsonl",
        ({"doc": s.doc, "start": s.start, "end": s.end, "text": s.text} for s in weak.sentences),
    )
    rows = zip(weak.sentences, weak.votes, weak.probs, weak.labels, strict=True)
    write_jsonl(
        folder / "weak_labels.jsonl",
        (
            {
                "doc": s.doc,
                "start": s.start,
                "end": s.end,
                "votes": {n: (None if v == ABSTAIN else LABELS[v]) for n, v in zip(weak.names, row, strict=True)},
                "probs": {label: round(float(p), 6) for label, p in zip(LABELS, prob, strict=True)},
                "label": label,
            }
            for s, row, prob, label in rows
        ),
    )


# ------------------------------------------------------------------------------------------------------ train


@dataclass
class Trained:
    """The fine-tuned model's folder and what it was trained on."""

    model_dir: Path
    texts: list[str]
    labels: list[str]
    stats: dict[str, float]
    none_offset: float = 0.0


def train(
    weak: WeakLabels,
    labeler: WeakLabeler,
    source: ModelSource,
    settings: TrainSettings,
    run: RunFolder,
    progress: bool = True,
    exemplars: Sequence[Exemplar] = (),
) -> Trained:
    """Pick the training sentences among the weakly labelled ones, add the hand-labelled ``exemplars``
    (``train.exemplar_repeat`` times each) and fine-tune the model on them."""
    texts = weak.texts
    on_topic = labeler.on_topic(texts)
    near_miss = lexical_near_misses(texts, weak.labels, on_topic) if settings.near_miss_none > 0 else None
    rows = select_training_rows(
        weak.labels,
        max_train=settings.max_train,
        balance=settings.balance,
        seed=settings.seed,
        on_topic=on_topic,
        on_topic_none_share=settings.on_topic_none_share,
        near_miss=near_miss,
        near_miss_none=settings.near_miss_none,
    )
    train_labels = [str(weak.labels[i]) for i in rows]
    say(f"weak labels: {len(rows)} training sentences " + str({label: train_labels.count(label) for label in LABELS}))
    soft = getattr(settings.targets, "value", settings.targets) == "soft"
    targets = np.asarray(weak.probs)[rows] if soft else None  # the label model's probabilities, weight 1 each
    train_texts, train_labels, targets = with_exemplars(
        [texts[i] for i in rows], train_labels, exemplars, settings.exemplar_repeat, targets
    )
    if len(set(train_labels)) < 2:
        log.warning("the training sentences hold %d label(s) only", len(set(train_labels)))
    model_dir = run.path / "model"
    stats = train_classifier(
        train_texts,
        train_labels,
        source,
        settings,
        model_dir,
        checkpoint_dir=run.checkpoints,
        resume=run.resume,
        progress=progress,
        targets=targets,
    )
    stats["exemplars"] = float(len(exemplars) * settings.exemplar_repeat)  # hand-labelled rows among the examples
    return Trained(model_dir, train_texts, train_labels, stats)


def calibrate(trained: Trained, gold: GoldSet, settings: TrainSettings, batch_size: int) -> None:
    """Shift the saved model's `none` logit to the best macro-F1 on a development gold part (``calibrate_on``)."""
    if not settings.calibrate_on:
        return
    predictor = load_predictor(trained.model_dir, settings, batch_size)
    probs = predictor.predict_proba(gold.texts(settings.calibrate_on))
    trained.none_offset = choose_none_offset(probs, gold.labels(settings.calibrate_on))
    shift_none_logit(trained.model_dir, trained.none_offset)
    say(f"calibration on gold part '{settings.calibrate_on}': none logit shifted by {trained.none_offset:+.2f}")


def load_predictor(model_dir: Path, settings: TrainSettings, batch_size: int) -> Any:
    """The fp32 reference predictor that evaluation scores (fast paths are for stance-predict)."""
    from pipeline.predict import Predictor

    return Predictor(
        model_dir, fast_path="fp32", batch_size=batch_size, max_length=settings.max_length, threads=settings.threads
    )


# --------------------------------------------------------------------------------------------------- evaluate


@dataclass
class Evaluation:
    """``metrics.json`` (every system on every gold part), per-item predictions, and the labeller's gold votes."""

    metrics: dict[str, Any]
    records: list[dict[str, Any]]
    gold_votes: dict[str, np.ndarray]

    @property
    def primary(self) -> dict[str, Any]:
        """The systems' metrics on the reported part."""
        return self.metrics["parts"][self.metrics["gold"]["primary"]]["systems"]


def evaluate(
    trained: Trained, labeler: WeakLabeler, gold: GoldSet, split: Split, settings: TrainSettings, batch_size: int
) -> Evaluation:
    """Score the model, the weak labeller and two baselines (trained on the same weak labels) on each gold part."""
    from pipeline.baselines import MajorityClassBaseline, TfidfLogRegBaseline
    from pipeline.evaluate import classification_metrics, paired_bootstrap

    predictor = load_predictor(trained.model_dir, settings, batch_size)
    majority = MajorityClassBaseline().fit(trained.texts, trained.labels)
    tfidf = TfidfLogRegBaseline(seed=settings.seed).fit(trained.texts, trained.labels)
    metrics: dict[str, Any] = {
        "gold": {"path": gold.path, "primary": gold.primary},
        "parts": {},
        "splitter": split.boundary_scores,
    }
    evaluation = Evaluation(metrics, [], {})
    for part, items in gold.parts.items():
        texts, truth = gold.texts(part), gold.labels(part)
        votes = evaluation.gold_votes[part] = labeler.apply(texts, progress=False)
        predictions = {
            "model": [LABELS[i] for i in predictor.predict_proba(texts).argmax(axis=1)],
            "weak_labeller": [label or "none" for label in label_names(labeler, votes)],  # unlabelled is `none`
            "majority": majority.predict(texts),
            "tfidf_lr": tfidf.predict(texts),
        }
        systems = {
            system: classification_metrics(truth, pred, labels=LABELS, n_bootstrap=gold.n_bootstrap, seed=settings.seed)
            for system, pred in predictions.items()
        }
        model_vs_weak = paired_bootstrap(
            truth, predictions["model"], predictions["weak_labeller"], n_bootstrap=gold.n_bootstrap, seed=settings.seed
        )
        metrics["parts"][part] = {"n": len(items), "systems": systems, "model_vs_weak_labeller": model_vs_weak}
        evaluation.records += [
            {"id": g.id, "part": part, "gold": g.label} | {s: predictions[s][k] for s in SYSTEMS}
            for k, g in enumerate(items)
        ]
    return evaluation


def write_evaluation(folder: Path, evaluation: Evaluation) -> None:
    """``metrics.json`` and ``gold_predictions.jsonl``."""
    write_json(folder / "metrics.json", evaluation.metrics)
    write_jsonl(folder / "gold_predictions.jsonl", evaluation.records)
