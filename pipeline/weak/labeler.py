"""Apply labelling functions to a list of sentences and turn the votes into weak labels.

``WeakLabeler.apply`` is a list applier (faster than snorkel's PandasLFApplier for our LFs): it runs the rule LFs
on every sentence, then embeds (once per distinct text, batched, cached on disk) only the sentences where an
embedding vote can change the weak label: those that name the target, and those a rule gave a stance vote.
Elsewhere the nearest-prototype LF could only vote NONE where every other vote is NONE or an abstention, and
majority vote labels those rows NONE either way (its coverage statistic counts only the embedded rows).
``embed_all=True`` embeds every sentence, as the previous implementation did (benchmarks/weak.py compares them).

A learned LF (``pipeline.weak.lfs.learned``) is fitted on the corpus being labelled: ``fit(L, texts=texts)`` trains
it on the rule votes of ``L`` and fills its column before fitting the label model; ``fit_apply(texts)`` does
apply + fit in one call and returns the completed vote matrix. After that, ``apply`` fills the learned column too.
Without ``texts`` the learned LF simply abstains (the old ``fit(L)`` behaviour).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from snorkel.labeling import LabelingFunction

from pipeline.errors import ConfigError
from pipeline.labels import AGAINST, FAVOR
from pipeline.weak.apply_rules import rule_votes
from pipeline.weak.label_model import LabelModelLike, MajorityVoteModel
from pipeline.weak.lfs import group_of, is_learned, needs_embedding, select_lfs
from pipeline.weak.lfs.cues import MILITARY_ANY, TextPoint, has, target_mentioned
from pipeline.weak.lfs.embeddings import (
    SentenceEmbedder,
    default_embedder,
    default_model_path,
    emb_nearest_prototype,
    nearest_prototype_votes,
)
from pipeline.weak.lfs.learned import StanceClassifier

EMBED_CHUNK = 1024
"""Rows embedded and voted on (or fitted on) at a time: the vectors in memory stay a few MB however large the
corpus. On 100,000 UN sentences the stage peaked at 722 MB with 1,024 against 743 MB with 4,096 (2026-12-03)."""


def _chunks(rows: np.ndarray) -> list[np.ndarray]:
    return [rows[start : start + EMBED_CHUNK] for start in range(0, len(rows), EMBED_CHUNK)]


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
        learned: StanceClassifier | None = None,
        embed_all: bool = False,
        workers: int = 1,
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
                fix="build the SentenceEmbedder without a model_path (there is no setting for it)",
            )
        self.embedder = embedder
        self.learned = learned if learned is not None else StanceClassifier()
        self.embed_all = embed_all
        self.workers = workers  # processes for the rule LFs (pipeline.weak.apply_rules)

    @property
    def lf_names(self) -> list[str]:
        """LF names in vote-matrix column order."""
        return [lf.name for lf in self.lfs]

    @property
    def lf_groups(self) -> list[str]:
        """Registry group of each LF, in column order."""
        return [group_of(lf) for lf in self.lfs]

    @staticmethod
    def on_topic(texts: Sequence[str]) -> np.ndarray:
        """Which texts mention military forces, presence, occupation or withdrawal at all (the target's topic).

        Used to pick hard negatives for training: `none` sentences on the topic teach the model more than
        sentences that never mention troops.
        """
        return np.array([has(MILITARY_ANY, text) for text in texts], dtype=bool)

    @property
    def _embedder(self) -> SentenceEmbedder:
        return self.embedder if self.embedder is not None else default_embedder()

    def _embeddings(self, texts: Sequence[str], progress: bool) -> np.ndarray:
        return self._embedder.embed(list(texts), progress=progress)

    def points(self, texts: Sequence[str], progress: bool = True) -> list[TextPoint]:
        """Data points for ``texts``, with embeddings computed in one batched pass when an LF needs them."""
        if any(needs_embedding(lf) for lf in self.lfs):
            vectors = self._embeddings(texts, progress)
            return [TextPoint(text, vector) for text, vector in zip(texts, vectors, strict=True)]
        return [TextPoint(text) for text in texts]

    @property
    def _learned_columns(self) -> list[int]:
        return [j for j, lf in enumerate(self.lfs) if is_learned(lf)]

    def _rows_embedder(self, texts: Sequence[str]):  # noqa: ANN202
        """Row indices -> those rows' embeddings, embedded when asked (all rows at once with ``embed_all``)."""
        if self.embed_all:
            return self._embeddings(texts, progress=False)
        return lambda rows: self._embed_rows(texts, rows)

    def _embed_rows(self, texts: Sequence[str], rows: np.ndarray) -> np.ndarray:
        """The embeddings of ``texts[rows]``, embedded ``EMBED_CHUNK`` rows at a time into one array."""
        out: np.ndarray | None = None
        for k, part in enumerate(_chunks(rows)):
            vectors = self._embeddings([texts[i] for i in part], progress=False)
            if out is None:
                out = np.empty((len(rows), vectors.shape[1]), dtype=np.float32)
            out[k * EMBED_CHUNK : k * EMBED_CHUNK + len(part)] = vectors
        return out if out is not None else np.zeros((0, 0), dtype=np.float32)

    def _fill_learned(self, L: np.ndarray, texts: Sequence[str]) -> None:
        """Write the fitted learned LF's votes into its columns of ``L`` (in place)."""
        columns = self._learned_columns
        if not columns or not self.learned.fitted or not len(texts):
            return
        votes = self.learned.votes(self._rows_embedder(texts), texts, L, self.lf_groups, chunk=EMBED_CHUNK)
        for j in columns:
            L[:, j] = votes

    def apply(self, texts: Sequence[str], progress: bool = True) -> np.ndarray:
        """Votes (n x m int8 matrix, -1 = abstain) of every LF on every text (learned LFs once fitted).

        int8, not int64: a vote is -1..2, and on 250,000 sentences and 37 LFs the matrix is 9 MB instead of 75."""
        votes = np.full((len(texts), len(self.lfs)), -1, dtype=np.int8)
        learned = set(self._learned_columns)
        rules = [j for j, lf in enumerate(self.lfs) if j not in learned and not needs_embedding(lf)]
        votes[:, rules] = rule_votes(texts, [self.lfs[j] for j in rules], self.workers, progress)
        embedded = [(j, lf) for j, lf in enumerate(self.lfs) if j not in learned and needs_embedding(lf)]
        if embedded:
            self._embedding_votes(texts, votes, embedded, progress)
        self._fill_learned(votes, texts)
        return votes

    def _embedding_votes(
        self, texts: Sequence[str], votes: np.ndarray, lfs: list[tuple[int, LabelingFunction]], progress: bool
    ) -> None:
        """Fill the embedding LFs' columns of ``votes`` in place, ``EMBED_CHUNK`` rows at a time (bounded memory)."""
        from tqdm.auto import tqdm

        rows = self.embedding_rows(texts, votes)
        with tqdm(total=len(rows), desc="embedding", unit="sentence", disable=not progress) as bar:
            for part in _chunks(rows):
                chosen = [texts[i] for i in part]
                vectors = self._embeddings(chosen, progress=False)
                for j, lf in lfs:
                    if lf is emb_nearest_prototype:
                        votes[part, j] = nearest_prototype_votes(vectors, chosen, self._embedder)
                    else:
                        votes[part, j] = [lf(TextPoint(t, v)) for t, v in zip(chosen, vectors, strict=True)]
                bar.update(len(part))

    def embedding_rows(self, texts: Sequence[str], votes: np.ndarray) -> np.ndarray:
        """Rows whose embedding votes can change the weak label: the target is named or a rule voted a stance."""
        if self.embed_all:
            return np.arange(len(texts))
        stance = np.zeros(len(texts), dtype=bool)
        for column in votes.T:  # a column at a time: no n x m temporaries
            stance |= (column == AGAINST) | (column == FAVOR)
        named = np.fromiter((target_mentioned(t) for t in texts), dtype=bool, count=len(texts))
        return np.flatnonzero(stance | named)

    def fit(self, L: np.ndarray, texts: Sequence[str] | None = None) -> WeakLabeler:
        """Fit the label model on an (unlabelled) vote matrix.

        With ``texts`` (the sentences ``L`` was computed on) and a learned LF selected, first fit the learned LF
        on the rule votes of ``L`` and fill its column of ``L`` in place; then fit the label model on it.
        """
        if texts is not None and self._learned_columns:
            if len(texts) != len(L):
                raise ValueError(f"{len(texts)} texts but {len(L)} vote rows")
            self.learned.fit(self._rows_embedder(texts), texts, np.asarray(L), self.lf_groups)
            self._fill_learned(L, texts)
        self.label_model.fit(L)
        return self

    def fit_apply(self, texts: Sequence[str], progress: bool = True) -> np.ndarray:
        """Apply the LFs to ``texts``, fit the learned LF and the label model on them; the completed votes."""
        votes = self.apply(texts, progress=progress)
        self.fit(votes, texts=texts)
        return votes

    def predict_proba(self, L: np.ndarray) -> np.ndarray:
        """(n, 3) label probabilities from the label model."""
        return self.label_model.predict_proba(L)

    def predict(self, L: np.ndarray) -> np.ndarray:
        """Hard weak labels (n,), -1 where the label model's policies drop a row."""
        return self.label_model.predict(L)

    def weights(self) -> np.ndarray | None:
        """Learned LF weights, when the label model has them."""
        return self.label_model.weights()
