"""Feeds: edition records → OPDS catalogs for e-reader apps.

In: the edition records and the :class:`~.site.Site`.  Out: an OPDS 1.2
acquisition feed (Atom) per language, a root navigation feed linking them,
and an OPDS 2.0 JSON feed of every edition; links are relative to the feed
(absolute when a base URL is configured).
"""

from __future__ import annotations

import json
import uuid

from lxml import etree

from ..editions.edition import language_name
from .record import EditionRecord
from .site import Site

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/terms/"
OPDS_NS = "http://opds-spec.org/2010/catalog"
ACQUISITION = "application/atom+xml;profile=opds-catalog;kind=acquisition"
NAVIGATION = "application/atom+xml;profile=opds-catalog;kind=navigation"
OPEN_ACCESS = "http://opds-spec.org/acquisition/open-access"
ROOT_FEED = "opds/root.xml"
JSON_FEED = "opds/catalog.json"


def feed_path(lang: str) -> str:
    return f"opds/{lang}.xml"


def _feed_id(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'pressrun:opds:{name}')}"


def _atom(parent, tag: str, text: str | None = None, attrs: dict | None = None, ns: str = ATOM_NS):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs or {})
    if text:
        element.text = text
    return element


def _feed(feed_id: str, title: str, updated: str, links: list[tuple[str, str, str]]) -> etree._Element:
    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS, "dc": DC_NS, "opds": OPDS_NS})
    _atom(feed, "id", feed_id)
    _atom(feed, "title", title)
    _atom(feed, "updated", updated)
    for rel, href, media_type in links:
        _atom(feed, "link", attrs={"rel": rel, "href": href, "type": media_type})
    return feed


def _timestamp(records: list[EditionRecord], site: Site) -> str:
    """The newest edition's date; the project's date for a feed with no edition (all of them failed)."""
    return max((record.edition_date for record in records), default=site.date) + "T00:00:00Z"


def acquisition_feed(lang: str, title: str, records: list[EditionRecord], site: Site) -> bytes:
    here = feed_path(lang)
    feed = _feed(_feed_id(lang), title, _timestamp(records, site), [
        ("self", site.public(here, here), ACQUISITION), ("start", site.public(ROOT_FEED, here), NAVIGATION)])
    for record in records:
        entry = _atom(feed, "entry")
        _atom(entry, "id", record.identifier)
        _atom(entry, "title", record.title)
        _atom(entry, "updated", record.edition_date + "T00:00:00Z")
        for name in record.authors:
            _atom(_atom(entry, "author"), "name", name)
        _atom(entry, "language", record.lang, ns=DC_NS)
        if record.publisher:
            _atom(entry, "publisher", record.publisher, ns=DC_NS)
        if record.date:
            _atom(entry, "issued", record.date, ns=DC_NS)
        if record.source_url:
            _atom(entry, "source", record.source_url, ns=DC_NS)
        if record.abstract:
            _atom(entry, "summary", record.abstract, {"type": "text"})
        for word in record.keywords:
            _atom(entry, "category", attrs={"term": word, "label": word})
        _atom(entry, "link", attrs={"rel": "alternate", "type": "text/html", "href": site.public(record.page, here)})
        if record.cover:
            _atom(entry, "link", attrs={"rel": "http://opds-spec.org/image", "type": record.cover.media_type,
                                        "href": site.public(record.cover.path, here)})
        for item in (record.epub, record.pdf):
            _atom(entry, "link", attrs={"rel": OPEN_ACCESS, "type": item.media_type, "href": site.public(item.path, here),
                                        "length": str(item.size)})
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def navigation_feed(titles: dict[str, str], records: list[EditionRecord], site: Site) -> bytes:
    """The root feed: one entry per language, each leading to that language's acquisition feed."""
    feed = _feed(_feed_id("root"), titles[site.languages[0]], _timestamp(records, site), [
        ("self", site.public(ROOT_FEED, ROOT_FEED), NAVIGATION), ("start", site.public(ROOT_FEED, ROOT_FEED), NAVIGATION)])
    for lang in site.languages:
        entry = _atom(feed, "entry")
        _atom(entry, "id", _feed_id(lang))
        _atom(entry, "title", language_name(lang, lang))
        _atom(entry, "updated", _timestamp(records, site))
        _atom(entry, "content", titles[lang], {"type": "text"})
        _atom(entry, "link", attrs={"rel": "subsection", "type": ACQUISITION,
                                    "href": site.public(feed_path(lang), ROOT_FEED)})
    return etree.tostring(feed, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _publication(record: EditionRecord, site: Site) -> dict:
    metadata = {"@type": "http://schema.org/Book", "title": record.title, "identifier": record.identifier,
                "language": record.lang, "modified": record.edition_date + "T00:00:00Z"}
    optional = {"author": [{"name": name} for name in record.authors],
                "translator": [{"name": record.translator}] if record.translator else [],
                "publisher": [{"name": record.publisher}] if record.publisher else [],
                "published": record.date if len(record.date) == 10 else "", "description": record.abstract,
                "subject": [{"name": word} for word in record.keywords]}
    metadata.update({key: value for key, value in optional.items() if value})
    publication = {"metadata": metadata, "links": [
        {"rel": OPEN_ACCESS, "href": site.public(item.path, JSON_FEED), "type": item.media_type}
        for item in (record.epub, record.pdf)]}
    if record.cover:
        publication["images"] = [{"href": site.public(record.cover.path, JSON_FEED), "type": record.cover.media_type}]
    return publication


def json_feed(title: str, records: list[EditionRecord], site: Site) -> bytes:
    feed = {"metadata": {"title": title, "modified": _timestamp(records, site), "numberOfItems": len(records)},
            "links": [{"rel": "self", "href": site.public(JSON_FEED, JSON_FEED), "type": "application/opds+json"}],
            "publications": [_publication(record, site) for record in records]}
    return (json.dumps(feed, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()
