"""Files, once: atomic writes, JSON and JSONL reading and writing.

Every file a run or a prediction writes in one piece goes through :func:`atomic_target` (a temporary file in
the same folder, fsynced, renamed into place), so a reader sees the old content or the new, never half of it.
JSONL readers report a malformed line as one :class:`~pipeline.errors.InputError` naming the file and line.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.errors import InputError


@contextmanager
def atomic_target(path: Path, suffix: str = ".tmp") -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; renamed onto ``path`` when the block ends without error."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=suffix)
    os.close(handle)
    os.chmod(temporary, 0o644)  # mkstemp makes it private; a run's files are for people to read
    try:
        yield Path(temporary)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)


def unwritable_reason(folder: Path) -> str | None:
    """Why files cannot be created in ``folder`` (or in the folders it would be made in), or None if they can.

    Checked before any slow work, so a read-only target costs the user one line, not minutes. The nearest
    existing folder on the path must be a folder, and a temporary file must be creatable there: ``os.access``
    alone is not enough (it says yes to root, to read-only mounts with some file systems, and to ACL denials).
    """
    existing = folder
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder, so nothing can be written below it"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"no permission to write in {existing}"
    try:
        handle, probe = tempfile.mkstemp(dir=existing, prefix=".write-check.")
    except OSError as error:
        return f"cannot write in {existing} ({error.strerror or error})"
    os.close(handle)
    os.unlink(probe)
    return None


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file so that a reader sees the old content or the new, never half of it."""
    with atomic_target(path) as temporary, temporary.open("w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())


def write_json(path: Path, data: Any) -> None:
    """Indented JSON, written atomically."""
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def jsonl_lines(records: Iterable[dict[str, Any]]) -> str:
    """Records as JSONL text (UTF-8 kept as is, one object a line)."""
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """One JSON object a line, written atomically."""
    write_text_atomic(path, jsonl_lines(records))


def read_json(path: Path) -> object:
    """A JSON file's content; a missing or malformed file is an InputError naming it."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("file not found", file=path) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"not valid JSON ({err})", file=path) from None


def parse_jsonl(lines: Sequence[str], path: str | Path) -> Iterator[tuple[int, object]]:
    """``(line number, value)`` for each non-blank line; a malformed line is an InputError naming it."""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            yield number, json.loads(raw)
        except json.JSONDecodeError as err:
            raise InputError(f"not valid JSON ({err.msg} at column {err.colno})", file=path, line=number) from None


def read_jsonl(path: Path) -> Iterator[tuple[int, object]]:
    """``(line number, value)`` for each non-blank line of a UTF-8 JSONL file (a byte-order mark is allowed).

    Lines end at ``\\n`` only, not at every Unicode line break: a JSON string may hold U+2028 or U+0085
    unescaped, which ``str.splitlines()`` would take for line ends.
    """
    try:
        lines = path.read_text(encoding="utf-8-sig").split("\n")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[: err.start].count(b"\n") + 1
        raise InputError(f"not UTF-8 text ({err.reason})", file=path, line=line, fix="save it as UTF-8") from None
    yield from parse_jsonl(lines, path)
