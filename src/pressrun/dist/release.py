"""Release: the built editions → ``build/dist/``, written whole, incrementally.

In: the project, after the PDF and EPUB steps.  For every document and
language: the edition XHTML and its metadata record (through the same
:func:`pressrun.engine.stages.edition_record` the PDF and EPUB steps use),
the PDF and the EPUB.  Out: ``build/dist/`` (pages, feeds,
citation files, ``sitemap.xml``, ``robots.txt``, the edition files, web
fonts and style, ``SHA256SUMS`` and ``manifest.json``) and an Outcome.  The
files and settings the step reads are recorded as it reads them; when none
has changed and the site is in place, it is skipped.  Dates come from the project's date,
everything is sorted: two builds give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import zipfile
from importlib import resources
from pathlib import Path

from lxml import etree

from .. import __version__
from ..engine import build, stages
from ..editions import edition
from ..config import Project
from ..engine.dependencies import listing, note, package_file, read_bytes, recording, uses
from ..errors import PressrunError, Problem
from ..editions.fonts import font_files
from ..document.model import XPATH_NS
from ..engine.outputs import write_if_changed
from . import citations, feeds, pages
from . import site as site_module
from .record import DistFile, EditionRecord, dist_file, edition_record

PDF_TYPE = "application/pdf"
EPUB_TYPE = "application/epub+zip"
STEP = build.Step("dist", "site")
#: The web fonts' names in build/dist/static/fonts (the PDF's Noto Serif files, renamed without brackets).
WEB_FONTS = {"NotoSerif[wdth,wght].ttf": "NotoSerif.ttf", "NotoSerif-Italic[wdth,wght].ttf": "NotoSerif-Italic.ttf"}


def dist_dir(project: Project) -> Path:
    return project.build_dir / "dist"


def doc_ids(project: Project) -> list[str]:
    return [path.stem for path in listing(project.build_dir / "master", "*.xml")]


def make_dist(project: Project, **options) -> list[build.Outcome]:
    """Build every edition (PDF and EPUB), then bring ``build/dist`` up to date."""
    outcomes = build.run(project, build.TARGETS["all"], **options)
    with build.build_lock(project):
        outcomes.append(write_dist(project, force=options.get("force", False)))
    return outcomes


def write_dist(project: Project, force: bool = False) -> build.Outcome:
    """Write ``build/dist`` unless nothing it read last time has changed (see :mod:`pressrun.engine.dependencies`)."""
    kept = None if force else build.reusable(project, STEP, build.current_settings(project, strict=False))
    if kept is not None:
        return kept
    target = dist_dir(project)
    with recording(project.root) as inputs:
        files, problems = site_files(project)
    _write_tree(target, files)
    outcome = build.Outcome("dist", "site", "built", target, problems, details={"files": len(files)})
    build.write_state(project, STEP, inputs, outcome)
    return outcome


def _write_tree(target: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` under ``target`` and remove what a previous build left that is no longer there."""
    for name, data in sorted(files.items()):
        write_if_changed(target / name, data)
    for path in sorted(target.rglob("*"), reverse=True):
        relative = path.relative_to(target).as_posix()
        if path.is_file() and relative not in files:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


# The site ----------------------------------------------------------------------------------

def site_files(project: Project) -> tuple[dict[str, bytes], list[Problem]]:
    """Every file of ``build/dist`` as {path: bytes}, and the editions left out."""
    date = edition.edition_date(uses("source_date_epoch", project.source_date_epoch))
    site = site_module.Site.configured(uses("base_url", project.base_url), project.languages, date)
    labels = pages.load_labels()
    files: dict[str, bytes] = {}
    records, problems = _records(project, files)
    by_doc: dict[str, list[EditionRecord]] = {}
    for record in records:
        by_doc.setdefault(record.doc_id, []).append(record)
    for record in records:
        siblings = [other for other in by_doc[record.doc_id] if other.lang != record.lang]
        xhtml = read_bytes(project.edition_path(record.doc_id, record.lang))
        files[record.page] = pages.edition_page(record, siblings, xhtml, citations.rendered_citation(record), site,
                                                labels)
        files[record.citation_file("json")] = citations.csl_json(record).encode()
        files[record.citation_file("bib")] = citations.bibtex(record).encode()
        files[record.citation_file("ris")] = citations.ris(record).encode()
    titles = {lang: pages.labels_for(labels, lang)["editions_in"] for lang in project.languages}
    for lang in project.languages:
        in_lang = [record for record in records if record.lang == lang]
        files[f"{lang}/index.html"] = pages.language_index(lang, in_lang, site, labels)
        files[feeds.feed_path(lang)] = feeds.acquisition_feed(lang, titles[lang], in_lang, site)
    files["index.html"] = pages.root_page(site, labels)
    if records:
        files[feeds.ROOT_FEED] = feeds.navigation_feed(titles, records, site)
        files[feeds.JSON_FEED] = feeds.json_feed(pages.labels_for(labels, "en")["site_title"], records, site)
    files[pages.STYLESHEET] = read_bytes(project.styles_dir / "web.css")
    files[pages.FAVICON] = read_bytes(package_file("dist/favicon.svg"))
    for font in font_files():
        files[f"static/fonts/{WEB_FONTS.get(font.name, font.name)}"] = font.read_bytes()
    page_names = [name for name in files if name.endswith(".html")]
    files["sitemap.xml"] = site_module.sitemap(site, records, page_names)
    files["robots.txt"] = site_module.robots(site)
    files["manifest.json"] = manifest(records)
    files["SHA256SUMS"] = checksums(files)
    return files, problems


