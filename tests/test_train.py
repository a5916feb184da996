from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.labels import LABELS
from pipeline.models import TinyBert
from pipeline.train import (
    TrainSettings,
    choose_none_offset,
    epoch_seeded_length_sampler,
    shift_none_logit,
    train_classifier,
)

TEXTS = ["foreign troops must leave now", "we welcome the peacekeepers", "the weather is nice today"] * 8
LABELS_ = ["against", "favor", "none"] * 8


def _train(tmp_path: Path, name: str, **changes: float) -> tuple[dict[str, float], Path]:
    settings = TrainSettings(epochs=2, batch_size=8, save_steps=3, **changes)
    out = tmp_path / name / "model"
    stats = train_classifier(
        TEXTS, LABELS_, TinyBert(), settings, out, checkpoint_dir=tmp_path / name / "ck", progress=False
    )
    return stats, out


def test_training_saves_a_safetensors_model_that_the_pipeline_loads(tmp_path):
    from transformers import pipeline

    stats, out = _train(tmp_path, "a")
    assert stats["steps"] == 6 and stats["examples"] == len(TEXTS)
    assert (out / "model.safetensors").is_file()
    assert not list(out.glob("*.bin")), "the model folder must hold no pickle"
    classify = pipeline("text-classification", model=str(out))
    assert classify("foreign troops must leave")[0]["label"] in LABELS


def test_same_seed_same_weights_and_loss(tmp_path):
    from safetensors.torch import load_file

    first, a = _train(tmp_path, "a")
    second, b = _train(tmp_path, "b")
    assert first["loss"] == second["loss"]
    wa, wb = load_file(a / "model.safetensors"), load_file(b / "model.safetensors")
    assert all((wa[k] == wb[k]).all() for k in wa)
    third, _ = _train(tmp_path, "c", seed=1)
    assert third["loss"] != first["loss"]


def test_none_offset_corrects_a_model_that_overpredicts_stance():
    import numpy as np

    truth = ["none"] * 8 + ["against", "favor"]
    # The model ranks correctly but puts `none` a little too low: unshifted, it calls two `none` rows against.
    probs = np.array([[0.5, 0.1, 0.4]] * 2 + [[0.2, 0.1, 0.7]] * 6 + [[0.8, 0.1, 0.1], [0.1, 0.8, 0.1]])
    offset = choose_none_offset(probs, truth)
    assert 0 < offset < np.log(0.8 / 0.1)
    assert choose_none_offset(np.eye(3)[[2, 2, 0, 1]] * 0.9 + 0.03, ["none", "none", "against", "favor"]) == 0


def test_shifting_the_none_logit_changes_only_the_none_score(tiny_model_dir, tmp_path):
    import shutil

    import numpy as np

    from pipeline.predict import Predictor

    model_dir = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model_dir)
    texts = ["foreign troops must leave", "the weather is fine"]
    before = Predictor(model_dir, fast_path="fp32").predict_proba(texts)
    shift_none_logit(model_dir, 1.5)
    after = Predictor(model_dir, fast_path="fp32").predict_proba(texts)
    ratio_before, ratio_after = before[:, 2] / before[:, 0], after[:, 2] / after[:, 0]
    assert np.allclose(ratio_after / ratio_before, np.exp(1.5), rtol=1e-3)
    assert np.allclose(after[:, 0] / after[:, 1], before[:, 0] / before[:, 1], rtol=1e-4)


def test_length_grouped_batches_are_seeded_per_epoch_and_pad_less():
    rng = np.random.default_rng(0)
    lengths = rng.integers(5, 120, size=640).tolist()
    sampler = epoch_seeded_length_sampler(16, seed=3, lengths=lengths)
    sampler.set_epoch(1)
    first = list(sampler)
    sampler.set_epoch(1)
    assert list(sampler) == first  # same epoch, same order: what resume relies on
    sampler.set_epoch(2)
    assert list(sampler) != first
    assert sorted(first) == list(range(len(lengths)))

    def padded_tokens(order: list[int]) -> int:
        batches = [order[i : i + 16] for i in range(0, len(order), 16)]
        return sum(16 * max(lengths[j] for j in batch) for batch in batches)

    shuffled = rng.permutation(len(lengths)).tolist()
    assert padded_tokens(first) < 0.8 * padded_tokens(shuffled)
