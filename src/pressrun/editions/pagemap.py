"""The page map: where each page of a PDF edition begins in the edition XHTML.

In: the page starts the PDF step finds in WeasyPrint's layout
(:mod:`pressrun.editions.pagelayout`).
Out: ``build/pdf/<lang>/<doc-id>.pages.json`` beside the PDF, read back by
the EPUB step to place its page-break markers and page list
(:mod:`pressrun.editions.epub`).  Each page gives its printed number
(``label``) and the place its body text begins in the edition XHTML: the
element (``path``, child element indexes from ``<body>``), its text node
(``node``: 0 for the element's own text, *n* for the text after its *n*-th
child node), the character ``offset`` in that node, and the words that
follow there (``begins``), by which a reader of the map checks that it fits
the XHTML.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class PageStart:
    """Where one page begins in the edition XHTML."""

    label: str
    path: list[int]
    node: int
    offset: int
    begins: str


def to_json(starts: list[PageStart]) -> bytes:
    return (json.dumps({"pages": [asdict(start) for start in starts]}, ensure_ascii=False, indent=1,
                       sort_keys=True) + "\n").encode("utf-8")


def from_json(data: bytes) -> list[PageStart]:
    """The page starts :func:`to_json` wrote."""
    return [PageStart(**page) for page in json.loads(data)["pages"]]
