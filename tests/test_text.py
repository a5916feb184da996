"""Tests for pipeline.text: the one normalisation that labelling functions and the model see."""

from __future__ import annotations

import pytest

from pipeline.split import Sentence
from pipeline.text import normalize


# --- normalize ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("inter-\nnational co-\noperation", "international co-operation"),
        ("the U.S.-\nled coalition", "the U.S.-led coalition"),
        ("self-\ndetermination and Secretary-\nGeneral", "self-determination and Secretary-General"),
        ("govern-\nments and post-\n2015 goals", "governments and post-2015 goals"),
        ("peace-\nkeeping", "peace-keeping"),
        ("a dash -\nnot a hyphen", "a dash - not a hyphen"),
        ("non\u00ad\nsense and soft\u00adhyphen", "nonsense and softhyphen"),
        ("a\xa0 b\u2009c\n\n  d\t\te ", "a b c d e"),
        ("zero\u200bwidth", "zerowidth"),
        ("", ""),
    ],
)
def test_normalize(raw: str, cleaned: str) -> None:
    assert normalize(raw) == cleaned
    assert normalize(cleaned) == cleaned  # idempotent


def test_a_sentence_carries_its_normalised_text_once() -> None:
    sentence = Sentence("d", 0, 26, "Foreign troops\nmust leave.")
    assert sentence.norm == "Foreign troops must leave."
    assert sentence == Sentence("d", 0, 26, "Foreign troops\nmust leave.")
