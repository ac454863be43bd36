"""Project configuration: where things are and which languages are built.

Read from ``[tool.pressrun]`` in the project's ``pyproject.toml``.  Every
path the pipeline reads or writes is derived here, so that no stage builds
paths of its own and nothing outside the project is touched.
"""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from babel import Locale, UnknownLocaleError

from .engine.dependencies import listing, note, read_bytes
from .errors import ConfigError, InputError

DEFAULT_LANGUAGES = ("en", "ru", "az")
MAX_SEED_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Project:
    root: Path
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    seeds_dir: Path = field(default=Path("seeds"))
    translations_dir: Path = field(default=Path("translations"))
    styles_dir: Path = field(default=Path("styles"))
    build_dir: Path = field(default=Path("build"))
    max_seed_bytes: int = MAX_SEED_BYTES
    min_complete: float = 100.0
    #: Percent of messages translated below which an edition is built only as a draft.
    min_publish: float = 80.0
    #: The date editions carry, in seconds since 1970 (see :func:`project_date`).
    source_date_epoch: int = 0
    executor: str = "local"  # where steps run: "local" (process pool) or "dask"
    scheduler: str | None = None  # a Dask scheduler address; None starts a LocalCluster
    base_url: str = ""  # where build/dist is published (http or https); "" for relative links only

    # Inputs ---------------------------------------------------------------
    def seeds(self) -> list[Path]:
        return sorted(self.seeds_dir.glob("*.txt"))

    def shown(self, path: Path) -> str:
        """``path`` as messages show it: relative to the project when inside it."""
        try:
            return str(Path(path).resolve().relative_to(self.root.resolve()))
        except ValueError:
            return str(path)

    def seed_names(self, paths: list[Path]) -> list[str]:
        """The file names of seeds given by path; a seed must lie in the seeds folder."""
        names = []
        for path in paths:
            if path.resolve().parent != self.seeds_dir.resolve():
                raise InputError(f"not in the seeds folder {self.shown(self.seeds_dir)}: copy the seed there, "
                                 "then ingest it", path)
            names.append(path.name)
        return names

    def sidecar(self, seed: Path) -> Path:
        return seed.with_suffix(".meta.toml")

    def pot_path(self, doc_id: str) -> Path:
        return self.translations_dir / f"{doc_id}.pot"

    def po_path(self, lang: str, doc_id: str) -> Path:
        return self.translations_dir / lang / "LC_MESSAGES" / f"{doc_id}.po"

    # Outputs --------------------------------------------------------------
    def master_path(self, doc_id: str, lang: str | None = None) -> Path:
        folder = self.build_dir / "master"
        if lang is not None:
            folder = folder / lang
        return folder / f"{doc_id}.xml"

    def report_path(self, doc_id: str, stage: str) -> Path:
        return self.build_dir / "reports" / f"{doc_id}.{stage}.json"

    def masters(self) -> list[Path]:
        return sorted((self.build_dir / "master").glob("*.xml"))

    def edition_path(self, doc_id: str, lang: str) -> Path:
        return self.build_dir / "html" / lang / f"{doc_id}.xhtml"

    def edition_info_path(self, doc_id: str, lang: str) -> Path:
        """The edition's metadata record, next to its XHTML: what the writers read besides it."""
        return self.build_dir / "html" / lang / f"{doc_id}.json"

    def pdf_path(self, doc_id: str, lang: str) -> Path:
        return self.build_dir / "pdf" / lang / f"{doc_id}.pdf"

    def page_map_path(self, doc_id: str, lang: str) -> Path:
        """Where each page of the PDF begins in the edition XHTML: what the EPUB's page list follows."""
        return self.build_dir / "pdf" / lang / f"{doc_id}.pages.json"

    def epub_path(self, doc_id: str, lang: str) -> Path:
        return self.build_dir / "epub" / lang / f"{doc_id}.epub"

    def staging_dir(self, stage: str, unit: str) -> Path:
        """Where a step writes outputs the engine publishes only once it accepts them."""
        return self.build_dir / ".staging" / stage / unit

    def stylesheets(self, medium: str) -> list[Path]:
        """The shared stylesheet, the medium's layer, then every per-language layer, as present."""
        sheets = [self.styles_dir / "edition.css", self.styles_dir / f"{medium}.css",
                  *listing(self.styles_dir, "lang-*.css")]
        return [sheet for sheet in sheets if note(sheet).is_file()]


