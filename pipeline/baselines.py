"""Baselines the fine-tuned model must beat, trained on the same WEAK labels as the model, never on gold.

Both share ``fit(texts, labels) -> self`` and ``predict(texts) -> list[str]``. Weak labels may be ``None``
(every labelling function abstained); those sentences are skipped, as the transformer's training skips them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from pipeline.labels import LABELS

log = logging.getLogger(__name__)


def _labelled(
    texts: Sequence[str], labels: Sequence[str | None], weights: Sequence[float] | None = None
) -> tuple[list[str], list[str], list[float] | None]:
    """Keep sentences that carry a label; check labels are in the label set."""
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    if weights is not None and len(weights) != len(labels):
        raise ValueError(f"{len(weights)} sample weights for {len(labels)} labels")
    keep = [i for i, label in enumerate(labels) if label is not None]
    kept_labels = [str(labels[i]) for i in keep]
    unknown = sorted(set(kept_labels) - set(LABELS))
    if unknown:
        raise ValueError(f"unknown labels {unknown}; expected {list(LABELS)}")
    if not kept_labels:
        raise ValueError("no labelled training sentences (every weak label is None)")
    kept_weights = [float(weights[i]) for i in keep] if weights is not None else None
    return [texts[i] for i in keep], kept_labels, kept_weights


class MajorityClassBaseline:
    """Predicts the most frequent weak training label for every sentence (scikit-learn's ``DummyClassifier``).

    Ties go to the earlier label: the classifier takes the first of its sorted classes, and LABELS are sorted.
    """

    name = "majority"

    def __init__(self) -> None:
        self.model_: DummyClassifier | None = None

    @property
    def label_(self) -> str | None:
        return None if self.model_ is None else str(self.model_.classes_[np.argmax(self.model_.class_prior_)])

    def fit(self, texts: Sequence[str], labels: Sequence[str | None]) -> MajorityClassBaseline:
        kept_texts, kept, _ = _labelled(texts, labels)
        self.model_ = DummyClassifier(strategy="most_frequent").fit(np.zeros((len(kept), 1)), kept)
        return self

    def predict(self, texts: Sequence[str]) -> list[str]:
        if self.model_ is None:
            raise RuntimeError("MajorityClassBaseline.predict called before fit")
        return [str(label) for label in self.model_.predict(np.zeros((len(texts), 1)))] if texts else []


class TfidfLogRegBaseline:
    """TF-IDF word n-grams + logistic regression (one scikit-learn ``Pipeline``), a cheap bag-of-words rival.

    ``class_weight="balanced"`` (the default) reweights the rare stance labels, which the macro-F1 we report
    rewards; ``None`` trains on the weak label distribution as is. Seeded: the same data give the same model.
    """

    name = "tfidf_lr"

    def __init__(
        self,
        ngram_range: tuple[int, int] = (1, 2),
        min_df: int = 1,
        max_features: int | None = 50_000,
        sublinear_tf: bool = True,
        C: float = 1.0,
        class_weight: str | None = "balanced",
        max_iter: int = 1000,
        seed: int = 0,
    ) -> None:
        self.ngram_range = tuple(ngram_range)
        self.min_df = min_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.seed = seed
        self.pipeline_: Pipeline | None = None
        self.constant_: str | None = None

    @property
    def model_(self) -> LogisticRegression | None:
        """The fitted logistic regression (None before fit or when the weak labels hold one label only)."""
        return None if self.pipeline_ is None else self.pipeline_.named_steps["lr"]

    def fit(
        self,
        texts: Sequence[str],
        labels: Sequence[str | None],
        sample_weight: Sequence[float] | None = None,
    ) -> TfidfLogRegBaseline:
        """Fit on weak-labelled sentences; ``sample_weight`` may carry the label model's confidence."""
        kept_texts, kept_labels, kept_weights = _labelled(texts, labels, sample_weight)
        if len(set(kept_labels)) < 2:
            # Logistic regression needs two classes; one weak label means a constant prediction.
            self.constant_, self.pipeline_ = kept_labels[0], None
            log.warning("tfidf_lr: weak training labels hold only %r; predicting it everywhere", kept_labels[0])
            return self
        vectorizer = TfidfVectorizer(
            ngram_range=self.ngram_range,  # type: ignore[arg-type]
            min_df=self.min_df,
            max_features=self.max_features,
            sublinear_tf=self.sublinear_tf,
            lowercase=True,
        )
        model = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, random_state=self.seed
        )
        self.constant_ = None
        self.pipeline_ = Pipeline([("tfidf", vectorizer), ("lr", model)])
        weights = None if kept_weights is None else np.asarray(kept_weights)
        self.pipeline_.fit(kept_texts, kept_labels, lr__sample_weight=weights)
        return self

    def _check_fitted(self) -> None:
        if self.pipeline_ is None and self.constant_ is None:
            raise RuntimeError("TfidfLogRegBaseline.predict called before fit")

    def predict_proba(self, texts: Sequence[str]) -> list[dict[str, float]]:
        """Probability of every label in LABELS per text (0 for labels unseen in training)."""
        self._check_fitted()
        if not texts:
            return []
        if self.pipeline_ is None:
            return [{label: float(label == self.constant_) for label in LABELS} for _ in texts]
        probs = self.pipeline_.predict_proba(list(texts))
        classes = [str(c) for c in self.pipeline_.classes_]
        return [
            {label: float(row[classes.index(label)]) if label in classes else 0.0 for label in LABELS} for row in probs
        ]

    def predict(self, texts: Sequence[str]) -> list[str]:
        self._check_fitted()
        if not texts:
            return []
        if self.pipeline_ is None:
            return [str(self.constant_)] * len(texts)
        return [str(label) for label in self.pipeline_.predict(list(texts))]
