"""``stance-predict system=weak``: a finished run's weak labeller on new text, in the model's place.

:class:`WeakPredictor` has the :class:`~pipeline.predict.Predictor` interface that :func:`predict_corpus` uses, so
the same inputs give the same outputs: each sentence's label and probabilities (the label model's), plus its
``votes`` (labelling function -> label or null) in JSONL output. The labeller is rebuilt from the run folder's
``weak/`` state (:mod:`pipeline.weak.state`), never from pickle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from pipeline.capability import Choice
from pipeline.labels import ABSTAIN, LABELS
from pipeline.predict.predictor import Prediction
from pipeline.runs import resolve_model_dir
from pipeline.weak.state import load_labeller


class WeakPredictor:
    """The weak labeller of the run at ``run_dir`` behind the predictor interface (``predict(texts)``)."""

    fast_path = "weak"
    choice = Choice("weak", "the run's weak labeller (system=weak)")

    def __init__(
        self, run_dir: str | Path, *, batch_size: int = 64, max_length: int = 128, threads: int | str = 1
    ) -> None:
        self.model_dir = resolve_model_dir(run_dir)
        self.run_dir = self.model_dir.parent if self.model_dir.name == "model" else self.model_dir
        self.batch_size = batch_size
        self.max_length = max_length
        self.labeler = load_labeller(self.run_dir, threads=threads)

    def predict(self, texts: Sequence[str], on_batch: Callable[[int], object] | None = None) -> Prediction:
        """Label-model probabilities (unlabelled rows follow the run's abstain policy) and every LF's vote.

        ``on_batch(n)`` is called once with the number of texts, as :class:`Predictor` calls it per batch.
        """
        if not texts:
            return Prediction(np.zeros((0, len(LABELS)), dtype=np.float32), [], [])
        votes = self.labeler.apply(list(texts), progress=False)
        probs = np.asarray(self.labeler.predict_proba(votes), dtype=np.float32)
        names = self.labeler.lf_names
        per_sentence = [
            {name: (None if v == ABSTAIN else LABELS[v]) for name, v in zip(names, row, strict=True)} for row in votes
        ]
        if on_batch is not None:
            on_batch(len(texts))
        return Prediction(probs, [False] * len(texts), per_sentence)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        return self.predict(texts).probs
