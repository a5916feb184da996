"""Gold sets: hand-labelled sentences read from JSONL, checked once, split into tuning and reporting parts.

A gold file has one JSON object per line with ``id``, ``doc``, ``text``, ``label`` and, where the sentence
boundaries are part of the gold set (the seed), ``start``/``end`` offsets into the document's source text.
Every problem is reported as one :class:`~pipeline.errors.InputError` line naming the file and line.
Gold sets are evaluation data: nothing here is meant to feed training.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.config import GoldConfig
from pipeline.errors import InputError
from pipeline.io import read_jsonl
from pipeline.labels import LABELS
from pipeline.split import Sentence

log = logging.getLogger(__name__)

REQUIRED_FIELDS: tuple[str, ...] = ("id", "doc", "text", "label")
OFFSET_FIELDS: tuple[str, ...] = ("start", "end")


@dataclass(frozen=True)
class GoldItem:
    """One hand-labelled sentence. ``source``/``line`` say where it was read, for error messages only."""

    id: str
    doc: str
    text: str
    label: str
    start: int | None = None
    end: int | None = None
    context: str | None = None
    source: str | None = field(default=None, compare=False, repr=False)
    line: int | None = field(default=None, compare=False, repr=False)

    @property
    def has_offsets(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def sentence(self) -> Sentence:
        """This item as a :class:`Sentence` (offsets 0 where it has none): its ``norm`` is what systems see."""
        return Sentence(self.doc, self.start or 0, self.end or 0, self.text)


@dataclass
class GoldSet:
    """A gold set read and checked for one run: its parts (``all`` when it is not split) and the reported one."""

    path: str
    parts: dict[str, list[GoldItem]]
    primary: str
    n_bootstrap: int

    def texts(self, part: str) -> list[str]:
        """The normalised texts of a part, as the weak labeller and the model see them."""
        return [item.sentence.norm for item in self.parts[part]]

    def labels(self, part: str) -> list[str]:
        return [item.label for item in self.parts[part]]

    @property
    def analysis_part(self) -> str:
        """Where labelling functions' empirical accuracy is measured: the tuning part where there is one."""
        return "tuning" if "tuning" in self.parts else self.primary


def load_gold_set(spec: GoldConfig, documents: Mapping[str, str]) -> GoldSet:
    """Read the gold set of ``spec``, check its offsets against the corpus where it has them, split it into parts."""
    gold = load_gold(spec.path, require_offsets=spec.require_offsets)
    if spec.require_offsets:
        check_offsets(gold, documents)
    parts = split_parts(gold, spec.parts) if spec.parts else {"all": gold}
    return GoldSet(str(spec.path), parts, spec.primary, spec.n_bootstrap)


def _string_field(record: Mapping[str, object], name: str, path: Path, line: int) -> str:
    value = record[name]
    if not isinstance(value, str) or (name != "text" and not value.strip()):
        raise InputError(f"field '{name}' must be a non-empty string, got {value!r}", file=path, line=line)
    return value


def _offset_field(record: Mapping[str, object], name: str, path: Path, line: int) -> int | None:
    value = record.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InputError(f"field '{name}' must be a non-negative integer, got {value!r}", file=path, line=line)
    return value


def _parse_item(record: object, path: Path, line: int, require_offsets: bool) -> GoldItem:
    if not isinstance(record, dict):
        raise InputError(f"expected a JSON object, got {type(record).__name__}", file=path, line=line)
    required = REQUIRED_FIELDS + (OFFSET_FIELDS if require_offsets else ())
    missing = [name for name in required if record.get(name) is None]
    if missing:
        raise InputError(
            f"missing field {', '.join(repr(m) for m in missing)}",
            file=path,
            line=line,
            fix=f"every gold line needs {', '.join(required)}",
        )
    label = record["label"]
    if label not in LABELS:
        raise InputError(f"unknown label {label!r}", file=path, line=line, fix=f"allowed labels: {', '.join(LABELS)}")
    start = _offset_field(record, "start", path, line)
    end = _offset_field(record, "end", path, line)
    if (start is None) != (end is None):
        raise InputError("has only one of 'start' and 'end'", file=path, line=line, fix="give both or neither")
    if start is not None and end is not None and start > end:
        raise InputError(f"'start' ({start}) is after 'end' ({end})", file=path, line=line)
    context = record.get("context")
    if context is not None and not isinstance(context, str):
        raise InputError(f"field 'context' must be a string, got {context!r}", file=path, line=line)
    return GoldItem(
        id=_string_field(record, "id", path, line),
        doc=_string_field(record, "doc", path, line),
        text=_string_field(record, "text", path, line),
        label=str(label),
        start=start,
        end=end,
        context=context,
        source=str(path),
        line=line,
    )


