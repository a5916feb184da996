"""The learned LF: trained on rule votes at fit time, votes confidently only where no rule did (synthetic vectors)."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.labels import ABSTAIN, AGAINST, FAVOR, NONE
from pipeline.weak.label_model import MajorityVoteModel
from pipeline.weak.labeler import WeakLabeler
from pipeline.weak.lfs import TextPoint, select_lfs
from pipeline.weak.lfs.embeddings import SentenceEmbedder
from pipeline.weak.lfs.learned import StanceClassifier, emb_learned_stance

GROUPS = ["patterns", "targets"]


def _clusters(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors around three well-separated centres, and the centre (label) of each."""
    rng = np.random.default_rng(seed)
    centres = np.eye(3, 8) * 4.0
    labels = np.arange(n) % 3
    vectors = centres[labels] + rng.normal(scale=0.3, size=(n, 8))
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True), labels


def test_rule_labels_take_agreeing_stance_rules_and_none_rules_only() -> None:
    L = np.array([[AGAINST, ABSTAIN], [FAVOR, ABSTAIN], [ABSTAIN, NONE], [AGAINST, NONE], [ABSTAIN, ABSTAIN]])
    labels = StanceClassifier.rule_labels(L, GROUPS)
    assert list(labels) == [AGAINST, FAVOR, NONE, ABSTAIN, ABSTAIN]


def test_classifier_votes_confident_stance_only_where_no_rule_voted_and_target_named() -> None:
    vectors, centre = _clusters(90)
    L = np.stack([np.where(centre < 2, centre, ABSTAIN), np.where(centre == 2, NONE, ABSTAIN)], axis=1)
    texts = ["The foreign troops are here."] * 90
    clf = StanceClassifier(threshold=0.8, seed=0).fit(vectors, texts, L, GROUPS)
    assert clf.fitted and clf.n_examples_ == {"against": 30, "favor": 30, "none": 30}

    new_vectors, new_centre = _clusters(6, seed=1)
    unruled = np.full((6, 2), ABSTAIN)
    votes = clf.votes(new_vectors, ["The foreign troops are here."] * 6, unruled, GROUPS)
    expected = np.where(new_centre < 2, new_centre, ABSTAIN)  # stance centres voted, none centre abstains
    np.testing.assert_array_equal(votes, expected)
    assert (clf.votes(new_vectors, ["The harvest was good."] * 6, unruled, GROUPS) == ABSTAIN).all()
    ruled = np.full((6, 2), ABSTAIN)
    ruled[:, 1] = NONE
    assert (clf.votes(new_vectors, ["The foreign troops are here."] * 6, ruled, GROUPS) == ABSTAIN).all()


def test_stance_examples_are_capped_and_votes_do_not_depend_on_the_chunk() -> None:
    vectors, centre = _clusters(90)
    L = np.stack([np.where(centre < 2, centre, ABSTAIN), np.where(centre == 2, NONE, ABSTAIN)], axis=1)
    texts = ["The foreign troops are here."] * 90
    capped = StanceClassifier(threshold=0.8, max_stance=20, max_none=10).fit(vectors, texts, L, GROUPS)
    assert capped.n_examples_["against"] + capped.n_examples_["favor"] == 20 and capped.n_examples_["none"] == 10
    assert min(capped.n_examples_["against"], capped.n_examples_["favor"]) >= 5  # a sample of both stances

    new_vectors, _ = _clusters(30, seed=1)
    unruled = np.full((30, 2), ABSTAIN)
    whole = capped.votes(new_vectors, texts[:30], unruled, GROUPS)
    np.testing.assert_array_equal(capped.votes(new_vectors, texts[:30], unruled, GROUPS, chunk=7), whole)
    assert (whole != ABSTAIN).sum() >= 15


def test_classifier_without_enough_rule_evidence_stays_unfitted() -> None:
    vectors, _ = _clusters(9)
    L = np.full((9, 2), ABSTAIN)
    clf = StanceClassifier().fit(vectors, ["x"] * 9, L, GROUPS)
    assert not clf.fitted
    assert (clf.votes(vectors, ["foreign troops"] * 9, L, GROUPS) == ABSTAIN).all()


def _learned_case() -> tuple[WeakLabeler, list[str]]:
    """A labeler with the learned LF over synthetic vectors (no model load), and its texts (the last two unruled)."""
    against = [f"All foreign troops must be withdrawn immediately from province {i}." for i in range(12)]
    favor = [f"We are proud to contribute troops to peacekeeping operation {i}." for i in range(12)]
    none = [f"Our national army guards border post {i}." for i in range(12)]
    unruled = [
        "The foreign troops stationed in the northern valley were seen again this week.",
        "The foreign troops stationed on the small island were seen again this week.",
    ]
    texts = against + favor + none + unruled
    centres = np.eye(3, 8)
    vectors = np.vstack([np.repeat(centres[[k]], 12, axis=0) for k in range(3)] + [centres[[0]], centres[[1]]])
    embedder = SentenceEmbedder()
    embedder.add_to_cache(texts, vectors)  # no model load: every text is cached
    lfs = select_lfs(["patterns", "targets"]) + [emb_learned_stance]
    labeler = WeakLabeler(lfs, MajorityVoteModel(tie_policy="none"), embedder=embedder, learned=StanceClassifier(0.5))
    return labeler, texts


def test_marker_abstains_alone_and_labeler_fit_with_texts_fills_its_column() -> None:
    assert emb_learned_stance(TextPoint("Foreign troops must leave.")) == ABSTAIN
    labeler, texts = _learned_case()
    column = labeler.lf_names.index("emb_learned_stance")

    before = labeler.apply(texts, progress=False)
    assert (before[:, column] == ABSTAIN).all()
    labeler.fit(before.copy())  # no texts: the learned LF stays unfitted, old behaviour
    assert not labeler.learned.fitted

    votes = labeler.fit_apply(texts, progress=False)
    assert labeler.learned.fitted
    assert list(votes[-2:, column]) == [AGAINST, FAVOR]
    assert (votes[:-2, column] == ABSTAIN).all()  # rows a rule already voted on
    np.testing.assert_array_equal(labeler.apply(texts, progress=False), votes)  # apply after fit: same column
    assert list(labeler.predict(votes)[-2:]) == [AGAINST, FAVOR]


def test_learned_lf_fits_and_votes_the_same_in_small_embedding_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.weak.labeler as labeler_module

    labeler, texts = _learned_case()
    whole = labeler.fit_apply(texts, progress=False)
    monkeypatch.setattr(labeler_module, "EMBED_CHUNK", 5)  # fit rows and candidates in several chunks, one short
    chunked, _ = _learned_case()
    np.testing.assert_array_equal(chunked.fit_apply(texts, progress=False), whole)
    assert chunked.learned.n_examples_ == labeler.learned.n_examples_ and chunked.learned.fitted
