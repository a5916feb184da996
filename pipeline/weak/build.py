"""Build the weak labeller from the ``weak`` config group: its labelling functions and its label model."""

from __future__ import annotations

from typing import Any

from pipeline.capability import resolve_threads
from pipeline.config import WeakConfig, setting_key
from pipeline.errors import ConfigError
from pipeline.weak.embedder import SentenceEmbedder
from pipeline.weak.label_model import make_label_model
from pipeline.weak.labeler import WeakLabeler
from pipeline.weak.lfs import select_lfs
from pipeline.weak.lfs.learned import StanceClassifier


def _plain(value: Any) -> Any:
    """An enum member's value (Hydra hands config enums through as members), anything else as is."""
    return getattr(value, "value", value)


def build_weak_labeler(*, seed: int = 0, threads: int | str = 1, **settings: Any) -> WeakLabeler:
    """The labelling functions of ``lf_groups`` and the chosen label model (the ``_target_`` of configs/weak/).

    ``settings`` are the fields of :class:`~pipeline.config.WeakConfig`; those not given take its defaults,
    which are defined there only. Snorkel's label prior: ``class_balance`` when given; else estimated from the
    votes themselves (no gold) when ``estimate_class_balance``; else uniform.
    """
    settings.pop("_target_", None)
    threads = resolve_threads(threads)
    cfg = WeakConfig(**settings)
    params: dict[str, Any] = {
        "tie_policy": _plain(cfg.tie_policy),
        "abstain_policy": _plain(cfg.abstain_policy),
        "seed": seed,
    }
    if _plain(cfg.label_model) == "snorkel":
        balance = list(cfg.class_balance) if cfg.class_balance else None
        prior = balance or ("majority" if cfg.estimate_class_balance else None)
        params |= {"epochs": cfg.epochs, "lr": cfg.lr, "threads": threads, "class_balance": prior}
    dropped = set(cfg.drop_lfs or [])
    lfs = [lf for lf in select_lfs(list(cfg.lf_groups)) if lf.name not in dropped]
    unknown = dropped - {lf.name for lf in select_lfs(None)}
    if unknown:
        raise ConfigError(
            f"no labelling function named {', '.join(sorted(unknown))}",
            key=setting_key(WeakConfig, "drop_lfs"),
            fix="name LFs as lf_summary.csv lists them",
        )
    return WeakLabeler(
        lfs,
        make_label_model(_plain(cfg.label_model), **params),
        embedder=SentenceEmbedder(threads=threads, precision=_plain(cfg.embed_precision), cache=cfg.embed_cache),
        learned=StanceClassifier(threshold=cfg.learned_threshold, seed=seed),
        workers=threads,
    )
