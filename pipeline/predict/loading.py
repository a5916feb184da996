"""Model folders for prediction: checked piece by piece, loaded from safetensors only, never with remote code."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.errors import InputError
from pipeline.labels import LABELS
from pipeline.runs import resolve_model_dir

_TOKENIZER_FILES = ("tokenizer.json", "vocab.txt", "vocab.json", "spiece.model", "sentencepiece.bpe.model")


def check_model_dir(model_dir: Path) -> None:
    """Refuse a model folder that lacks a piece, holds only pickle weights or was trained on other labels."""
    config_path = model_dir / "config.json"
    if not config_path.is_file():
        raise InputError(
            "no config.json in the model folder",
            file=model_dir,
            fix="use a run's model/ folder written by save_pretrained",
        )
    if not any((model_dir / name).is_file() for name in _TOKENIZER_FILES):
        raise InputError(
            "no tokenizer files (tokenizer.json or vocab.txt) in the model folder",
            file=model_dir,
            fix="save the tokenizer with tokenizer.save_pretrained into the same folder",
        )
    has_safetensors = (model_dir / "model.safetensors").is_file() or (
        model_dir / "model.safetensors.index.json"
    ).is_file()
    if not has_safetensors:
        if any(model_dir.glob("pytorch_model*.bin")):
            raise InputError(
                "only pickle weights (pytorch_model.bin) in the model folder; they are refused",
                file=model_dir,
                fix="re-save with save_pretrained(safe_serialization=True)",
            )
        raise InputError(
            "no model.safetensors in the model folder",
            file=model_dir,
            fix="use a run's model/ folder written by save_pretrained",
        )
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InputError(f"config.json is not valid JSON ({error})", file=config_path) from None
    id2label = config.get("id2label") or {}
    try:
        labels = tuple(str(id2label[key]) for key in sorted(id2label, key=int))
    except (TypeError, ValueError):
        labels = ()
    if labels != LABELS:
        raise InputError(
            f"the model's labels {list(labels)} are not {list(LABELS)}",
            file=config_path,
            fix="use a model fine-tuned by this pipeline (config.id2label in label order)",
        )


def load_classifier(path: str | Path) -> tuple[Any, Any]:
    """Load ``(model, tokenizer)`` from a run folder or model folder, after :func:`check_model_dir`."""
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as transformers_logging

    import pipeline.mean_pool  # noqa: F401 - registers the mean-pooled classifier with the Auto classes

    transformers_logging.disable_progress_bar()  # its "Loading weights" bar tells a user nothing

    model_dir = resolve_model_dir(path)
    check_model_dir(model_dir)
    try:
        tokenizer = AutoTokenizer.from_pretrained(model_dir, trust_remote_code=False)
        model = AutoModelForSequenceClassification.from_pretrained(
            model_dir, use_safetensors=True, trust_remote_code=False
        )
    except (OSError, ValueError) as error:
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InputError(f"cannot load the model ({first_line})", file=model_dir) from None
    model.eval()
    return model, tokenizer


class JsonTokenizer:
    """A model folder's ``tokenizer.json`` through the ``tokenizers`` library: the same ids as transformers' fast
    tokenizer (which runs this same file), without importing transformers and torch (about 5 s of start-up).

    Called as a transformers tokenizer is for prediction: ``tokenizer(texts, truncation=..., max_length=...)``.
    """

    def __init__(self, model_dir: Path) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        settings_path = model_dir / "tokenizer_config.json"
        settings = json.loads(settings_path.read_text(encoding="utf-8")) if settings_path.is_file() else {}
        pad = settings.get("pad_token")
        pad_token = pad.get("content") if isinstance(pad, dict) else pad
        self.pad_token_id = self._tokenizer.token_to_id(pad_token) if pad_token else None

    @staticmethod
    def usable(model_dir: Path) -> bool:
        """Whether the folder holds a ``tokenizer.json`` (a fast tokenizer's whole pipeline)."""
        return (model_dir / "tokenizer.json").is_file()

    def __call__(
        self,
        texts: list[str],
        *,
        add_special_tokens: bool = True,
        truncation: bool = False,
        max_length: int | None = None,
        verbose: bool = False,
    ) -> dict[str, list[list[int]]]:
        """``{"input_ids": [...]}`` per text; with ``truncation``, cut to ``max_length`` with special tokens kept."""
        if truncation and max_length:
            self._tokenizer.enable_truncation(max_length)
        try:
            encodings = self._tokenizer.encode_batch(texts, add_special_tokens=add_special_tokens)
        finally:
            self._tokenizer.no_truncation()
        return {"input_ids": [encoding.ids for encoding in encodings]}


def model_max_positions(model_dir: Path, default: int) -> int:
    """The model's position limit from config.json (``max_position_embeddings``), else ``default``."""
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    return int(config.get("max_position_embeddings") or default)
