"""The PDF structure tree read with pikepdf and PDFium: page furniture is artifact, every element
reachable, and the tree reads like the edition: one element per paragraph however many pages it
spans, footnotes as ``/Note`` after their paragraph, list items with ``/Lbl`` and ``/LBody``,
figures grouped with their caption, ``/Lang`` wherever the language changes.

Besides the real seeds, a hand-written article (``tests/golden/tags/seed.txt``: a footnote in a
paragraph that crosses a page, a numbered list, a figure) is built in every language; its
translations are missing, so the RU and AZ editions show English passages marked ``lang="en"``.
"""

from __future__ import annotations

import ctypes
import io
import re
import shutil
from collections import defaultdict
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from lxml import etree

from pressrun.config import load_project
from pressrun.editions import edition, pdftags
from pressrun.editions import pdf as pdf_edition
from pressrun.editions.pdftags import (
    elements_in_order,
    parent_tree_entries,
    reachable_elements,
)
from pressrun.engine import build

from conftest import AVIM_ID, TURAN_ID, make_project

LANGS = ("en", "ru", "az")
EDITIONS = [(doc_id, lang) for doc_id in (AVIM_ID, TURAN_ID) for lang in LANGS]
ARTICLE = Path(__file__).parent / "golden" / "tags" / "seed.txt"
ARTICLE_ID = "lighthouses-of-the-absheron-coast"
XHTML = "{http://www.w3.org/1999/xhtml}"


def _mark_names(obj) -> list[str]:
    names = []
    for index in range(pdfium_c.FPDFPageObj_CountMarks(obj.raw)):
        mark = pdfium_c.FPDFPageObj_GetMark(obj.raw, index)
        buffer, length = (ctypes.c_ushort * 128)(), ctypes.c_ulong()
        pdfium_c.FPDFPageObjMark_GetName(mark, buffer, ctypes.sizeof(buffer), ctypes.byref(length))
        names.append(bytes(buffer)[:length.value].decode("utf-16-le").rstrip("\x00"))
    return names


def _text(obj, textpage) -> str:
    size = pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
    buffer = (ctypes.c_ushort * size)()
    pdfium_c.FPDFTextObj_GetText(obj.raw, textpage.raw, buffer, size * 2)
    return bytes(buffer).decode("utf-16-le").rstrip("\x00")


def artifact_texts(path) -> list[list[str]]:
    """Per page, the text of every text object marked as an artifact (PDFium)."""
    document = pdfium.PdfDocument(str(path))
    try:
        pages = []
        for page in document:
            textpage = page.get_textpage()
            pages.append([_text(obj, textpage).strip() for obj in page.get_objects()
                          if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT and "Artifact" in _mark_names(obj)])
        return pages
    finally:
        document.close()


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_running_heads_and_page_numbers_are_artifacts(release_editions, doc_id, lang):
    html = etree.parse(str(release_editions.edition_path(doc_id, lang)))
    head = html.xpath("//*[@data-short-title]")[0]
    page_word = html.xpath("string(//*[local-name()='body']/@data-page-label)")
    assert page_word == edition.load_strings(release_editions.po_path(lang, edition.STRINGS_DOMAIN)).gettext("Page")
    pages = artifact_texts(release_editions.pdf_path(doc_id, lang))
    assert pages[0] == []  # the first page has no running head
    for number, artifacts in enumerate(pages[1:], 2):
        assert artifacts == [head.get("data-short-title"), head.get("data-author"), f"{page_word} {number}"]


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_every_marked_content_sequence_is_reachable_from_the_root(release_editions, doc_id, lang):
    with pikepdf.open(release_editions.pdf_path(doc_id, lang)) as pdf:
        root = pdf.Root.StructTreeRoot
        reachable = reachable_elements(root)
        marks_of = parent_tree_entries(root.ParentTree)
        sequences = 0
        for page in pdf.pages:
            marks = marks_of[int(page.obj.StructParents)]
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) != "BDC" or not isinstance(operands[1], pikepdf.Dictionary):
                    continue
                if "/MCID" in operands[1]:
                    sequences += 1
                    element = marks[int(operands[1].MCID)]
                    assert element.objgen in reachable, f"page {page.index + 1}: MCID {operands[1].MCID} orphaned"
                else:
                    assert operands[0] == pikepdf.Name.Artifact
        assert sequences > 20
        for marks in marks_of.values():
            elements = marks if isinstance(marks, pikepdf.Array) else [marks]
            assert all(e.objgen in reachable for e in elements if isinstance(e, pikepdf.Dictionary))


