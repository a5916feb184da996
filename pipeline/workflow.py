"""The training run, stage by stage: split -> weak-label -> fine-tune -> evaluate -> report.

:func:`run_training` takes built objects (corpus, splitter, weak labeller, model source, settings) and writes one
run folder atomically; it knows nothing of Hydra, so a notebook can call it as well as ``stance-train``.
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.corpus import Corpus, Document
from pipeline.errors import InputError
from pipeline.gold import GoldItem, check_offsets, load_gold, split_parts
from pipeline.labels import ABSTAIN, LABELS
from pipeline.models import ModelSource
from pipeline.runs import RunFolder, write_json, write_jsonl
from pipeline.split import Sentence, Splitter, boundary_scores, clean_text, split_documents
from pipeline.train import (
    TrainSettings,
    choose_none_offset,
    select_training_rows,
    set_threads,
    shift_none_logit,
    train_classifier,
)
from pipeline.weak.label_model import make_label_model
from pipeline.weak.labeler import WeakLabeler
from pipeline.weak.lfs import select_lfs
from pipeline.weak.lfs.embeddings import SentenceEmbedder
from pipeline.weak.lfs.learned import StanceClassifier

log = logging.getLogger(__name__)

SYSTEMS: tuple[str, ...] = ("model", "weak_labeller", "majority", "tfidf_lr")


@dataclass
class GoldSpec:
    """Which gold set to evaluate on, how it is split, and which part's scores are the reported ones."""

    path: str
    parts: dict[str, str] = field(default_factory=dict)
    primary: str = "all"
    require_offsets: bool = True
    n_bootstrap: int = 1000


def build_weak_labeler(
    *,
    lf_groups: Sequence[str],
    label_model: Any,
    epochs: int,
    lr: float,
    class_balance: Sequence[float] | None,
    estimate_class_balance: bool = True,
    tie_policy: Any = "none",
    abstain_policy: Any = "none",
    learned_threshold: float = 0.9,
    embed_precision: Any = "bf16",
    seed: int = 0,
    threads: int = 1,
) -> WeakLabeler:
    """The labelling functions of ``lf_groups`` and the chosen label model (the target of configs/weak/).

    Snorkel's label prior: ``class_balance`` when given; else estimated from the votes themselves (no gold) when
    ``estimate_class_balance``; else uniform.
    """

    def plain(value: Any) -> Any:  # Hydra hands enum members through
        return getattr(value, "value", value)

    params: dict[str, Any] = {"tie_policy": plain(tie_policy), "abstain_policy": plain(abstain_policy), "seed": seed}
    if plain(label_model) == "snorkel":
        prior = list(class_balance) if class_balance else ("majority" if estimate_class_balance else None)
        params |= {"epochs": epochs, "lr": lr, "threads": threads, "class_balance": prior}
    return WeakLabeler(
        select_lfs(list(lf_groups)),
        make_label_model(plain(label_model), **params),
        embedder=SentenceEmbedder(threads=threads, precision=plain(embed_precision)),
        learned=StanceClassifier(threshold=learned_threshold, seed=seed),
    )


def _say(message: str) -> None:
    """Stage progress for the person at the terminal (the progress bars cover the long stages)."""
    if _is_rank_zero():
        print(f"[stance-train] {message}", flush=True)


def _is_rank_zero() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def load_and_check_gold(spec: GoldSpec, documents: dict[str, str]) -> dict[str, list[GoldItem]]:
    """Read the gold set, check its offsets against the corpus where it has them, split it into parts."""
    gold = load_gold(spec.path, require_offsets=spec.require_offsets)
    if spec.require_offsets:
        check_offsets(gold, documents)
    return split_parts(gold, spec.parts) if spec.parts else {"all": gold}


def weak_label_names(labeler: WeakLabeler, L: np.ndarray) -> list[str | None]:
    """The label model's label per row; ``None`` where it abstains (dropped from training)."""
    return [None if i == ABSTAIN else LABELS[i] for i in labeler.predict(L)]


def _eval_labels(labeler: WeakLabeler, L: np.ndarray) -> list[str]:
    """Weak labels for evaluation: a row the label model leaves unlabelled counts as `none`."""
    return [label or "none" for label in weak_label_names(labeler, L)]


