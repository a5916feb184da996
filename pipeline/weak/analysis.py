"""The LF summary table: what each labelling function votes, how often, with whom it clashes, how accurate it is.

Coverage, overlaps and conflicts come from the unlabelled vote matrix, gold coverage and empirical accuracy from a
gold vote matrix when one is given (evaluation only, never used for fitting); snorkel's LFAnalysis computes all.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from snorkel.labeling import LFAnalysis

from pipeline.labels import ABSTAIN, ID2LABEL

SUMMARY_COLUMNS = [
    "name",
    "group",
    "polarity",
    "coverage",
    "overlaps",
    "conflicts",
    "gold_coverage",
    "empirical_accuracy",
    "weight",
]


def uncovered(L: np.ndarray) -> np.ndarray:
    """Boolean mask of rows where every LF abstained."""
    return (np.asarray(L) == ABSTAIN).all(axis=1)


def lf_summary(
    L: np.ndarray,
    lf_names: Sequence[str],
    lf_groups: Sequence[str],
    weights: np.ndarray | None = None,
    L_gold: np.ndarray | None = None,
    y_gold: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per LF with the columns of ``SUMMARY_COLUMNS``.

    polarity is the sorted list of label names the LF voted on ``L``; coverage/overlaps/conflicts are fractions
    of ``L``'s rows; gold_coverage and empirical_accuracy (share of the LF's non-abstain gold votes that match
    ``y_gold``; NaN where it never votes) need ``L_gold`` and ``y_gold``; weight is NaN without ``weights``.
    """
    L = np.asarray(L, dtype=int)
    m = L.shape[1]
    if len(lf_names) != m or len(lf_groups) != m:
        raise ValueError(f"{m} vote columns but {len(lf_names)} names and {len(lf_groups)} groups")
    analysis = LFAnalysis(L)
    polarity = [[ID2LABEL[v] for v in sorted(set(L[:, j]) - {ABSTAIN})] for j in range(m)]
    frame = pd.DataFrame(
        {
            "name": list(lf_names),
            "group": list(lf_groups),
            "polarity": polarity,
            "coverage": analysis.lf_coverages() if len(L) else np.zeros(m),
            "overlaps": analysis.lf_overlaps() if len(L) else np.zeros(m),
            "conflicts": analysis.lf_conflicts() if len(L) else np.zeros(m),
        }
    )
    gold_coverage = np.full(m, np.nan)
    accuracy = np.full(m, np.nan)
    if L_gold is not None and y_gold is not None:
        L_gold = np.asarray(L_gold, dtype=int)
        y_gold = np.asarray(y_gold, dtype=int)
        if L_gold.shape != (len(y_gold), m):
            raise ValueError(f"L_gold shape {L_gold.shape} does not match {len(y_gold)} gold labels x {m} LFs")
        if len(y_gold):
            gold = LFAnalysis(L_gold)
            gold_coverage = gold.lf_coverages()
            with np.errstate(divide="ignore", invalid="ignore"):
                # snorkel says 0 for an LF that never votes on gold; "never right" would mislead: NaN
                accuracy = np.where(gold_coverage > 0, gold.lf_empirical_accuracies(y_gold), np.nan)
        else:
            gold_coverage = np.zeros(m)
    frame["gold_coverage"] = gold_coverage
    frame["empirical_accuracy"] = accuracy
    if weights is not None:
        weights = np.asarray(weights, dtype=float)
        if weights.shape != (m,):
            raise ValueError(f"weights shape {weights.shape} does not match {m} LFs")
        frame["weight"] = weights
    else:
        frame["weight"] = np.nan
    return frame[SUMMARY_COLUMNS]


def vote_accuracy(votes: np.ndarray, truth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per LF column: how many non-abstain votes it casts on ``votes``, and the share that match ``truth`` (NaN
    where it never votes)."""
    votes = np.asarray(votes, dtype=int)
    voted = votes != ABSTAIN
    n = voted.sum(axis=0)
    correct = ((votes == np.asarray(truth)[:, None]) & voted).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return n, np.where(n > 0, correct / np.maximum(n, 1), np.nan)


def travel_table(
    lf_names: Sequence[str],
    written: tuple[np.ndarray, np.ndarray],
    unseen: tuple[np.ndarray, np.ndarray],
    *,
    min_votes: int = 5,
    min_accuracy: float = 0.7,
    max_drop: float = 0.25,
) -> pd.DataFrame:
    """Rules that travel: each LF's votes and accuracy on gold text it was written on beside text it was not.

    ``written`` and ``unseen`` are (gold vote matrix, gold label ids). An LF does not travel when it casts at
    least ``min_votes`` votes on the unseen text and its accuracy there is below ``min_accuracy`` or more than
    ``max_drop`` below its accuracy where it was written: rules fitted to the sentences they were read from.
    """
    table = pd.DataFrame({"name": list(lf_names)})
    for side, (votes, truth) in (("written", written), ("unseen", unseen)):
        table[f"{side}_votes"], table[f"{side}_accuracy"] = vote_accuracy(votes, truth)
    drop = table["written_accuracy"] - table["unseen_accuracy"]
    enough = table["unseen_votes"] >= min_votes
    table["travels"] = ~(enough & ((table["unseen_accuracy"] < min_accuracy) | (drop > max_drop)))
    return table
