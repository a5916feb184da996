"""Tests for pipeline.split: exact offsets, the seed's gold segmentation, unwrapping, sentence.norm, limits."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.corpus import Document, read_corpus
from pipeline.errors import ConfigError
from pipeline.split import (
    PysbdSplitter,
    Sentence,
    boundary_scores,
    is_hard_wrapped,
    split_documents,
    wrap_profile,
)

ROOT = Path(__file__).parents[1]
SEED = ROOT / "seeds" / "000_2e6cc240c023ba1f.txt"
SEED_GOLD = ROOT / "seeds" / "gold" / "seed_gold.jsonl"
SHARED = ROOT / ".." / "shared"
UNGD = SHARED / "corpora" / "ungd-dev"
needs_shared = pytest.mark.skipif(not UNGD.is_dir(), reason="../shared/corpora/ungd-dev is not present")


def seed_document() -> Document:
    return Document(SEED.stem, SEED.read_text(encoding="utf-8"), str(SEED))


def seed_gold() -> list[Sentence]:
    records = [json.loads(line) for line in SEED_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [Sentence(r["doc"], r["start"], r["end"], r["text"]) for r in records]


def assert_exact_slices(document: Document, sentences: list[Sentence]) -> None:
    """Each sentence is the exact, stripped, non-empty slice; they are in order and do not overlap."""
    previous_end = 0
    for sentence in sentences:
        assert sentence.doc == document.id
        assert sentence.text == document.text[sentence.start : sentence.end]
        assert sentence.text and sentence.text == sentence.text.strip()
        assert sentence.start >= previous_end
        previous_end = sentence.end


def assert_covers_all_text(document: Document, sentences: list[Sentence]) -> None:
    """No visible character is lost: everything between sentences is whitespace."""
    position = 0
    for sentence in sentences:
        assert document.text[position : sentence.start].strip() == ""
        position = sentence.end
    assert document.text[position:].strip() == ""


# --- the seed --------------------------------------------------------------------------------------------
def test_seed_gold_segmentation_is_reproduced_exactly() -> None:
    document = seed_document()
    gold = seed_gold()
    predicted = PysbdSplitter().split(document)
    assert len(gold) == 54
    assert [(s.doc, s.start, s.end, s.text) for s in predicted] == [(g.doc, g.start, g.end, g.text) for g in gold]
    assert boundary_scores(predicted, gold) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}


def test_seed_sentences_are_exact_slices_for_every_setting() -> None:
    document = seed_document()
    for splitter in (PysbdSplitter(unwrap=False), PysbdSplitter(unwrap=True), PysbdSplitter(max_chars=100)):
        sentences = splitter.split(document)
        assert_exact_slices(document, sentences)
        assert_covers_all_text(document, sentences)


def test_seed_is_not_detected_as_hard_wrapped() -> None:
    profile = wrap_profile(seed_document().text)
    assert not profile.wrapped
    assert profile.share < 0.3


def test_pysbd_backend_keeps_exact_offsets_on_the_seed() -> None:
    document = seed_document()
    sentences = PysbdSplitter(backend="pysbd").split(document)
    assert_exact_slices(document, sentences)
    texts = [s.text for s in sentences]
    assert "Small Wars Journal" in texts
    assert not any(text in {"a.", "b.", "”"} for text in texts)  # markers and lone quotes re-attached


# --- rules inside a block --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Smith met Dr. Jones. They spoke.", ["Mr. Smith met Dr. Jones.", "They spoke."]),
        ("U.S. diplomats met. The talks ended.", ["U.S. diplomats met.", "The talks ended."]),
        ("Troops came from the U.S. The talks ended.", ["Troops came from the U.S.", "The talks ended."]),
        ("See resolution No. 5 of 1967. It is clear.", ["See resolution No. 5 of 1967.", "It is clear."]),
        ("Values, etc. -- and more. Next one!", ["Values, etc. -- and more.", "Next one!"]),
        ("“We said so. We mean it,” he added. Done.", ["“We said so.", "We mean it,” he added.", "Done."]),
        ("40. A careful study is needed. 41. We agree.", ["40. A careful study is needed.", "41. We agree."]),
        ("262.\tWhatever happens, we stay.", ["262.", "Whatever happens, we stay."]),
        ("Was it right? Yes. (Perhaps not.) Later.", ["Was it right?", "Yes.", "(Perhaps not.)", "Later."]),
        ("**The time is now.** It is *late*. Go.", ["**The time is now.**", "It is *late*.", "Go."]),
        ("J. F. Kennedy spoke at 9 a.m. to the press.", ["J. F. Kennedy spoke at 9 a.m. to the press."]),
    ],
)
def test_sentence_rules(text: str, expected: list[str]) -> None:
    document = Document("d", text)
    sentences = PysbdSplitter(unwrap=False).split(document)
    assert [s.text for s in sentences] == expected
    assert_exact_slices(document, sentences)


def test_each_line_is_a_boundary_without_unwrapping() -> None:
    text = "A Headline Without A Stop\nByline – Agency\n\nQ:  What now?\n\nA:  Nothing."
    sentences = PysbdSplitter(unwrap=False).split(Document("d", text))
    assert [s.text for s in sentences] == [
        "A Headline Without A Stop",
        "Byline – Agency",
        "Q:  What now?",
        "A:  Nothing.",
    ]


def test_auto_mode_repairs_a_sentence_broken_by_a_stray_line_break() -> None:
    text = "We demand the withdrawal of\nIsrael from the occupied territories.\nA new paragraph starts."
    auto = PysbdSplitter().split(Document("d", text))
    assert [s.text for s in auto] == [
        "We demand the withdrawal of\nIsrael from the occupied territories.",
        "A new paragraph starts.",
    ]
    strict = PysbdSplitter(unwrap=False).split(Document("d", text))
    assert len(strict) == 3


# --- unwrapping hard-wrapped text -------------------------------------------------------------------------
WRAPPED = (
    "The Assembly meets at a time of great change in the\n"
    "world. We welcome the new Members and hope that inter-\n"
    "national co-operation will grow stronger in the\n"
    "coming year. Mr. Smith, the President of the Council,\n"
    "has spoken of the withdrawal of foreign troops from\n"
    "the region. It is a matter for all of us.\n"
    "Peace-keeping forces must leave when their work is\n"
    "done.\n"
    "A short heading\n"
    "The last paragraph begins here and it ends in a\n"
    "sentence that is wrapped as well.\n"
)
WRAPPED_SENTENCES = [
    "The Assembly meets at a time of great change in the world.",
    "We welcome the new Members and hope that international co-operation will grow stronger in the coming year.",
    "Mr. Smith, the President of the Council, has spoken of the withdrawal of foreign troops from the region.",
    "It is a matter for all of us.",
    "Peace-keeping forces must leave when their work is done.",
    "A short heading",
    "The last paragraph begins here and it ends in a sentence that is wrapped as well.",
]


@pytest.mark.parametrize("unwrap", [True, "auto", "true"])
def test_unwrap_joins_wrapped_lines_and_keeps_exact_offsets(unwrap: object) -> None:
    document = Document("wrapped", WRAPPED)
    sentences = PysbdSplitter(unwrap=unwrap).split(document)  # type: ignore[arg-type]
    assert_exact_slices(document, sentences)
    assert_covers_all_text(document, sentences)
    assert [s.norm for s in sentences] == WRAPPED_SENTENCES
    second = sentences[1]
    assert "inter-\nnational" in second.text
    assert second.start == WRAPPED.index("We welcome")
    assert second.end == WRAPPED.index("year.") + len("year.")


def test_without_unwrap_every_wrapped_line_is_cut() -> None:
    sentences = PysbdSplitter(unwrap=False).split(Document("wrapped", WRAPPED))
    assert all("\n" not in s.text for s in sentences)
    assert len(sentences) > len(WRAPPED_SENTENCES)


def test_auto_detection_says_yes_for_wrapped_text_and_no_for_one_paragraph_per_line() -> None:
    assert is_hard_wrapped(WRAPPED)
    paragraphs = "\n".join(s + " " + s for s in WRAPPED_SENTENCES)
    assert not is_hard_wrapped(paragraphs)
    assert not is_hard_wrapped("")


def test_page_break_inside_a_sentence_is_not_a_boundary_when_unwrapping() -> None:
    text = WRAPPED + "Our delegation expresses its support for the\n\n\f\nefforts of the Secretary-General.\n"
    sentences = PysbdSplitter(unwrap=True).split(Document("d", text))
    expected = "Our delegation expresses its support for the efforts of the Secretary-General."
    assert sentences[-1].norm == expected


# --- the UN corpus ----------------------------------------------------------------------------------------
@needs_shared
def test_un_speeches_slice_exactly_and_wrapped_ones_are_detected() -> None:
    documents = read_corpus(UNGD, exclude=["README.md"])
    assert len(documents) == 300
    splitter = PysbdSplitter()
    longest = 0
    for document in documents:
        sentences = splitter.split(document)
        assert sentences, document.id
        assert_exact_slices(document, sentences)
        assert_covers_all_text(document, sentences)
        longest = max(longest, max(s.end - s.start for s in sentences))
    assert longest <= 2000
    wrapped = next(d for d in documents if d.id == "AFG_48_1993")
    one_per_line = next(d for d in documents if d.id == "CAN_31_1976")
    assert is_hard_wrapped(wrapped.text)
    assert not is_hard_wrapped(one_per_line.text)
    texts = [s.norm for s in splitter.split(wrapped)]
    assert texts[0] == (
        "Permit me, first of all, to congratulate Ambassador Insanally on his unanimous election as "
        "President of the United Nations General Assembly at its forty-eighth session."
    )
    assert texts[1].startswith("I am confident that, under his dynamic and wise leadership")
    assert texts[1].endswith("laying a sound foundation for international relations in the foreseeable future.")


# --- max_chars --------------------------------------------------------------------------------------------
def test_max_chars_cuts_a_run_without_punctuation_at_whitespace() -> None:
    words = [f"word{i}" for i in range(3000)]
    document = Document("long", " ".join(words))
    sentences = PysbdSplitter(max_chars=200).split(document)
    assert len(sentences) > 1
    assert all(len(s.text) <= 200 for s in sentences)
    assert_exact_slices(document, sentences)
    assert [w for s in sentences for w in s.text.split()] == words  # every cut falls between words


def test_max_chars_cuts_a_run_without_whitespace_at_the_limit() -> None:
    document = Document("blob", "x" * 1050)
    sentences = PysbdSplitter(max_chars=500).split(document)
    assert [len(s.text) for s in sentences] == [500, 500, 50]
    assert_exact_slices(document, sentences)


def test_max_chars_none_keeps_long_sentences_whole() -> None:
    document = Document("long", "word " * 1000)
    assert len(PysbdSplitter(max_chars=None).split(document)) == 1


def test_bad_settings_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="splitter.unwrap"):
        PysbdSplitter(unwrap="sometimes")
    with pytest.raises(ConfigError, match="splitter.max_chars"):
        PysbdSplitter(max_chars=0)
    with pytest.raises(ConfigError, match="splitter.backend"):
        PysbdSplitter(backend="nltk")  # type: ignore[arg-type]


# --- empty input, batch helper, scores --------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "   \n\n\t \f ", "\n"])
def test_empty_or_blank_document_gives_no_sentences(text: str) -> None:
    assert PysbdSplitter().split(Document("empty", text)) == []
    assert PysbdSplitter(backend="pysbd").split(Document("empty", text)) == []


def test_split_documents_streams_all_sentences_in_order() -> None:
    documents = [Document("a", "One. Two."), Document("b", ""), Document("c", "Three.")]
    splitter = PysbdSplitter()
    for progress in (False, True):
        sentences = list(split_documents(documents, splitter, progress=progress))
        assert [(s.doc, s.text) for s in sentences] == [("a", "One."), ("a", "Two."), ("c", "Three.")]


def make(doc: str, start: int, end: int) -> Sentence:
    return Sentence(doc, start, end, "x" * (end - start))


def test_boundary_scores_count_exact_span_matches() -> None:
    gold = [make("d", 0, 10), make("d", 11, 20), make("e", 0, 5)]
    predicted = [make("d", 0, 10), make("d", 11, 19), make("e", 0, 5), make("e", 6, 9)]
    scores = boundary_scores(predicted, gold)
    assert scores["precision"] == pytest.approx(2 / 4)
    assert scores["recall"] == pytest.approx(2 / 3)
    assert scores["f1"] == pytest.approx(2 * (1 / 2) * (2 / 3) / (1 / 2 + 2 / 3))


def test_boundary_scores_distinguish_documents_and_edge_cases() -> None:
    gold = [make("d", 0, 10)]
    assert boundary_scores([make("other", 0, 10)], gold) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert boundary_scores([], gold) == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert boundary_scores([], []) == {"precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert boundary_scores(gold, gold)["f1"] == 1.0


def test_split_of_a_large_document_streams_bounded_sentences() -> None:
    """A few MB in one document, with and without line breaks, splits into bounded exact slices.

    How fast it splits is measured by benchmarks/split.py, not asserted here: a wall-clock bound fails on a
    busy machine without saying anything about the code.
    """
    runs = [Document("wrapped", WRAPPED * 6000), Document("flat", "word " * 600_000)]  # ~3 MB each
    for document in runs:
        count, previous_end = 0, 0
        for sentence in PysbdSplitter().iter_split(document):
            assert len(sentence.text) <= 2000
            assert sentence.start >= previous_end
            assert document.text[sentence.start : sentence.end] == sentence.text
            previous_end = sentence.end
            count += 1
        assert count > 0