def run_training(
    *,
    corpus: Corpus,
    splitter: Splitter,
    labeler: WeakLabeler,
    model_source: ModelSource,
    settings: TrainSettings,
    gold: GoldSpec,
    run: RunFolder,
    config_yaml: str,
    overrides: Sequence[str],
    eval_batch_size: int = 64,
    progress: bool = True,
) -> Path:
    """Run every stage and return the finished run folder. Bad input fails before any run folder exists."""
    from pipeline.baselines import MajorityClassBaseline, TfidfLogRegBaseline
    from pipeline.evaluate import classification_metrics
    from pipeline.plots import plot_confusion_matrices
    from pipeline.predict import Predictor
    from pipeline.report import write_report
    from pipeline.weak.analysis import lf_summary

    set_threads(settings.threads)
    timings: dict[str, float] = {}
    started = time.perf_counter()

    # Read everything the run depends on before creating the run folder: bad input leaves nothing behind.
    documents: list[Document] = list(corpus)
    if not documents:
        raise InputError(
            "the corpus holds no readable document",
            file=corpus.path,
            fix="see the warnings above for the files skipped",
        )
    sources = {doc.id: doc.text for doc in documents}
    parts = load_and_check_gold(gold, sources)
    if settings.calibrate_on and (settings.calibrate_on not in parts or settings.calibrate_on == gold.primary):
        raise InputError(  # checked before the run starts, not after an hour of training
            f"cannot calibrate on gold part '{settings.calibrate_on}' (parts: {', '.join(parts)}; "
            f"reported: {gold.primary})",
            file=gold.path,
            fix="set train.calibrate_on to a development part that is not the reported one, or null",
        )
    _say(f"corpus: {corpus.report.summary()}; gold: " + ", ".join(f"{k} {len(v)}" for k, v in parts.items()))

    tick = time.perf_counter()
    sentences: list[Sentence] = list(split_documents(documents, splitter, progress=progress))
    timings["split"] = time.perf_counter() - tick
    if not sentences:
        raise InputError("no sentence found in the corpus", file=corpus.path)
    folder = run.start(config_yaml) if _is_rank_zero() else run.path
    splitter_scores = None
    if gold.require_offsets:
        gold_spans = [Sentence(g.doc, g.start or 0, g.end or 0, g.text) for items in parts.values() for g in items]
        gold_docs = {g.doc for g in gold_spans}
        splitter_scores = boundary_scores([s for s in sentences if s.doc in gold_docs], gold_spans)
    _say(f"split: {len(sentences)} sentences from {len(documents)} documents")

    tick = time.perf_counter()
    texts = [clean_text(s.text) for s in sentences]
    votes = labeler.fit_apply(texts, progress=progress)  # fits the learned LF, then the label model
    probs = labeler.predict_proba(votes)
    weak_labels = weak_label_names(labeler, votes)
    timings["weak"] = time.perf_counter() - tick
    names = list(labeler.lf_names)
    if _is_rank_zero():  # under torchrun the other processes write nothing: rank 0 owns the run folder
        _write_sentences_and_votes(folder, sentences, names, votes, probs, weak_labels)

    rows = select_training_rows(
        weak_labels,
        max_train=settings.max_train,
        balance=settings.balance,
        seed=settings.seed,
        on_topic=labeler.on_topic(texts),
        on_topic_none_share=settings.on_topic_none_share,
    )
    train_texts = [texts[i] for i in rows]
    train_labels = [weak_labels[i] for i in rows]
    if len(set(train_labels)) < 2:
        log.warning("the weak labels of the training sentences hold %d label(s) only", len(set(train_labels)))
    _say(f"weak labels: {len(rows)} training sentences " + str({label: train_labels.count(label) for label in LABELS}))

    tick = time.perf_counter()
    train_stats = train_classifier(
        train_texts,
        train_labels,
        model_source,
        settings,
        folder / "model",
        checkpoint_dir=run.checkpoints,
        resume=run.resume,
        progress=progress,
    )
    timings["train"] = time.perf_counter() - tick
    if not _is_rank_zero():
        return run.final

    def load_predictor() -> Predictor:  # reloaded after calibration, which rewrites the model's weights
        return Predictor(
            folder / "model",
            fast_path="fp32",
            batch_size=eval_batch_size,
            max_length=settings.max_length,
            threads=settings.threads,
        )

    tick = time.perf_counter()
    none_offset = 0.0
    if settings.calibrate_on:
        development = parts[settings.calibrate_on]
        none_offset = choose_none_offset(
            load_predictor().predict_proba([clean_text(g.text) for g in development]), [g.label for g in development]
        )
        shift_none_logit(folder / "model", none_offset)
        _say(f"calibration on gold part '{settings.calibrate_on}': none logit shifted by {none_offset:+.2f}")
    predictor = load_predictor()
    majority = MajorityClassBaseline().fit(train_texts, train_labels)
    tfidf = TfidfLogRegBaseline(seed=settings.seed).fit(train_texts, train_labels)
    metrics: dict[str, Any] = {
        "gold": {"path": gold.path, "primary": gold.primary},
        "parts": {},
        "splitter": splitter_scores,
    }
    gold_records: list[dict[str, Any]] = []
    gold_votes: dict[str, np.ndarray] = {}
    for part, items in parts.items():
        gold_texts = [clean_text(g.text) for g in items]
        truth = [g.label for g in items]
        gold_votes[part] = labeler.apply(gold_texts, progress=False)
        predictions = {
            "model": [LABELS[i] for i in predictor.predict_proba(gold_texts).argmax(axis=1)],
            "weak_labeller": _eval_labels(labeler, gold_votes[part]),
            "majority": majority.predict(gold_texts),
            "tfidf_lr": tfidf.predict(gold_texts),
        }
        metrics["parts"][part] = {
            "n": len(items),
            "systems": {
                system: classification_metrics(
                    truth, predicted, labels=LABELS, n_bootstrap=gold.n_bootstrap, seed=settings.seed
                )
                for system, predicted in predictions.items()
            },
        }
        gold_records += [
            {"id": g.id, "part": part, "gold": g.label} | {s: predictions[s][k] for s in SYSTEMS}
            for k, g in enumerate(items)
        ]
    timings["evaluate"] = time.perf_counter() - tick

    # Empirical accuracy of each labelling function: on the tuning part where the gold set is split.
    analysis_part = "tuning" if "tuning" in parts else gold.primary
    summary = lf_summary(
        votes,
        names,
        list(labeler.lf_groups),
        weights=labeler.weights(),
        L_gold=gold_votes[analysis_part],
        y_gold=np.array([LABELS.index(g.label) for g in parts[analysis_part]]),
    )
    summary.to_csv(folder / "lf_summary.csv", index=False)
    speed = _prediction_speed(folder / "model", texts, settings)

    write_json(folder / "metrics.json", metrics)
    write_jsonl(folder / "gold_predictions.jsonl", gold_records)
    write_json(folder / "overrides.json", list(overrides))
    primary = metrics["parts"][gold.primary]["systems"]
    plot_confusion_matrices(
        {
            "fine-tuned model": primary["model"]["confusion_matrix"],
            "weak labeller": primary["weak_labeller"]["confusion_matrix"],
        },
        list(LABELS),
        folder / "confusion_matrix.png",
    )
    timings["total"] = time.perf_counter() - started
    info = {
        "seed": settings.seed,
        "timings": {k: round(v, 2) for k, v in timings.items()},
        "train_sentences": len(rows),
        "none_logit_offset": none_offset,
        "corpus_sentences": len(sentences),
        "train": train_stats,
        "predict_sentences_per_s": speed,
        "corpus": corpus.report.summary(),
        "analysis_part": analysis_part,
    }
    write_report(
        folder,
        metrics=metrics,
        lf_table=summary,
        run_info=info,
        name=run.name,
        overrides=list(overrides),
        sentences=sentences,
        texts=texts,
        votes=votes,
        gold_parts=parts,
        gold_votes=gold_votes,
        labeler=labeler,
    )
    final = run.finish(info)
    _say(f"run folder: {final}")
    for part, result in metrics["parts"].items():
        tag = " (reported)" if part == gold.primary else ""
        scores = ", ".join(
            f"{s} macro-F1 {m['macro_f1']:.3f} [{m['ci']['macro_f1'][0]:.2f}, {m['ci']['macro_f1'][1]:.2f}]"
            for s, m in result["systems"].items()
        )
        _say(f"gold {part}{tag}, n={result['n']}: {scores}")
    if splitter_scores:
        _say(f"splitter boundary F1 {splitter_scores['f1']:.3f}")
    return final