# -- reading the structure tree with the text of its marked content -------------------------------

@pytest.fixture(scope="module")
def article(tmp_path_factory):
    """The hand-written article built into PDF in every language: the project."""
    project = load_project(make_project(tmp_path_factory.mktemp("tags"), seeds=[], translations=False))
    shutil.copy(ARTICLE, project.root / "seeds" / "lighthouses.txt")
    outcomes = build.run(project, build.TARGETS["pdf"])
    assert not [o for o in outcomes if o.status == "failed"], [str(o.error) for o in outcomes]
    return project


def all_editions(release_editions, article):
    for doc_id, lang in EDITIONS:
        yield release_editions, doc_id, lang
    for lang in LANGS:
        yield article, ARTICLE_ID, lang


def _mcid(obj) -> int | None:
    for index in range(pdfium_c.FPDFPageObj_CountMarks(obj.raw)):
        mark = pdfium_c.FPDFPageObj_GetMark(obj.raw, index)
        value = ctypes.c_int()
        if pdfium_c.FPDFPageObjMark_GetParamIntValue(mark, b"MCID", ctypes.byref(value)):
            return value.value
    return None


def mcid_texts(path) -> dict[tuple[int, int], str]:
    """The text of each marked-content sequence, keyed by (page index, MCID) (PDFium)."""
    texts: dict[tuple[int, int], str] = defaultdict(str)
    document = pdfium.PdfDocument(str(path))
    try:
        for index, page in enumerate(document):
            textpage = page.get_textpage()
            for obj in page.get_objects():
                mcid = _mcid(obj) if obj.type == pdfium_c.FPDF_PAGEOBJ_TEXT else None
                if mcid is not None:
                    texts[(index, mcid)] += _text(obj, textpage)
        return texts
    finally:
        document.close()


class Tagged:
    """One PDF's structure tree, with the text under each element."""

    def __init__(self, path):
        self.pdf = pikepdf.open(path)
        self.texts = mcid_texts(path)
        self.page_of = {page.obj.objgen: page.index for page in self.pdf.pages}
        self.elements = elements_in_order(self.pdf.Root.StructTreeRoot)

    def text(self, element) -> str:
        """The text of ``element``'s marked content, in the order of its ``/K``."""
        parts = []
        kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
        for kid in kids:
            if isinstance(kid, int):
                parts.append(self.texts[(self.page_of[element.Pg.objgen], kid)])
            elif isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                parts.append(self.text(kid))
            elif isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                parts.append(self.texts[(self.page_of[kid.Pg.objgen], int(kid.MCID))])
        return "".join(parts)

    def of_type(self, role: str) -> list:
        return [element for element in self.elements if element.S == role]

    def lang(self, element) -> str:
        """The language an element inherits (its own ``/Lang``, an ancestor's or the document's)."""
        while "/S" in element:
            if "/Lang" in element:
                return str(element.Lang)
            element = element.P
        return str(self.pdf.Root.Lang)


def squeezed(text: str) -> str:
    """Text without white space, hyphens and case (line breaks, hyphenation and CSS text-transform
    make them differ between PDF and HTML; PDFium reads a hyphen at a line end as U+0002; the
    Azerbaijani dotless ı and dotted İ fold to i)."""
    return re.sub(r"[\s\u00ad\u2010\x02\u0307-]", "", text).casefold().replace("ı", "i")


def html_text(element) -> str:
    return squeezed("".join(element.itertext()))


def letters(text: str) -> str:
    """Only the letters: generated text (footnote numbers, separators from CSS) left out."""
    return "".join(ch for ch in squeezed(text) if ch.isalpha())


def html_text_without_notes(element) -> str:
    """The letters of an HTML element, its footnotes left out (the PDF reads them after it)."""
    parts = [element.text or ""]
    for child in element:
        if "footnote" not in (child.get("class") or ""):
            parts.append(html_text_without_notes(child))
        parts.append(child.tail or "")
    return letters("".join(parts))


def _tagged(project, doc_id, lang):
    return Tagged(project.pdf_path(doc_id, lang)), etree.parse(str(project.edition_path(doc_id, lang)))


# -- 1. a paragraph split by a page break is one element ---------------------------------------------

