"""One error hierarchy for pressrun, each class with its exit code.

Errors carry a location (file and, where known, line) so that the command
line can show them as ``file:line: message`` without a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class PressrunError(Exception):
    """Base class of every error a user can act on."""

    exit_code = 1

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line

    def __reduce__(self):
        return (self.__class__, (self.message, self.path, self.line))

    def location(self) -> str:
        if self.path is None:
            return ""
        return f"{self.path}:{self.line}" if self.line else str(self.path)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


class ConfigError(PressrunError):
    """The project configuration (pyproject.toml, a sidecar, a profile) is wrong."""

    exit_code = 78


class InputError(PressrunError):
    """A seed or a catalog cannot be read or understood."""

    exit_code = 65


class ValidationError(PressrunError):
    """An artifact pressrun produced does not meet its schema or a quality gate."""

    exit_code = 4


class ToolError(PressrunError):
    """An external tool (pandoc, WeasyPrint, a validator) is missing or failed."""

    exit_code = 69


class InternalError(PressrunError):
    """A bug in pressrun: an unexpected exception inside a step.

    The step fails alone; its traceback is kept in a crash report (``path``)
    for a bug report, and the build exits with 70 (EX_SOFTWARE).
    """

    exit_code = 70


@dataclass(frozen=True)
class Problem:
    """A non-fatal finding recorded in a stage report (a warning or an error)."""

    severity: str  # "warning" or "error"
    message: str
    path: str | None = None
    line: int | None = None
    rule: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.path and self.line else (self.path or "")
        return f"{where}: {self.message}" if where else self.message

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}
