"""Page starts: where each page WeasyPrint laid out begins in the edition XHTML.

In: the document WeasyPrint laid out from ``build/html/<lang>/<doc-id>.xhtml``
(its pages of boxes; every text box points at the element of the parsed
XHTML whose text it shows).
Out: one :class:`~pressrun.editions.pagemap.PageStart` per page with text,
in page order: the page map the PDF step writes beside the PDF.

A page begins at the first word that begins on it: a page that opens with
the end of a word broken on the previous page starts at the next word.  The
page's text is its body in document order: the page-margin boxes (running
heads, page numbers), generated text (``::before``, ``::after``, list
markers, note calls) and boxes out of the flow (``position: fixed``, the
draft watermark) are not part of it, and the notes WeasyPrint sets at the
foot of the page (``float: footnote``) count only on a page that holds
nothing else.  Each text box is matched, in order, against the own text of
its element, so the offset of a page that begins inside a paragraph is
exact.  Pages are numbered from 1 with decimal figures, as the page numbers
of ``styles/print.css`` print them (page 1 shows none).
"""

from __future__ import annotations

import logging
from typing import Iterator

from weasyprint.formatting_structure import boxes

from ..errors import ToolError
from .pagemap import PageStart

log = logging.getLogger("pressrun.editions.pagelayout")

SOFT_HYPHEN = "\u00ad"
BEGINS_WORDS = 6  # how many words of each page the map quotes


class _OwnText:
    """An element's own text nodes (its text, then the text after each child) and how far the pages have used them."""

    def __init__(self, element):
        self.nodes = [element.text or ""] + [child.tail or "" for child in element]
        self.node, self.offset = 0, 0

    def _skip_blank(self) -> None:
        while self.node < len(self.nodes):
            text = self.nodes[self.node]
            while self.offset < len(text) and (text[self.offset].isspace() or text[self.offset] == SOFT_HYPHEN):
                self.offset += 1
            if self.offset < len(text):
                return
            self.node, self.offset = self.node + 1, 0

    def consume(self, shown: str, hyphen: str, transformed: bool) -> tuple[int, int] | None:
        """Move past the text a box shows; returns the (node, offset) of its first character.

        The box shows the text with its spaces collapsed, with ``hyphen`` added
        where WeasyPrint hyphenated a word at the end of a line, and, when
        ``transformed`` (``text-transform``), in the capitals of its language
        (Azerbaijani i → İ); only the characters other than spaces are compared.
        Text the element does not hold (an image's alternative text) gives
        None and moves nothing.
        """
        wanted = "".join(char for char in shown if not char.isspace() and char != SOFT_HYPHEN)
        saved, start, position = (self.node, self.offset), None, 0
        while position < len(wanted):
            self._skip_blank()
            form = self._match(wanted, position, transformed)
            if form is None:
                if wanted[position:] == hyphen and start is not None:
                    break
                self.node, self.offset = saved
                return None
            if start is None:
                start = (self.node, self.offset)
            position += len(form)
            self.offset += 1
        return start

    def _match(self, wanted: str, position: int, transformed: bool) -> str | None:
        """The characters of ``wanted`` at ``position`` that show the next character of the text, if they do."""
        if self.node == len(self.nodes):
            return None
        char = self.nodes[self.node][self.offset]
        form = next((f for f in (char, char.upper(), char.lower()) if wanted.startswith(f, position)), None)
        if form is None and transformed and char.isalpha() and wanted[position].isalpha():
            form = wanted[position]
        return form

    def word_start(self, node: int, offset: int) -> int:
        """The offset of the first word that begins at or after ``offset`` of the node (its end if none does)."""
        text = self.nodes[node]
        if offset == 0 or text[offset - 1].isspace():
            return offset
        while offset < len(text) and not text[offset].isspace():
            offset += 1
        while offset < len(text) and text[offset].isspace():
            offset += 1
        return offset

    def words_from(self, node: int, offset: int) -> str:
        return " ".join(self.nodes[node][offset:].replace(SOFT_HYPHEN, "").split()[:BEGINS_WORDS])


def _text_boxes(box) -> Iterator[boxes.TextBox]:
    """The text boxes under ``box`` in document order, without generated text or boxes out of the flow."""
    if "::" in (box.element_tag or "") or box.style["position"] in ("fixed", "absolute"):
        return
    if isinstance(box, boxes.TextBox):
        yield box
    elif isinstance(box, boxes.ParentBox):
        for child in box.children:
            yield from _text_boxes(child)


def _page_text(page_box) -> tuple[list[boxes.TextBox], list[boxes.TextBox]]:
    """The text boxes of a page's body and of its footnote area."""
    body, notes = [], []
    for child in page_box.children:
        if isinstance(child, boxes.FootnoteAreaBox):
            notes += _text_boxes(child)
        elif not isinstance(child, boxes.MarginBox):
            body += _text_boxes(child)
    return body, notes


def _element_paths(body) -> dict[int, list[int]]:
    """Every element under ``body`` (by identity) with its path of child element indexes from ``body``."""
    paths = {id(body): []}
    stack = [body]
    while stack:
        element = stack.pop()
        children = [child for child in element if isinstance(child.tag, str)]
        for index, child in enumerate(children):
            paths[id(child)] = paths[id(element)] + [index]
            stack.append(child)
    return paths


def _body_element(page_box):
    """The parsed ``<body>`` of the document, from the box tree of a page."""
    stack = [page_box]
    while stack:
        box = stack.pop()
        if (box.element_tag or "").lower() == "body":
            return box.element
        if isinstance(box, boxes.ParentBox):
            stack.extend(reversed(box.children))
    raise ToolError("WeasyPrint laid out no <body>")


def page_starts(document) -> list[PageStart]:
    """Where each page of a WeasyPrint document with text begins (see the module docstring)."""
    page_boxes = [page._page_box for page in document.pages]
    if not page_boxes:
        return []
    paths = _element_paths(_body_element(page_boxes[0]))
    texts: dict[int, _OwnText] = {}
    starts = []
    for number, page_box in enumerate(page_boxes, 1):
        body, notes = _page_text(page_box)
        first = None
        for box in body + notes:
            own = texts.setdefault(id(box.element), _OwnText(box.element))
            place = own.consume(box.text, box.style["hyphenate_character"], box.style["text_transform"] != "none")
            if place is None:
                log.debug("page %d: %r is not text of its element", number, box.text)
            elif first is None and id(box.element) in paths:
                first = (box.element, own, place)
        if first is None:
            log.warning("page %d has no text: it is left out of the page map", number)
            continue
        element, own, (node, offset) = first
        offset = own.word_start(node, offset)
        starts.append(PageStart(str(number), paths[id(element)], node, offset, own.words_from(node, offset)))
    return starts