def test_a_paragraph_is_one_element_across_pages(release_editions, article):
    crossing = 0
    for project, doc_id, lang in all_editions(release_editions, article):
        tagged, html = _tagged(project, doc_id, lang)
        paragraphs = [p for p in html.iter(f"{XHTML}p") if "footnote" not in (p.getparent().get("class") or "")]
        tagged_paragraphs = tagged.of_type("/P")
        assert [html_text_without_notes(p) for p in paragraphs] == [letters(tagged.text(p)) for p in tagged_paragraphs], \
            f"{doc_id} [{lang}]"
        marks_of = parent_tree_entries(tagged.pdf.Root.StructTreeRoot.ParentTree)
        for paragraph in tagged_paragraphs:
            for kid in paragraph.K:
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/MCR":
                    assert kid.Pg.objgen != paragraph.Pg.objgen
                    page = tagged.pdf.pages[tagged.page_of[kid.Pg.objgen]]
                    assert marks_of[int(page.obj.StructParents)][int(kid.MCID)].objgen == paragraph.objgen
                    crossing += 1
    assert crossing >= 6  # the article's footnoted paragraph in every language, and the seeds'


def test_the_article_paragraph_with_the_footnote_crosses_the_page(article):
    for lang in LANGS:
        tagged, _html = _tagged(article, ARTICLE_ID, lang)
        paragraph = next(p for p in tagged.of_type("/P") if "shahdilitowerwaselectrified" in squeezed(tagged.text(p)))
        pages = {tagged.page_of[kid.Pg.objgen] for kid in paragraph.K
                 if isinstance(kid, pikepdf.Dictionary) and "/Pg" in kid} | {tagged.page_of[paragraph.Pg.objgen]}
        assert pages == {0, 1}


# -- 2. footnotes -------------------------------------------------------------------------------------

def test_footnotes_are_notes_after_their_paragraph_linked_from_their_call(release_editions, article):
    found = 0
    for project, doc_id, lang in all_editions(release_editions, article):
        tagged, html = _tagged(project, doc_id, lang)
        footnotes = html.xpath("//*[@role='note' and contains(@class, 'footnote')]")
        notes, calls = tagged.of_type("/Note"), tagged.of_type("/Reference")
        assert len(notes) == len(calls) == len(footnotes), f"{doc_id} [{lang}]"
        assert [str(n.ID) for n in notes] == [f.get("id") for f in footnotes]
        for footnote, note, call in zip(footnotes, notes, calls):
            assert squeezed(tagged.text(note)).endswith(html_text(footnote))
            assert tagged.text(call).strip().isdigit()
            assert [r.objgen for r in call.Ref] == [note.objgen]
            holder = call.P
            while holder.S != "/P":
                holder = holder.P
            siblings = [kid.objgen for kid in holder.P.K if isinstance(kid, pikepdf.Dictionary)]
            assert siblings.index(note.objgen) == siblings.index(holder.objgen) + 1
            assert all(e.S != "/Note" for e in elements_in_order(holder))
            found += 1
    assert found == 6  # the AVIM author note and the article's note, in three languages


# -- 5. languages -------------------------------------------------------------------------------------

def test_passages_in_another_language_carry_their_lang(release_editions, article):
    for project, doc_id, lang in all_editions(release_editions, article):
        tagged, html = _tagged(project, doc_id, lang)
        assert str(tagged.pdf.Root.Lang) == lang
        marked = [e for e in html.iter() if e.get("lang") and e.get("lang") != lang]
        other = [e for e in tagged.elements if tagged.lang(e) != lang]
        assert all(tagged.lang(e) == "en" for e in other)
        # every foreign HTML passage is the text of a foreign structure element, nothing else is foreign
        foreign_text = {letters(tagged.text(e)) for e in other}
        for element in marked:
            if element.getparent().get("lang") in (None, lang) and html_text_without_notes(element):
                assert html_text_without_notes(element) in foreign_text, f"{doc_id} [{lang}] {element.tag}"
        if lang == "en":
            assert not any("/Lang" in e for e in tagged.elements)
        else:
            assert marked and other


# -- 3. lists -----------------------------------------------------------------------------------------

