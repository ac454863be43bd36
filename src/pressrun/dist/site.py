"""Site: where files live in ``build/dist`` and how pages link to them; sitemap and robots.

In: the configured base URL and the edition records.  Out: relative and
public URLs, ``sitemap.xml`` (with ``xhtml:link`` alternates between the
languages of a document) and ``robots.txt``.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from lxml import etree

from .record import EditionRecord, safe_url

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"


@dataclass(frozen=True)
class Site:
    base_url: str  # an http(s) address ending in "/", or "" for relative links only
    languages: tuple[str, ...]
    date: str  # the project's date (ISO), for feeds with no edition to date them

    @classmethod
    def configured(cls, base_url: str, languages: tuple[str, ...], date: str) -> Site:
        base = safe_url(base_url)
        return cls(base if not base or base.endswith("/") else base + "/", languages, date)

    def relative(self, target: str, page: str) -> str:
        """The link from ``page`` to ``target`` (both paths inside ``build/dist``)."""
        return posixpath.relpath(target, posixpath.dirname(page) or ".")

    def absolute(self, target: str) -> str:
        """The public address of ``target`` ("" without a base URL); folders for index pages."""
        if not self.base_url:
            return ""
        return self.base_url + (target.removesuffix("index.html"))

    def public(self, target: str, page: str) -> str:
        """The absolute address when there is a base URL, else the relative link."""
        return self.absolute(target) or self.relative(target, page)


def sitemap(site: Site, records: list[EditionRecord], pages: list[str]) -> bytes:
    """``sitemap.xml``: every page, edition pages with their language alternates."""
    urlset = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS, "xhtml": XHTML_NS})
    by_doc: dict[str, list[EditionRecord]] = {}
    for record in records:
        by_doc.setdefault(record.doc_id, []).append(record)
    for page in sorted(pages):
        url = etree.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = site.public(page, "sitemap.xml")
        for record in records:
            if record.page == page:
                for sibling in by_doc[record.doc_id]:
                    etree.SubElement(url, f"{{{XHTML_NS}}}link", {
                        "rel": "alternate", "hreflang": sibling.lang, "href": site.public(sibling.page, "sitemap.xml")})
    return etree.tostring(urlset, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def robots(site: Site) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if site.base_url:
        lines.append(f"Sitemap: {site.absolute('sitemap.xml')}")
    return ("\n".join(lines) + "\n").encode()
