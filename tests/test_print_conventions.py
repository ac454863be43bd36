"""Print conventions on the real PDFs: visible link addresses, clean breaks, no stray pages.

The text of each page and the position of each character are read with
PDFium (pressrun.engine.inspection and pypdfium2).
"""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest

from pressrun.editions import edition, hyphenation, pdf
from pressrun.engine import inspection
from pressrun.editions.edition import edition_identifier
from pressrun.document.master import read_master
from pressrun.document.model import XPATH_NS, db

from conftest import AVIM_ID, TURAN_ID

EDITIONS = [(doc_id, lang) for doc_id in (AVIM_ID, TURAN_ID) for lang in ("en", "ru", "az")]
TEXT_AREA = (60, 66)  # points inside the top and bottom edges: the running head and page number lie outside
SOURCE = "https://avim.org.tr/public/Blog/NATO-AZERBAIJAN-SUCCESSFUL-PARTNERSHIP-FOR-TURBULENT-TIMES"


def _compact(text: str) -> str:
    """Page text without any white space; PDFium marks a line-final hyphen as U+FFFE."""
    return re.sub(r"\s+", "", text.replace("\ufffe", "-"))


def _lines(path) -> list[tuple[str, float, float]]:
    """Every text line of every page: (text, widest gap between two words, character height)."""
    document = pdfium.PdfDocument(str(path))
    found = []
    try:
        for page in document:
            textpage = page.get_textpage()
            line = []
            for index in range(textpage.count_chars() + 1):
                char = textpage.get_text_range(index, 1) if index < textpage.count_chars() else "\n"
                if char in "\r\n":
                    if line:
                        found.append(_measure(line))
                    line = []
                    continue
                line.append((char, *textpage.get_charbox(index)))
    finally:
        document.close()
    return found


def _measure(line) -> tuple[str, float, float]:
    glyphs = [c for c in line if not c[0].isspace()]
    gaps = [right[1] - left[3] for left, right in zip(glyphs, glyphs[1:]) if right[1] > left[3]]
    return "".join(c[0] for c in line), max(gaps, default=0.0), max((c[4] - c[2] for c in glyphs), default=0.0)


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_identifiers_and_addresses_are_never_hyphenated(release_editions, doc_id, lang):
    """An address or identifier split over two lines gets no hyphen: each reads back whole."""
    text = _compact(inspection.pdf_text(release_editions.pdf_path(doc_id, lang)))
    assert text.count(edition_identifier(doc_id, lang)) == 2  # how to cite, colophon
    if doc_id == AVIM_ID:
        assert text.count(SOURCE) == 3  # citation, how to cite, colophon


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_lines_with_addresses_are_not_stretched(release_editions, doc_id, lang):
    lines = [line for line in _lines(release_editions.pdf_path(doc_id, lang))
             if "urn:uuid" in line[0] or "https://" in line[0]]
    assert lines
    for text, gap, height in lines:
        assert gap < 0.55 * height, f"stretched: {text!r} (gap {gap:.1f} pt)"


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_no_page_holds_only_a_few_stray_lines(release_editions, doc_id, lang):
    pages = inspection.pdf_page_texts(release_editions.pdf_path(doc_id, lang), crop=TEXT_AREA)
    counts = [len(page.strip().splitlines()) for page in pages]
    assert len(counts) >= 3
    assert min(counts[:-1]) >= 15, counts
    colophon = edition.load_strings(release_editions.po_path(lang, edition.STRINGS_DOMAIN)).gettext("Colophon")
    assert colophon in pages[-1]


def test_link_addresses_are_printed_after_their_words(release_editions, tmp_path):
    """A link in the article body prints its address; a link whose words are its address prints once."""
    project = release_editions
    master = read_master(project.master_path(AVIM_ID, "en"))
    para = master.xpath("/db:article/db:para[not(@role)][2]", namespaces=XPATH_NS)[0]
    link = para.makeelement(db("link"), {"{http://www.w3.org/1999/xlink}href":
                                         "https://example.org/reports/2024/partnership-annual-review"})
    link.text, link.tail = "the annual review", " " + (para.text or "")
    para.text = "See "
    para.insert(0, link)
    info = edition.edition_info(master, AVIM_ID, "en", list(project.languages),
                                edition.edition_date(project.source_date_epoch))
    strings = edition.load_strings(project.po_path("en", edition.STRINGS_DOMAIN))
    source = tmp_path / "edition.xhtml"
    source.write_bytes(edition.build_edition(master, info, strings))
    hyphenation.register(project.build_dir / "hyphenation")
    result = pdf.render_pdf(source.read_bytes(), source, project.stylesheets("print"), [project.root, tmp_path],
                            info.identifier, 0)
    target = tmp_path / "edition.pdf"
    target.write_bytes(result.data)
    text = _compact(inspection.pdf_text(target))
    assert "Seetheannualreview<https://example.org/reports/2024/partnership-annual-review>" in text
    assert f"{SOURCE}<" not in text and text.count(SOURCE) == 3
