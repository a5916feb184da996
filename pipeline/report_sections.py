"""Report sections for the model against its own weak labeller, and for the self-training rounds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def comparison_lines(result: Mapping[str, Any]) -> list[str]:
    """One line: the paired bootstrap of model minus weak labeller on the same gold sentences."""
    pair = result.get("model_vs_weak_labeller")
    if not pair:
        return []
    low, high = pair["ci"]
    return [
        f"Paired bootstrap on the same {pair['n']} sentences, macro-F1 model - weak labeller: "
        f"**{pair['diff']:+.3f}** [{low:+.3f}, {high:+.3f}] (p = {pair['p_value']:.3f}, "
        f"{pair['n_bootstrap']} resamples).",
        "",
    ]


def self_training_lines(rounds: Sequence[Mapping[str, Any]]) -> list[str]:
    """A table of each self-training round: pool, confident predictions, targets, seconds, macro-F1 per part."""
    if not rounds:
        return []
    parts = list(rounds[0]["scores"])
    lines = [
        "## Self-training",
        "",
        "Round 0 is the fine-tuned model before self-training; scores are macro-F1 before the `none` calibration.",
        "",
        "| round | pool | confident | targets (against/favor/none) | weak anchors | seconds | "
        + " | ".join(f"macro-F1 {p}" for p in parts)
        + " |",
        "|" + " --- |" * (6 + len(parts)),
    ]
    for r in rounds:
        targets = r.get("targets")
        shown = "/".join(str(v) for v in targets.values()) if targets else "-"
        scores = " | ".join(f"{r['scores'][p]:.3f}" for p in parts)
        lines.append(
            f"| {r['round']} | {r.get('pool', '-')} | {r.get('confident', '-')} | {shown} | "
            f"{r.get('weak_targets', '-')} | {r.get('seconds', '-')} | {scores} |"
        )
    return lines + [""]
