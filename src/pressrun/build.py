"""Build: the pipeline as a graph of steps, run incrementally and in parallel.

In: a :class:`~pressrun.config.Project`.  Out: the artifacts under
``build/`` and a list of :class:`Outcome` records (what was built, skipped or
failed, with the problems found), which the command line shows as a summary.

Every step (ingest a seed; merge, edition XHTML, PDF and EPUB per document
and language) is keyed by a hash of what it reads: the content of its input
files, the stylesheets and fonts it uses, the settings and the versions of
pressrun and its renderers.  A step whose key is unchanged and whose outputs
exist is skipped; the warnings it gave when it ran are reported again, since
they hold until its input changes.  Each step is submitted as soon as the
steps it depends on have finished (no stage waits for the whole previous
stage) to the executor :func:`pressrun.executors.make_executor` gives: this
machine's process pool or a Dask cluster.  The step writes its outputs and
its state file itself, atomically, wherever it runs.  One document's failure
never stops the others, and the steps that depend on a failed one are
skipped with a note.  A lock on ``build/.lock`` serializes concurrent builds
of one checkout.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Callable

import pypandoc
import uharfbuzz

from . import __version__, catalogs, completeness, edition, epub, hyphenation, memory, names
from .config import Project, load_project
from .errors import InputError, PressrunError, Problem, ToolError, ValidationError
from .executors import make_executor
from .fonts import font_files
from .ingest import ingest
from .master import build_master, read_master, serialize, validate
from .merge import merge
from .model import XML_ID, XML_LANG, XPATH_NS
from .outputs import remove_stale_temporaries, write_atomic

log = logging.getLogger("pressrun.build")


@dataclass
class Outcome:
    step: str
    target: str
    status: str  # "built", "skipped" or "failed"
    output: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    error: PressrunError | None = None
    details: dict = field(default_factory=dict)
    seconds: float = 0.0  # how long the step ran where it ran (0 for a step not run)
    cpu_seconds: float = 0.0  # CPU time it used there, its subprocesses (pandoc) included


STAGES = ("ingest", "merge", "edition", "pdf", "epub")
#: Steps nearer a finished edition run first when workers are busy (higher runs sooner).
PRIORITY = {"ingest": 0, "merge": 1, "edition": 2, "pdf": 3, "epub": 3}
#: What each command builds.
TARGETS = {
    "master": ("ingest", "merge"),
    "pdf": ("ingest", "merge", "edition", "pdf"),
    "epub": ("ingest", "merge", "edition", "epub"),
    "all": STAGES,
}


@dataclass(frozen=True)
class Step:
    stage: str
    unit: str  # the seed's file name for ingest, the document id otherwise
    lang: str | None = None

    @property
    def priority(self) -> int:
        """Dask task priority: the closer to a finished edition, the sooner it runs."""
        return PRIORITY[self.stage]

    @property
    def label(self) -> str:
        return self.unit if self.lang is None else f"{self.unit} [{self.lang}]"

    def state_file(self, project: Project) -> Path:
        name = self.unit if self.lang is None else f"{self.unit}.{self.lang}"
        return project.build_dir / ".state" / self.stage / f"{name}.json"


# Running -------------------------------------------------------------------------

#: The stages a finished step makes ready, for the same document and language.
FOLLOWERS = {"merge": ("edition",), "edition": ("pdf", "epub")}


def run(project: Project, stages: tuple[str, ...], *, jobs: int | None = None, strict: bool = False,
        force: bool = False, seeds: list[Path] | None = None,
        on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Bring the given stages up to date; returns one Outcome per step, in a stable order."""
    with build_lock(project):
        remove_stale_temporaries(project.build_dir)
        seed_names = [seed.name for seed in (seeds or project.seeds())]
        with make_executor(project, jobs or os.cpu_count() or 1) as executor:
            return _Runner(project, executor, stages, strict, force, on_done).run(seed_names)


