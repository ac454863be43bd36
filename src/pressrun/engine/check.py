"""Check: the release gates every edition must pass before it ships.

In: a built project (``make all`` first).  Out: a list of :class:`Gate`
results, each passed or failed with the findings that failed it; the
command line prints them as a table or JSON and exits non-zero when any gate
fails.  The gates use the same validators as the tests: the DocBook 5.0
RELAX NG, ``msgfmt -c`` and the readers of :mod:`pressrun.engine.inspection`
(EPUBCheck on a Java runtime from PyPI, PDFium, pikepdf, DAISY Ace on
Node.js from PyPI and Debian's Chromium) and calibre's reading of every file's
metadata (:mod:`pressrun.engine.librarymeta`); the terminology
gate holds every translated message to ``translations/glossary.tbx``
(:mod:`pressrun.translation.terminology`).  A missing tool
fails its gate with a line saying where it comes from; it is never skipped.
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from ..config import Project
from ..document.its import running_paragraphs
from ..document.master import read_master, safe_parser, validate
from ..editions import edition
from ..errors import PressrunError, ToolError
from ..translation import catalogs, commands, terminology
from ..translation.merge import RejectedTranslation, checked_translation
from . import inspection, librarymeta


@dataclass
class Gate:
    name: str
    checked: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def as_dict(self) -> dict:
        return {"gate": self.name, "passed": self.passed, "checked": self.checked, "failures": self.failures}


def run_checks(project: Project, min_complete: float | None = None) -> list[Gate]:
    threshold = project.min_complete if min_complete is None else min_complete
    editions = _editions(project)
    return [_masters_valid(project), _catalogs_compile(project), _tags_consistent(project),
            terminology_gate(project), _complete(project, threshold), _epubcheck(project, editions),
            _ace(project, editions), _pdfs_sound(project, editions), _consistent(project, editions),
            _library_metadata(project, editions)]


def _editions(project: Project) -> list[tuple[str, str]]:
    return [(path.stem, lang) for path in project.masters() for lang in project.languages]


def _built_files(project: Project, gate: Gate, editions: list[tuple[str, str]],
                 path_of: Callable[[Project, str, str], Path]) -> Iterator[tuple[Path, str]]:
    """(path, language) of each edition's file; a missing one fails the gate."""
    for doc_id, lang in editions:
        path = path_of(project, doc_id, lang)
        gate.checked += 1
        if path.is_file():
            yield path, lang
        else:
            gate.failures.append(f"{project.shown(path)}: missing")


def _tool(gate: Gate, name: str) -> str | None:
    try:
        return inspection.command(name)
    except ToolError as error:
        gate.failures.append(str(error))
        return None


def _masters_valid(project: Project) -> Gate:
    gate = Gate("masters valid DocBook 5.0")
    paths = project.masters() + sorted((project.build_dir / "master").glob("*/*.xml"))
    if not paths:
        gate.failures.append("no masters: run `make all` first")
    for path in paths:
        gate.checked += 1
        try:
            errors = validate(read_master(path))
        except PressrunError as error:
            errors = [str(error)]
        gate.failures += [f"{project.shown(path)}:{error}" for error in errors[:3]]
    return gate


def _po_files(project: Project) -> list[Path]:
    return sorted(project.translations_dir.glob("*/LC_MESSAGES/*.po"))


def _catalogs_compile(project: Project) -> Gate:
    gate = Gate("msgfmt -c on every catalog")
    msgfmt = _tool(gate, "msgfmt")
    for path in _po_files(project) if msgfmt else []:
        gate.checked += 1
        result = subprocess.run([msgfmt, "-c", "--check-format", "-o", "/dev/null", project.shown(path)],
                                capture_output=True, text=True, cwd=project.root)
        if result.returncode:
            gate.failures.append(result.stderr.strip().splitlines()[0])
    return gate


def _tags_consistent(project: Project) -> Gate:
    gate = Gate("inline tags of every translation")
    for path in _po_files(project):
        try:
            catalog = catalogs.read_catalog(path)
        except PressrunError as error:
            gate.failures.append(str(error))
            continue
        for message in catalog:
            if message.id and message.string:
                gate.checked += 1
                try:
                    checked_translation(message.id, message.string)
                except RejectedTranslation as problem:
                    gate.failures.append(f"{project.shown(path)}:{message.lineno}: {problem}")
    return gate


def glossary_path(project: Project) -> Path:
    return project.translations_dir / "glossary.tbx"


def terminology_gate(project: Project) -> Gate:
    """Every translated message uses the glossary's target terms and none of its forbidden ones."""
    gate = Gate("terminology of translations/glossary.tbx")
    path = glossary_path(project)
    if not path.is_file():
        return gate
    try:
        termbase = terminology.read_termbase(path)
    except PressrunError as error:
        gate.failures.append(str(error))
        return gate
    for po in _po_files(project):
        lang = po.parent.parent.name
        if lang == termbase.source_lang or po.stem == edition.STRINGS_DOMAIN:
            continue
        try:
            catalog = catalogs.read_catalog(po, lang)
        except PressrunError as error:
            gate.failures.append(str(error))
            continue
        gate.checked += 1
        gate.failures += [f"{project.shown(po)}:{found.line}: {found.message}"
                          for found in terminology.check_catalog(catalog, lang, termbase)]
    return gate


