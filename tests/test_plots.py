"""Plots: valid PNG files are written; bad inputs are refused before drawing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from pipeline.labels import LABELS
from pipeline.plots import plot_comparison, plot_confusion_matrices

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 5_000  # axes, labels and annotations, not an empty canvas


def test_confusion_matrices_png(tmp_path: Path) -> None:
    matrices = {
        "model": [[6, 0, 1], [0, 1, 0], [0, 0, 46]],
        "weak_labeller": [[5, 0, 2], [0, 0, 1], [3, 0, 43]],
    }
    out = plot_confusion_matrices(matrices, LABELS, tmp_path / "sub" / "cm.png", title="seed gold")
    assert out == tmp_path / "sub" / "cm.png"
    _assert_png(out)
    one_panel = plot_confusion_matrices({"model": matrices["model"]}, LABELS, tmp_path / "one.png")
    assert one_panel.stat().st_size < out.stat().st_size  # two panels draw more than one


def test_confusion_matrices_reject_wrong_shape(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not 3x3"):
        plot_confusion_matrices({"model": [[1, 0], [0, 1]]}, LABELS, tmp_path / "cm.png")
    with pytest.raises(ValueError, match="no confusion matrices"):
        plot_confusion_matrices({}, LABELS, tmp_path / "cm.png")
    assert not (tmp_path / "cm.png").exists()


def test_comparison_png(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {
            "config": ["model=tiny", "model=minilm", "train.epochs=1"],
            "macro_f1": [0.55, 0.81, 0.62],
            "macro_f1_ci_low": [0.40, 0.70, 0.50],
            "macro_f1_ci_high": [0.70, 0.90, 0.75],
            "n_seeds": [1, 3, 1],
            "weak_macro_f1": [0.6, 0.6, 0.6],
        }
    )
    _assert_png(plot_comparison(table, tmp_path / "comparison.png"))


def test_comparison_needs_its_columns(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="lacks columns"):
        plot_comparison(pd.DataFrame({"config": ["a"], "macro_f1": [0.5]}), tmp_path / "c.png")
