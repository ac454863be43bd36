"""Editions below ``[tool.pressrun] min_publish`` are drafts: marked as such and advertised nowhere.

The AVİM seed is built once with a Russian catalog 4 of 16 messages translated
(a draft) and an Azerbaijani one with 14 of 16 (87.5 %, published under the
default threshold of 80 %).
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import replace

import pypdfium2
import pytest
from lxml import etree

from conftest import AVIM_ID, AVIM_SEED, build_editions, make_project
from pressrun.dist import release
from pressrun.engine import inspection
from pressrun.translation import completeness
from pressrun.translation.catalogs import read_catalog, write_catalog
from pressrun.config import load_project

XHTML = {"h": "http://www.w3.org/1999/xhtml"}
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


def _keep_translated(project, lang: str, keep: int) -> None:
    path = project.po_path(lang, AVIM_ID)
    catalog = read_catalog(path, lang)
    for number, message in enumerate(m for m in catalog if m.id):
        if number >= keep:
            message.string = ""
    write_catalog(path, catalog)


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    project = load_project(make_project(tmp_path_factory.mktemp("drafts"), [AVIM_SEED]))
    _keep_translated(project, "ru", 4)
    _keep_translated(project, "az", 14)
    return build_editions(project)


def _xhtml(project, lang):
    return etree.parse(str(project.edition_path(AVIM_ID, lang)))


def _opf(project, lang):
    with zipfile.ZipFile(project.epub_path(AVIM_ID, lang)) as epub:
        return etree.fromstring(epub.read(next(n for n in epub.namelist() if n.endswith(".opf"))))


def _pdf_title(project, lang) -> str:
    document = pypdfium2.PdfDocument(str(project.pdf_path(AVIM_ID, lang)))
    try:
        return document.get_metadata_dict().get("Title", "")
    finally:
        document.close()


def test_completeness_line(editions):
    assert completeness.translated_percent(editions, AVIM_ID, "ru") == 25.0
    assert completeness.translated_percent(editions, AVIM_ID, "az") == 87.5
    assert completeness.published_languages(editions, AVIM_ID, "en") == ["en", "az"]
    stricter = replace(editions, min_publish=90.0)
    assert completeness.published_languages(stricter, AVIM_ID, "en") == ["en"]
    assert completeness.draft_percent(stricter, AVIM_ID, "en", "en") is None


def test_a_draft_is_marked_in_text_and_metadata(editions):
    pages = inspection.pdf_page_texts(editions.pdf_path(AVIM_ID, "ru"))
    assert pages[0].startswith("Черновик перевода: переведено 25 %")
    assert all("ЧЕРНОВИК · 25 %" in page for page in pages)  # the watermark is on every page
    assert _pdf_title(editions, "ru").startswith("DRAFT (25 % translated): ")
    assert _opf(editions, "ru").xpath("string(//dc:title)", namespaces=OPF).startswith("DRAFT (25 % translated)")
    xhtml = _xhtml(editions, "ru")
    assert xhtml.xpath("//h:p[@class='translation-credit']", namespaces=XHTML) == []
    assert "Перевод с английского" not in inspection.pdf_text(editions.pdf_path(AVIM_ID, "ru"))


def test_a_published_translation_is_not_marked(editions):
    text = inspection.pdf_text(editions.pdf_path(AVIM_ID, "az"))
    assert "QARALAMA" not in text and "qaralaması" not in text
    assert not _pdf_title(editions, "az").startswith("DRAFT")
    xhtml = _xhtml(editions, "az")
    assert xhtml.xpath("string(//h:p[@class='translation-credit'])", namespaces=XHTML) == "İngilis dilindən tərcümə"
    assert "draft" not in (xhtml.getroot().find("h:body", XHTML).get("class") or "")


def test_drafts_are_not_advertised(editions):
    for lang, others in (("en", "Azerbaijani"), ("az", "ingilis dili")):
        xhtml = _xhtml(editions, lang)
        cells = xhtml.xpath("//h:section[@class='colophon']//h:dd[last()]/text()", namespaces=XHTML)
        assert cells == [others]
        relations = _opf(editions, lang).xpath("//dc:relation/text()", namespaces=OPF)
        assert not [r for r in relations if re.search(r"\(ru\)$", r)]


def test_the_colophon_states_how_complete_the_translation_is(editions):
    ru = inspection.pdf_text(editions.pdf_path(AVIM_ID, "ru"))
    assert "Полнота перевода\nПереведено: 25 %; фрагментов на языке оригинала: 12" in ru
    az = inspection.pdf_text(editions.pdf_path(AVIM_ID, "az"))
    assert "Tərcümə olunub: 88 %; orijinalın dilində qalan hissələr: 2" in az
    fallback = _xhtml(editions, "az").xpath("//h:main//h:p[@lang='en']", namespaces=XHTML)
    assert fallback  # every passage shown in the original language carries its language


def test_drafts_are_left_out_of_the_release(editions):
    outcome = release.write_dist(editions, force=True)
    assert outcome.status == "built"
    assert [str(problem) for problem in outcome.problems] == [
        f"{AVIM_ID} [ru] left out: a draft, 25 % translated (below [tool.pressrun] min_publish)"]
    root = release.dist_dir(editions)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(edition["language"] for edition in manifest["editions"]) == ["az", "en"]
    assert not (root / "ru" / AVIM_ID).exists()
    switcher = etree.parse(str(root / "en" / AVIM_ID / "index.html"), etree.HTMLParser())
    assert not switcher.xpath("//a[@hreflang='ru']")
