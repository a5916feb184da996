"""A BERT sentence classifier over the mean of its token vectors, the pooling all-MiniLM-L6-v2 was trained with.

``BertForSequenceClassification`` classifies the [CLS] vector through a pooler layer. all-MiniLM-L6-v2 was trained
as a sentence encoder on the mask-weighted mean of its token vectors; its [CLS] vector and pooler were never
trained for that. This head starts fine-tuning from the representation the encoder already has.
On the UN task it did not beat the [CLS] head (mean of two seeds on the development B halves, 0.801 against
0.818: ``benchmarks/results/README.md``), so ``model.pooling`` defaults to ``cls``.

Importing this module registers the model type ``bert_mean_pool`` with transformers' Auto classes, so a saved
model loads through ``AutoModelForSequenceClassification`` like any other (our own code, no remote code).
"""

from __future__ import annotations

from typing import Any

import torch
from transformers import (
    AutoConfig,
    AutoModelForSequenceClassification,
    BertConfig,
    BertModel,
    BertPreTrainedModel,
)
from transformers.modeling_outputs import SequenceClassifierOutput


def masked_mean(hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """The mean of each row's token vectors over its real tokens (padding left out): a sentence embedding."""
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


class MeanPoolBertConfig(BertConfig):
    """A BERT config whose model type names the mean-pooled classifier."""

    model_type = "bert_mean_pool"


class MeanPoolBertForSequenceClassification(BertPreTrainedModel):
    """BERT encoder, mask-weighted mean of the last layer, dropout, one linear layer to the labels."""

    config_class = MeanPoolBertConfig

    def __init__(self, config: BertConfig) -> None:
        super().__init__(config)
        self.num_labels = config.num_labels
        self.bert = BertModel(config, add_pooling_layer=False)
        dropout = config.classifier_dropout if config.classifier_dropout is not None else config.hidden_dropout_prob
        self.dropout = torch.nn.Dropout(dropout)
        self.classifier = torch.nn.Linear(config.hidden_size, config.num_labels)
        self.post_init()

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        **kwargs: Any,  # noqa: ARG002 - the Trainer may pass more (e.g. num_items_in_batch)
    ) -> SequenceClassifierOutput:
        hidden = self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        if attention_mask is None:
            attention_mask = torch.ones(hidden.shape[:2], dtype=hidden.dtype, device=hidden.device)
        logits = self.classifier(self.dropout(masked_mean(hidden, attention_mask)))
        loss = torch.nn.functional.cross_entropy(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


AutoConfig.register(MeanPoolBertConfig.model_type, MeanPoolBertConfig, exist_ok=True)
AutoModelForSequenceClassification.register(MeanPoolBertConfig, MeanPoolBertForSequenceClassification, exist_ok=True)
