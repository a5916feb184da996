"""Sentences kept on disk (pipeline.weak.spilled) read back exactly, and label exactly as the same list does."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.weak.labeler import WeakLabeler
from pipeline.weak.lfs import select_lfs
from pipeline.weak.spilled import SpilledTexts
from tests.test_weak_lfs import CASES

TEXTS = ["Foreign troops must leave.", "", "Les troupes étrangères 🇫🇷 doivent partir.", "x" * 5000, "\n\t", "ü"]


def test_spilled_texts_read_back_every_text_slice_and_index() -> None:
    texts = TEXTS * 40
    spilled = SpilledTexts(iter(texts))  # any iterable, consumed once
    assert len(spilled) == len(texts)
    assert list(spilled) == texts
    assert [spilled[i] for i in range(len(texts))] == texts
    assert spilled[-1] == texts[-1] and spilled[-len(texts)] == texts[0]
    for window in (slice(3, 17), slice(0, None, 7), slice(None, None, -5), slice(10, 10), slice(200, 9999)):
        assert spilled[window] == texts[window]
    with pytest.raises(IndexError, match="out of range"):
        spilled[len(texts)]
    empty = SpilledTexts([])
    assert len(empty) == 0 and list(empty) == [] and empty[0:3] == []


def test_spilled_texts_iterate_across_read_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    import pipeline.weak.spilled as spilled_module

    monkeypatch.setattr(spilled_module, "_READ_BLOCK", 10)  # smaller than most texts: one text per block at least
    assert list(SpilledTexts(TEXTS * 3)) == TEXTS * 3


def test_spilled_texts_close_their_file_and_leave_none_behind(tmp_path) -> None:  # noqa: ANN001
    with SpilledTexts(TEXTS, folder=tmp_path) as spilled:
        assert spilled[2] == TEXTS[2]
        assert list(tmp_path.iterdir()) == []  # unlinked at once: a crash leaves nothing behind
    with pytest.raises(ValueError):
        spilled[0]  # the file is closed


def test_labeler_on_spilled_texts_gives_the_same_votes_and_fit_as_on_the_list() -> None:
    texts = [case[0] for case in CASES.values()] + [case[2] for case in CASES.values()]
    on_list = WeakLabeler(select_lfs(None))
    on_disk = WeakLabeler(select_lfs(None))
    votes = on_list.fit_apply(texts, progress=False)
    np.testing.assert_array_equal(on_disk.fit_apply(SpilledTexts(texts), progress=False), votes)
    np.testing.assert_array_equal(on_disk.predict_proba(votes), on_list.predict_proba(votes))
    assert on_disk.learned.fitted and on_disk.learned.n_examples_ == on_list.learned.n_examples_
