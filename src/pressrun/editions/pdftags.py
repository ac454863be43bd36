"""PDF tags: WeasyPrint's tagged PDF → the same PDF with page furniture as artifacts.

In: the bytes of a tagged PDF written by WeasyPrint.
Out: the PDF in which every marked-content sequence whose structure element
cannot be reached from the structure root (WeasyPrint tags the running heads
and page numbers of the page margins as ``/Span`` elements under a
``/NonStruct`` that no element lists) is marked ``/Artifact`` of type
``/Pagination`` instead, and its entry in the parent tree is removed; the
orphaned elements are no longer written. Afterwards every structure element a
page refers to is reachable from ``/StructTreeRoot``. Saved with pikepdf with a
content-derived document ID, so the same inputs give the same bytes.
"""

from __future__ import annotations

import io

import pikepdf


def reachable_elements(root: pikepdf.Dictionary) -> set[tuple[int, int]]:
    """The object ids of every structure element below the structure root."""
    seen: set[tuple[int, int]] = set()
    pending = [root.get("/K")]
    while pending:
        item = pending.pop()
        if isinstance(item, pikepdf.Array):
            pending.extend(item)
        elif isinstance(item, pikepdf.Dictionary) and "/S" in item and item.objgen not in seen:
            if item.is_indirect:
                seen.add(item.objgen)
            pending.append(item.get("/K"))
    return seen


def parent_tree_entries(node: pikepdf.Dictionary) -> dict[int, pikepdf.Object]:
    """A number tree's entries (``/Nums`` leaves reached through ``/Kids``)."""
    entries = {}
    nums = node.get("/Nums", pikepdf.Array())
    for index in range(0, len(nums) - 1, 2):
        entries[int(nums[index])] = nums[index + 1]
    for kid in node.get("/Kids", pikepdf.Array()):
        entries.update(parent_tree_entries(kid))
    return entries


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


def with_artifacts(data: bytes) -> bytes:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        artifact_page_furniture(pdf)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
    return out.getvalue()
