"""Label models: turn the n x m vote matrix into n x 3 label probabilities and hard weak labels.

Two models behind one scikit-learn-style interface (``fit``, ``predict_proba``, ``predict``, ``weights``):
``SnorkelLabelModel`` (snorkel's generative LabelModel, which learns each LF's accuracy without gold labels) and
``MajorityVoteModel``. Both share the two policies the trainer depends on:

- ``tie_policy``: what ``predict`` does where the top probabilities tie: ``"abstain"`` (-1), ``"random"``
  (a seeded choice among the tied labels) or ``"none"`` (label ``none``).
- ``abstain_policy``: rows where every LF abstained: ``"none"`` (label ``none``, probability one-hot) or
  ``"drop"`` (``predict`` returns -1 and the probabilities are uniform, so the trainer can leave them out).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np

from pipeline.config import WeakConfig, setting_key
from pipeline.errors import ConfigError
from pipeline.labels import ABSTAIN, LABELS, NONE

TiePolicy = Literal["abstain", "random", "none"]
AbstainPolicy = Literal["none", "drop"]
N_CLASSES = len(LABELS)
_TIE_TOLERANCE = 1e-6


def _check_policies(tie_policy: str, abstain_policy: str) -> None:
    if tie_policy not in ("abstain", "random", "none"):
        raise ConfigError(
            f"unknown tie_policy {tie_policy!r}",
            key=setting_key(WeakConfig, "tie_policy"),
            fix="use abstain, random or none",
        )
    if abstain_policy not in ("none", "drop"):
        raise ConfigError(
            f"unknown abstain_policy {abstain_policy!r}",
            key=setting_key(WeakConfig, "abstain_policy"),
            fix="use none or drop",
        )


def _check_votes(L: np.ndarray) -> np.ndarray:
    L = np.asarray(L)
    if L.ndim != 2:
        raise ValueError(f"vote matrix must be 2-D (n x m), got shape {L.shape}")
    if L.size and (L.min() < ABSTAIN or L.max() >= N_CLASSES):
        raise ValueError(f"votes must lie in [-1, {N_CLASSES - 1}], got [{L.min()}, {L.max()}]")
    return L if L.dtype.kind == "i" else L.astype(np.int8)  # int8 stays int8: no n x m int64 copy


class _PolicyMixin:
    """Shared abstain/tie handling on top of a model's raw probabilities."""

    tie_policy: TiePolicy
    abstain_policy: AbstainPolicy
    seed: int

    def _apply_abstain_policy(self, L: np.ndarray, proba: np.ndarray) -> np.ndarray:
        uncovered = (L == ABSTAIN).all(axis=1)
        proba = proba.copy()
        if self.abstain_policy == "none":
            proba[uncovered] = np.eye(N_CLASSES)[NONE]
        else:
            proba[uncovered] = 1.0 / N_CLASSES
        return proba

    def _decide(self, L: np.ndarray, proba: np.ndarray) -> np.ndarray:
        """Hard labels from probabilities, resolving ties and all-abstain rows by the policies."""
        rng = np.random.default_rng(self.seed)
        top = proba.max(axis=1, keepdims=True)
        tied = np.abs(proba - top) <= _TIE_TOLERANCE
        labels = proba.argmax(axis=1)
        for i in np.flatnonzero(tied.sum(axis=1) > 1):
            if self.tie_policy == "abstain":
                labels[i] = ABSTAIN
            elif self.tie_policy == "none":
                labels[i] = NONE
            else:
                labels[i] = rng.choice(np.flatnonzero(tied[i]))
        uncovered = (L == ABSTAIN).all(axis=1)
        labels[uncovered] = NONE if self.abstain_policy == "none" else ABSTAIN
        return labels

    def predict(self, L: np.ndarray) -> np.ndarray:
        """Hard weak labels (n,), -1 where the policies say to leave a row out."""
        L = _check_votes(L)
        return self._decide(L, self.predict_proba(L))

    def predict_proba(self, L: np.ndarray) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError


class MajorityVoteModel(_PolicyMixin):
    """Each row's probability is the share of non-abstaining votes per label; no learning."""

    def __init__(self, tie_policy: TiePolicy = "abstain", abstain_policy: AbstainPolicy = "none", seed: int = 0):
        _check_policies(tie_policy, abstain_policy)
        self.tie_policy = tie_policy
        self.abstain_policy = abstain_policy
        self.seed = seed

    def fit(self, L: np.ndarray) -> MajorityVoteModel:
        """Nothing to learn; validates ``L`` so misuse fails at the same point as for the learned model."""
        _check_votes(L)
        return self

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        """(n, 3) vote shares; all-abstain rows follow ``abstain_policy``."""
        L = _check_votes(L)
        counts = np.stack([(k == L).sum(axis=1) for k in range(N_CLASSES)], axis=1).astype(float)
        totals = counts.sum(axis=1, keepdims=True)
        proba = np.divide(counts, totals, out=np.full_like(counts, 1.0 / N_CLASSES), where=totals > 0)
        return self._apply_abstain_policy(L, proba)

    def weights(self) -> np.ndarray | None:
        """Majority vote weighs every LF equally and learns nothing: None."""
        return None


