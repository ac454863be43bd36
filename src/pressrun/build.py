"""Build: runs the stages over every document and collects their outcomes.

In: a :class:`~pressrun.config.Project`.  Out: the artifacts under
``build/`` and a list of :class:`Outcome` records (what was built, skipped or
failed, and the problems found), which the command line shows as a summary.
One document's failure never stops the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import json
from datetime import datetime, timezone

from . import catalogs
from .config import Project
from .errors import InputError, PressrunError, Problem, ValidationError
from .ingest import ingest
from .master import build_master, read_master, serialize, validate
from . import edition, epub, hyphenation, pdf
from .merge import merge
from .model import XML_ID, XPATH_NS
from .outputs import write_atomic

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


def ingest_seeds(project: Project, seeds: list[Path] | None = None) -> list[Outcome]:
    """Ingest each seed into ``build/master/<doc-id>.xml`` with its report."""
    outcomes: list[Outcome] = []
    seen: dict[str, str] = {}
    for seed in seeds or project.seeds():
        try:
            doc, report = ingest(seed, max_bytes=project.max_seed_bytes, sidecar=project.sidecar(seed))
            if doc.doc_id in seen:
                raise ValidationError(f"document id {doc.doc_id!r} is already used by {seen[doc.doc_id]}; "
                                      "set another id in a sidecar .meta.toml", seed)
            seen[doc.doc_id] = seed.name
            tree = build_master(doc)
            errors = validate(tree)
            if errors:
                raise ValidationError(f"master is not valid DocBook 5.0: {errors[0]}", seed)
            target = project.master_path(doc.doc_id)
            write_atomic(target, serialize(tree))
            write_atomic(project.report_path(doc.doc_id, "ingest"), report.to_json().encode())
            outcomes.append(Outcome("ingest", seed.name, "built", target, report.problems,
                                    details={"doc_id": doc.doc_id, "profile": report.profile}))
        except PressrunError as error:
            if error.path is None:
                error.path = seed
            outcomes.append(Outcome("ingest", seed.name, "failed", error=error))
    return outcomes


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


def update_catalogs(project: Project) -> list[Outcome]:
    """Create or update ``translations/<lang>/LC_MESSAGES/<doc-id>.po`` for every language."""
    outcomes = []
    for doc_id, tree in _masters(project):
        template = catalogs.extract(tree, doc_id)
        for lang in project.languages:
            target = project.po_path(lang, doc_id)
            try:
                old = catalogs.read_catalog(target, lang) if target.is_file() else None
                new = catalogs.update(catalogs.language_template(template, tree, lang), old, lang, doc_id,
                                      _title(tree))
                written = catalogs.write_catalog(target, new)
                outcomes.append(Outcome("update", f"{doc_id} [{lang}]", "built" if written else "skipped", target))
            except PressrunError as error:
                outcomes.append(Outcome("update", f"{doc_id} [{lang}]", "failed", error=error))
    return outcomes


def merge_translations(project: Project, strict: bool = False) -> list[Outcome]:
    """Write the translated masters ``build/master/<lang>/<doc-id>.xml``."""
    outcomes = []
    for doc_id, tree in _masters(project):
        for lang in project.languages:
            outcomes.append(_merge_one(project, doc_id, tree, lang, strict))
    return outcomes


def _merge_one(project: Project, doc_id: str, tree, lang: str, strict: bool) -> Outcome:
    label = f"{doc_id} [{lang}]"
    po_path = project.po_path(lang, doc_id)
    try:
        catalog = catalogs.read_catalog(po_path, lang) if po_path.is_file() else None
        translated, report = merge(tree, catalog, lang, _shown(project, po_path), doc_id)
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
        return Outcome("merge", label, "failed" if error else "built", target, report.problems, error,
                       details=report.as_dict())
    except PressrunError as error:
        return Outcome("merge", label, "failed", error=error)


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
    template = catalogs.extract_code_strings()
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


# Editions --------------------------------------------------------------------------

def html_path(project: Project, doc_id: str, lang: str) -> Path:
    return project.build_dir / "html" / lang / f"{doc_id}.xhtml"


def pdf_path(project: Project, doc_id: str, lang: str) -> Path:
    return project.build_dir / "pdf" / lang / f"{doc_id}.pdf"


def stylesheets(project: Project, medium: str) -> list[Path]:
    """The shared stylesheet, the medium's layer, then every per-language layer."""
    return [project.styles_dir / "edition.css", project.styles_dir / f"{medium}.css",
            *sorted(project.styles_dir.glob("lang-*.css"))]


