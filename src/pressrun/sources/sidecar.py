"""Sidecars: ``seeds/<name>.meta.toml`` → checked metadata fields, each with its line.

An editor writes a sidecar to state what the seed's text does not (or states
wrongly).  It is untrusted input like the seed: every field is checked here,
once, before ingest uses it, and a wrong value is reported with the
sidecar's file and line (exit 65), never passed on to fail later in a
renderer with a message naming no file.

Checks: known field names; text fields are text and list fields lists of
text; dates are TOML dates or date strings with a plausible year; the
document ``id`` is a slug (it becomes a file name); language codes are
BCP 47-shaped; ``source_url`` is an http(s) address.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..config import read_user_toml
from ..document.langs import parse_date
from ..document.model import (
    DATE_FIELDS,
    LIST_FIELDS,
    SOURCE_URL_SCHEMES,
    TEXT_FIELDS,
    is_safe_url,
)
from ..engine.dependencies import note
from ..errors import InputError

#: Publication years pressrun accepts: from the printing press to well past any archive's horizon.
PLAUSIBLE_YEARS = range(1450, 2200)

_DOC_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,78}[a-z0-9])?")
_LANGUAGE = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


@dataclass
class Sidecar:
    """The checked fields of one sidecar and the line each was written on."""

    path: Path | None = None
    fields: dict[str, object] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def get(self, key: str, default=None):
        return self.fields.get(key, default)

    def error(self, key: str, message: str) -> InputError:
        return InputError(message, self.path, self.lines.get(key))


def read_sidecar(path: Path | None) -> Sidecar:
    """The checked fields of ``<seed>.meta.toml`` (an empty Sidecar when there is none)."""
    if path is None or not note(path).is_file():
        return Sidecar(path)
    raw, text = read_user_toml(path, "sidecar")
    sidecar = Sidecar(path, {}, _key_lines(text))
    for key, value in raw.items():
        sidecar.fields[key] = _checked(sidecar, key, value)
    return sidecar


def _checked(sidecar: Sidecar, key: str, value):
    if key in TEXT_FIELDS:
        text = _text(sidecar, key, value)
        if key == "source_url" and not is_safe_url(text, SOURCE_URL_SCHEMES):
            raise sidecar.error(key, f"source_url = {text!r} is not an http(s) address")
        return text
    if key in LIST_FIELDS:
        if not isinstance(value, list):
            raise sidecar.error(key, f"{key} must be a list of text, e.g. {key} = [\"…\"]")
        return [_text(sidecar, key, item) for item in value]
    if key in DATE_FIELDS:
        return _date(sidecar, key, value)
    if key == "id":
        slug = _text(sidecar, key, value)
        if not _DOC_ID.fullmatch(slug):
            raise sidecar.error(key, f"id = {slug!r} is not a document id: use lowercase letters, digits and "
                                     "hyphens (it names the document's files)")
        return slug
    if key == "language" or key.endswith("_lang"):
        code = _text(sidecar, key, value)
        if not _LANGUAGE.fullmatch(code):
            raise sidecar.error(key, f"{key} = {code!r} is not a language code such as \"en\" or \"az\"")
        return code
    raise sidecar.error(key, f"unknown metadata field {key!r}")


def _text(sidecar: Sidecar, key: str, value) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise sidecar.error(key, f"{key} must be text, not {type(value).__name__}")
    return str(value)


def _date(sidecar: Sidecar, key: str, value) -> str:
    """An ISO date from a TOML date (``date = 2025-03-03``) or a date string."""
    if isinstance(value, dt.datetime):
        iso = value.replace(tzinfo=None).isoformat()
    elif isinstance(value, dt.date):
        iso = value.isoformat()
    elif isinstance(value, str):
        iso = parse_date(value)
    else:
        iso = None
    if iso is None:
        raise sidecar.error(key, f"{key} = {value!r} is not a date")
    if int(iso[:4]) not in PLAUSIBLE_YEARS:
        raise sidecar.error(key, f"{key} = {value!r} is not a plausible date (year {iso[:4]})")
    return iso


def _key_lines(text: str) -> dict[str, int]:
    """The line of each top-level ``key =`` (tomllib reports no positions)."""
    lines = {}
    for number, line in enumerate(text.splitlines(), 1):
        found = re.match(r"\s*(?:\"([^\"]+)\"|'([^']+)'|([A-Za-z0-9_-]+))\s*=", line)
        if found:
            lines.setdefault(next(group for group in found.groups() if group), number)
    return lines