def majority_class_balance(L: np.ndarray, floor: float = 0.01) -> list[float]:
    """Label prior estimated without gold: the majority-vote label shares over the rows some LF covers.

    Each share is floored at ``floor`` (then renormalised) so that no class gets a zero prior.
    """
    L = _check_votes(L)
    covered = ~(L == ABSTAIN).all(axis=1)
    if not covered.any():
        return [1.0 / N_CLASSES] * N_CLASSES
    proba = MajorityVoteModel().predict_proba(L[covered])
    shares = np.maximum(proba.mean(axis=0), floor)
    return [float(v) for v in shares / shares.sum()]


class SnorkelLabelModel(_PolicyMixin):
    """snorkel's LabelModel (cardinality 3), seeded, trained on the unlabelled vote matrix.

    ``class_balance``: the label prior in LABELS order; ``"majority"`` (default) estimates it from the votes
    themselves (``majority_class_balance``), ``None`` lets snorkel assume a uniform prior.
    """

    def __init__(
        self,
        epochs: int = WeakConfig.epochs,
        lr: float = WeakConfig.lr,
        l2: float = 0.0,
        class_balance: Sequence[float] | Literal["majority"] | None = "majority",
        seed: int = 0,
        tie_policy: TiePolicy = "abstain",
        abstain_policy: AbstainPolicy = "none",
        threads: int = 1,
    ) -> None:
        _check_policies(tie_policy, abstain_policy)
        if isinstance(class_balance, str):
            if class_balance != "majority":
                raise ConfigError(
                    f"unknown class_balance {class_balance!r}",
                    key=setting_key(WeakConfig, "class_balance"),
                    fix="give 3 probabilities, 'majority' (estimated from the votes) or null (uniform)",
                )
        elif class_balance is not None and (len(class_balance) != N_CLASSES or abs(sum(class_balance) - 1.0) > 1e-6):
            raise ConfigError(
                f"class_balance {list(class_balance)} must give {N_CLASSES} probabilities summing to 1",
                key=setting_key(WeakConfig, "class_balance"),
                fix=f"order is {list(LABELS)}; or 'majority' or null",
            )
        self.epochs = epochs
        self.lr = lr
        self.l2 = l2
        self.class_balance = (
            class_balance if class_balance is None or isinstance(class_balance, str) else list(class_balance)
        )
        self.seed = seed
        self.tie_policy = tie_policy
        self.abstain_policy = abstain_policy
        self.threads = threads
        self._model = None
        self.fitted_class_balance_: list[float] | None = None

    def fit(self, L: np.ndarray) -> SnorkelLabelModel:
        """Learn LF accuracies from ``L`` (no gold labels); same ``L`` and seed give the same model."""
        import torch
        from snorkel.labeling.model import LabelModel

        L = _check_votes(L)
        if L.shape[1] < 3:
            raise ConfigError(
                f"the snorkel label model needs at least 3 labelling functions, got {L.shape[1]}",
                key=setting_key(WeakConfig, "label_model"),
                fix="select more LF groups or use the majority label model",
            )
        balance = majority_class_balance(L) if self.class_balance == "majority" else self.class_balance
        self.fitted_class_balance_ = balance
        torch.set_num_threads(self.threads)
        torch.manual_seed(self.seed)
        model = LabelModel(cardinality=N_CLASSES, verbose=False, device="cpu")
        model.fit(
            L.astype(np.int64),  # snorkel's own dtype
            n_epochs=self.epochs,
            lr=self.lr,
            l2=self.l2,
            seed=self.seed,
            class_balance=balance,
            progress_bar=False,
        )
        self._model = model
        return self

    def _fitted(self):
        if self._model is None:
            raise RuntimeError("SnorkelLabelModel is not fitted: call fit(L) first")
        return self._model

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        """(n, 3) posterior label probabilities; all-abstain rows follow ``abstain_policy``."""
        L = _check_votes(L)
        proba = np.asarray(self._fitted().predict_proba(L.astype(np.int64)), dtype=float)
        return self._apply_abstain_policy(L, proba)

    def weights(self) -> np.ndarray | None:
        """Learned accuracy of each LF (m,), in column order."""
        return np.asarray(self._fitted().get_weights(), dtype=float)


LabelModelLike = SnorkelLabelModel | MajorityVoteModel


def make_label_model(kind: str = "majority", **params: object) -> LabelModelLike:
    """Build a label model by name (``snorkel`` or ``majority``) with its constructor parameters.

    Default ``majority``: on both by-speech halves of the UN tuning part it beats snorkel (0.930/0.931 vs
    0.880/0.923 macro-F1), whose learned prior (~97% none) outvotes lone stance rules.
    """
    kinds = {"snorkel": SnorkelLabelModel, "majority": MajorityVoteModel}
    if kind not in kinds:
        raise ConfigError(
            f"unknown label model kind {kind!r}",
            key=setting_key(WeakConfig, "label_model"),
            fix=f"use one of {sorted(kinds)}",
        )
    return kinds[kind](**params)  # type: ignore[arg-type]
