"""Dependency recording: every file a build step reads is noted where it is read.

In: the reads of a running step (:func:`note`, :func:`read_bytes`,
:func:`package_file`, :func:`listing`, and :func:`uses` for settings and tool
versions).  Out: a mapping ``{file or setting: digest}`` that the engine
stores with the step's state and compares on the next build.

Like Sphinx's ``env.note_dependency``, the reader declares the dependency at
the point of reading, so a step's key cannot miss an input: there is no
second list of inputs to keep in step with the code.  A file that is looked
for but absent is recorded as absent, so that creating it reruns the step;
a folder whose files are read by pattern records its listing, so that a new
matching file does too.  Outside a recording (a library call, a test) the
functions only read.
"""

from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Callable, Iterator

ABSENT = "absent"
SETTING = "setting:"

@dataclass
class _Recording:
    root: Path  # the project: files inside it are recorded relative to it, so a moved project still matches
    found: dict[str, str]


_recorded: ContextVar[_Recording | None] = ContextVar("pressrun_dependencies", default=None)


@contextmanager
def recording(root: Path) -> Iterator[dict[str, str]]:
    """Collect what the block reads: ``{file (relative to root when inside it) or setting: digest}``."""
    current = _Recording(root.resolve(), {})
    token = _recorded.set(current)
    try:
        yield current.found
    finally:
        _recorded.reset(token)


def _key(path: Path, root: Path) -> str:
    resolved = Path(path).resolve()
    return resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(resolved)


def note(path: Path) -> Path:
    """Record that the running step depends on ``path`` (present or not); returns it."""
    current = _recorded.get()
    if current is not None:
        current.found[_key(path, current.root)] = digest(path)
    return path


def uses(setting: str, value):
    """Record that the running step depends on a setting or tool version; returns ``value``.

    The engine compares it with the current value of the same name (see
    :func:`unchanged`), so a changed setting reruns exactly the steps that use it.
    """
    current = _recorded.get()
    if current is not None:
        current.found[f"{SETTING}{setting}"] = json.dumps(value, sort_keys=True)
    return value


def read_bytes(path: Path) -> bytes:
    """The file's bytes, recorded as an input of the running step."""
    return note(path).read_bytes()


def listing(folder: Path, pattern: str) -> list[Path]:
    """The files in ``folder`` matching ``pattern``; their names are recorded, so a new one counts."""
    files = sorted(folder.glob(pattern))
    current = _recorded.get()
    if current is not None:
        names = "\n".join(path.name for path in files)
        current.found[f"{_key(folder, current.root)}/{pattern}"] = hashlib.sha256(names.encode()).hexdigest()
    return files


def package_root() -> Path:
    """The folder of pressrun's data files (rules, profiles, schemas)."""
    return Path(str(resources.files("pressrun")))


def package_file(relative: str) -> Path:
    """A data file shipped inside pressrun, recorded as an input."""
    return note(package_root() / relative)


def package_listing(folder: str, pattern: str) -> list[Path]:
    return listing(package_root() / folder, pattern)


@lru_cache(maxsize=1)
def pandoc_version() -> str:
    import pypandoc
    return pypandoc.get_pandoc_version()


#: The tools whose version is part of what a step makes, by the name steps record them under.
TOOLS: dict[str, Callable[[], str]] = {
    "pandoc": pandoc_version,
    "weasyprint": lambda: metadata.version("weasyprint"),
    "harfbuzz": lambda: metadata.version("uharfbuzz"),
    "babel": lambda: metadata.version("babel"),
}


def uses_tool(name: str) -> str:
    """Record a tool's version as an input of the running step; returns the version."""
    return uses(name, TOOLS[name]())


def tool_versions() -> dict[str, str]:
    return {name: version() for name, version in TOOLS.items()}


def digest(path: Path | str) -> str:
    """The SHA-256 of a file's content, or :data:`ABSENT`; a listing key is recomputed from its folder."""
    text = str(path)
    if "*" in text:
        folder, pattern = text.rsplit("/", 1)
        names = "\n".join(found.name for found in sorted(Path(folder).glob(pattern)))
        return hashlib.sha256(names.encode()).hexdigest()
    path = Path(path)
    if not path.is_file():
        return ABSENT
    stat = path.stat()
    return _file_digest(text, stat.st_size, stat.st_mtime_ns)


@lru_cache(maxsize=256)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    """Hash once per file version: the engine checks the same inputs for many steps."""
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def unchanged(recorded: dict[str, str], settings: dict[str, object], root: Path) -> bool:
    """True when every recorded file still has its digest and every recorded setting its value."""
    for name, value in recorded.items():
        if name.startswith(SETTING):
            current = settings.get(name.removeprefix(SETTING))
            if json.dumps(current, sort_keys=True) != value:
                return False
        elif digest(root / name) != value:  # an absolute name stays itself
            return False
    return True