class _Runner:
    """Submits each step as soon as the steps it depends on have finished."""

    def __init__(self, project: Project, executor: Executor, stages: tuple[str, ...], strict: bool, force: bool,
                 on_done):
        self.project = project
        self.executor = executor
        self.stages = stages
        self.strict = strict
        self.force = force
        self.on_done = on_done
        self.results: dict[Step, Outcome] = {}
        self.running: dict[Future, Step] = {}
        self.failed: set[tuple[str, str | None]] = set()
        self.ingests: list[Step] = []
        self.seed_position: dict[str, int] = {}
        self.confirmed = 0  # ingests whose document id is settled, in seed order
        self.owners: dict[str, str] = {}

    def run(self, seed_names: list[str]) -> list[Outcome]:
        self.ingests = [Step("ingest", name) for name in seed_names]
        self.seed_position = {name: position for position, name in enumerate(seed_names)}
        for step in self.ingests:
            self._start(step)
        while self.running:
            done, _ = wait(self.running, return_when=FIRST_COMPLETED)
            for future in done:
                step = self.running.pop(future)
                self._finish(step, _collected(step, future))
        return [self.results[step] for step in sorted(self.results, key=self._planned_position)]

    def _start(self, step: Step) -> None:
        if (step.unit, step.lang) in self.failed:
            self._finish(step, Outcome(step.stage, step.label, "skipped", problems=[
                Problem("warning", "not built: an earlier step of this edition failed")]))
            return
        key = step_key(self.project, step, self.strict)
        state = _read_state(step.state_file(self.project))
        if not self.force and state.get("key") == key and all(Path(p).exists() for p in state["outputs"]):
            output = Path(state["outputs"][0]) if state["outputs"] else None
            self._finish(step, Outcome(step.stage, step.label, "skipped", output, details=state.get("details", {}),
                                       problems=[Problem(**found) for found in state.get("problems", [])]))
            return
        self.running[self.executor.submit(_execute, str(self.project.root), step, self.strict, key)] = step

    def _finish(self, step: Step, outcome: Outcome) -> None:
        self.results[step] = outcome
        if step.stage == "ingest":
            self._settle_ingests()
            return
        self._record(outcome, step)
        for stage in FOLLOWERS.get(step.stage, ()):
            if stage in self.stages:
                self._start(Step(stage, step.unit, step.lang))

    def _settle_ingests(self) -> None:
        """Settle finished ingests in seed order: a later seed claiming a taken document id fails."""
        while self.confirmed < len(self.ingests) and self.ingests[self.confirmed] in self.results:
            step = self.ingests[self.confirmed]
            self.confirmed += 1
            outcome = self.results[step]
            doc_id = _claim(outcome, self.owners, self.project)
            self._record(outcome, step)
            if doc_id and "merge" in self.stages:
                for lang in self.project.languages:
                    self._start(Step("merge", doc_id, lang))

    def _record(self, outcome: Outcome, step: Step) -> None:
        if outcome.status == "failed" and step.stage != "ingest":
            self.failed.add((step.unit, step.lang))
        if self.on_done:
            self.on_done(outcome)

    def _planned_position(self, step: Step) -> tuple:
        """Stage, then seed order for ingests, document and language order for the rest."""
        if step.stage == "ingest":
            return (STAGES.index(step.stage), self.seed_position[step.unit])
        return (STAGES.index(step.stage), step.unit, self.project.languages.index(step.lang))


def _claim(outcome: Outcome, owners: dict[str, str], project: Project) -> str | None:
    """The document id an ingest gives, or None if it failed or the id is taken (then it fails)."""
    doc_id = outcome.details.get("doc_id")
    if outcome.status == "failed" or not doc_id:
        return None
    if doc_id in owners:
        outcome.status = "failed"
        outcome.error = ValidationError(f"document id {doc_id!r} is already used by {owners[doc_id]}; "
                                        "set another id in a sidecar .meta.toml", project.seeds_dir / outcome.target)
        return None
    owners[doc_id] = outcome.target
    return doc_id


def _collected(step: Step, future: Future) -> Outcome:
    """The step's outcome; a worker lost for good or a crash fails this step only."""
    try:
        return future.result()
    except Exception as error:
        log.debug("%s %s did not finish", step.stage, step.label, exc_info=True)
        return Outcome(step.stage, step.label, "failed",
                       error=ToolError(f"{step.stage} step did not finish: {type(error).__name__}: {error}"))


def _execute(root: str, step: Step, strict: bool, key: str) -> Outcome:
    """Run one step wherever the executor placed it; its outputs and state are written there, atomically."""
    project = load_project(Path(root))
    action = {"ingest": _ingest_one, "merge": _merge_one, "edition": _edition_one,
              "pdf": _pdf_one, "epub": _epub_one}[step.stage]
    started, cpu = time.perf_counter(), _cpu_seconds()
    try:
        outcome = action(project, step, strict)
    except PressrunError as error:
        outcome = Outcome(step.stage, step.label, "failed", error=error)
    outcome.seconds, outcome.cpu_seconds = time.perf_counter() - started, _cpu_seconds() - cpu
    if outcome.status == "built":
        _write_state(step.state_file(project), key, outcome)
    return outcome


def _cpu_seconds() -> float:
    """CPU time of this process and of the subprocesses it has waited for."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@contextmanager
def build_lock(project: Project):
    """Serialize builds of one checkout: a second build waits for the first."""
    project.build_dir.mkdir(parents=True, exist_ok=True)
    with open(project.build_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another pressrun build is running in %s; waiting for it", project.root)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# Keys ------------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _file_digest(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _digest(path: Path) -> str:
    if not path.is_file():
        return "absent"
    stat = path.stat()
    return _file_digest(str(path), stat.st_size, stat.st_mtime_ns)


def _package_files(folder: str) -> list[Path]:
    return sorted(Path(str(item)) for item in (resources.files("pressrun") / folder).iterdir() if item.is_file())


def step_inputs(project: Project, step: Step) -> list[Path]:
    """The files a step reads."""
    doc, lang = step.unit, step.lang
    if step.stage == "ingest":
        seed = project.seeds_dir / doc
        return [seed, project.sidecar(seed), *_package_files("profiles"), *_package_files("rules")]
    if step.stage == "merge":
        return [project.master_path(doc), project.po_path(lang, doc),
                names.names_path(project.translations_dir, lang), *_package_files("rules")]
    strings = project.po_path(lang, edition.STRINGS_DOMAIN)
    if step.stage == "edition":
        return [project.master_path(doc, lang), strings,
                Path(str(resources.files("pressrun") / "rules" / catalogs.LANGUAGE_LABELS))]
    fonts = font_files()
    if step.stage == "pdf":
        return [html_path(project, doc, lang), *stylesheets(project, "print"), *fonts]
    return [html_path(project, doc, lang), project.master_path(doc, lang), strings,
            *stylesheets(project, "epub"), *fonts]


def step_key(project: Project, step: Step, strict: bool) -> str:
    """A hash of everything the step's output depends on."""
    digest = hashlib.sha256()
    settings = {"stage": step.stage, "unit": step.unit, "lang": step.lang, "pressrun": __version__,
                "languages": project.languages, "max_seed_bytes": project.max_seed_bytes, "strict": strict,
                "weasyprint": metadata.version("weasyprint"), "pandoc": _pandoc_version(), "harfbuzz": uharfbuzz.__version__,
                "source_date_epoch": project.source_date_epoch}
    if step.stage in ("edition", "epub"):
        settings["publication"] = completeness.publication(project, step.unit, step.lang)
    digest.update(json.dumps(settings, sort_keys=True).encode())
    for path in step_inputs(project, step):
        digest.update(f"{path.name}:{_digest(path)};".encode())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _pandoc_version() -> str:
    return pypandoc.get_pandoc_version()


def _read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_state(path: Path, key: str, outcome: Outcome) -> None:
    outputs = [str(outcome.output)] if outcome.output else []
    state = {"key": key, "outputs": outputs, "details": outcome.details,
             "problems": [problem.as_dict() for problem in outcome.problems]}
    write_atomic(path, json.dumps(state, ensure_ascii=False, sort_keys=True).encode())


# Steps ---------------------------------------------------------------------------------



def _masters(project: Project):
    """(doc_id, tree) for every source master, in a stable order."""
    for path in project.masters():
        tree = read_master(path)
        yield tree.getroot().get(XML_ID) or path.stem, tree


def _title(tree) -> str:
    return tree.xpath("string(/db:article/db:info/db:title)", namespaces=XPATH_NS)


def extract_catalogs(project: Project) -> list[Outcome]:
    """Write ``translations/<doc-id>.pot`` for every master."""
    outcomes = []
    for doc_id, tree in _masters(project):
        target = project.pot_path(doc_id)
        written = catalogs.write_catalog(target, catalogs.extract(tree, doc_id))
        outcomes.append(Outcome("extract", doc_id, "built" if written else "skipped", target))
    return outcomes


def update_catalogs(project: Project, compendia: list[Path] | None = None) -> list[Outcome]:
    """Create or update ``translations/<lang>/LC_MESSAGES/<doc-id>.po`` for every language,
    filling empty messages from the translation memory (other documents, then ``compendia``)."""
    outcomes = []
    units = {lang: memory.project_units(project.translations_dir, lang)
             + memory.compendium_units(list(compendia or []), lang) for lang in project.languages}
    for doc_id, tree in _masters(project):
        template = catalogs.extract(tree, doc_id)
        for lang in project.languages:
            target = project.po_path(lang, doc_id)
            try:
                old = catalogs.read_catalog(target, lang) if target.is_file() else None
                new = catalogs.update(catalogs.language_template(template, tree, lang), old, lang, doc_id,
                                      _title(tree))
                memory.prefill(new, units[lang], doc_id)
                written = catalogs.write_catalog(target, new)
                outcomes.append(Outcome("update", f"{doc_id} [{lang}]", "built" if written else "skipped", target))
            except PressrunError as error:
                outcomes.append(Outcome("update", f"{doc_id} [{lang}]", "failed", error=error))
    return outcomes


def memory_units(project: Project) -> list[tuple[str, str, memory.Unit]]:
    """Every reviewed translation of the project's documents as (source language, language, unit)."""
    found = []
    for doc_id, tree in _masters(project):
        source = tree.getroot().get(XML_LANG, "")
        for lang in project.languages:
            path = project.po_path(lang, doc_id)
            if lang != source and path.is_file():
                found += [(source, lang, unit) for unit in memory.units_of(catalogs.read_catalog(path, lang), doc_id)]
    return found


def catalog_stats(project: Project) -> list[catalogs.CatalogStats]:
    results = []
    for doc_id, _tree in _masters(project):
        for lang in project.languages:
            path = project.po_path(lang, doc_id)
            if not path.is_file():
                raise InputError("catalog missing: run `pressrun update`", path)
            results.append(catalogs.stats(catalogs.read_catalog(path, lang), doc_id, lang))
    for lang in project.languages:
        path = project.po_path(lang, edition.STRINGS_DOMAIN)
        if lang != edition.CODE_LANGUAGE and path.is_file():
            results.append(catalogs.stats(catalogs.read_catalog(path, lang), edition.STRINGS_DOMAIN, lang))
    return results


def _shown(project: Project, path: Path) -> str:
    try:
        return str(path.relative_to(project.root))
    except ValueError:
        return str(path)


# Edition strings (the "pressrun" domain) ------------------------------------------

def extract_strings(project: Project) -> list[Outcome]:
    """Extract the words editions add themselves into ``translations/pressrun.pot``
    and update ``translations/<lang>/LC_MESSAGES/pressrun.po``."""
    template = catalogs.extract_code_strings(project.languages)
    outcomes = []
    target = project.pot_path(edition.STRINGS_DOMAIN)
    written = catalogs.write_catalog(target, template)
    outcomes.append(Outcome("extract", edition.STRINGS_DOMAIN, "built" if written else "skipped", target))
    for lang in project.languages:
        if lang == edition.CODE_LANGUAGE:
            continue
        path = project.po_path(lang, edition.STRINGS_DOMAIN)
        label = f"{edition.STRINGS_DOMAIN} [{lang}]"
        try:
            old = catalogs.read_catalog(path, lang) if path.is_file() else None
            new = catalogs.update(template, old, lang, edition.STRINGS_DOMAIN, "pressrun edition strings")
            written = catalogs.write_catalog(path, new)
            outcomes.append(Outcome("update", label, "built" if written else "skipped", path))
        except PressrunError as error:
            outcomes.append(Outcome("update", label, "failed", error=error))
    return outcomes


def _ingest_one(project: Project, step: Step, strict: bool) -> Outcome:
    seed = project.seeds_dir / step.unit
    try:
        doc, report = ingest(seed, max_bytes=project.max_seed_bytes, sidecar=project.sidecar(seed))
        tree = build_master(doc)
        errors = validate(tree)
        if errors:
            raise ValidationError(f"master is not valid DocBook 5.0: {errors[0]}", seed)
    except PressrunError as error:
        if error.path is None:
            error.path = seed
        raise
    target = project.master_path(doc.doc_id)
    write_atomic(target, serialize(tree))
    write_atomic(project.report_path(doc.doc_id, "ingest"), report.to_json().encode())
    shown = [replace(problem, path=_shown(project, seed)) for problem in report.problems]
    return Outcome("ingest", step.label, "built", target, shown,
                   details={"doc_id": doc.doc_id, "profile": report.profile})


def _merge_one(project: Project, step: Step, strict: bool) -> Outcome:
    doc_id, lang = step.unit, step.lang
    po_path = project.po_path(lang, doc_id)
    catalog = catalogs.read_catalog(po_path, lang) if po_path.is_file() else None
    translated, report = merge(read_master(project.master_path(doc_id)), catalog, lang, _shown(project, po_path),
                               doc_id)
    if edition.original_language(translated):
        names.localize_names(translated, names.read_names(names.names_path(project.translations_dir, lang)), lang)
    if catalog is None:
        report.problems.append(Problem("warning", "no catalog yet: run `pressrun update`", _shown(project, po_path)))
    errors = validate(translated)
    if errors:
        raise ValidationError(f"translated master is not valid DocBook 5.0: {errors[0]}", po_path)
    if report.fallbacks:
        report.problems.append(Problem(
            "error" if strict else "warning",
            f"{report.fallbacks} segment(s) shown in the source language "
            f"({report.untranslated} untranslated, {report.fuzzy} fuzzy, {report.rejected} rejected)",
            _shown(project, po_path)))
    target = project.master_path(doc_id, lang)
    write_atomic(target, serialize(translated))
    write_atomic(project.report_path(doc_id, f"{lang}.merge"),
                 (json.dumps(report.as_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode())
    error = None
    if strict and report.fallbacks:
        error = InputError(f"--strict: {report.fallbacks} segment(s) not translated", po_path)
    return Outcome("merge", step.label, "failed" if error else "built", target, report.problems, error,
                   details=report.as_dict())


def html_path(project: Project, doc_id: str, lang: str) -> Path:
    return project.build_dir / "html" / lang / f"{doc_id}.xhtml"


def pdf_path(project: Project, doc_id: str, lang: str) -> Path:
    return project.build_dir / "pdf" / lang / f"{doc_id}.pdf"


def epub_path(project: Project, doc_id: str, lang: str) -> Path:
    return project.build_dir / "epub" / lang / f"{doc_id}.epub"


def stylesheets(project: Project, medium: str) -> list[Path]:
    """The shared stylesheet, the medium's layer, then every per-language layer."""
    return [project.styles_dir / "edition.css", project.styles_dir / f"{medium}.css",
            *sorted(project.styles_dir.glob("lang-*.css"))]


def _edition_context(project: Project, doc_id: str, lang: str):
    """The translated master, its EditionInfo and the edition strings of ``lang``."""
    master_file = project.master_path(doc_id, lang)
    if not master_file.is_file():
        raise InputError("translated master missing: run `pressrun merge`", master_file)
    master = read_master(master_file)
    publication = completeness.publication(project, doc_id, lang)
    info = edition.edition_info(master, doc_id, lang, publication["published"],
                                edition.edition_date(project.source_date_epoch), publication["draft_percent"])
    info.translation_state = (publication["translated_percent"], publication["fallbacks"])
    strings = edition.load_strings(project.po_path(lang, edition.STRINGS_DOMAIN))
    return master, info, strings


def _epoch(info: edition.EditionInfo) -> int:
    return int(datetime.fromisoformat(info.edition_date).replace(tzinfo=timezone.utc).timestamp())


def _edition_one(project: Project, step: Step, strict: bool) -> Outcome:
    master, info, strings = _edition_context(project, step.unit, step.lang)
    target = html_path(project, step.unit, step.lang)
    write_atomic(target, edition.build_edition(master, info, strings))
    return Outcome("edition", step.label, "built", target)


def _pdf_one(project: Project, step: Step, strict: bool) -> Outcome:
    from . import pdf  # WeasyPrint takes half a second to import; builds with no PDF to render skip it
    doc_id, lang = step.unit, step.lang
    hyphenation.register(project.build_dir / "hyphenation")
    _master, info, _strings = _edition_context(project, doc_id, lang)
    source = html_path(project, doc_id, lang)
    result = pdf.render_pdf(source.read_bytes(), source, stylesheets(project, "print"), [project.root],
                            info.identifier, _epoch(info))
    target = pdf_path(project, doc_id, lang)
    write_atomic(target, result.data)
    problems = [Problem("warning", f"refused to fetch {url}", _shown(project, source)) for url in result.refused]
    return Outcome("pdf", step.label, "built", target, problems, details={"pages": result.pages})


def _epub_one(project: Project, step: Step, strict: bool) -> Outcome:
    doc_id, lang = step.unit, step.lang
    master, info, strings = _edition_context(project, doc_id, lang)
    cover_alt = strings.gettext("Cover: {title}").format(title=info.title)
    relations = [f"{edition.edition_identifier(doc_id, other)} ({other})" for other in info.siblings]
    data = epub.build_epub(html_path(project, doc_id, lang).read_bytes(), info, master,
                           [project.styles_dir / "edition.css", project.styles_dir / "epub.css"],
                           edition.language_name(lang, lang), cover_alt, relations, _epoch(info))
    target = epub_path(project, doc_id, lang)
    write_atomic(target, data)
    return Outcome("epub", step.label, "built", target)


# Conveniences for one stage at a time (the library API and the tests use them) --------

def _only(outcomes: list[Outcome], stage: str) -> list[Outcome]:
    return [outcome for outcome in outcomes if outcome.step == stage]


def ingest_seeds(project: Project, seeds: list[Path] | None = None, **options) -> list[Outcome]:
    return _only(run(project, ("ingest",), seeds=seeds, **options), "ingest")


def merge_translations(project: Project, strict: bool = False, **options) -> list[Outcome]:
    return _only(run(project, TARGETS["master"], strict=strict, **options), "merge")


def build_pdfs(project: Project, **options) -> list[Outcome]:
    return _only(run(project, TARGETS["pdf"], **options), "pdf")


def build_epubs(project: Project, **options) -> list[Outcome]:
    return _only(run(project, TARGETS["epub"], **options), "epub")
