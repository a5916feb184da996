"""Soft targets, noise-aware losses and the choice of self-training targets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pipeline.labels import LABELS
from pipeline.losses import soft_loss
from pipeline.self_train import confident_targets, relabel_pool


def _loss(targets: np.ndarray, logits: np.ndarray, **kw: object) -> float:
    fn = soft_loss(targets, **kw)  # type: ignore[arg-type]
    return float(fn({"logits": torch.tensor(logits, dtype=torch.float32)}, torch.tensor(targets, dtype=torch.float32)))


def test_one_hot_soft_ce_equals_cross_entropy_without_class_weights():
    logits = np.array([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [-1.0, 3.0, 0.0]])
    labels = [0, 2, 1]
    onehot = np.eye(3)[labels]
    expected = torch.nn.functional.cross_entropy(torch.tensor(logits, dtype=torch.float32), torch.tensor(labels))
    assert _loss(onehot, logits, class_weights=False) == pytest.approx(float(expected), rel=1e-5)


def test_a_row_scaled_by_its_weight_counts_that_much():
    logits = np.array([[2.0, 0.0, 0.0], [0.0, 0.0, 2.0]])
    full = np.eye(3)[[1, 2]]
    light = full * np.array([[0.1], [1.0]])  # the wrong-looking first row weighs a tenth
    assert _loss(light, logits, class_weights=False) < _loss(full, logits, class_weights=False)


def test_gce_is_bounded_where_cross_entropy_grows_without_limit():
    target = np.array([[1.0, 0.0, 0.0]])
    confident_wrong = np.array([[-20.0, 20.0, 0.0]])
    assert _loss(target, confident_wrong, loss="gce", q=0.7, class_weights=False) <= 1 / 0.7 + 1e-6
    assert _loss(target, confident_wrong, loss="ce", class_weights=False) > 30


def test_soft_targets_pull_towards_their_distribution():
    logits = torch.zeros((1, 3), requires_grad=True)
    target = np.array([[0.6, 0.1, 0.3]])
    fn = soft_loss(target, class_weights=False)
    optimiser = torch.optim.SGD([logits], lr=1.0)
    for _ in range(300):
        optimiser.zero_grad()
        fn({"logits": logits}, torch.tensor(target, dtype=torch.float32)).backward()
        optimiser.step()
    np.testing.assert_allclose(torch.softmax(logits, -1).detach().numpy(), target, atol=1e-3)


def test_confident_targets_respect_threshold_and_quota():
    probs = np.array([[0.95, 0.03, 0.02], [0.5, 0.2, 0.3], [0.02, 0.97, 0.01]] + [[0.01, 0.01, 0.98]] * 10, dtype=float)
    rows = confident_targets(probs, threshold=0.9, quota=4, rng=np.random.default_rng(0))
    chosen = probs[rows].argmax(axis=1)
    assert 1 not in rows  # below the threshold
    assert {0, 2} <= set(rows.tolist())
    assert (chosen == LABELS.index("none")).sum() == 4
    again = confident_targets(probs, threshold=0.9, quota=4, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(rows, again)


def test_relabel_pool_draws_its_on_topic_share_and_fills_the_rest_uniformly():
    texts = [f"s{i}" for i in range(1000)]
    on_topic = np.zeros(1000, dtype=bool)
    on_topic[:50] = True  # 5% of the corpus mentions forces
    pool = relabel_pool(texts, on_topic, 200, 0.2, np.random.default_rng(0))
    assert len(pool) == len(set(pool)) == 200
    assert sum(int(t[1:]) < 50 for t in pool) >= 40  # 40 drawn on purpose, a few more by chance
    assert pool == relabel_pool(texts, on_topic, 200, 0.2, np.random.default_rng(0))
    uniform = relabel_pool(texts, on_topic, 200, 0.0, np.random.default_rng(0))
    assert sum(int(t[1:]) < 50 for t in uniform) < 25  # about 10 expected
    every_topical = relabel_pool(texts, on_topic, 100, 0.9, np.random.default_rng(0))
    assert {f"s{i}" for i in range(50)} <= set(every_topical) and len(every_topical) == 100
    assert relabel_pool(texts, on_topic, 0, 0.5, np.random.default_rng(0)) == texts