def find_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` whose pyproject.toml has [tool.pressrun]."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / "pyproject.toml"
        if candidate.is_file() and "tool" in _read_toml(candidate) and "pressrun" in _read_toml(candidate)["tool"]:
            return folder
    raise ConfigError("no pyproject.toml with a [tool.pressrun] table here or above", here)


def load_project(root: Path | None = None) -> Project:
    root = (root or find_root()).resolve()
    settings = _read_toml(root / "pyproject.toml").get("tool", {}).get("pressrun", {})
    languages = tuple(settings.get("languages", DEFAULT_LANGUAGES))
    for lang in languages:
        _check_language(lang, root / "pyproject.toml")

    def folder(key: str, default: str) -> Path:
        path = (root / settings.get(key, default)).resolve()
        if not path.is_relative_to(root):
            raise ConfigError(f"[tool.pressrun] {key} must stay inside the project", root / "pyproject.toml")
        return path

    return Project(
        root=root,
        languages=languages,
        seeds_dir=folder("seeds", "seeds"),
        translations_dir=folder("translations", "translations"),
        styles_dir=folder("styles", "styles"),
        build_dir=folder("build", "build"),
        max_seed_bytes=int(settings.get("max_seed_bytes", MAX_SEED_BYTES)),
        min_complete=float(settings.get("min_complete", 100.0)),
        min_publish=float(settings.get("min_publish", 80.0)),
        source_date_epoch=project_date(root),
        base_url=base_url_setting(settings.get("base_url", ""), root / "pyproject.toml"),
        **executor_settings(settings.get("executor", "local"), settings.get("scheduler"), root / "pyproject.toml"),
    )


EXECUTORS = ("local", "dask")


def base_url_setting(value, where: Path) -> str:
    """``[tool.pressrun] base_url``: empty, or an http(s) address with a host (a "/" is added)."""
    if value == "":
        return ""
    parsed = urlparse(value) if isinstance(value, str) else None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc or any(c.isspace() for c in value):
        raise ConfigError(f"[tool.pressrun] base_url {value!r} is not an http(s) address", where)
    return value if value.endswith("/") else value + "/"


def executor_settings(executor: str, scheduler: str | None, where: Path | None = None) -> dict:
    """The ``executor`` and ``scheduler`` fields of a Project, checked."""
    if executor not in EXECUTORS:
        raise ConfigError(f"unknown executor {executor!r}: choose one of {', '.join(EXECUTORS)}", where)
    if scheduler is not None and (not isinstance(scheduler, str) or "://" not in scheduler):
        raise ConfigError(f"scheduler {scheduler!r} is not a Dask scheduler address such as tcp://host:8786",
                          where)
    return {"executor": executor, "scheduler": scheduler}


def _check_language(lang: str, where: Path) -> None:
    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError) as exc:
        raise ConfigError(f"unknown language {lang!r} in [tool.pressrun] languages", where) from exc


def read_user_toml(path: Path, what: str) -> tuple[dict, str]:
    """A TOML file an editor or translator writes (a sidecar, a names table): its table and its text.

    Recorded as an input of the running step; a file that is not UTF-8 or not TOML is an
    InputError naming ``what``, the file and the line.
    """
    data = read_bytes(path)
    try:
        text = data.decode("utf-8")
        return tomllib.loads(text), text
    except UnicodeDecodeError as exc:
        raise InputError(f"{what} is not valid UTF-8; save it as UTF-8", path,
                         data[: exc.start].count(b"\n") + 1) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{what} is not valid TOML: {exc}", path, _toml_error_line(exc, text)) from None


def _toml_error_line(exc: tomllib.TOMLDecodeError, text: str) -> int | None:
    if "at end of document" in str(exc):
        return len(text.rstrip().splitlines()) or None
    found = re.search(r"\(at line (\d+)", str(exc))
    return int(found.group(1)) if found else None


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path) from exc


def source_date_epoch() -> int | None:
    """``SOURCE_DATE_EPOCH`` (reproducible-builds.org) in seconds, or None when unset or empty."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ConfigError(f"SOURCE_DATE_EPOCH={value!r} is not a whole number of seconds since 1970-01-01")
    return int(value)


def project_date(root: Path) -> int:
    """The date every edition of the project carries, so that the same inputs give the same bytes.

    ``SOURCE_DATE_EPOCH`` when set; else, in a git checkout, the date of the
    last commit that touched the project; else (a source archive) the
    modification time of ``pyproject.toml``, which archives set to the date
    of the commit they were made from.  Whether pressrun runs from ``make``
    or directly, the answer is the same.
    """
    epoch = source_date_epoch()
    if epoch is not None:
        return epoch
    return _last_commit_date(root) or int((root / "pyproject.toml").stat().st_mtime)


def _last_commit_date(root: Path) -> int | None:
    try:
        result = subprocess.run(["git", "--no-pager", "log", "-1", "--format=%ct", "--", "."], cwd=root,
                                capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    value = result.stdout.strip()
    return int(value) if result.returncode == 0 and value.isdigit() else None


@contextmanager
def pinned_source_date(fallback: int) -> Iterator[None]:
    """Set SOURCE_DATE_EPOCH to ``fallback`` while a tool runs, unless the user set it.

    pandoc and the font subsetter stamp their outputs with the current time
    unless SOURCE_DATE_EPOCH is set; pinning it keeps editions byte-identical.
    """
    saved = os.environ.get("SOURCE_DATE_EPOCH")
    epoch = source_date_epoch()
    os.environ["SOURCE_DATE_EPOCH"] = str(fallback if epoch is None else epoch)
    try:
        yield
    finally:
        if saved is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved
