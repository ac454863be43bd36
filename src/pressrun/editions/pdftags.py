"""PDF tags: WeasyPrint's tagged PDF → a structure tree that reads in the order of the edition.

In: the bytes of a tagged PDF written by WeasyPrint while :func:`box_hints`
was active. WeasyPrint builds the tree page by page from the boxes it laid out
and keeps no link from an element to its HTML element; while the hints are
active, each element it yields also carries private keys (``/PressrunBox``:
the HTML element, pseudo-element and type it was made for; ``/PressrunOwner``:
the HTML element; ``/PressrunLang``: the box's language; ``/PressrunAnonymous``,
``/PressrunHidden``: an anonymous box, an ``aria-hidden`` element), and the
types WeasyPrint cannot know are set: a footnote body is ``/Note`` with the
HTML ``id`` as ``/ID``, its call ``/Reference``, its marker and a ``dt``
``/Lbl``, a ``figure`` ``/Div``.

Out: the same PDF, saved with a content-derived document ID so that the same
inputs give the same bytes, the private keys removed, in which

* page furniture and decoration are artifacts: every marked-content sequence
  whose element cannot be reached from the structure root (WeasyPrint tags the
  running heads and page numbers of the page margins as ``/Span`` elements
  under a ``/NonStruct`` that no element lists), and that of ``aria-hidden``
  elements (the draft watermark), is marked ``/Artifact`` of type
  ``/Pagination`` and its parent tree entry removed;
* an element is one element however many pages it spans: a paragraph split by
  a page break, which WeasyPrint writes as one ``/P`` per page, is merged into
  its first part, whose ``/K`` then lists the marked content of both pages
  (``/MCR`` dictionaries with ``/Pg`` for the other page), and the parent tree
  names it as the parent of every MCID;
* the ``/Span`` WeasyPrint wraps around each line of text, and the element of
  an anonymous block box (which repeats its parent's type), give their content
  to the element around them;
* a ``/Note`` is read right after the paragraph (heading, caption, cell, list
  label or body) holding its call, and the ``/Reference`` names it in ``/Ref``
  (PDF 2.0's key; PDF/UA-1 asks for the note's ``/ID``);
* every ``/LI`` holds a ``/Lbl`` and an ``/LBody``; a description list has one
  ``/LI`` per term (see :func:`shape_list_items`);
* a ``figure`` is a ``/Div`` holding its picture (WeasyPrint's ``/Figure`` with
  the ``alt`` text as ``/Alt``) or, as pressrun embeds no pictures, the
  paragraph describing it, and its ``/Caption``: a ``/Figure``'s ``/Alt``
  replaces its content for assistive technology, so visible text stays out;
* every element whose language differs from the document's ``/Lang`` has its
  own ``/Lang``.

All of this is one walk over the structure tree plus, for pages with
furniture, one pass over their content stream; nothing is rendered again.
"""

from __future__ import annotations

import io
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pikepdf
import pydyf
import weasyprint
from weasyprint.css import AnonymousStyle
from weasyprint.formatting_structure import boxes
from weasyprint.layout.absolute import AbsolutePlaceholder
from weasyprint.pdf import tags as weasyprint_tags

log = logging.getLogger("pressrun.editions.pdftags")

BOX, OWNER, LANG = pikepdf.Name("/PressrunBox"), pikepdf.Name("/PressrunOwner"), pikepdf.Name("/PressrunLang")
HIDDEN, ANONYMOUS = pikepdf.Name("/PressrunHidden"), pikepdf.Name("/PressrunAnonymous")
#: Elements after which a footnote's body is read: the blocks a call can stand in.
NOTE_ANCHORS = {"/P", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/Caption", "/TD", "/TH", "/Lbl", "/LBody"}
_patch_lock = threading.Lock()


# -- while WeasyPrint builds the tree ---------------------------------------------------------------

def _role(element, box, notes: set[int]) -> str | None:
    """The structure type pressrun gives a box whose WeasyPrint type says too little."""
    tag = box.element_tag or ""
    if id(box) in notes:
        return "/Note"
    if tag.endswith("::footnote-call"):
        return "/Reference"
    if tag.endswith("::footnote-marker"):
        return "/Lbl"
    if tag == "dt" and element["S"] == "/LBody":
        return "/Lbl"
    if tag == "figure":
        return "/Div"
    return None


def _hint(element, box, notes: set[int]) -> None:
    """Record on a WeasyPrint structure element what its box was made for."""
    if "PressrunBox" in element or box.element is None:
        return  # hinted by the call that built it, or made for no HTML element
    role = _role(element, box, notes)
    if role:
        element["S"] = role
    if role == "/Note" and box.element.get("id"):
        element["ID"] = pydyf.String(box.element.get("id"))
    element["PressrunBox"] = pydyf.String(f"{id(box.element)} {box.element_tag} {element['S']}")
    element["PressrunOwner"] = pydyf.String(str(id(box.element)))
    if box.style["lang"]:
        element["PressrunLang"] = pydyf.String(box.style["lang"])
    if isinstance(box.style, AnonymousStyle):
        element["PressrunAnonymous"] = True
    if box.element.get("aria-hidden") == "true":
        element["PressrunHidden"] = True


@contextmanager
def box_hints() -> Iterator[None]:
    """While active, WeasyPrint's structure elements carry the hints :func:`with_tags` reads."""
    original = getattr(weasyprint_tags, "_build_box_tree", None)
    if original is None:
        log.warning("WeasyPrint %s builds its tags differently: PDF structure elements stay one per page",
                    weasyprint.__version__)
        yield
        return
    notes: set[int] = set()  # the footnote boxes (WeasyPrint sets their float to none)

    def build(box, *args):
        if isinstance(box, AbsolutePlaceholder):
            box = box._box
        if isinstance(box, boxes.FootnoteAreaBox):
            notes.update(id(child) for child in box.children)
        for element in original(box, *args):
            _hint(element, box, notes)
            yield element

    with _patch_lock:
        weasyprint_tags._build_box_tree = build
        try:
            yield
        finally:
            weasyprint_tags._build_box_tree = original


# -- reading the tree ---------------------------------------------------------------------------------

def _kids(element: pikepdf.Dictionary) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _is_element(item) -> bool:
    return isinstance(item, pikepdf.Dictionary) and "/S" in item


def _is_same(item, element: pikepdf.Dictionary) -> bool:
    return _is_element(item) and item.objgen == element.objgen


def elements_in_order(root: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    """Every structure element below ``root``, in reading (pre-)order."""
    found, pending = [], list(reversed(_kids(root)))
    while pending:
        item = pending.pop()
        if _is_element(item):
            found.append(item)
            pending.extend(reversed(_kids(item)))
    return found


def reachable_elements(root: pikepdf.Dictionary) -> set[tuple[int, int]]:
    """The object ids of every structure element below the structure root."""
    return {element.objgen for element in elements_in_order(root) if element.is_indirect}


def parent_tree_entries(node: pikepdf.Dictionary) -> dict[int, pikepdf.Object]:
    """A number tree's entries (``/Nums`` leaves reached through ``/Kids``)."""
    entries = {}
    nums = node.get("/Nums", pikepdf.Array())
    for index in range(0, len(nums) - 1, 2):
        entries[int(nums[index])] = nums[index + 1]
    for kid in node.get("/Kids", pikepdf.Array()):
        entries.update(parent_tree_entries(kid))
    return entries


# -- page furniture -----------------------------------------------------------------------------------

def _as_artifacts(pdf: pikepdf.Pdf, page: pikepdf.Page, orphaned: set[int]) -> None:
    """Rewrite the page's marked content: the orphaned MCIDs become pagination artifacts."""
    operations = []
    for operands, operator in pikepdf.parse_content_stream(page):
        properties = operands[1] if str(operator) == "BDC" and len(operands) == 2 else None
        if isinstance(properties, pikepdf.Dictionary) and int(properties.get("/MCID", -1)) in orphaned:
            operands = [pikepdf.Name.Artifact, pikepdf.Dictionary(Type=pikepdf.Name.Pagination)]
        operations.append(pikepdf.ContentStreamInstruction(operands, operator))
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(operations))


def artifact_page_furniture(pdf: pikepdf.Pdf) -> int:
    """Mark unreachable marked content as artifacts; returns how many sequences changed."""
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/ParentTree" not in root:
        return 0
    reachable = reachable_elements(root)
    marks_of = parent_tree_entries(root.ParentTree)
    changed = 0
    for page in pdf.pages:
        marks = marks_of.get(int(page.obj.get("/StructParents", -1)))
        if not isinstance(marks, pikepdf.Array):
            continue
        orphaned = {mcid for mcid, element in enumerate(marks)
                    if isinstance(element, pikepdf.Dictionary) and element.objgen not in reachable}
        if not orphaned:
            continue
        _as_artifacts(pdf, page, orphaned)
        for mcid in orphaned:
            marks[mcid] = None
        changed += len(orphaned)
    return changed


# -- rebuilding the tree ------------------------------------------------------------------------------

class Tree:
    """The structure tree and its parent tree, edited together."""

    def __init__(self, pdf: pikepdf.Pdf):
        self.pdf = pdf
        self.root = pdf.Root.StructTreeRoot
        self.marks_of = parent_tree_entries(self.root.ParentTree)
        self.page_key = {page.obj.objgen: int(page.obj.get("/StructParents", -1)) for page in pdf.pages}
        self.page_index = {page.obj.objgen: page.index for page in pdf.pages}

    def set_parent(self, item, element: pikepdf.Dictionary, page: pikepdf.Object) -> None:
        """Make ``element`` the parent of ``item`` (an MCID on ``page``, an MCR, an OBJR or an element)."""
        if _is_element(item):
            item.P = element
        elif isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/OBJR":
            self._set_number(int(item.Obj.StructParent), element)
        elif isinstance(item, pikepdf.Dictionary):
            self.marks_of[self.page_key[item.Pg.objgen]][int(item.MCID)] = element
        else:
            self.marks_of[self.page_key[page.objgen]][int(item)] = element

    def _set_number(self, key: int, element: pikepdf.Dictionary) -> None:
        nums = self.root.ParentTree.Nums
        for index in range(0, len(nums) - 1, 2):
            if int(nums[index]) == key:
                nums[index + 1] = element

    def adopt(self, element: pikepdf.Dictionary, items: list, page: pikepdf.Object) -> None:
        """Append ``items`` (kids of an element on ``page``) to ``element``'s ``/K``."""
        kids = _kids(element)
        for item in items:
            if isinstance(item, int) and page.objgen != element.Pg.objgen:
                item = pikepdf.Dictionary(Type=pikepdf.Name.MCR, Pg=page, MCID=int(item))
            self.set_parent(item, element, page)
            kids.append(item)
        element.K = pikepdf.Array(kids)

    def unwrap(self, element: pikepdf.Dictionary) -> None:
        """Replace ``element`` in its parent's ``/K`` by its own kids."""
        parent, page = element.P, element.Pg
        kids = _kids(parent)
        index = next(i for i, kid in enumerate(kids) if _is_same(kid, element))
        parent.K = pikepdf.Array(kids[:index])
        self.adopt(parent, _kids(element), page)
        parent.K = pikepdf.Array([*_kids(parent), *kids[index + 1:]])

    @staticmethod
    def detach(element: pikepdf.Dictionary) -> None:
        """Remove ``element`` from its parent's ``/K``."""
        parent = element.P
        parent.K = pikepdf.Array([kid for kid in _kids(parent) if not _is_same(kid, element)])

    @staticmethod
    def insert_after(element: pikepdf.Dictionary, anchor: pikepdf.Dictionary) -> None:
        kids = _kids(anchor.P)
        index = next(i for i, kid in enumerate(kids) if _is_same(kid, anchor))
        anchor.P.K = pikepdf.Array(kids[:index + 1] + [element] + kids[index + 1:])
        element.P = anchor.P


def dissolve_wrappers(tree: Tree) -> None:
    """Put the kids of WeasyPrint's wrapper elements in their place.

    Wrappers are the ``/Span`` around each line of text and the element of an anonymous block
    box, which repeats its parent's type (an image in a ``figure`` sits in an anonymous block).
    """
    for element in elements_in_order(tree.root):
        if _is_line_span(element) or _is_anonymous_copy(element):
            tree.unwrap(element)


def _is_line_span(item) -> bool:
    return item.S == "/Span" and BOX not in item and all(isinstance(k, int) for k in _kids(item))


def _is_anonymous_copy(item) -> bool:
    return ANONYMOUS in item and item.S == item.P.get("/S") and item.get(OWNER) == item.P.get(OWNER)


def merge_split_elements(tree: Tree) -> int:
    """Merge the parts of an element that WeasyPrint wrote once per page; returns how many merged.

    A part continues the element last seen for the same box when it is the first element of that
    box on the next page (anonymous boxes of one HTML element share a key, but only a box split by
    the page break ends one page and starts the next).
    """
    last_of: dict[str, tuple[pikepdf.Dictionary, int]] = {}
    merged = 0
    for element in elements_in_order(tree.root):
        key = str(element.get(BOX, ""))
        if not key:
            continue
        page = tree.page_index[element.Pg.objgen]
        target, target_page = last_of.get(key, (None, -1))
        if target is not None and page == target_page + 1:
            Tree.detach(element)
            tree.adopt(target, _kids(element), element.Pg)
            merged += 1
        else:
            target = element
        last_of[key] = (target, page)
    return merged


def _anchor(element: pikepdf.Dictionary) -> pikepdf.Dictionary:
    """The block a footnote call stands in (the outermost element below the document if none)."""
    while element.P.get("/S") not in (None, "/Document") and element.S not in NOTE_ANCHORS:
        element = element.P
    return element


def place_notes(tree: Tree) -> int:
    """Read each footnote right after the block holding its call; link call and note."""
    elements = elements_in_order(tree.root)
    calls = {str(e[OWNER]): e for e in elements if e.S == "/Reference" and OWNER in e}
    placed = 0
    for note in (e for e in elements if e.S == "/Note"):
        call = calls.get(str(note.get(OWNER, "")))
        if call is None:
            log.warning("footnote %s has no call in the structure tree", note.get("/ID"))
            continue
        call.Ref = pikepdf.Array([note])
        area = note.P
        Tree.detach(note)
        Tree.insert_after(note, _anchor(call))
        _drop_if_empty(area)
        placed += 1
    return placed


def _drop_if_empty(element: pikepdf.Dictionary) -> None:
    while _is_element(element) and element.S == "/NonStruct" and not _kids(element):
        parent = element.P
        Tree.detach(element)
        element = parent


def shape_list_items(tree: Tree) -> None:
    """Every ``/LI`` holds a ``/Lbl`` and an ``/LBody``.

    A description list (``dl``) gets one ``/LI`` per term: its ``/Lbl`` is the ``dt`` and its
    ``/LBody`` the ``dd`` (one ``/LBody`` per ``dd`` if a term has several); WeasyPrint writes one
    ``/LI`` per ``dt`` and per ``dd``, which a screen reader announces as twice as many unrelated
    items.  PDF 1.7 (and so PDF/UA-1) has no types for terms and descriptions; the PDF
    Association's Tagged PDF Best Practice Guide gives this label/body form for them, and it keeps
    each pair one item.  The blocks of an ``li`` (WeasyPrint lists them beside the marker's
    ``/Lbl``) are wrapped in one ``/LBody``.
    """
    for items in (e for e in elements_in_order(tree.root) if e.S == "/L"):
        term = None
        for item in _kids(items):
            parts = _kids(item) if _is_element(item) and item.S == "/LI" else []
            if parts and _is_term(parts[0]):
                term = item
            elif term is not None and parts and all(_is_element(p) and p.S == "/LBody" for p in parts):
                Tree.detach(item)
                tree.adopt(term, parts, item.Pg)
            else:
                term = None
                _wrap_body(tree, item, parts)


def _is_term(element) -> bool:
    return _is_element(element) and element.S == "/Lbl" and str(element.get(BOX, "")).endswith(" dt /Lbl")


def _wrap_body(tree: Tree, item: pikepdf.Dictionary, parts: list) -> None:
    """Put the kids of ``item`` that are neither label nor body into one ``/LBody``."""
    kept = [p for p in parts if _is_element(p) and p.S in ("/Lbl", "/LBody")]
    loose = [p for p in parts if not (_is_element(p) and p.S in ("/Lbl", "/LBody"))]
    if not loose:
        return
    body = tree.pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.LBody,
                                                     P=item, Pg=item.Pg, K=pikepdf.Array()))
    if LANG in item:
        body[LANG] = item[LANG]
    item.K = pikepdf.Array([*kept, body])
    tree.adopt(body, loose, item.Pg)


