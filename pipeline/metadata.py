"""Document metadata: fields such as country and year, for grouping predictions and for the explorer.

Three sources, combined in this order (a later one wins on the same field):

1. a filename pattern, a regular expression with named groups matched against the document id (a preset,
   ``ungd``, reads the UN General Debate corpus' ``ISO3_SESSION_YEAR.txt`` names);
2. a table (CSV or JSONL) keyed by document id;
3. extra fields of a JSONL input record (anything besides ``id`` and ``text``).

Derived fields are added last: ``decade`` from ``year`` and ``country_name`` from ``country`` (ISO 3166 alpha-3
codes, including historic ones such as CSK or YUG, through pycountry; codes pycountry lacks through
:data:`EXTRA_COUNTRIES`). Values that are whole numbers become ints, so years sort and plot as numbers.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd

from pipeline.errors import ConfigError, InputError

Value = str | int
PRESETS: dict[str, str] = {"ungd": r"(?P<country>[A-Z]{3})_(?P<session>\d+)_(?P<year>\d{4})"}
"""Named filename patterns. ``ungd``: ``PAK_43_1988`` -> country PAK, session 43, year 1988."""

EXTRA_COUNTRIES: dict[str, str] = {
    "EU": "European Union",
    "XKX": "Kosovo",
}
"""Country codes that pycountry has neither among current nor historic countries (user-assigned codes)."""

ID_COLUMNS = ("doc", "id")
"""A metadata table names its document in the first of these columns it has."""


@lru_cache(maxsize=4096)
def country_name(code: str) -> str:
    """The English name of an ISO 3166 alpha-3 (or alpha-2) code, current or historic; the code if unknown."""
    import pycountry

    code = code.strip().upper()
    if code in EXTRA_COUNTRIES:
        return EXTRA_COUNTRIES[code]
    key = "alpha_3" if len(code) == 3 else "alpha_2" if len(code) == 2 else None
    if key is None:
        return code
    country = pycountry.countries.get(**{key: code})
    if country is not None:
        return getattr(country, "common_name", None) or country.name
    if key == "alpha_3":
        historic = pycountry.historic_countries.get(alpha_3=code)
        if historic is not None:
            return _short_historic_name(historic.name)
    return code


def _short_historic_name(name: str) -> str:
    """pycountry's historic names are long ("Yugoslavia, (Socialist) Federal Republic of"): keep the first part,
    or the first two where the first alone is a current country ("Yemen, Democratic", not "Yemen")."""
    import pycountry

    parts = name.split(", ")
    if len(parts) > 1 and pycountry.countries.get(name=parts[0]) is not None:
        return ", ".join(parts[:2])
    return parts[0]


def coerce(value: object) -> Value:
    """A whole number written as text becomes an int (``"1988"`` -> 1988); anything else a string."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    return int(text) if re.fullmatch(r"[+-]?\d{1,18}", text) else text


def derive(fields: Mapping[str, Value]) -> dict[str, Value]:
    """``fields`` plus ``decade`` (from an integer ``year``) and ``country_name`` (from ``country``)."""
    out = dict(fields)
    year = out.get("year")
    if isinstance(year, int) and "decade" not in out:
        out["decade"] = year - year % 10
    country = out.get("country")
    if isinstance(country, str) and country and "country_name" not in out:
        out["country_name"] = country_name(country)
    return out


def compile_pattern(pattern: str | None = None, preset: str | None = None) -> re.Pattern[str] | None:
    """The filename regex of ``pattern`` or of a named ``preset``; a bad one is a ConfigError."""
    if pattern and preset:
        raise ConfigError("give a pattern or a preset, not both", key="metadata.pattern")
    if preset:
        if preset not in PRESETS:
            raise ConfigError(f"unknown preset '{preset}' (allowed: {', '.join(PRESETS)})", key="metadata.preset")
        pattern = PRESETS[preset]
    if not pattern:
        return None
    try:
        compiled = re.compile(pattern)
    except re.error as error:
        raise ConfigError(f"not a regular expression: {error}", key="metadata.pattern") from None
    if not compiled.groupindex:
        raise ConfigError("the pattern has no named group", key="metadata.pattern", fix="e.g. (?P<year>\\d{4})")
    return compiled


def read_table(path: str | Path) -> dict[str, dict[str, Value]]:
    """A metadata CSV or JSONL as {document id: fields}; the id column is ``doc`` or ``id``."""
    path = Path(path)
    if not path.is_file():
        raise InputError("metadata table not found", file=path, fix="give a .csv or .jsonl keyed by doc")
    if path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as stream:
            rows = list(csv.DictReader(stream))
    else:
        rows = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise InputError(f"not JSON: {error.msg}", file=path, line=number) from None
    table: dict[str, dict[str, Value]] = {}
    for number, row in enumerate(rows, 1):
        key = next((k for k in ID_COLUMNS if isinstance(row, dict) and row.get(k) not in (None, "")), None)
        if key is None:
            raise InputError("row has no 'doc' (or 'id') column", file=path, line=number, fix="key rows by doc")
        table[str(row[key])] = {k: coerce(v) for k, v in row.items() if k not in ID_COLUMNS and v not in (None, "")}
    return table


class MetadataSource:
    """Metadata for each document from a filename pattern, a table and a JSONL record's extra fields."""

    def __init__(
        self,
        pattern: str | None = None,
        *,
        preset: str | None = None,
        table: str | Path | None = None,
    ) -> None:
        self.pattern = compile_pattern(pattern, preset)
        self.table = read_table(table) if table else {}

    @property
    def empty(self) -> bool:
        return self.pattern is None and not self.table

    def field_names(self) -> list[str]:
        """The fields this source can give every document (pattern groups, table columns, derived ones).

        A CSV output declares its columns before the first document, so these are its metadata columns; a
        JSONL input's extra fields, known only per record, travel in JSONL output alone.
        """
        names = list(self.pattern.groupindex) if self.pattern is not None else []
        for row in self.table.values():
            names += [k for k in row if k not in names]
        return names + [d for d, source in (("decade", "year"), ("country_name", "country")) if source in names]

    def from_name(self, name: str) -> dict[str, Value]:
        """Named groups of the pattern searched in ``name`` (the document id or file name)."""
        if self.pattern is None:
            return {}
        match = self.pattern.search(name)
        if match is None:
            return {}
        return {k: coerce(v) for k, v in match.groupdict().items() if v is not None}

    def _table_row(self, doc_id: str, path: Path | None) -> dict[str, Value]:
        for key in (doc_id, Path(doc_id).name, Path(doc_id).stem, path.name if path else None):
            if key is not None and key in self.table:
                return self.table[key]
        return {}

    def for_document(
        self, doc_id: str, path: Path | None = None, extra: Mapping[str, object] | None = None
    ) -> dict[str, Value]:
        """All metadata of one document: pattern on its id (or file name), then the table, then ``extra``."""
        fields = self.from_name(doc_id) or (self.from_name(path.name) if path is not None else {})
        fields |= self._table_row(doc_id, path)
        fields |= {k: coerce(v) for k, v in (extra or {}).items() if k not in ("id", "text") and v is not None}
        return derive(fields)

    def frame(self, doc_ids: Iterable[str]) -> pd.DataFrame:
        """One row per document id (column ``doc``) with its metadata columns, for joining predictions."""
        rows = [{"doc": doc} | self.for_document(doc) for doc in dict.fromkeys(doc_ids)]
        return pd.DataFrame(rows, columns=None if rows else ["doc"])
