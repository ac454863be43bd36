"""PDF editions: real WeasyPrint output read back with PDFium (pypdfium2) and pikepdf."""

from __future__ import annotations

import re

import pikepdf
import pytest

from pressrun.engine import build, inspection
from pressrun.editions import pdf
from pressrun.editions.edition import edition_identifier
from pressrun.document.master import read_master
from pressrun.document.model import XPATH_NS

from conftest import AVIM_ID, TURAN_ID

LANGS = ("en", "ru", "az")
DOCS = (AVIM_ID, TURAN_ID)
PUBLISHED = {AVIM_ID: "2024-12-02", TURAN_ID: "2017-11-25"}


@pytest.fixture(scope="module")
def editions(release_editions):
    return release_editions


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def _body_text(path) -> str:
    """The text inside the page area (A4, points): running heads and page numbers cropped off."""
    return inspection.pdf_text(path, crop=(62, 68))


@pytest.mark.parametrize("doc_id", DOCS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_paragraph_is_in_the_pdf_text(editions, doc_id, lang):
    project = editions
    text = _letters(_body_text(project.pdf_path(doc_id, lang)))
    master = read_master(project.master_path(doc_id, lang))
    for note in master.xpath("//db:footnote", namespaces=XPATH_NS):
        note_letters = _letters("".join(note.itertext()))
        assert note_letters in text
        text = re.sub(r"\d{0,2}" + re.escape(note_letters), "", text, count=1)
    paragraphs = master.xpath("//db:para[not(ancestor::db:info) or ancestor::db:personblurb or ancestor::db:abstract]"
                              "|//db:figure/db:title|//db:blockquote/db:attribution", namespaces=XPATH_NS)
    assert len(paragraphs) > 10
    for para in paragraphs:
        own = "".join(t for t in para.xpath(".//text()[not(ancestor::db:footnote)]", namespaces=XPATH_NS))
        assert _letters(own) in text, f"{lang}: missing {own[:80]!r}"


@pytest.mark.parametrize("lang", LANGS)
def test_fonts_embedded_and_no_fallback(editions, lang):
    project = editions
    for doc_id in DOCS:
        fonts = inspection.pdf_fonts(project.pdf_path(doc_id, lang))
        assert fonts
        for font in fonts:
            assert "Noto-Serif" in font.name, f"fallback font {font.name} in {lang}"
            assert (font.embedded, font.subset, font.unicode) == (True, True, True), font


@pytest.mark.parametrize("doc_id", DOCS)
@pytest.mark.parametrize("lang", LANGS)
def test_metadata_tags_language_and_outline(editions, doc_id, lang):
    project = editions
    master = read_master(project.master_path(doc_id, lang))
    with pikepdf.open(project.pdf_path(doc_id, lang)) as document:
        info = document.docinfo
        title = " ".join(master.xpath("string(//db:info/db:title)", namespaces=XPATH_NS).split())
        assert str(info["/Title"]) == title
        assert str(document.Root.Lang) == lang
        assert "pressrun" in str(info["/Producer"]) and "WeasyPrint" in str(info["/Producer"])
        pubdate = master.xpath("string(//db:info/db:pubdate)", namespaces=XPATH_NS)[:10]
        author = master.xpath("string(//db:info/db:author/db:orgname|//db:info/db:author/db:personname)",
                              namespaces=XPATH_NS)
        assert str(info["/Author"]) == " ".join(author.split())
        abstract = " ".join(master.xpath("string(//db:info/db:abstract)", namespaces=XPATH_NS).split())
        if abstract:
            assert str(info["/Subject"]) == abstract
        assert str(info["/CreationDate"]).startswith("D:") and str(info["/ModDate"]) == str(info["/CreationDate"])
        assert document.Root.MarkInfo.Marked and "/StructTreeRoot" in document.Root
        with document.open_metadata() as xmp:
            assert xmp.get("dc:title") == title
            assert "pressrun" in xmp.get("pdf:Producer")
            assert xmp.get("pdfuaid:part") == "1"
            assert pubdate == PUBLISHED[doc_id]  # the article's date, never the build date
            assert xmp.get("dc:date") == [pubdate]
            assert xmp.get("dc:language") == {lang}
            assert xmp.get("dc:creator") == [str(info["/Author"])]
            assert xmp.get("dc:identifier") == edition_identifier(doc_id, lang)
        outline = [item.title for item in document.open_outline().root]
        assert outline and outline[0] == title


def test_two_builds_are_byte_identical(editions, tmp_path):
    project = editions
    first = {p: p.read_bytes() for p in (project.build_dir / "pdf").rglob("*.pdf")}
    assert len(first) == 6
    rebuilt = build.build_pdfs(project, force=True)
    assert {o.status for o in rebuilt} == {"built"}
    assert first == {p: p.read_bytes() for p in (project.build_dir / "pdf").rglob("*.pdf")}


def _text_top(path, page_index: int, text: str) -> float | None:
    """How far from the page's bottom edge ``text`` starts on that page, in points (None when absent)."""
    import pypdfium2
    document = pypdfium2.PdfDocument(str(path))
    try:
        textpage = document[page_index].get_textpage()
        found = textpage.search(text, match_case=True).get_next()
        return None if found is None else textpage.get_charbox(found[0])[3]
    finally:
        document.close()


def test_footnote_sits_at_the_bottom_of_page_one(editions):
    project = editions
    for lang, start in (("en", "Jakub Korejba graduated"), ("ru", "Якуб Корейба окончил"),
                        ("az", "Yakub Koreyba Varşava")):
        path = project.pdf_path(AVIM_ID, lang)
        note_top = _text_top(path, 0, start)
        assert note_top is not None, f"{lang}: the footnote is not on page 1"
        assert note_top < 842 * 0.3, f"{lang}: footnote starts {note_top:.0f} pt above the bottom of page 1"
        assert re.search(r"(^|\n)1\.?\s*" + start, inspection.pdf_page_texts(path)[0]), f"{lang}: note is not numbered 1"


def test_azerbaijani_edition_is_hyphenated_with_generated_patterns(editions, tmp_path):
    project = editions
    from pressrun.editions.hyphenation import hyphenate, register
    register(project.build_dir / "hyphenation")  # as the PDF step does in its worker
    words = "təhlükəsizliyinin " * 40
    xhtml = (f'<?xml version="1.0" encoding="UTF-8"?><html xmlns="http://www.w3.org/1999/xhtml" lang="az">'
             f'<head><title>t</title></head><body><p style="width: 28mm; hyphens: auto">{words}</p></body></html>')
    result = pdf.render_pdf(xhtml.encode(), tmp_path / "t.xhtml", project.stylesheets("print"),
                            [project.root], "test", 0)
    target = tmp_path / "t.pdf"
    target.write_bytes(result.data)
    lines = [line.strip() for line in inspection.pdf_text(target).splitlines() if line.strip()]
    broken = [line for line in lines if line.endswith(("-", "\u2010"))]
    assert len(broken) >= 5, "too few hyphenated lines"
    syllables = hyphenate("təhlükəsizliyinin", "az").split("-")
    prefixes = {"".join(syllables[:i]) for i in range(1, len(syllables))}
    for line in broken:
        assert line.split()[-1][:-1] in prefixes, f"break {line!r} is not at an Azerbaijani syllable boundary"


def test_resources_outside_the_project_are_refused(editions, tmp_path):
    project = editions
    xhtml = ('<html xmlns="http://www.w3.org/1999/xhtml"><head><title>t</title></head><body>'
             '<img src="file:///etc/passwd" alt="x"/><img src="http://127.0.0.1:9/x.png" alt="y"/>'
             '<img src="../../../../../../etc/hostname" alt="z"/><p>text</p></body></html>')
    result = pdf.render_pdf(xhtml.encode(), project.root / "build" / "x.xhtml", [], [project.root], "t", 0)
    assert len(result.refused) == 3 and any("passwd" in url for url in result.refused)
