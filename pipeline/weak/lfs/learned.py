"""Learned LF: a logistic regression on sentence embeddings, trained on the rule LFs' own votes (never gold).

The hand-written stance rules are precise but narrow: they fire on the phrasings they name. This LF propagates
their evidence to paraphrases. At ``WeakLabeler.fit`` time, on the corpus being labelled, the sentences where the
high-precision stance rules (``patterns`` and ``modality`` groups) agree on one stance become AGAINST/FAVOR
examples, and sentences a target LF marks NONE with no stance vote become NONE examples (a seeded sample, military
vocabulary first, since those are the hard negatives). The classifier then votes a stance only where it is
confident, the sentence names the target, and no stance or target rule has voted already (it extends coverage;
it never argues with a rule).

The registry holds a stateless marker (``emb_learned_stance``, always ABSTAIN when called on its own); the fitted
classifier lives on the ``WeakLabeler`` that fitted it, so no global state is shared between labelers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from snorkel.labeling import LabelingFunction

from pipeline.config import WeakConfig
from pipeline.labels import ABSTAIN, AGAINST, FAVOR, NONE
from pipeline.weak.lfs.cues import MILITARY_ANY, TextPoint, has, target_mentioned

STANCE_SOURCE_GROUPS = ("patterns", "modality")
"""LF groups whose stance votes are trusted as training labels."""
NONE_SOURCE_GROUPS = ("targets",)
"""LF groups whose NONE votes are trusted as training labels."""
CONFIDENCE_THRESHOLD = WeakConfig.learned_threshold
"""Minimum predicted probability of a stance for the LF to vote it. Chosen on half A of the fresh development sample
(benchmarks/data/ungd_fresh_dev.jsonl), where the weak labeller scored 0.745 at 0.9 against 0.731 at 0.8 and 0.737
at 0.95; on the UN tuning part 0.9 gave 0.940 (0.931 at 0.8, 0.945 at 0.95)."""


def _learned_stance(x: TextPoint) -> int:
    """AGAINST/FAVOR: a logistic regression on MiniLM embeddings, trained at fit time on the stance rules' votes,
    is confident (probability >= threshold), the sentence names the target and no rule voted. Called on its own,
    outside a fitted ``WeakLabeler``, it abstains."""
    return ABSTAIN


class LearnedLF(LabelingFunction):
    """Marker LF whose votes ``WeakLabeler`` computes from a ``StanceClassifier`` it fitted; alone it abstains."""

    needs_embedding = True
    learned = True

    def __init__(self, name: str) -> None:
        super().__init__(name, f=_learned_stance)


emb_learned_stance = LearnedLF("emb_learned_stance")


Embeddings = np.ndarray | Callable[[np.ndarray], np.ndarray]
"""All rows' embeddings, or a function from row indices to those rows' embeddings (computed only when asked)."""


def _rows(embeddings: Embeddings, rows: np.ndarray) -> np.ndarray:
    return embeddings(rows) if callable(embeddings) else embeddings[rows]


def is_learned(lf: LabelingFunction) -> bool:
    """True for LFs whose votes need a fit step on the corpus (``WeakLabeler.fit(L, texts=...)``)."""
    return bool(getattr(lf, "learned", False))


@dataclass
class StanceClassifier:
    """Logistic regression from sentence embeddings to AGAINST/FAVOR/NONE, fitted on rule-vote labels.

    ``max_none`` caps the NONE examples (sampled with ``seed``; military-vocabulary sentences first) and
    ``max_stance`` the AGAINST/FAVOR ones (a seeded sample; it bounds the fit's memory on very large corpora and
    does not bind on the UN speeches: 5,800 stance rows in all 254,000 sentences), ``c`` is the inverse
    regularisation strength, ``threshold`` the confidence needed to vote.
    """

    threshold: float = CONFIDENCE_THRESHOLD
    max_none: int = 6000
    max_stance: int = 20000
    c: float = 1.0
    seed: int = 0
    min_examples: int = 5
    n_examples_: dict[str, int] = field(default_factory=dict)
    _model: object | None = None

    @staticmethod
    def rule_labels(L: np.ndarray, groups: Sequence[str]) -> np.ndarray:
        """Training label per row from the trusted rules (-1 where they give none or disagree)."""
        groups = list(groups)
        stance_cols = [j for j, g in enumerate(groups) if g in STANCE_SOURCE_GROUPS]
        none_cols = [j for j, g in enumerate(groups) if g in NONE_SOURCE_GROUPS]
        labels = np.full(len(L), ABSTAIN, dtype=int)
        stance = L[:, stance_cols] if stance_cols else np.full((len(L), 0), ABSTAIN)
        none_vote = (L[:, none_cols] == NONE).any(axis=1) if none_cols else np.zeros(len(L), bool)
        has_against = (stance == AGAINST).any(axis=1)
        has_favor = (stance == FAVOR).any(axis=1)
        labels[has_against & ~has_favor & ~none_vote] = AGAINST
        labels[has_favor & ~has_against & ~none_vote] = FAVOR
        labels[none_vote & ~has_against & ~has_favor] = NONE
        return labels

    def fit(
        self, embeddings: Embeddings, texts: Sequence[str], L: np.ndarray, groups: Sequence[str]
    ) -> StanceClassifier:
        """Fit on the rows the trusted rules label; NONE rows are sampled (military vocabulary first)."""
        from sklearn.linear_model import LogisticRegression

        labels = self.rule_labels(np.asarray(L), groups)
        stance_rows = np.flatnonzero((labels == AGAINST) | (labels == FAVOR))
        none_rows = np.flatnonzero(labels == NONE)
        rng = np.random.default_rng(self.seed)
        if len(stance_rows) > self.max_stance:
            stance_rows = np.sort(np.random.default_rng(self.seed + 1).permutation(stance_rows)[: self.max_stance])
        military = np.array([has(MILITARY_ANY, texts[i]) for i in none_rows], dtype=bool)
        hard, easy = rng.permutation(none_rows[military]), rng.permutation(none_rows[~military])
        chosen_none = np.concatenate([hard, easy])[: self.max_none]
        rows = np.sort(np.concatenate([stance_rows, chosen_none]))
        y = labels[rows]
        self.n_examples_ = {name: int((y == k).sum()) for name, k in (("against", 0), ("favor", 1), ("none", 2))}
        if min(self.n_examples_["against"], self.n_examples_["favor"]) < self.min_examples:
            self._model = None  # too little rule evidence to learn from: the LF abstains
            return self
        model = LogisticRegression(C=self.c, max_iter=1000, class_weight="balanced", random_state=self.seed)
        model.fit(_rows(embeddings, rows), y)
        self._model = model
        return self

    @property
    def fitted(self) -> bool:
        return self._model is not None

    def proba(self, embeddings: np.ndarray) -> np.ndarray:
        """(n, 3) class probabilities in label order."""
        if self._model is None:
            raise RuntimeError("StanceClassifier is not fitted")
        proba = np.zeros((len(embeddings), 3))
        proba[:, self._model.classes_] = self._model.predict_proba(embeddings)  # type: ignore[attr-defined]
        return proba

    def votes(
        self,
        embeddings: Embeddings,
        texts: Sequence[str],
        L_rules: np.ndarray,
        groups: Sequence[str],
        chunk: int = 4096,
    ) -> np.ndarray:
        """The LF's column: a confident stance on target sentences no rule (stance or target) covers; else ABSTAIN.

        Candidates are embedded ``chunk`` rows at a time, so memory does not grow with the corpus."""
        out = np.full(len(texts), ABSTAIN, dtype=int)
        if self._model is None or not len(texts):
            return out
        rule_cols = [j for j, g in enumerate(groups) if g in STANCE_SOURCE_GROUPS + NONE_SOURCE_GROUPS]
        ruled = (L_rules[:, rule_cols] != ABSTAIN).any(axis=1) if rule_cols else np.zeros(len(texts), bool)
        candidates = [i for i, t in enumerate(texts) if not ruled[i] and target_mentioned(t)]
        if not candidates:
            return out
        rows = np.array(candidates)
        proba = np.concatenate([self.proba(_rows(embeddings, rows[i : i + chunk])) for i in range(0, len(rows), chunk)])
        best = proba.argmax(axis=1)
        for i, label, p in zip(candidates, best, proba.max(axis=1), strict=True):
            if label in (AGAINST, FAVOR) and p >= self.threshold:
                out[i] = int(label)
        return out


LEARNED_LFS = [emb_learned_stance]
