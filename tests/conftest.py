"""Shared fixtures: paths to the project's data and a tiny model built in code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEED_DOC = ROOT / "seeds" / "000_2e6cc240c023ba1f.txt"
SEED_GOLD = ROOT / "seeds" / "gold" / "seed_gold.jsonl"


def shared_or_skip(relative: str) -> Path:
    """A path under ../shared, or skip the test saying the shared data is absent."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"../shared data absent: {path}")
    return path


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny randomly initialised BERT classifier over LABELS, saved in Hugging Face format."""
    from pipeline.models import TinyBert

    model, tokenizer = TinyBert().load()
    folder = tmp_path_factory.mktemp("tiny-model")
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder
