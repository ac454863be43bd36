"""Stages: what each build step is, and the functions that run one step.

In: a :class:`~pressrun.config.Project` and a :class:`Step` (a stage and its
unit: a seed file, or a document and language).  Out: the step's files on
disk, written atomically, and an :class:`Outcome`.

:data:`STAGE_TABLE` declares each stage once: its name, what its steps are
made of (one per seed, or one per document and language), what a finished
step makes ready, its outputs and its run function.  The engine
(:mod:`pressrun.engine.build`) only schedules from this table; a step records the
files and settings it reads as it reads them (:mod:`pressrun.engine.dependencies`),
so the table needs no list of inputs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, TypedDict

from ..config import Project
from ..document.master import build_master, read_master, serialize, validate
from ..editions import edition, epub, hyphenation, pagemap
from ..errors import InputError, PressrunError, Problem, ValidationError
from ..sources.ingest import ingest
from ..translation import catalogs, completeness, names
from ..translation.merge import merge
from . import dependencies
from .outputs import write_atomic


class StepDetails(TypedDict, total=False):
    """What a step reports besides its status, kept in its state and shown by the summary."""

    doc_id: str  # ingest: the document id the seed gives
    profile: str  # ingest: the source profile that read it
    pages: int  # pdf: the page count
    files: int  # dist: files in the release
    # merge: the merge report (its language, counts and problems)
    lang: str
    problems: list[dict]
    translated: int
    fuzzy: int
    fuzzy_in_use: int
    untranslated: int
    rejected: int
    passed_through: int


@dataclass
class Outcome:
    """What became of one step: built, skipped (up to date, or blocked by a failed step) or failed."""

    step: str
    target: str
    status: str  # "built", "skipped" or "failed"
    output: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    error: PressrunError | None = None
    details: StepDetails = field(default_factory=dict)
    seconds: float = 0.0  # how long the step ran where it ran (0 for a step not run)
    cpu_seconds: float = 0.0  # CPU time it used there, its subprocesses (pandoc) included


@dataclass(frozen=True)
class Step:
    """One unit of work: a stage applied to a seed, or to a document in one language."""

    stage: str
    unit: str  # the seed's file name for ingest, the document id otherwise
    lang: str | None = None

    @property
    def priority(self) -> int:
        """Dask task priority: the closer to a finished edition, the sooner it runs."""
        return STAGE_TABLE[self.stage].priority

    @property
    def label(self) -> str:
        return self.unit if self.lang is None else f"{self.unit} [{self.lang}]"

    def state_file(self, project: Project) -> Path:
        name = self.unit if self.lang is None else f"{self.unit}.{self.lang}"
        return project.build_dir / ".state" / self.stage / f"{name}.json"


# Steps ---------------------------------------------------------------------------------

def run_ingest(project: Project, step: Step, strict: bool) -> Outcome:
    seed = project.seeds_dir / step.unit
    try:
        doc, report = ingest(seed, max_bytes=dependencies.uses("max_seed_bytes", project.max_seed_bytes),
                             sidecar=project.sidecar(seed))
        tree = build_master(doc)
        errors = validate(tree)
        if errors:
            raise ValidationError(f"master is not valid DocBook 5.0: {errors[0]}", seed)
    except PressrunError as error:
        if error.path is None:
            error.path = seed
        raise
    staging = project.staging_dir("ingest", step.unit)
    write_atomic(staging / "master.xml", serialize(tree))
    write_atomic(staging / "report.json", report.to_json().encode())
    target = project.master_path(doc.doc_id)
    shown = [replace(problem, path=project.shown(seed)) for problem in report.problems]
    return Outcome("ingest", step.label, "built", target, shown,
                   details={"doc_id": doc.doc_id, "profile": report.profile})


def publish_ingest(project: Project, step: Step, outcome: Outcome) -> None:
    """Move an accepted ingest's master and report from staging to their places.

    An ingest writes to staging so that a seed whose document id turns out to
    be taken never overwrites the master of the seed that owns the id.
    """
    staging, doc_id = project.staging_dir("ingest", step.unit), outcome.details["doc_id"]
    for name, target in (("report.json", project.report_path(doc_id, "ingest")),
                         ("master.xml", project.master_path(doc_id))):
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, target)


def run_merge(project: Project, step: Step, strict: bool) -> Outcome:
    doc_id, lang = step.unit, step.lang
    po_path = project.po_path(lang, doc_id)
    catalog = catalogs.read_catalog(po_path, lang) if dependencies.note(po_path).is_file() else None
    dependencies.uses("strict", strict)
    translated, report = merge(read_master(project.master_path(doc_id)), catalog, lang, project.shown(po_path),
                               doc_id)
    if edition.original_language(translated):
        names.localize_names(translated, names.read_names(names.names_path(project.translations_dir, lang)), lang)
    if catalog is None:
        report.problems.append(Problem("warning", "no catalog yet: run `pressrun update`", project.shown(po_path)))
    errors = validate(translated)
    if errors:
        raise ValidationError(f"translated master is not valid DocBook 5.0: {errors[0]}", po_path)
    if report.fallbacks:
        report.problems.append(Problem(
            "error" if strict else "warning",
            f"{report.fallbacks} segment(s) shown in the source language "
            f"({report.untranslated} untranslated, {report.fuzzy} fuzzy, {report.rejected} rejected)",
            project.shown(po_path)))
    target = project.master_path(doc_id, lang)
    write_atomic(target, serialize(translated))
    write_atomic(project.report_path(doc_id, f"{lang}.merge"),
                 (json.dumps(report.as_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode())
    error = None
    if strict and report.fallbacks:
        error = InputError(f"--strict: {report.fallbacks} segment(s) not translated", po_path)
    return Outcome("merge", step.label, "failed" if error else "built", target, report.problems, error,
                   details=report.as_dict())


def edition_context(project: Project, doc_id: str, lang: str):
    """The translated master, its EditionInfo and the edition strings of ``lang`` (the edition step's inputs)."""
    master_file = project.master_path(doc_id, lang)
    if not master_file.is_file():
        raise InputError("translated master missing: run `pressrun merge`", master_file)
    master = read_master(master_file)
    dependencies.uses("languages", list(project.languages))
    epoch = dependencies.uses("source_date_epoch", project.source_date_epoch)
    publication = completeness.publication(project, doc_id, lang)
    info = edition.edition_info(master, doc_id, lang, publication["published"], edition.edition_date(epoch),
                                publication["draft_percent"])
    info.translation_state = (publication["translated_percent"], publication["fallbacks"])
    strings = edition.load_strings(project.po_path(lang, edition.STRINGS_DOMAIN))
    return master, info, strings


def edition_epoch(info: edition.EditionInfo) -> int:
    return int(datetime.fromisoformat(info.edition_date).replace(tzinfo=timezone.utc).timestamp())


def edition_record(project: Project, doc_id: str, lang: str) -> tuple[bytes, edition.EditionInfo]:
    """What every writer reads: the edition XHTML and its metadata record (never the master)."""
    for path in (project.edition_path(doc_id, lang), project.edition_info_path(doc_id, lang)):
        if not dependencies.note(path).is_file():
            raise InputError("edition missing: run `pressrun all --force`", path)
    xhtml = dependencies.read_bytes(project.edition_path(doc_id, lang))
    return xhtml, edition.read_info(dependencies.read_bytes(project.edition_info_path(doc_id, lang)))


def run_edition(project: Project, step: Step, strict: bool) -> Outcome:
    master, info, strings = edition_context(project, step.unit, step.lang)
    target = project.edition_path(step.unit, step.lang)
    write_atomic(project.edition_info_path(step.unit, step.lang),
                 edition.info_json(edition.for_writers(info, master, strings)))
    write_atomic(target, edition.build_edition(master, info, strings))
    return Outcome("edition", step.label, "built", target)


def run_pdf(project: Project, step: Step, strict: bool) -> Outcome:
    from ..editions import pdf  # WeasyPrint takes half a second to import; builds with no PDF skip it
    doc_id, lang = step.unit, step.lang
    hyphenation.register(project.build_dir / "hyphenation")
    xhtml, info = edition_record(project, doc_id, lang)
    source = project.edition_path(doc_id, lang)
    result = pdf.render_pdf(xhtml, source, project.stylesheets("print"), [project.root], info.identifier,
                            edition_epoch(info))
    target = project.pdf_path(doc_id, lang)
    write_atomic(project.page_map_path(doc_id, lang), pagemap.to_json(result.page_starts))
    write_atomic(target, pdf.finish(result.data, info))
    problems = [Problem("warning", f"refused to fetch {url}", project.shown(source)) for url in result.refused]
    return Outcome("pdf", step.label, "built", target, problems, details={"pages": result.pages})


def run_epub(project: Project, step: Step, strict: bool) -> Outcome:
    doc_id, lang = step.unit, step.lang
    xhtml, info = edition_record(project, doc_id, lang)
    page_map = project.page_map_path(doc_id, lang)
    if not dependencies.note(page_map).is_file():
        raise InputError("page map of the PDF missing: run `pressrun pdf`", page_map)
    data = epub.build_epub(xhtml, info, project.stylesheets("epub"), edition_epoch(info),
                           pagemap.from_json(dependencies.read_bytes(page_map)))
    target = project.epub_path(doc_id, lang)
    write_atomic(target, data)
    return Outcome("epub", step.label, "built", target)


@dataclass(frozen=True)
class Stage:
    """One stage of the pipeline, as the engine schedules it."""

    name: str
    run: Callable[[Project, Step, bool], Outcome]
    per: str  # "seed": one step per seed file; "edition": one per document and language
    then: tuple[str, ...]  # the stages a finished step makes ready, for the same document and language
    priority: int  # Dask task priority: nearer a finished edition runs sooner
    outputs: Callable[[Project, str, str | None], list[Path]]  # the files a step of an edition writes
    publish: Callable[[Project, Step, Outcome], None] | None = None  # run by the engine once it accepts the step
    preload: tuple[str, ...] = ()  # modules slow to import that the executor may load once for every worker


def _no_outputs(project: Project, unit: str, lang: str | None) -> list[Path]:
    return []


STAGE_TABLE: dict[str, Stage] = {stage.name: stage for stage in (
    Stage("ingest", run_ingest, "seed", ("merge",), 0, _no_outputs, publish_ingest),
    Stage("merge", run_merge, "edition", ("edition",), 1, lambda p, doc, lang: [p.master_path(doc, lang)]),
    Stage("edition", run_edition, "edition", ("pdf",), 2,
          lambda p, doc, lang: [p.edition_path(doc, lang), p.edition_info_path(doc, lang)]),
    # the EPUB's page list follows the PDF's pages, so the PDF comes first
    Stage("pdf", run_pdf, "edition", ("epub",), 3,
          lambda p, doc, lang: [p.pdf_path(doc, lang), p.page_map_path(doc, lang)],
          preload=("pressrun.editions.pdf",)),
    Stage("epub", run_epub, "edition", (), 4, lambda p, doc, lang: [p.epub_path(doc, lang)]),
)}
STAGES = tuple(STAGE_TABLE)
#: What each command builds.
TARGETS = {
    "master": ("ingest", "merge"),
    "pdf": ("ingest", "merge", "edition", "pdf"),
    "epub": ("ingest", "merge", "edition", "pdf", "epub"),
    "all": STAGES,
}