def mark_languages(tree: Tree, document_lang: str) -> None:
    """``/Lang`` on every element whose language is not the document's."""
    for element in elements_in_order(tree.root):
        lang = str(element.get(LANG, ""))
        if lang and lang.lower() != document_lang.lower():
            element.Lang = pikepdf.String(lang)


def strip_hints(tree: Tree) -> None:
    for element in elements_in_order(tree.root):
        for key in (BOX, OWNER, LANG, HIDDEN, ANONYMOUS):
            if key in element:
                del element[key]


def restructure(pdf: pikepdf.Pdf) -> None:
    """Every change the module docstring lists, after the page furniture became artifacts."""
    if "/StructTreeRoot" not in pdf.Root or "/ParentTree" not in pdf.Root.StructTreeRoot:
        return
    tree = Tree(pdf)
    dissolve_wrappers(tree)
    merged = merge_split_elements(tree)
    notes = place_notes(tree)
    shape_list_items(tree)
    mark_languages(tree, str(pdf.Root.get("/Lang", "")))
    strip_hints(tree)
    log.debug("structure: %d split elements merged, %d notes placed", merged, notes)


def unlist_hidden(pdf: pikepdf.Pdf) -> None:
    """Take the elements made for ``aria-hidden`` HTML elements (decoration) out of the tree."""
    if "/StructTreeRoot" not in pdf.Root:
        return
    for element in elements_in_order(pdf.Root.StructTreeRoot):
        if HIDDEN in element:
            Tree.detach(element)


def complete_tags(pdf: pikepdf.Pdf) -> None:
    """Give the open PDF the structure tree the module docstring describes."""
    started = time.perf_counter()
    unlist_hidden(pdf)
    artifact_page_furniture(pdf)
    restructure(pdf)
    log.debug("PDF tags done in %.0f ms", (time.perf_counter() - started) * 1000)


def rewrite(data: bytes, change: Callable[[pikepdf.Pdf], None]) -> bytes:
    """``data`` opened once, changed in place and saved with a content-derived document ID, so the same
    inputs give the same bytes."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        change(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()


def with_tags(data: bytes) -> bytes:
    """The PDF bytes with the structure tree completed."""
    return rewrite(data, complete_tags)