def _complete(project: Project, threshold: float) -> Gate:
    gate = Gate(f"translations at least {threshold:g}% complete")
    try:
        results = commands.catalog_stats(project)
    except PressrunError as error:
        gate.failures.append(str(error))
        return gate
    for result in results:
        gate.checked += 1
        if result.percent < threshold:
            gate.failures.append(f"{result.doc_id} [{result.lang}] is {result.percent:.1f}% complete")
    return gate


def _epubcheck(project: Project, editions: list[tuple[str, str]]) -> Gate:
    gate = Gate("EPUBCheck: no error, no warning")
    try:
        inspection.java(), inspection.epubcheck_jar()
    except ToolError as error:
        gate.failures.append(str(error))
        return gate
    for path, _ in _built_files(project, gate, editions, Project.epub_path):
        result = inspection.epubcheck(path)
        if not result.clean:
            gate.failures.append(f"{project.shown(path)}: {result.first_message}")
    return gate


def _ace(project: Project, editions: list[tuple[str, str]]) -> Gate:
    gate = Gate("DAISY Ace: no accessibility violation")
    try:
        inspection.ace_tools()
    except ToolError as error:
        gate.failures.append(str(error))
        return gate
    for path, _ in _built_files(project, gate, editions, Project.epub_path):
        try:
            violations = inspection.ace(path)
        except ToolError as error:
            gate.failures.append(f"{project.shown(path)}: {error.message}")
            continue
        gate.failures += [f"{project.shown(path)}: {violation}" for violation in violations]
    return gate


def _pdfs_sound(project: Project, editions: list[tuple[str, str]]) -> Gate:
    gate = Gate("PDF tagged, fonts embedded, metadata present")
    try:
        import pikepdf
    except ImportError:
        gate.failures.append("the Python package pikepdf is not installed (pip install -e '.[check]')")
        return gate
    for path, lang in _built_files(project, gate, editions, Project.pdf_path):
        with pikepdf.open(path) as document:
            for name in ("/Title", "/Author", "/Producer", "/CreationDate"):
                if not str(document.docinfo.get(name, "")).strip():
                    gate.failures.append(f"{project.shown(path)}: no {name[1:]}")
            if "/StructTreeRoot" not in document.Root or not document.Root.get("/MarkInfo", {}).get("/Marked"):
                gate.failures.append(f"{project.shown(path)}: not tagged")
            if str(document.Root.get("/Lang", "")) != lang:
                gate.failures.append(f"{project.shown(path)}: /Lang is not {lang}")
        for font in inspection.pdf_fonts(path):
            if not font.embedded:
                gate.failures.append(f"{project.shown(path)}: font {font.name} not embedded")
    return gate


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def _consistent(project: Project, editions: list[tuple[str, str]]) -> Gate:
    """Every paragraph of the translated master is in both the PDF and the EPUB."""
    gate = Gate("PDF and EPUB carry the same paragraphs")
    for doc_id, lang in editions:
        pdf_file, epub_file = project.pdf_path(doc_id, lang), project.epub_path(doc_id, lang)
        master_file = project.master_path(doc_id, lang)
        if not (pdf_file.is_file() and epub_file.is_file() and master_file.is_file()):
            gate.failures.append(f"{doc_id} [{lang}]: an edition is missing")
            continue
        try:
            pdf_text = _letters(inspection.pdf_text(pdf_file))
        except ToolError as error:
            gate.failures.append(str(error))
            return gate
        with zipfile.ZipFile(epub_file) as archive:
            epub_text = _letters("".join("".join(etree.fromstring(archive.read(name), safe_parser()).itertext())
                                         for name in archive.namelist() if name.endswith(".xhtml")))
        for para in running_paragraphs(read_master(master_file)):
            gate.checked += 1
            words = _letters("".join(para.itertext()))
            if words[:80] not in pdf_text or words not in epub_text:
                gate.failures.append(f"{doc_id} [{lang}]: paragraph {''.join(para.itertext())[:40]!r} differs")
    return gate


def _library_metadata(project: Project, editions: list[tuple[str, str]]) -> Gate:
    """calibre reads title, authors, language, publisher, date, identifier and series as the edition's record says."""
    gate = Gate("calibre reads every edition's metadata")
    try:
        for tool in ("ebook-meta", "calibre-debug"):
            inspection.command(tool)
    except ToolError as error:
        gate.failures.append(str(error))
        return gate
    files = list(_files_with_record(project, gate, editions))
    epubs = [path for path, _ in files if path.suffix == ".epub"]
    try:
        uuids = dict(zip(epubs, librarymeta.epub_uuids(epubs)))
    except ToolError as error:
        gate.failures.append(str(error))
        return gate
    for path, info in files:
        try:
            problems = librarymeta.mismatches(librarymeta.read(path, uuids.get(path)), info)
        except ToolError as error:
            problems = [error.message]
        gate.failures += [f"{project.shown(path)}: {problem}" for problem in problems]
    return gate


def _files_with_record(project: Project, gate: Gate,
                       editions: list[tuple[str, str]]) -> Iterator[tuple[Path, edition.EditionInfo]]:
    """(path, metadata record) of each edition's PDF and EPUB; a missing file or record fails the gate."""
    for doc_id, lang in editions:
        record = project.edition_info_path(doc_id, lang)
        for path in (project.pdf_path(doc_id, lang), project.epub_path(doc_id, lang)):
            gate.checked += 1
            if path.is_file() and record.is_file():
                yield path, edition.read_info(record.read_bytes())
            else:
                gate.failures.append(f"{project.shown(path)}: missing, or its record {project.shown(record)} is")