def build_pdfs(project: Project) -> list[Outcome]:
    """Edition XHTML and PDF for every translated master."""
    hyphenation.register(project.build_dir / "hyphenation")
    outcomes = []
    for doc_id, _tree in _masters(project):
        for lang in project.languages:
            outcomes.append(_pdf_one(project, doc_id, lang))
    return outcomes


def _edition_xhtml(project: Project, doc_id: str, lang: str):
    """Write the edition XHTML; returns its bytes, its EditionInfo and the translated master."""
    master_file = project.master_path(doc_id, lang)
    if not master_file.is_file():
        raise InputError("translated master missing: run `pressrun merge`", master_file)
    master = read_master(master_file)
    pubdate = master.xpath("string(/db:article/db:info/db:pubdate)", namespaces=XPATH_NS)
    info = edition.edition_info(master, doc_id, lang, list(project.languages), edition.edition_date(pubdate))
    strings = edition.load_strings(project.po_path(lang, edition.STRINGS_DOMAIN))
    data = edition.build_edition(master, info, strings)
    target = html_path(project, doc_id, lang)
    write_atomic(target, data)
    return data, info, master


def _epoch(info: edition.EditionInfo) -> int:
    return int(datetime.fromisoformat(info.edition_date).replace(tzinfo=timezone.utc).timestamp())


def _pdf_one(project: Project, doc_id: str, lang: str) -> Outcome:
    label = f"{doc_id} [{lang}]"
    try:
        xhtml, info, _master = _edition_xhtml(project, doc_id, lang)
        target = pdf_path(project, doc_id, lang)
        result = pdf.render_pdf(xhtml, html_path(project, doc_id, lang), stylesheets(project, "print"),
                                [project.root], info.identifier, _epoch(info))
        write_atomic(target, result.data)
        problems = [Problem("warning", f"refused to fetch {url}", _shown(project, html_path(project, doc_id, lang)))
                    for url in result.refused]
        return Outcome("pdf", label, "built", target, problems, details={"pages": result.pages})
    except PressrunError as error:
        return Outcome("pdf", label, "failed", error=error)


def epub_path(project: Project, doc_id: str, lang: str) -> Path:
    return project.build_dir / "epub" / lang / f"{doc_id}.epub"


def build_epubs(project: Project) -> list[Outcome]:
    """Edition XHTML and EPUB for every translated master."""
    outcomes = []
    for doc_id, _tree in _masters(project):
        for lang in project.languages:
            outcomes.append(_epub_one(project, doc_id, lang))
    return outcomes


def _epub_one(project: Project, doc_id: str, lang: str) -> Outcome:
    label = f"{doc_id} [{lang}]"
    try:
        xhtml, info, master = _edition_xhtml(project, doc_id, lang)
        strings = edition.load_strings(project.po_path(lang, edition.STRINGS_DOMAIN))
        language_name = edition.language_name(lang, lang)
        cover_alt = strings.gettext("Cover: {title}").format(title=info.title)
        relations = [f"{edition.edition_identifier(doc_id, other)} ({other})" for other in info.siblings]
        data = epub.build_epub(xhtml, info, master, [project.styles_dir / "edition.css",
                                                     project.styles_dir / "epub.css"],
                               language_name, cover_alt, relations, _epoch(info))
        target = epub_path(project, doc_id, lang)
        write_atomic(target, data)
        return Outcome("epub", label, "built", target)
    except PressrunError as error:
        return Outcome("epub", label, "failed", error=error)
