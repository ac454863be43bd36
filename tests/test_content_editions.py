"""Editions of Markdown articles: sections in the PDF outline and EPUB navigation, lists, tables, notes.

Two of the new golden inputs (a two-author brief with sections, a table, a
numbered list and footnotes; a Russian original) are built into PDF and
EPUB in every language by the real build engine.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from lxml import etree

from pressrun.engine import build
from pressrun.config import load_project

from conftest import make_project

GOLDEN = Path(__file__).parent / "golden" / "ingest"
BRIEF = "sharing-the-kura-a-water-compact-for-the-south-caucasus"
RUSSIAN = "turan-2020-09-21-kaspiyskiy-tranzit-okno-vozmozhnostey"
XHTML = {"h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("content"), seeds=[])
    for case in ("brief-two-authors", "ru-original"):
        shutil.copy(GOLDEN / case / "in" / "seed.txt", root / "seeds" / f"{case}.txt")
    proj = load_project(root)
    outcomes = (build.ingest_seeds(proj) + build.merge_translations(proj) + build.build_pdfs(proj)
                + build.build_epubs(proj))
    failed = [str(o.error) for o in outcomes if o.status != "built"]
    assert not failed, failed
    return proj


def _outline(path: Path) -> list:
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        def walk(items):
            return [(item.title, walk(item.children)) for item in items]
        return walk(outline.root)


@pytest.mark.parametrize("lang", ["en", "ru", "az"])
def test_pdf_outline_nests_the_sections(project, lang):
    outline = _outline(project.pdf_path(BRIEF, lang))
    (title, chapters), = outline[:1]
    assert title.startswith("Sharing the Kura")
    sections = dict(chapters)
    assert [name for name, _ in sections["Findings"]] == ["Withdrawals", "Data"]
    assert "Recommendations" in sections


def _epub_file(path: Path, suffix: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(next(n for n in archive.namelist() if n.endswith(suffix))))


@pytest.mark.parametrize("lang", ["en", "ru", "az"])
def test_epub_navigation_lists_the_sections(project, lang):
    nav = _epub_file(project.epub_path(BRIEF, lang), "nav.xhtml")
    entries = nav.xpath("//h:nav[@epub:type='toc']//h:a/text()", namespaces=XHTML)
    assert "Findings" in entries and "Recommendations" in entries


def test_epub_keeps_numbers_tables_and_footnotes(project):
    chapter = _epub_file(project.epub_path(BRIEF, "en"), "ch001.xhtml")
    assert chapter.xpath("//h:table//h:th/text()", namespaces=XHTML)[:3] == [
        "Country", "Share of withdrawals", "Gauges"]
    assert chapter.xpath("count(//h:ol[not(ancestor::h:nav)]/h:li[not(ancestor::h:aside)])",
                         namespaces=XHTML) >= 3
    notes = chapter.xpath("//*[@epub:type='footnote']", namespaces=XHTML)
    assert len(notes) == 2
    for note in notes:
        back = note.xpath(".//h:a[@role='doc-backlink']/@href", namespaces=XHTML)
        assert back and chapter.xpath("//h:a[@id=$id][@role='doc-noteref']", id=back[0][1:], namespaces=XHTML)


def test_russian_original_is_not_translated_into_russian(project):
    english = (project.build_dir / "html" / "en" / f"{RUSSIAN}.xhtml").read_bytes()
    russian = (project.build_dir / "html" / "ru" / f"{RUSSIAN}.xhtml").read_bytes()
    # no catalog translates it yet: the English edition is a draft, headed by no "Translated from" line
    assert b"draft-banner" in english and b"translation-credit" not in english
    assert b"translation-credit" not in russian and b"draft-banner" not in russian
    page = etree.fromstring(russian)
    assert page.get("lang") == "ru"
    assert not page.xpath("//h:main//*[@lang and @lang!='ru']", namespaces=XHTML)
