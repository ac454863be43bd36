"""The PDF structure tree read with pikepdf and PDFium: page furniture is artifact, every element reachable."""

from __future__ import annotations

import ctypes

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from lxml import etree

from pressrun.editions import edition
from pressrun.editions.pdftags import parent_tree_entries, reachable_elements

from conftest import AVIM_ID, TURAN_ID

EDITIONS = [(doc_id, lang) for doc_id in (AVIM_ID, TURAN_ID) for lang in ("en", "ru", "az")]


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