def test_list_items_have_a_label_and_a_body(release_editions, article):
    for project, doc_id, lang in all_editions(release_editions, article):
        tagged, html = _tagged(project, doc_id, lang)
        for item in tagged.of_type("/LI"):
            assert [kid.S for kid in item.K] == ["/Lbl", "/LBody"], f"{doc_id} [{lang}]"
        colophon = html.xpath("//*[local-name()='dl']")[0]
        pairs = [(html_text(t), html_text(t.getnext())) for t in colophon.iter(f"{XHTML}dt")]
        lists = [[(squeezed(tagged.text(i.K[0])), squeezed(tagged.text(i.K[1]))) for i in items.K]
                 for items in tagged.of_type("/L")]
        assert pairs in lists
        assert all(t.getnext().tag == f"{XHTML}dd" and t.getnext().getnext() is None
                   or t.getnext().getnext().tag == f"{XHTML}dt" for t in colophon.iter(f"{XHTML}dt"))


def test_a_numbered_list_labels_its_items(article):
    for lang in LANGS:
        tagged, html = _tagged(article, ARTICLE_ID, lang)
        numbered = [items for items in tagged.of_type("/L") if squeezed(tagged.text(items.K[0].K[0])) == "1."]
        assert len(numbered) == 1
        assert [squeezed(tagged.text(i.K[0])) for i in numbered[0].K] == ["1.", "2.", "3."]
        assert all(i.K[1].S == "/LBody" for i in numbered[0].K)
        assert [squeezed(tagged.text(i.K[1])) for i in numbered[0].K] == \
            [html_text(li) for li in html.iter(f"{XHTML}li")]


# -- 4. figures ---------------------------------------------------------------------------------------

def test_a_figure_groups_its_description_and_caption(article):
    for lang in LANGS:
        tagged, html = _tagged(article, ARTICLE_ID, lang)
        figure = html.xpath("//*[local-name()='figure']")[0]
        captions = tagged.of_type("/Caption")
        assert len(captions) == 1 and captions[0].P.S == "/Div"
        assert squeezed(tagged.text(captions[0].P)) == html_text(figure)
        assert not any(e.S == "/NonStruct" and any(k.S == "/Caption" for k in e.K if isinstance(k, pikepdf.Dictionary))
                       for e in tagged.elements)


PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108000000003a7e9b55"
                      "0000000a49444154789c63f80f0001010100b138f6140000000049454e44ae426082")


def test_a_picture_is_a_figure_with_alt_beside_its_caption(tmp_path):
    (tmp_path / "tower.png").write_bytes(PIXEL)
    xhtml = ('<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><title>T</title></head><body>'
             '<p>Before.</p><figure><img src="tower.png" alt="A white tower on a rocky point" '
             'style="width: 4cm"/><figcaption>The Shah Dili lighthouse.</figcaption></figure></body></html>')
    result = pdf_edition.render_pdf(xhtml.encode(), tmp_path / "article.xhtml", [], [tmp_path], "t", 0)
    path = tmp_path / "article.pdf"
    path.write_bytes(pdftags.with_tags(result.data))
    tagged = Tagged(path)
    (figure,), (caption,) = tagged.of_type("/Figure"), tagged.of_type("/Caption")
    assert str(figure.Alt) == "A white tower on a rocky point"
    assert figure.P.objgen == caption.P.objgen and figure.P.S == "/Div"
    assert tagged.text(caption) == "The Shah Dili lighthouse."


# -- 6. the file stays sound ------------------------------------------------------------------------

def test_the_pdf_is_sound_and_survives_a_second_pass(release_editions, article):
    for project, doc_id, lang in all_editions(release_editions, article):
        path = project.pdf_path(doc_id, lang)
        with pikepdf.open(path) as pdf:
            assert pdf.check_pdf_syntax() == []
            assert pdf.get_warnings() == []
            assert not any(k.startswith("/Pressrun") for e in elements_in_order(pdf.Root.StructTreeRoot) for k in e)
            ids = [str(e.ID) for e in elements_in_order(pdf.Root.StructTreeRoot) if "/ID" in e]
            assert len(ids) == len(set(ids))
        text = pdfium.PdfDocument(str(path))
        try:
            assert all(page.get_textpage().get_text_range() for page in text)
        finally:
            text.close()
        with pikepdf.open(io.BytesIO(pdftags.with_tags(path.read_bytes()))) as pdf:
            assert pdf.check_pdf_syntax() == []


def test_the_draft_watermark_is_an_artifact(article):
    html = etree.parse(str(article.edition_path(ARTICLE_ID, "ru")))
    watermark = html.xpath("string(//*[@aria-hidden='true' and contains(@class, 'draft-watermark')])")
    assert watermark
    pages = artifact_texts(article.pdf_path(ARTICLE_ID, "ru"))
    assert all(squeezed(watermark) in [squeezed(text) for text in artifacts] for artifacts in pages)