def load_gold(path: str | Path, *, require_offsets: bool = False) -> list[GoldItem]:
    """Read a gold JSONL file, in file order; blank lines are ignored.

    ``require_offsets`` makes ``start``/``end`` mandatory (a gold set that also scores sentence splitting).
    """
    path = Path(path)
    if not path.is_file():
        raise InputError("gold file not found", file=path, fix="check the gold path in the config")
    items: list[GoldItem] = []
    first_line_of: dict[str, int] = {}
    for number, record in read_jsonl(path):
        item = _parse_item(record, path, number, require_offsets)
        if item.id in first_line_of:
            raise InputError(
                f"duplicate id {item.id!r}, first seen on line {first_line_of[item.id]}",
                file=path,
                line=number,
                fix="gold ids must be unique",
            )
        first_line_of[item.id] = number
        items.append(item)
    if not items:
        raise InputError("gold file holds no items", file=path)
    return items


def check_offsets(gold: Sequence[GoldItem], documents: Mapping[str, str], *, allow_missing_docs: bool = False) -> None:
    """Check gold items against the corpus they were drawn from (``documents``: doc id -> source text).

    Raises when the two share no document at all (the wrong corpus), when an item's document is absent
    (unless ``allow_missing_docs``, e.g. for a sharded corpus) and when ``source[start:end] != text``.
    """
    if not gold:
        raise InputError("the gold set is empty")
    if not any(item.doc in documents for item in gold):
        source = gold[0].source or "the gold set"
        raise InputError(
            f"no gold document is in the corpus of {len(documents)} documents "
            f"(gold documents look like {gold[0].doc!r})",
            file=source,
            fix="point the corpus and the gold set at the same collection",
        )
    for item in gold:
        if item.doc not in documents:
            if allow_missing_docs:
                continue
            raise InputError(
                f"document {item.doc!r} of gold item {item.id!r} is not in the corpus",
                file=item.source,
                line=item.line,
            )
        if not item.has_offsets:
            continue
        source_text = documents[item.doc]
        assert item.start is not None and item.end is not None
        if item.end > len(source_text):
            raise InputError(
                f"offsets {item.start}:{item.end} of {item.id!r} run past the end of {item.doc!r} "
                f"({len(source_text)} characters)",
                file=item.source,
                line=item.line,
            )
        sliced = source_text[item.start : item.end]
        if sliced != item.text:
            raise InputError(
                f"offsets {item.start}:{item.end} of {item.id!r} slice {sliced[:40]!r}, not its text "
                f"{item.text[:40]!r}",
                file=item.source,
                line=item.line,
                fix="offsets are Python string indices into the document's decoded text",
            )


def load_id_list(path: str | Path) -> list[str]:
    """Read one id per line; blank lines and ``#`` comments are ignored; duplicates are an error."""
    path = Path(path)
    if not path.is_file():
        raise InputError("id list not found", file=path)
    ids: list[str] = []
    first_line_of: dict[str, int] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        value = raw.split("#", 1)[0].strip()
        if not value:
            continue
        if value in first_line_of:
            raise InputError(f"duplicate id {value!r}, first on line {first_line_of[value]}", file=path, line=number)
        first_line_of[value] = number
        ids.append(value)
    if not ids:
        raise InputError("id list is empty", file=path)
    return ids


def split_parts(gold: Sequence[GoldItem], parts: Mapping[str, str | Path]) -> dict[str, list[GoldItem]]:
    """Split a gold set into named parts (e.g. ``tuning``/``reporting``) by id-list files.

    Items keep gold-file order within each part. An id that is not in the gold set, or one listed in two
    parts, is an error (a part used for tuning must never leak into the reported part). Gold items in no
    part are left out with a logged note.
    """
    by_id = {item.id: item for item in gold}
    owner: dict[str, str] = {}
    for part, id_path in parts.items():
        ids = load_id_list(id_path)
        lines = _id_lines(Path(id_path))
        for gold_id in ids:
            if gold_id not in by_id:
                raise InputError(
                    f"id {gold_id!r} of part '{part}' is not in the gold set",
                    file=id_path,
                    line=lines.get(gold_id),
                    fix="the id list and the gold file must come from the same gold set",
                )
            if gold_id in owner:
                raise InputError(
                    f"id {gold_id!r} is in both part '{owner[gold_id]}' and part '{part}'",
                    file=id_path,
                    line=lines.get(gold_id),
                    fix="parts must not overlap",
                )
            owner[gold_id] = part
    result: dict[str, list[GoldItem]] = {part: [] for part in parts}
    for item in gold:
        part = owner.get(item.id)
        if part is not None:
            result[part].append(item)
    left_out = len(gold) - len(owner)
    if left_out:
        log.info("%d gold items are in none of the parts %s", left_out, ", ".join(parts))
    return result


def _id_lines(path: Path) -> dict[str, int]:
    """Line number of each id in an id list, for error messages."""
    lines: dict[str, int] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        value = raw.split("#", 1)[0].strip()
        if value:
            lines.setdefault(value, number)
    return lines
