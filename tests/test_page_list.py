"""Page numbers shared by the PDF and the EPUB: each EPUB page break stands where its PDF page begins.

The PDF's pages are read with PDFium (the page body only: running heads and
page numbers are artifacts), the EPUB's chapters with lxml; page N of the
PDF must begin with the words that follow the EPUB's ``page-N`` marker.
"""

from __future__ import annotations

import ctypes
import re
import zipfile

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from lxml import etree

from conftest import AVIM_ID, TURAN_ID
from pressrun.editions import pagemap

EDITIONS = [(doc_id, lang) for doc_id in (AVIM_ID, TURAN_ID) for lang in ("en", "ru", "az")]
NS = {"h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
WORDS = 5  # how many words of each page are compared
SENTINEL = "\ue000"


def _is_artifact(text_object) -> bool:
    for index in range(pdfium_c.FPDFPageObj_CountMarks(text_object)):
        mark = pdfium_c.FPDFPageObj_GetMark(text_object, index)
        buffer, length = (ctypes.c_ushort * 64)(), ctypes.c_ulong()
        pdfium_c.FPDFPageObjMark_GetName(mark, buffer, ctypes.sizeof(buffer), ctypes.byref(length))
        if bytes(buffer)[:length.value].decode("utf-16-le").rstrip("\x00") == "Artifact":
            return True
    return False


def _body_text(textpage) -> str:
    """A page's text without artifacts; a word hyphenated at the end of a line is joined again."""
    chars, artifacts, join = [], {}, False
    for index in range(pdfium_c.FPDFText_CountChars(textpage)):
        char = chr(pdfium_c.FPDFText_GetUnicode(textpage, index))
        owner = pdfium_c.FPDFText_GetTextObject(textpage, index)
        address = ctypes.cast(owner, ctypes.c_void_p).value
        if address and artifacts.setdefault(address, _is_artifact(owner)):
            continue
        if pdfium_c.FPDFText_IsHyphen(textpage, index):
            join = True
        elif join and char.isspace():
            continue
        else:
            join = False
            chars.append(char)
    return "".join(chars)


def pdf_pages(path) -> list[str]:
    """The body text of every page of a PDF (PDFium)."""
    document = pdfium.PdfDocument(str(path))
    try:
        texts = []
        for page in document:
            textpage = page.get_textpage()
            texts.append(_body_text(textpage.raw))
        return texts
    finally:
        document.close()


def words(text: str) -> list[str]:
    """Words compared without case (Azerbaijani capitals İ, I), soft hyphens or hyphens."""
    text = text.replace("İ", "i").replace("I", "i").replace("ı", "i").lower()
    return [word for word in re.sub(r"[\u00ad\u2010-]", "", text).split() if word]


def epub_package(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def chapters(package: dict[str, bytes]) -> list[etree._Element]:
    names = sorted(name for name in package if re.search(r"/text/ch\d+\.xhtml$", name))
    return [etree.fromstring(package[name]) for name in names]


def text_around_markers(package: dict[str, bytes]) -> dict[str, tuple[str, str]]:
    """For each page-break marker, by label: the chapter text before it and after it."""
    found = {}
    for root in chapters(package):
        markers = root.xpath("//h:span[@epub:type='pagebreak']", namespaces=NS)
        for marker in markers:
            marker.text = SENTINEL + marker.get("aria-label") + SENTINEL
        text = "".join(root.find("h:body", NS).itertext())
        for marker in markers:
            before, _, after = text.partition(SENTINEL + marker.get("aria-label") + SENTINEL)
            found[marker.get("aria-label")] = (re.sub(f"{SENTINEL}\\w+{SENTINEL}", "", before),
                                               re.sub(f"{SENTINEL}\\w+{SENTINEL}", "", after))
    return found


@pytest.fixture(scope="module")
def editions(release_editions):
    """Per edition: the PDF's page texts and the EPUB package."""
    return {(doc_id, lang): (pdf_pages(release_editions.pdf_path(doc_id, lang)),
                             epub_package(release_editions.epub_path(doc_id, lang)))
            for doc_id, lang in EDITIONS}


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_each_pdf_page_begins_where_its_epub_page_break_stands(editions, doc_id, lang):
    pages, package = editions[doc_id, lang]
    around = text_around_markers(package)
    assert sorted(around, key=int) == [str(number) for number in range(1, len(pages) + 1)]
    first_page = around["1"][1].partition(around["2"][1])[0] if len(pages) > 1 else around["1"][1]
    assert not around["1"][0].strip(), "the EPUB opens with page 1"
    # the EPUB puts the title before the title block: page 1 holds the PDF's first line, not at its start
    assert " ".join(words(pages[0].splitlines()[0])) in " ".join(words(first_page))
    for number, page in enumerate(pages[1:], 2):
        before, after = around[str(number)]
        printed, following = words(page), words(after)[:WORDS]
        if printed[:WORDS] != following:
            # the page opens with the end of a word begun on the page before: the break follows that word
            broken = words(before)[-1]
            assert broken.endswith(printed[0]) and broken != printed[0], f"page {number}: {printed[:WORDS]}"
            assert printed[1:WORDS + 1] == following, f"page {number}"


def test_some_page_begins_inside_a_paragraph(editions):
    """The editions hold page breaks inside paragraphs, where only an exact place passes the test above."""
    inside = 0
    for _pages, package in editions.values():
        for root in chapters(package):
            for marker in root.xpath("//h:span[@epub:type='pagebreak']", namespaces=NS):
                inside += marker.getprevious() is not None or bool((marker.getparent().text or "").strip())
    assert inside >= 3


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_page_list_and_markers(editions, doc_id, lang):
    pages, package = editions[doc_id, lang]
    nav = etree.fromstring(next(data for name, data in package.items() if name.endswith("nav.xhtml")))
    page_list = nav.xpath("//h:nav[@epub:type='page-list']", namespaces=NS)
    assert len(page_list) == 1 and page_list[0].get("hidden") == "" and page_list[0].get("role") == "doc-pagelist"
    links = page_list[0].xpath("h:ol/h:li/h:a", namespaces=NS)
    assert [link.text for link in links] == [str(number) for number in range(1, len(pages) + 1)]
    ids = {element.get("id") for root in chapters(package) for element in root.iter() if element.get("id")}
    assert all(link.get("href").partition("#")[2] in ids for link in links)
    assert not nav.xpath("//h:nav[@epub:type='toc']//h:span", namespaces=NS), "no marker copied into the contents"
    ncx = etree.fromstring(next(data for name, data in package.items() if name.endswith(".ncx")))
    targets = ncx.xpath("//ncx:pageList/ncx:pageTarget", namespaces=NS)
    assert [(t.get("value"), t.find("ncx:content", NS).get("src")) for t in targets] == \
        [(link.text, link.get("href")) for link in links]
    for root in chapters(package):
        for marker in root.xpath("//h:span[@epub:type='pagebreak']", namespaces=NS):
            label = marker.get("aria-label")
            assert marker.get("role") == "doc-pagebreak" and marker.get("id") == f"page-{label}"
            assert len(marker) == 0 and not marker.text


@pytest.mark.parametrize("lang, heading", [("en", "Pages"), ("ru", "Страницы"), ("az", "Səhifələr")])
def test_the_page_list_is_headed_in_the_edition_language(editions, lang, heading):
    _pages, package = editions[AVIM_ID, lang]
    nav = etree.fromstring(next(data for name, data in package.items() if name.endswith("nav.xhtml")))
    assert nav.xpath("string(//h:nav[@epub:type='page-list']/h:h1)", namespaces=NS) == heading


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_the_package_names_the_pdf_as_the_source_of_its_pages(editions, release_editions, doc_id, lang):
    _pages, package = editions[doc_id, lang]
    opf = etree.fromstring(next(data for name, data in package.items() if name.endswith(".opf")))
    features = opf.xpath("//opf:meta[@property='schema:accessibilityFeature']/text()", namespaces=NS)
    assert {"printPageNumbers", "pageBreakMarkers", "pageNavigation"} <= set(features)
    source = opf.xpath("//opf:meta[@property='pageBreakSource']/text()", namespaces=NS)
    identifier = opf.xpath("string(//*[local-name()='identifier'])")
    assert len(source) == 1 and "PDF" in source[0] and identifier in source[0]


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_the_page_map_lies_beside_the_pdf(editions, release_editions, doc_id, lang):
    pages, _package = editions[doc_id, lang]
    starts = pagemap.from_json(release_editions.page_map_path(doc_id, lang).read_bytes())
    assert [start.label for start in starts] == [str(number) for number in range(1, len(pages) + 1)]
    assert starts[0].path and starts[0].offset == 0