def _write_sentences_and_votes(
    folder: Path,
    sentences: Sequence[Sentence],
    names: Sequence[str],
    votes: np.ndarray,
    probs: np.ndarray,
    weak_labels: Sequence[str | None],
) -> None:
    """``sentences.jsonl`` and ``weak_labels.jsonl``: every sentence with its offsets, votes and weak label."""
    write_jsonl(
        folder / "sentences.jsonl",
        ({"doc": s.doc, "start": s.start, "end": s.end, "text": s.text} for s in sentences),
    )
    write_jsonl(
        folder / "weak_labels.jsonl",
        (
            {
                "doc": s.doc,
                "start": s.start,
                "end": s.end,
                "votes": {n: (None if v == ABSTAIN else LABELS[v]) for n, v in zip(names, row, strict=True)},
                "probs": {label: round(float(p), 6) for label, p in zip(LABELS, prob, strict=True)},
                "label": label,
            }
            for s, row, prob, label in zip(sentences, votes, probs, weak_labels, strict=True)
        ),
    )


def _prediction_speed(model_dir: Path, texts: Sequence[str], settings: TrainSettings, sample: int = 512) -> float:
    """Sentences per second of the default prediction path on up to ``sample`` corpus sentences."""
    from pipeline.predict import Predictor

    chosen = list(texts[:sample])
    # The exported graphs of this measurement are thrown away: stance-predict caches its own.
    with tempfile.TemporaryDirectory(prefix="stance-speed-") as cache:
        predictor = Predictor(
            model_dir, batch_size=64, max_length=settings.max_length, threads=settings.threads, onnx_cache_dir=cache
        )
        predictor.predict_proba(chosen[:8])  # warm-up
        tick = time.perf_counter()
        predictor.predict_proba(chosen)
        return round(len(chosen) / max(time.perf_counter() - tick, 1e-9), 1)
