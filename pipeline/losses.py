"""Noise-aware training losses over soft weak labels (the label model's probabilities, weighted per sentence)."""

from __future__ import annotations

import numpy as np

from pipeline.labels import LABELS


def soft_loss(targets: np.ndarray, loss: str = "ce", q: float = 0.7, class_weights: bool = True):  # noqa: ANN201
    """A Trainer loss over soft targets: rows of label probabilities, each scaled by its sample weight.

    A row's sum is its weight (1 for a weak label, the confidence for a self-training target), so one float
    column carries both. ``ce`` is the expected cross-entropy under the target distribution; ``gce`` is the
    generalized cross-entropy ``(1 - p_y**q) / q`` averaged over the target distribution (Zhang & Sabuncu 2018):
    bounded, so a confidently wrong weak label cannot dominate. Class weights are inverse target mass per label.
    """
    import torch

    mass = np.asarray(targets, dtype=float).sum(axis=0)
    balance = mass.sum() / (len(LABELS) * np.maximum(mass, 1e-6)) if class_weights else np.ones(len(LABELS))
    weights = torch.tensor(balance, dtype=torch.float32)

    def compute(outputs, labels, num_items_in_batch=None):  # noqa: ANN001, ANN202, ARG001
        log_p = torch.log_softmax(outputs["logits"].float(), dim=-1)
        per_label = -log_p if loss == "ce" else (1 - torch.exp(log_p * q)) / q
        per_row = (labels * weights * per_label).sum(dim=-1)
        return per_row.sum() / labels.sum().clamp_min(1e-6)

    return compute