def _records(project: Project, files: dict[str, bytes]) -> tuple[list[EditionRecord], list[Problem]]:
    """The record of every edition whose PDF and EPUB exist; the edition files go into ``files``."""
    records, problems = [], []
    for doc_id in doc_ids(project):
        for lang in project.languages:
            pdf, epub = note(project.pdf_path(doc_id, lang)), note(project.epub_path(doc_id, lang))
            if not (pdf.is_file() and epub.is_file() and note(project.edition_path(doc_id, lang)).is_file()
                    and note(project.edition_info_path(doc_id, lang)).is_file()):
                problems.append(Problem("warning", f"{doc_id} [{lang}] left out: its PDF or EPUB was not built"))
                continue
            try:
                _xhtml, info = stages.edition_record(project, doc_id, lang)
            except (ValueError, TypeError, KeyError) as error:
                problems.append(Problem("warning", f"{doc_id} [{lang}] left out: its metadata record cannot be "
                                                   f"read ({type(error).__name__}); rebuild it with --force"))
                continue
            if info.draft_percent is not None:
                problems.append(Problem("warning", f"{doc_id} [{lang}] left out: a draft, {info.draft_percent:.0f} % "
                                                   "translated (below [tool.pressrun] min_publish)"))
                continue
            folder = f"{lang}/{doc_id}"
            files[f"{folder}/{doc_id}.pdf"] = pdf.read_bytes()
            files[f"{folder}/{doc_id}.epub"] = epub.read_bytes()
            cover = _cover(epub, f"{folder}/cover", files)
            records.append(edition_record(info, [creator.kind for creator in info.creators],
                                          dist_file(pdf, f"{folder}/{doc_id}.pdf", PDF_TYPE),
                                          dist_file(epub, f"{folder}/{doc_id}.epub", EPUB_TYPE), cover))
    return records, problems


COVER_TYPES = {"image/png": "png", "image/jpeg": "jpg"}


def _cover(epub: Path, stem: str, files: dict[str, bytes]) -> DistFile | None:
    """The EPUB's cover image (the OPF item with ``properties="cover-image"``), copied beside the edition."""
    with zipfile.ZipFile(epub) as archive:
        container = etree.fromstring(archive.read("META-INF/container.xml"))
        opf_name = container.xpath("string(//*[local-name()='rootfile']/@full-path)")
        opf = etree.fromstring(archive.read(opf_name))
        items = opf.xpath("//*[local-name()='item'][contains(concat(' ', @properties, ' '), ' cover-image ')]")
        if not items or items[0].get("media-type") not in COVER_TYPES:
            return None
        href = posixpath.normpath(posixpath.join(posixpath.dirname(opf_name), items[0].get("href")))
        data = archive.read(href)
    name = f"{stem}.{COVER_TYPES[items[0].get('media-type')]}"
    files[name] = data
    return DistFile(name, len(data), hashlib.sha256(data).hexdigest(), items[0].get("media-type"))


def manifest(records: list[EditionRecord]) -> bytes:
    editions = [{"id": record.doc_id, "language": record.lang, "identifier": record.identifier,
                 "title": record.title, "page": record.page, "source": record.source_url or None,
                 "formats": [{"path": item.path, "media_type": item.media_type, "size": item.size,
                              "sha256": item.sha256} for item in (record.pdf, record.epub)],
                 "citations": [record.citation_file(suffix) for suffix in ("json", "bib", "ris")]}
                for record in records]
    return (json.dumps({"generator": f"pressrun {__version__}", "editions": editions}, ensure_ascii=False,
                       indent=2, sort_keys=True) + "\n").encode()


def checksums(files: dict[str, bytes]) -> bytes:
    """``SHA256SUMS`` in the format ``sha256sum -c`` reads, over every other file."""
    lines = [f"{hashlib.sha256(data).hexdigest()}  {name}" for name, data in sorted(files.items())]
    return ("\n".join(lines) + "\n").encode()
