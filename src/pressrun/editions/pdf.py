"""PDF: the edition XHTML → a tagged PDF/UA-1 file, rendered by WeasyPrint.

In: ``build/html/<lang>/<doc-id>.xhtml``, the stylesheets in ``styles/``
(``edition.css`` shared, ``print.css`` for paper, ``lang-<lang>.css`` per
language) and the fonts of the ``fontpkg-noto-serif`` package.
Out: ``build/pdf/<lang>/<doc-id>.pdf`` with document info and XMP metadata
taken from the XHTML head, ``/Lang``, an outline of the headings, and a
fixed ``/ID`` so that the same inputs give the same bytes; its structure
elements carry the hints :mod:`.pdftags` turns into the final structure tree;
and where each page begins in the XHTML (:mod:`pressrun.editions.pagelayout`),
for the EPUB.

WeasyPrint reads only files inside the project, the build folder and the
font package: :class:`SandboxFetcher` refuses every other URL (other files,
``http:``, ``data:`` …) and records what it refused.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import pydyf
import weasyprint
from weasyprint import CSS, HTML
from weasyprint.pdf.metadata import DocumentMetadata
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..config import pinned_source_date
from ..engine.dependencies import read_bytes, uses_tool
from .fonts import FONT_FAMILY, font_files, font_folder
from .pagelayout import page_starts
from .pagemap import PageStart
from . import pdfmeta, pdftags
from .edition import EditionInfo
from .typography import quotes_css

log = logging.getLogger("pressrun.editions.pdf")

PDF_VARIANT = "pdf/ua-1"

def font_face_css() -> str:
    """``@font-face`` rules for the packaged variable fonts, at the weights the styles use."""
    rules = []
    for path in font_files():
        style = "italic" if "Italic" in path.name else "normal"
        for weight in (400, 700):
            rules.append(f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{path.as_uri()}"); '
                         f"font-style: {style}; font-weight: {weight}; }}")
    return "\n".join(rules)


class SandboxFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that reads only regular files under ``roots``."""

    def __init__(self, roots: list[Path]):
        super().__init__(allowed_protocols={"file"}, allow_redirects=False)
        self.roots = [root.resolve() for root in roots]
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if path.is_file() and any(path.is_relative_to(root) for root in self.roots):
                return URLFetcherResponse(url, read_bytes(path), {}, 200)
        self.refused.append(url)
        raise ValueError(f"pressrun refuses to fetch {url}: only files inside the project may be used")


def producer() -> str:
    from .. import __version__
    return f"pressrun {__version__} (WeasyPrint {weasyprint.__version__})"


class _Metadata(DocumentMetadata):
    """WeasyPrint's metadata, naming pressrun with WeasyPrint as the producer in the XMP packet."""

    def generate_rdf_metadata(self, variant, version, conformance):
        rdf = super().generate_rdf_metadata(variant, version, conformance)
        return rdf.replace(f"WeasyPrint {weasyprint.__version__}".encode(), producer().encode())


def _finish(document, pdf) -> None:
    pdf.info["Producer"] = pydyf.String(producer())


@dataclass
class PdfResult:
    data: bytes
    pages: int
    refused: list[str] = field(default_factory=list)
    page_starts: list[PageStart] = field(default_factory=list)  # where each page begins in the XHTML


def render_pdf(xhtml: bytes, base: Path, stylesheets: list[Path], roots: list[Path],
               identifier: str, epoch: int) -> PdfResult:
    """Render one edition; ``epoch`` dates the embedded fonts when SOURCE_DATE_EPOCH is unset."""
    uses_tool("weasyprint")
    with pinned_source_date(epoch):
        return _render(xhtml, base, stylesheets, roots, identifier)


def _render(xhtml: bytes, base: Path, stylesheets: list[Path], roots: list[Path], identifier: str) -> PdfResult:
    fetcher = SandboxFetcher([*roots, font_folder()])
    fonts = FontConfiguration()
    html = HTML(string=xhtml.decode("utf-8"), base_url=base.as_uri(), url_fetcher=fetcher)
    styles = [CSS(string=font_face_css() + quotes_css(), url_fetcher=fetcher, font_config=fonts)]
    styles += [CSS(filename=str(path), url_fetcher=fetcher, font_config=fonts) for path in stylesheets if path.is_file()]
    document = html.render(stylesheets=styles, font_config=fonts, pdf_variant=PDF_VARIANT, pdf_tags=True)
    document.metadata = _Metadata(**document.metadata.__dict__)
    with pdftags.box_hints():
        data = document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True, finisher=_finish,
                                  pdf_identifier=hashlib.md5(identifier.encode()).hexdigest().encode())
    return PdfResult(data, len(document.pages), fetcher.refused, page_starts(document))


def finish(data: bytes, info: EditionInfo) -> bytes:
    """WeasyPrint's PDF with the library metadata (:mod:`.pdfmeta`) and the completed structure tree
    (:mod:`.pdftags`), in one parse and one save."""
    def change(document) -> None:
        pdfmeta.add_library_metadata(document, info)
        pdftags.complete_tags(document)
    return pdftags.rewrite(data, change)
