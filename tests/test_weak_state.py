"""A run's weak labeller saved without pickle and loaded back gives the same votes and probabilities."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import InputError
from pipeline.weak.label_model import MajorityVoteModel, SnorkelLabelModel
from pipeline.weak.labeler import WeakLabeler
from pipeline.weak.lfs import select_lfs
from pipeline.weak.lfs.learned import StanceClassifier
from pipeline.weak.state import load_labeller, save_labeller
from tests.test_label_model import synthetic_votes


@pytest.mark.parametrize("kind", ["majority", "snorkel"])
def test_label_model_state_round_trips(tmp_path: Path, kind: str):
    L, _ = synthetic_votes(300)
    lfs = select_lfs(["patterns"])[: L.shape[1]]
    model = SnorkelLabelModel(epochs=100, seed=2) if kind == "snorkel" else MajorityVoteModel(tie_policy="none")
    labeler = WeakLabeler(lfs, model, learned=StanceClassifier())
    labeler.fit(L)
    save_labeller(tmp_path, labeler)
    assert not list((tmp_path / "weak").glob("*.pkl"))
    loaded = load_labeller(tmp_path)
    assert loaded.lf_names == labeler.lf_names
    np.testing.assert_allclose(loaded.predict_proba(L), labeler.predict_proba(L), atol=1e-6)
    np.testing.assert_array_equal(loaded.predict(L), labeler.predict(L))


def test_learned_lf_state_round_trips(tmp_path: Path):
    rng = np.random.default_rng(0)
    y = np.arange(60) % 3
    vectors = np.eye(3, 8)[y] * 3 + rng.normal(scale=0.3, size=(60, 8))
    groups = ["patterns", "targets"]
    L = np.stack([np.where(y < 2, y, -1), np.where(y == 2, 2, -1)], axis=1)
    learned = StanceClassifier(threshold=0.6).fit(vectors, ["foreign troops"] * 60, L, groups)
    labeler = WeakLabeler(select_lfs(["patterns"])[:3], MajorityVoteModel(), learned=learned)
    save_labeller(tmp_path, labeler)
    restored = load_labeller(tmp_path).learned
    np.testing.assert_allclose(restored.proba(vectors), learned.proba(vectors), atol=1e-9)
    assert restored.threshold == 0.6


def test_a_run_without_a_saved_labeller_is_a_one_line_error(tmp_path: Path):
    with pytest.raises(InputError) as error:
        load_labeller(tmp_path)
    assert "system=model" in error.value.one_line()
