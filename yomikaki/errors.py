"""One exceptions module for the whole toolkit.

Hierarchy::

    YomikakiError                 root; carries ``exit_code`` and a message for operators
    ├── ConfigError               bad settings / yomikaki.toml / missing secret  (exit 3)
    ├── InputError                a user-supplied file is wrong (file, line/cell)  (exit 2)
    │   └── ValidationFailed      many located problems at once (``problems`` list)
    ├── ExternalToolError         tesseract / Chromium / LibreOffice / pdftoppm failed (exit 4)
    └── RunAborted                a run stopped (too many system errors, Ctrl-C)  (exit 5)

Robot item failures (``robots.errors.BusinessError`` / ``SystemError_``) derive from
``YomikakiError`` too, but are handled by the runner, never by the CLI.

Only ``yomikaki.cli`` turns exceptions into exit codes, by type.
"""

from __future__ import annotations

from dataclasses import dataclass


class YomikakiError(Exception):
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\n  → {self.hint}"


class ConfigError(YomikakiError):
    exit_code = 3


@dataclass(frozen=True)
class Location:
    """Where a problem is: a file plus line/column or a sheet cell."""

    file: str
    line: int | None = None
    column: int | None = None
    cell: str | None = None  # e.g. "確認!F12"

    def __str__(self) -> str:
        if self.cell:
            return self.cell
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


class InputError(YomikakiError):
    exit_code = 2

    def __init__(self, message: str, *, location: Location | None = None, hint: str | None = None):
        self.location = location
        full = f"{location}: {message}" if location else message
        super().__init__(full, hint=hint)


class ValidationFailed(InputError):
    """Several located problems; ``str()`` lists all of them, one per line."""

    def __init__(self, problems: list[str], *, title: str = "入力にエラーがあります"):
        self.problems = list(problems)
        body = "\n".join(self.problems)
        YomikakiError.__init__(self, f"{title} ({len(self.problems)} 件)\n{body}")
        self.location = None


class ExternalToolError(YomikakiError):
    exit_code = 4


class RunAborted(YomikakiError):
    exit_code = 5
