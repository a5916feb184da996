"""Apply labelling functions to a list of sentences and turn the votes into weak labels.

``WeakLabeler.apply`` is a list applier (faster than snorkel's PandasLFApplier for our LFs): it embeds all
texts once, in batches, when any selected LF needs embeddings, then runs every LF on every ``TextPoint``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from snorkel.labeling import LabelingFunction
from tqdm.auto import tqdm

from pipeline.errors import ConfigError
from pipeline.weak.label_model import LabelModelLike, MajorityVoteModel
from pipeline.weak.lfs import group_of, needs_embedding, select_lfs
from pipeline.weak.lfs.cues import TextPoint
from pipeline.weak.lfs.embeddings import SentenceEmbedder, default_embedder, default_model_path


class WeakLabeler:
    """LFs plus a label model: ``apply`` texts -> votes, ``fit`` votes, ``predict``/``predict_proba`` labels.

    ``lfs`` defaults to every registered LF, ``label_model`` to majority vote. ``embedder`` (optional) sets
    batch size, max length and threads for the embedding LFs; it must use the default model, since the LFs'
    prototypes are embedded with it.
    """

    def __init__(
        self,
        lfs: Sequence[LabelingFunction] | None = None,
        label_model: LabelModelLike | None = None,
        embedder: SentenceEmbedder | None = None,
    ) -> None:
        self.lfs = list(lfs) if lfs is not None else select_lfs(None)
        if not self.lfs:
            raise ValueError("WeakLabeler needs at least one labelling function")
        names = [lf.name for lf in self.lfs]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"labelling function names must be unique, repeated: {duplicates}")
        self.label_model = label_model if label_model is not None else MajorityVoteModel()
        if embedder is not None and embedder.model_path.resolve() != default_model_path().resolve():
            raise ConfigError(
                f"embedder model {embedder.model_path} differs from the default model the prototypes use",
                key="weak.embedder.model_path",
                fix="leave the embedder's model_path unset",
            )
        self.embedder = embedder

    @property
    def lf_names(self) -> list[str]:
        """LF names in vote-matrix column order."""
        return [lf.name for lf in self.lfs]

    @property
    def lf_groups(self) -> list[str]:
        """Registry group of each LF, in column order."""
        return [group_of(lf) for lf in self.lfs]

    def points(self, texts: Sequence[str], progress: bool = True) -> list[TextPoint]:
        """Data points for ``texts``, with embeddings computed in one batched pass when an LF needs them."""
        if any(needs_embedding(lf) for lf in self.lfs):
            embedder = self.embedder if self.embedder is not None else default_embedder()
            vectors = embedder.embed(list(texts), progress=progress)
            return [TextPoint(text, vector) for text, vector in zip(texts, vectors, strict=True)]
        return [TextPoint(text) for text in texts]

    def apply(self, texts: Sequence[str], progress: bool = True) -> np.ndarray:
        """Votes (n x m int matrix, -1 = abstain) of every LF on every text."""
        points = self.points(texts, progress=progress)
        votes = np.full((len(points), len(self.lfs)), -1, dtype=int)
        for i, point in enumerate(tqdm(points, desc="labelling functions", disable=not progress, unit="sent")):
            for j, lf in enumerate(self.lfs):
                votes[i, j] = lf(point)
        return votes

    def fit(self, L: np.ndarray) -> WeakLabeler:
        """Fit the label model on an (unlabelled) vote matrix."""
        self.label_model.fit(L)
        return self

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        """(n, 3) label probabilities from the label model."""
        return self.label_model.predict_proba(L)

    def predict(self, L: np.ndarray) -> np.ndarray:
        """Hard weak labels (n,), -1 where the label model's policies drop a row."""
        return self.label_model.predict(L)

    def weights(self) -> np.ndarray | None:
        """Learned LF weights, when the label model has them."""
        return self.label_model.weights()
