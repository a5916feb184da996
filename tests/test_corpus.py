"""The corpus reader: every bad file is skipped with its reason and counted, or refused with one line."""

from __future__ import annotations

import codecs
import json
import time
from pathlib import Path

import pytest

from pipeline.corpus import Corpus, CorpusReport, decode_bytes, read_corpus
from pipeline.errors import InputError

FRENCH = "Les troupes étrangères doivent quitter le pays. Nous refusons leur présence à Noël."


def _folder(tmp_path: Path, files: dict[str, bytes]) -> Path:
    folder = tmp_path / "corpus"
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def test_missing_path_and_folder_without_documents_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="corpus path does not exist") as missing:
        read_corpus(tmp_path / "nowhere")
    assert missing.value.one_line().startswith(f"{tmp_path / 'nowhere'}: ")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    with pytest.raises(InputError, match=r"no \.txt/\.md/\.jsonl files in this folder"):
        read_corpus(tmp_path)


def test_bad_files_are_skipped_with_their_reason_and_counted(tmp_path: Path) -> None:
    folder = _folder(
        tmp_path,
        {
            "a.txt": b"Foreign troops must leave.",
            "blank.txt": b"  \n\t\n",
            "binary.txt": b"\x00\x01\x02troops\x00" * 30,
            "controls.txt": bytes(range(1, 9)) * 200,  # valid UTF-8, but no text
            "mangled.txt": (bytes(range(1, 9)) + b"\xff") * 200,  # neither UTF-8 nor text in any encoding
        },
    )
    corpus = Corpus(folder)
    assert [d.id for d in corpus] == ["a"]
    assert dict(corpus.report.skipped) == {
        str(folder / "binary.txt"): "binary: the file holds NUL bytes, so it is not text",
        str(folder / "blank.txt"): "empty: the file holds no text",
        str(folder / "controls.txt"): "binary: the file is mostly control characters, so it is not text",
        str(folder / "mangled.txt"): "undecodable: not UTF-8 and no declared or detected encoding fits",
    }
    assert corpus.report.summary() == "1 documents from 5 files; 4 skipped (2 binary, 1 empty, 1 undecodable)"
    assert corpus.report.describe_skipped(limit=2) == (
        f"{folder / 'binary.txt'} (binary), {folder / 'blank.txt'} (empty) and 2 more"
    )


def test_an_unreadable_file_is_skipped_not_a_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path, {"a.txt": b"One.", "locked.txt": b"Two."})
    real_read_bytes = Path.read_bytes

    def read_bytes(path: Path) -> bytes:
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    corpus = Corpus(folder)
    assert [d.id for d in corpus] == ["a"]
    assert corpus.report.skipped == [(str(folder / "locked.txt"), "unreadable: Permission denied")]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (FRENCH.encode("cp1252"), "cp1252"),
        (FRENCH.encode("latin-1"), "cp1252"),  # the same bytes for these characters
        (codecs.BOM_UTF16_LE + FRENCH.encode("utf-16-le"), "utf-16"),
        (b"<meta charset='iso-8859-15'> " + "Prix: 5 €, troupes étrangères.".encode("iso-8859-15"), "iso-8859-15"),
    ],
)
def test_non_utf8_text_is_decoded_and_the_encoding_recorded(data: bytes, encoding: str) -> None:
    report = CorpusReport()
    text = decode_bytes(data, "doc.txt", report)
    assert text is not None and report.decoded_as == {"doc.txt": encoding}
    assert "étrangères" in text and not report.skipped


def test_cyrillic_legacy_text_is_not_forced_into_cp1252() -> None:
    report = CorpusReport()
    source = "Иностранные войска должны уйти. Мы против их присутствия."
    assert decode_bytes(source.encode("cp1251"), "ru.txt", report) == source


def test_utf8_with_a_byte_order_mark_reads_as_plain_utf8() -> None:
    report = CorpusReport()
    assert decode_bytes(codecs.BOM_UTF8 + FRENCH.encode(), "doc.txt", report) == FRENCH
    assert report.decoded_as == {}


def test_a_100_mb_document_is_skipped_unread_and_the_rest_kept(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"a.txt": b"Foreign troops must leave."})
    with (folder / "huge.txt").open("wb") as handle:
        handle.write(b"troops " * 14_285_715)  # 100,000,005 bytes
    started = time.perf_counter()
    corpus = Corpus(folder)
    assert [d.id for d in corpus] == ["a"]
    assert time.perf_counter() - started < 2, "the huge file must not be read"
    ((path, reason),) = corpus.report.skipped
    assert path == str(folder / "huge.txt")
    assert reason.startswith("too large: 100.0 MB is above max_document_mb=50;")
    assert "1 too large" in corpus.report.summary()


def test_the_size_limit_is_a_setting_and_applies_to_jsonl_lines(tmp_path: Path) -> None:
    lines = [json.dumps({"id": "small", "text": "Short."}), json.dumps({"id": "big", "text": "x " * 600_000})]
    folder = _folder(tmp_path, {"docs.jsonl": ("\n".join(lines) + "\n").encode()})
    corpus = Corpus(folder, max_document_mb=1)
    assert [d.id for d in corpus] == ["small"]
    assert corpus.report.skipped[0][0] == f"{folder / 'docs.jsonl'}:2"
    assert [d.id for d in Corpus(folder, max_document_mb=None)] == ["small", "big"]
    for bad in (0, -1, True):
        with pytest.raises(InputError, match="max_document_mb"):
            Corpus(folder, max_document_mb=bad)


def test_two_documents_with_one_id_are_refused_naming_both(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"speech.md": b"One.", "speech.txt": b"Two."})
    with pytest.raises(InputError) as clash:
        read_corpus(folder)
    assert clash.value.one_line().startswith(f"{folder / 'speech.txt'}: document id 'speech' is also the id of ")
    assert str(folder / "speech.md") in clash.value.one_line()

    units = "\n".join(json.dumps({"id": i, "text": "Text."}) for i in ("u1", "u2", "u1")) + "\n"
    jsonl = _folder(tmp_path / "j", {"units.jsonl": units.encode()})
    with pytest.raises(InputError, match=r"units\.jsonl:3: document id 'u1' is also the id of .*units\.jsonl:1"):
        read_corpus(jsonl)


def test_malformed_jsonl_lines_name_file_and_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path, {"units.jsonl": b'{"id": "a", "text": "Fine."}\n{"id": "b", "text": \n'})
    with pytest.raises(InputError, match=r"units\.jsonl:2: not valid JSON"):
        read_corpus(folder)
    folder = _folder(tmp_path / "2", {"units.jsonl": b'{"id": "a"}\n'})
    with pytest.raises(InputError, match=r"units\.jsonl:1: a JSONL document needs \"id\" and \"text\""):
        read_corpus(folder)


def test_a_document_without_sentence_punctuation_is_read_whole(tmp_path: Path) -> None:
    text = " ".join(["troops"] * 5000)
    folder = _folder(tmp_path, {"run.txt": text.encode()})
    (document,) = read_corpus(folder)
    assert document.text == text
