"""User-facing errors: one line that names the file (and line) or key, what is wrong and what to do."""

from __future__ import annotations

from pathlib import Path


class PipelineError(Exception):
    """An error caused by the user's input or config, printed as one line without a traceback."""

    def __init__(
        self,
        what: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        key: str | None = None,
        fix: str | None = None,
    ) -> None:
        self.what = what
        self.file = str(file) if file is not None else None
        self.line = line
        self.key = key
        self.fix = fix
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file + (f":{self.line}" if self.line is not None else "")
        elif self.key is not None:
            where = f"config key '{self.key}'"
        text = f"{where}: {self.what}" if where else self.what
        if self.fix:
            text += f" ({self.fix})"
        return text.replace("\n", " ")


class InputError(PipelineError):
    """Bad corpus, gold or model input."""


class ConfigError(PipelineError):
    """A config value that is misspelt, of the wrong type or out of range."""
