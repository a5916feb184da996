from __future__ import annotations

import pytest

from pipeline.errors import InputError
from pipeline.labels import LABELS
from pipeline.models import PackagedMiniLM, PretrainedModel, TinyBert


def test_tiny_bert_is_small_deterministic_and_labelled():
    first, tokenizer = TinyBert().load()
    second, _ = TinyBert().load()
    assert first.config.id2label == dict(enumerate(LABELS))
    assert sum(p.numel() for p in first.parameters()) < 2_000_000
    assert all((a == b).all() for a, b in zip(first.parameters(), second.parameters(), strict=True))
    assert tokenizer("foreign troops")["input_ids"][0] == tokenizer.cls_token_id


def test_packaged_minilm_loads_offline_with_a_fresh_three_label_head():
    model, tokenizer = PackagedMiniLM().load()
    assert model.config.num_labels == 3 and model.config.hidden_size == 384
    assert model.config.label2id == {label: i for i, label in enumerate(LABELS)}
    assert tokenizer.model_max_length >= 128


def test_unreachable_hub_model_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(InputError) as error:
        PretrainedModel(str(tmp_path / "no-such-model")).load()
    assert "\n" not in str(error.value) and "model=minilm" in str(error.value)
