"""Fine-tune a sequence classifier on weak labels with the Hugging Face Trainer, on CPU.

Weakly labelled sentences become a ``datasets.Dataset``; batches are padded dynamically; the seed, the thread
count and checkpointing (for ``resume``) are settings. The fine-tuned model is saved in Hugging Face format
(safetensors) so ``transformers.pipeline("text-classification", model=...)`` loads it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.capability import resolve_threads
from pipeline.config import TrainAppConfig, TrainStageConfig
from pipeline.labels import LABEL2ID, LABELS
from pipeline.losses import soft_loss
from pipeline.models import ModelSource
from pipeline.runs import last_complete_checkpoint

log = logging.getLogger(__name__)


@dataclass
class TrainSettings(TrainStageConfig):
    """Fine-tuning hyper-parameters (the ``train`` config group's schema) plus the run's seed and threads."""

    seed: int = TrainAppConfig.seed
    threads: int | str = TrainAppConfig.threads  # auto or a number; a whole number once constructed

    def __post_init__(self) -> None:
        self.threads = resolve_threads(self.threads)


def set_threads(threads: int | str) -> None:
    """Pin torch's intra-op threads (``auto``: the cores this process may use); OMP threads wait passively, so a
    busy core is not spun on (with both cores busy, spinning threads ran many times slower)."""
    import torch

    torch.set_num_threads(resolve_threads(threads))
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _loss_for(labels: Sequence[str], targets: np.ndarray | None, settings: TrainSettings):  # noqa: ANN202
    """The Trainer loss: soft (``targets`` given), else class-weighted cross-entropy, else the model's own."""
    if targets is not None:
        loss = getattr(settings.loss, "value", settings.loss)
        return soft_loss(targets, str(loss), settings.gce_q, settings.class_weights)
    return _weighted_loss(labels) if settings.class_weights else None


def _weighted_loss(labels: Sequence[str]):  # noqa: ANN202 - a Trainer loss callable
    """Cross-entropy weighted by inverse label frequency, so rare stances are not drowned by `none`."""
    import torch

    counts = np.array([max(1, list(labels).count(label)) for label in LABELS], dtype=float)
    weights = torch.tensor(counts.sum() / (len(LABELS) * counts), dtype=torch.float32)

    def loss(outputs, targets, num_items_in_batch=None):  # noqa: ANN001, ANN202, ARG001
        return torch.nn.functional.cross_entropy(outputs["logits"], targets, weight=weights)

    return loss


def epoch_seeded_length_sampler(  # noqa: ANN201 - a torch Sampler, imported lazily
    batch_size: int, seed: int, *, lengths: Sequence[int] | None = None, dataset: object = None
):
    """A sampler that groups sentences of similar length into batches, in an order fixed by ``seed`` and the epoch.

    The Trainer's own length-grouped sampler draws its order from the global torch RNG when an epoch starts; a run
    resumed mid-epoch restores that RNG at the checkpoint instead, so it would see other batches. Seeding the
    order per epoch (the Trainer calls ``set_epoch``) keeps ``resume=true`` equal to an uninterrupted run.
    """
    import torch
    from transformers.trainer_pt_utils import LengthGroupedSampler

    class EpochSeededLengthGroupedSampler(LengthGroupedSampler):
        def set_epoch(self, epoch: int) -> None:
            self.generator = torch.Generator().manual_seed(seed + int(epoch))

        def __iter__(self):  # noqa: ANN204 - sampler protocol
            if self.generator is None:
                self.set_epoch(0)
            return super().__iter__()

    return EpochSeededLengthGroupedSampler(
        batch_size,
        dataset=dataset,
        lengths=list(lengths) if lengths is not None else None,
        model_input_name="input_ids",
    )


def _length_grouped_trainer(seed: int):  # noqa: ANN202 - returns a Trainer subclass
    """A Trainer that batches through :func:`epoch_seeded_length_sampler`."""
    from transformers import Trainer

    class LengthGroupedTrainer(Trainer):
        def _get_train_sampler(self, train_dataset=None):  # noqa: ANN001, ANN202 - Trainer hook
            dataset = train_dataset if train_dataset is not None else self.train_dataset
            batch = self.args.train_batch_size * self.args.gradient_accumulation_steps
            return epoch_seeded_length_sampler(batch, seed, dataset=dataset)

    return LengthGroupedTrainer


def _tokenised(
    texts: Sequence[str], labels: Sequence[str], tokenizer: Any, max_length: int, targets: np.ndarray | None = None
) -> tuple[Any, int]:
    """The training sentences as a tokenised ``datasets.Dataset``, and how many were cut at ``max_length``.

    With ``targets`` (n x labels, soft and weighted) the label column holds those rows instead of label ids.
    """
    from datasets import Dataset

    column = [LABEL2ID[label] for label in labels] if targets is None else np.asarray(targets, np.float32).tolist()
    dataset = Dataset.from_dict({"text": list(texts), "label": column})
    dataset = dataset.map(
        lambda batch: tokenizer(batch["text"], truncation=True, max_length=max_length),
        batched=True,
        remove_columns=["text"],
        desc="tokenise",
    )
    # Sentences longer than max_length are cut; say how many rather than truncate silently.
    truncated = sum(1 for text in texts if len(tokenizer(text)["input_ids"]) > max_length)
    if truncated:
        log.warning(
            "%d of %d training sentences are longer than max_length=%d tokens and were truncated",
            truncated,
            len(texts),
            max_length,
        )
    return dataset, truncated


def _training_arguments(settings: TrainSettings, checkpoint_dir: Path, progress: bool):  # noqa: ANN202
    """The Trainer's arguments: the settings, CPU only, checkpoints every ``save_steps`` for resume."""
    from transformers import TrainingArguments

    return TrainingArguments(
        output_dir=str(checkpoint_dir),
        num_train_epochs=settings.epochs,
        max_steps=settings.max_steps,
        per_device_train_batch_size=settings.batch_size,
        learning_rate=settings.learning_rate,
        weight_decay=settings.weight_decay,
        warmup_steps=settings.warmup_ratio,
        seed=settings.seed,
        data_seed=settings.seed,
        use_cpu=True,
        save_strategy="steps",
        save_steps=settings.save_steps,
        save_total_limit=1,
        logging_steps=max(1, settings.save_steps),
        report_to="none",
        dataloader_num_workers=0,
        disable_tqdm=not progress,
        ddp_backend="gloo" if "LOCAL_RANK" in os.environ else None,  # torchrun on CPU
        ddp_find_unused_parameters=False,
    )


def train_classifier(
    texts: Sequence[str],
    labels: Sequence[str],
    source: ModelSource,
    settings: TrainSettings,
    output_dir: Path,
    *,
    checkpoint_dir: Path,
    resume: bool = False,
    progress: bool = True,
    targets: np.ndarray | None = None,
) -> dict[str, float]:
    """Fine-tune ``source``'s model on (text, label) pairs and save it to ``output_dir``.

    ``targets`` (n x labels): soft, weighted targets trained with :func:`soft_loss` (``settings.loss``);
    without them the hard labels train with (class-weighted) cross-entropy.

    Checkpoints go to ``checkpoint_dir`` every ``save_steps`` steps; with ``resume`` training continues from the
    newest one there, restoring optimiser, scheduler and RNG states, so the result equals an uninterrupted run.
    Returns training statistics (seconds, steps, final loss).
    """
    from transformers import DataCollatorWithPadding, Trainer, enable_full_determinism

    set_threads(settings.threads)
    enable_full_determinism(settings.seed, warn_only=True)
    model, tokenizer = source.load()

    dataset, truncated = _tokenised(texts, labels, tokenizer, settings.max_length, targets)
    args = _training_arguments(settings, checkpoint_dir, progress)
    # Batches of similar-length sentences pad less: 1.6x the training speed on UN text (benchmarks/train_batching.py).
    trainer_class = _length_grouped_trainer(settings.seed) if settings.group_by_length else Trainer
    trainer = trainer_class(
        compute_loss_func=_loss_for(labels, targets, settings),
        model=model,
        args=args,
        train_dataset=dataset,
        data_collator=DataCollatorWithPadding(tokenizer),
        processing_class=tokenizer,
    )
    if not progress:  # with tqdm off the Trainer prints each log dict ({'train_runtime': ...}) instead
        from transformers import PrinterCallback

        trainer.remove_callback(PrinterCallback)
    # A checkpoint torn by a crash is newer than the last complete one: resume from the complete one.
    checkpoint = last_complete_checkpoint(checkpoint_dir) if resume else None
    started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    seconds = time.perf_counter() - started
    if trainer.is_world_process_zero():
        # save_pretrained rather than trainer.save_model: the model folder holds no pickle (training_args.bin).
        trainer.model.save_pretrained(str(output_dir), safe_serialization=True)
        tokenizer.save_pretrained(str(output_dir))
    return {
        "seconds": seconds,
        "steps": float(result.global_step),
        "loss": float(result.training_loss),
        "examples": float(len(dataset)),
        "resumed": float(bool(checkpoint)),
        "truncated": float(truncated),
    }


def choose_none_offset(probs: np.ndarray, truth: Sequence[str], grid: Sequence[float] | None = None) -> float:
    """The shift of the `none` log-probability that maximises macro-F1 on a development gold part.

    A model trained on a class-balanced sample believes every label equally likely a priori; real text is
    mostly `none`. Shifting the `none` logit (a prior correction) fixes the operating point. Ties go to the
    smallest shift. Only ever called with the tuning part, never the reported one.
    """
    from sklearn.metrics import f1_score

    grid = list(grid) if grid is not None else [x / 4 for x in range(-8, 17)]
    logits = np.log(np.clip(probs, 1e-12, 1.0))
    none = LABELS.index("none")
    best, best_score = 0.0, -1.0
    for offset in sorted(grid, key=abs):
        shifted = logits.copy()
        shifted[:, none] += offset
        predicted = [LABELS[i] for i in shifted.argmax(axis=1)]
        score = f1_score(list(truth), predicted, labels=list(LABELS), average="macro", zero_division=0)
        if score > best_score + 1e-12:
            best, best_score = offset, score
    return best


def shift_none_logit(model_dir: Path, offset: float) -> None:
    """Add ``offset`` to the classifier's `none` bias in the saved model, so every loader applies it."""
    if offset == 0:
        return
    import torch
    from transformers import AutoModelForSequenceClassification

    import pipeline.mean_pool  # noqa: F401 - registers the mean-pooled classifier with the Auto classes

    model = AutoModelForSequenceClassification.from_pretrained(str(model_dir), use_safetensors=True)
    head = model.get_submodule("classifier")
    final = head if isinstance(head, torch.nn.Linear) else head.out_proj
    with torch.no_grad():
        final.bias[LABELS.index("none")] += offset
    model.save_pretrained(str(model_dir), safe_serialization=True)
