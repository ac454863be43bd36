"""Record: one metadata record per edition, the single source of every metadata view.

In: the :class:`~pressrun.editions.edition.EditionInfo` the PDF and EPUB steps use and
the sizes and digests of the edition's files.  Out: an :class:`EditionRecord`
that the pages, feeds, citation files and manifest are all written from.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from ..editions.edition import EditionInfo

ALLOWED_SCHEMES = ("http", "https")


def safe_url(url: str) -> str:
    """``url`` when it is an absolute http(s) address with a host, else an empty string."""
    parsed = urlparse(url.strip())
    if parsed.scheme.lower() in ALLOWED_SCHEMES and parsed.netloc and not any(c.isspace() for c in url.strip()):
        return url.strip()
    return ""


@dataclass(frozen=True)
class DistFile:
    """A file of the release: its path inside ``build/dist``, size in bytes, SHA-256 and media type."""

    path: str
    size: int
    sha256: str
    media_type: str


def dist_file(path: Path, site_path: str, media_type: str) -> DistFile:
    data = path.read_bytes()
    return DistFile(site_path, len(data), hashlib.sha256(data).hexdigest(), media_type)


@dataclass(frozen=True)
class EditionRecord:
    doc_id: str
    lang: str
    title: str
    authors: tuple[str, ...]
    author_types: tuple[str, ...]  # "Person" or "Organization", as the master marks each author
    abstract: str
    keywords: tuple[str, ...]
    publisher: str
    date: str  # publication date, YYYY-MM-DD (or shorter when the source says less)
    edition_date: str
    identifier: str
    source_url: str
    rights: str
    translator: str
    original_language: str  # the language of the original; this edition's when it is the original
    series: str
    series_number: str
    siblings: tuple[str, ...]
    pdf: DistFile
    epub: DistFile
    cover: DistFile | None

    @property
    def is_original(self) -> bool:
        return self.original_language == self.lang

    @property
    def page(self) -> str:
        """The edition page's path inside ``build/dist``."""
        return f"{self.lang}/{self.doc_id}/index.html"

    @property
    def folder(self) -> str:
        return f"{self.lang}/{self.doc_id}/"

    def citation_file(self, suffix: str) -> str:
        return f"{self.folder}{self.doc_id}.{suffix}"


def edition_record(info: EditionInfo, author_types: list[str], pdf: DistFile, epub: DistFile,
                   cover: DistFile | None) -> EditionRecord:
    return EditionRecord(
        doc_id=info.doc_id, lang=info.lang, title=info.title, authors=tuple(info.authors),
        author_types=tuple(author_types),
        abstract=info.description, keywords=tuple(info.keywords), publisher=info.publisher,
        date=info.pubdate[:10], edition_date=info.edition_date, identifier=info.identifier,
        source_url=safe_url(info.source_url), rights=info.rights_statement, translator=info.translator,
        original_language=info.original_language or info.lang, series=info.series,
        series_number=info.series_number, siblings=tuple(info.siblings), pdf=pdf, epub=epub, cover=cover)
