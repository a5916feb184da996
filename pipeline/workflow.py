"""The training run, stage by stage: read -> split -> weak-label -> train -> calibrate -> evaluate -> report.

:func:`run_training` takes built objects (corpus, splitter, weak labeller, model source, settings) and writes one
run folder atomically; it knows nothing of Hydra, so a notebook can call it as well as ``stance-train``. The
stages themselves are in :mod:`pipeline.stages` (and :func:`pipeline.report.report`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pipeline.config import GoldConfig, SelfTrainConfig, TrainAppConfig
from pipeline.corpus import Corpus
from pipeline.models import ModelSource
from pipeline.report import report
from pipeline.runs import RunFolder
from pipeline.self_train import self_train
from pipeline.split import Splitter
from pipeline.stages import (
    Clock,
    calibrate,
    evaluate,
    is_rank_zero,
    precision_record,
    read_inputs,
    split,
    train,
    weak_label,
    write_evaluation,
)
from pipeline.train import TrainSettings, set_threads
from pipeline.weak.labeler import WeakLabeler
from pipeline.weak.state import save_labeller


def run_training(
    *,
    corpus: Corpus,
    splitter: Splitter,
    labeler: WeakLabeler,
    model_source: ModelSource,
    settings: TrainSettings,
    gold: GoldConfig,
    run: RunFolder,
    config_yaml: str,
    overrides: Sequence[str],
    eval_batch_size: int = TrainAppConfig.eval_batch_size,
    progress: bool = TrainAppConfig.progress,
    self_training: SelfTrainConfig | None = None,
) -> Path:
    """Run every stage and return the finished run folder. Bad input fails before any run folder exists."""
    set_threads(settings.threads)
    clock = Clock()
    inputs = read_inputs(corpus, gold, settings)  # everything the run reads, before its folder exists
    with clock.stage("split"):
        sentences = split(inputs, splitter, gold.require_offsets, progress)
    clock.count("split", len(sentences.sentences))
    folder = run.start(config_yaml) if is_rank_zero() else None
    with clock.stage("weak", len(sentences.sentences)):
        weak = weak_label(sentences.sentences, labeler, folder, progress)
    with clock.stage("train"):
        trained = train(weak, labeler, model_source, settings, run, progress, inputs.exemplars)
    if folder is None:  # under torchrun only rank 0 evaluates and writes the rest
        return run.final
    with clock.stage("self_train"):
        rounds = self_train(trained, weak, self_training or SelfTrainConfig(), inputs.gold, settings, eval_batch_size)
    with clock.stage("evaluate"):
        calibrate(trained, inputs.gold, settings, eval_batch_size)
        evaluation = evaluate(trained, labeler, inputs.gold, sentences, settings, eval_batch_size)
    evaluation.metrics["self_training"] = rounds.rounds
    save_labeller(folder, labeler)  # what `stance-predict system=weak` needs to weak-label new text
    evaluation.metrics["stages"] = clock.stages()
    evaluation.metrics["precision"] = precision_record(labeler, settings)
    write_evaluation(folder, evaluation)
    return report(
        run,
        inputs=inputs,
        split=sentences,
        weak=weak,
        trained=trained,
        evaluation=evaluation,
        labeler=labeler,
        settings=settings,
        clock=clock,
        overrides=overrides,
    )
