"""The labelling-function registry: LFs grouped by kind of evidence, selectable by group name.

Each LF is a snorkel ``LabelingFunction`` over a ``TextPoint`` (normalised sentence text, optional
precomputed embedding) voting AGAINST=0, FAVOR=1, NONE=2 or ABSTAIN=-1 (``pipeline.labels``).
"""

from __future__ import annotations

from collections.abc import Sequence

from snorkel.labeling import LabelingFunction

from pipeline.config import WeakConfig, setting_key
from pipeline.errors import ConfigError
from pipeline.weak.lfs.cues import TextPoint
from pipeline.weak.lfs.embeddings import EMBEDDING_LFS
from pipeline.weak.lfs.learned import LEARNED_LFS, is_learned
from pipeline.weak.lfs.lexicons import LEXICON_LFS
from pipeline.weak.lfs.modality import MODALITY_LFS
from pipeline.weak.lfs.patterns import PATTERN_LFS
from pipeline.weak.lfs.targets import TARGET_LFS

LF_GROUPS: dict[str, list[LabelingFunction]] = {
    "patterns": PATTERN_LFS,
    "modality": MODALITY_LFS,
    "targets": TARGET_LFS,
    "lexicons": LEXICON_LFS,
    "embeddings": EMBEDDING_LFS + LEARNED_LFS,
}
"""Group name -> its LFs, in a fixed order (the column order of the vote matrix)."""

__all__ = ["LF_GROUPS", "TextPoint", "group_of", "is_learned", "needs_embedding", "select_lfs"]


def select_lfs(groups: Sequence[str] | None = None) -> list[LabelingFunction]:
    """The LFs of ``groups`` in registry order (all groups when None); unknown names raise ConfigError."""
    if groups is None:
        groups = list(LF_GROUPS)
    if isinstance(groups, str):
        groups = [groups]
    unknown = [g for g in groups if g not in LF_GROUPS]
    if unknown:
        raise ConfigError(
            f"unknown LF group(s) {unknown}",
            key=setting_key(WeakConfig, "lf_groups"),
            fix=f"choose from {sorted(LF_GROUPS)}, or null for all",
        )
    wanted = set(groups)
    return [lf for name, lfs in LF_GROUPS.items() if name in wanted for lf in lfs]


def group_of(lf: LabelingFunction) -> str:
    """The registry group an LF belongs to ('custom' for LFs defined elsewhere)."""
    for name, lfs in LF_GROUPS.items():
        if any(lf is member for member in lfs):
            return name
    return "custom"


def needs_embedding(lf: LabelingFunction) -> bool:
    """True for LFs that read ``TextPoint.embedding`` (the applier then embeds all texts once, batched)."""
    return bool(getattr(lf, "needs_embedding", False))
