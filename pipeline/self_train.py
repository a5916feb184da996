"""Self-training after fine-tuning, in the style of COSINE (Yu et al., NAACL 2021): learn past the labeller.

Each round the current model relabels a seeded pool of corpus sentences, whether or not any labelling function
covers them. Predictions at ``threshold`` or above become targets weighted by their confidence (a one-hot row
scaled by the probability, see :func:`pipeline.losses.soft_loss`), an equal quota per label so that `none` does
not drown the stances; a share ``keep_weak`` of the targets are the original weak labels, which anchor the model
against drifting onto its own mistakes. The model then trains on from its current weights at a lower learning
rate. Every round's model is scored on each gold part (macro-F1, no calibration) for ``metrics.json``.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.config import SelfTrainConfig
from pipeline.gold import GoldSet
from pipeline.labels import LABELS
from pipeline.models import PretrainedModel
from pipeline.stages import Trained, WeakLabels, load_predictor, say
from pipeline.train import TrainSettings, train_classifier
from pipeline.weak.labeler import WeakLabeler


@dataclass
class SelfTraining:
    """What each round did and scored (round 0: the fine-tuned model before self-training)."""

    rounds: list[dict[str, Any]] = field(default_factory=list)


def round_scores(model_dir: Path, gold: GoldSet, settings: TrainSettings, batch_size: int) -> dict[str, float]:
    """Macro-F1 of the model in ``model_dir`` on each gold part (argmax, before any `none` calibration)."""
    from sklearn.metrics import f1_score

    predictor = load_predictor(model_dir, settings, batch_size)
    scores = {}
    for part in gold.parts:
        predicted = [LABELS[i] for i in predictor.predict_proba(gold.texts(part)).argmax(axis=1)]
        scores[part] = round(float(f1_score(gold.labels(part), predicted, labels=list(LABELS), average="macro")), 4)
    return scores


def confident_targets(probs: np.ndarray, threshold: float, quota: int, rng: np.random.Generator) -> np.ndarray:
    """Row indices (into ``probs``) of confident predictions, at most ``quota`` per predicted label, seeded."""
    best, confidence = probs.argmax(axis=1), probs.max(axis=1)
    chosen: list[int] = []
    for k in range(len(LABELS)):
        rows = np.flatnonzero((best == k) & (confidence >= threshold))
        if len(rows) > quota:
            rows = rng.choice(rows, size=quota, replace=False)
        chosen.extend(int(i) for i in rows)
    return np.array(sorted(chosen), dtype=int)


def weak_anchor(trained: Trained, count: int, rng: np.random.Generator) -> tuple[list[str], np.ndarray]:
    """``count`` of the fine-tuning sentences with their weak targets (one-hot, weight 1), seeded."""
    rows = rng.choice(len(trained.texts), size=min(count, len(trained.texts)), replace=False)
    texts = [trained.texts[i] for i in rows]
    targets = np.eye(len(LABELS))[[LABELS.index(trained.labels[i]) for i in rows]]
    return texts, targets


def relabel_pool(
    texts: list[str], on_topic: np.ndarray, size: int, on_topic_share: float, rng: np.random.Generator
) -> list[str]:
    """A seeded pool of ``size`` corpus sentences (0: all) to relabel, ``on_topic_share`` of it on the topic.

    Stance sentences are rare in a corpus (about 3% of UN speeches), so a uniform pool gives the model few chances
    to find the stances no rule covers; the on-topic part (sentences that mention forces at all, covered by a rule
    or not) is where they are. Where fewer on-topic sentences exist, the rest of the pool is drawn uniformly.
    """
    if not size or size >= len(texts):
        return list(texts)
    topical = np.flatnonzero(on_topic)
    n_topical = min(len(topical), int(round(size * on_topic_share)))
    chosen = np.zeros(len(texts), dtype=bool)
    chosen[rng.choice(topical, size=n_topical, replace=False)] = True
    chosen[rng.choice(np.flatnonzero(~chosen), size=size - n_topical, replace=False)] = True
    return [texts[i] for i in np.flatnonzero(chosen)]


def one_round(
    trained: Trained, weak: WeakLabels, cfg: SelfTrainConfig, settings: TrainSettings, batch_size: int, r: int
) -> dict[str, Any]:
    """Relabel a pool, pick confident targets, train the model on them in place; what the round used."""
    rng = np.random.default_rng(settings.seed + 1000 * r)
    on_topic = WeakLabeler.on_topic(weak.texts) if cfg.on_topic_share > 0 else np.zeros(len(weak.texts), dtype=bool)
    pool = relabel_pool(weak.texts, on_topic, cfg.pool, cfg.on_topic_share, rng)
    probs = load_predictor(trained.model_dir, settings, batch_size).predict_proba(pool)
    n_weak = int(round(cfg.max_targets * cfg.keep_weak))
    rows = confident_targets(probs, cfg.threshold, (cfg.max_targets - n_weak) // len(LABELS), rng)
    anchor_texts, anchor_targets = weak_anchor(trained, n_weak, rng)
    pseudo = np.eye(len(LABELS))[probs[rows].argmax(axis=1)] * probs[rows].max(axis=1, keepdims=True)
    texts = [pool[i] for i in rows] + anchor_texts
    targets = np.vstack([pseudo.reshape(-1, len(LABELS)), anchor_targets])
    labels = [LABELS[i] for i in targets.argmax(axis=1)]
    round_settings = dataclasses.replace(
        settings, epochs=cfg.epochs, learning_rate=cfg.learning_rate, max_steps=-1, save_steps=10**9
    )
    staging = trained.model_dir.with_name(f"model.round{r}")
    started = time.perf_counter()
    train_classifier(
        texts,
        labels,
        PretrainedModel(path_or_id=str(trained.model_dir)),
        round_settings,
        staging,
        checkpoint_dir=trained.model_dir.parent / "checkpoints" / f"self_train_{r}",
        progress=False,
        targets=targets,
    )
    shutil.rmtree(trained.model_dir)
    staging.rename(trained.model_dir)
    confident = probs.max(axis=1) >= cfg.threshold
    return {
        "round": r,
        "pool": len(pool),
        "confident": int(confident.sum()),
        "targets": {label: int((pseudo.argmax(axis=1) == k).sum()) for k, label in enumerate(LABELS)},
        "weak_targets": len(anchor_texts),
        "seconds": round(time.perf_counter() - started, 1),
    }


def self_train(
    trained: Trained, weak: WeakLabels, cfg: SelfTrainConfig, gold: GoldSet, settings: TrainSettings, batch_size: int
) -> SelfTraining:
    """Run ``cfg.rounds`` rounds on ``trained.model_dir`` in place; scores before and after each round."""
    result = SelfTraining()
    if cfg.rounds <= 0:
        return result
    result.rounds.append({"round": 0, "scores": round_scores(trained.model_dir, gold, settings, batch_size)})
    for r in range(1, cfg.rounds + 1):
        info = one_round(trained, weak, cfg, settings, batch_size, r)
        info["scores"] = round_scores(trained.model_dir, gold, settings, batch_size)
        result.rounds.append(info)
        say(f"self-training round {r}: {info['confident']} confident of {info['pool']}; scores {info['scores']}")
    return result
