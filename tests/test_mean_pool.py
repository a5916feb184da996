from __future__ import annotations

import numpy as np
import pytest
import torch

from pipeline.labels import LABELS
from pipeline.mean_pool import MeanPoolBertForSequenceClassification
from pipeline.models import PackagedMiniLM, TinyBert, packaged_minilm_path
from pipeline.predict import Predictor
from pipeline.predict.loading import load_classifier
from pipeline.train import shift_none_logit

TEXTS = ["Foreign troops must leave our country now.", "We welcome the peacekeeping mission.", "Trade grew."]


def test_packaged_minilm_mean_head_reads_the_sentence_encoders_own_embedding():
    """The pooled vector is all-MiniLM-L6-v2's sentence embedding before normalising (its 1_Pooling: mean)."""
    from transformers import AutoModel

    model, tokenizer = PackagedMiniLM(pooling="mean").load()
    assert isinstance(model, MeanPoolBertForSequenceClassification)
    assert model.config.num_labels == len(LABELS) and model.config.label2id == {k: i for i, k in enumerate(LABELS)}
    assert not any(name.startswith("bert.pooler") for name, _ in model.named_parameters())
    encoder = AutoModel.from_pretrained(str(packaged_minilm_path()), use_safetensors=True).eval()
    batch = tokenizer(TEXTS, padding=True, return_tensors="pt")
    captured = {}
    model.classifier.register_forward_hook(lambda _m, inputs, _o: captured.update(pooled=inputs[0]))
    with torch.no_grad():
        model.eval()(**batch)
        hidden = encoder(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    expected = (hidden * mask).sum(1) / mask.sum(1)
    assert torch.allclose(captured["pooled"], expected, atol=1e-5)


def test_mean_head_ignores_padding():
    model, tokenizer = TinyBert(pooling="mean").load()
    model.eval()
    with torch.no_grad():
        alone = model(**tokenizer(TEXTS[2:], return_tensors="pt")).logits
        padded = model(**tokenizer(TEXTS, padding=True, return_tensors="pt")).logits[2:]
    assert torch.allclose(alone, padded, atol=1e-5)


@pytest.fixture()
def saved_mean_model(tmp_path):
    model, tokenizer = TinyBert(pooling="mean").load()
    model.save_pretrained(tmp_path, safe_serialization=True)
    tokenizer.save_pretrained(tmp_path)
    return tmp_path, model.eval(), tokenizer


def test_saved_mean_model_reloads_through_the_auto_classes_with_the_same_logits(saved_mean_model):
    folder, model, tokenizer = saved_mean_model
    reloaded, _ = load_classifier(folder)
    assert isinstance(reloaded, MeanPoolBertForSequenceClassification)
    batch = tokenizer(TEXTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        assert torch.equal(reloaded(**batch).logits, model(**batch).logits)


def test_none_shift_applies_to_the_mean_head(saved_mean_model):
    folder, model, _ = saved_mean_model
    before = model.classifier.bias.detach().clone()
    shift_none_logit(folder, 1.5)
    after = load_classifier(folder)[0].classifier.bias.detach()
    assert torch.allclose(after - before, torch.tensor([1.5 if k == "none" else 0.0 for k in LABELS]))


def test_onnx_path_predicts_as_the_torch_model(saved_mean_model, tmp_path_factory):
    pytest.importorskip("onnxruntime")
    folder, cache = saved_mean_model[0], tmp_path_factory.mktemp("onnx-cache")
    torch_probs = Predictor(folder, fast_path="fp32", threads=1).predict(TEXTS).probs
    onnx_probs = Predictor(folder, fast_path="onnx", threads=1, onnx_cache_dir=cache).predict(TEXTS).probs
    assert np.allclose(torch_probs, onnx_probs, atol=1e-4)
