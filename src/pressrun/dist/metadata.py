"""Metadata: an edition record → the tags and JSON-LD that consumers read from a page.

In: an :class:`~.record.EditionRecord`, its sibling records and the
:class:`~.site.Site`.  Out: Highwire Press ``citation_*``, Dublin Core
``DC.*``/``dcterms.*`` and Open Graph ``og:*`` meta tags as
(attribute, key, value) triples, and a schema.org ``Report`` as JSON-LD.
"""

from __future__ import annotations

import json

from babel.core import get_global

from .record import EditionRecord
from .site import Site


def meta_tags(record: EditionRecord, site: Site) -> list[tuple[str, str, str]]:
    """(attribute, key, value) for every meta tag of the edition page, in a stable order."""
    pdf_url = site.public(record.pdf.path, record.page)
    tags = [("name", "citation_title", record.title),
            *(("name", "citation_author", author) for author in record.authors),
            ("name", "citation_publication_date", record.date.replace("-", "/")),
            ("name", "citation_language", record.lang),
            ("name", "citation_publisher", record.publisher),
            ("name", "citation_technical_report_institution", record.publisher),
            ("name", "citation_series_title", record.series),
            ("name", "citation_technical_report_number", record.series_number),
            ("name", "citation_pdf_url", pdf_url),
            ("name", "citation_keywords", "; ".join(record.keywords)),
            ("name", "citation_abstract", record.abstract),
            ("name", "DC.title", record.title),
            *(("name", "DC.creator", author) for author in record.authors),
            ("name", "DC.contributor", record.translator),
            ("name", "DC.date", record.date),
            ("name", "DC.language", record.lang),
            ("name", "DC.publisher", record.publisher),
            ("name", "DC.identifier", record.identifier),
            ("name", "DC.source", record.source_url),
            *(("name", "DC.subject", word) for word in record.keywords),
            ("name", "DC.description", record.abstract),
            ("name", "DC.rights", record.rights),
            ("name", "DC.type", "Text"),
            ("name", "dcterms.issued", record.date),
            ("name", "dcterms.modified", record.edition_date),
            ("property", "og:type", "article"),
            ("property", "og:title", record.title),
            ("property", "og:description", record.abstract),
            ("property", "og:locale", og_locale(record.lang)),
            ("property", "og:site_name", record.publisher),
            ("property", "og:url", site.absolute(record.page)),
            ("property", "og:image", site.absolute(record.cover.path) if record.cover else "")]
    return [tag for tag in tags if tag[2]]


def og_locale(lang: str) -> str:
    """Open Graph's ``language_TERRITORY`` form, from CLDR's likely subtags (e.g. ``az`` → ``az_AZ``)."""
    likely = get_global("likely_subtags").get(lang, lang).split("_")
    return f"{likely[0]}_{likely[-1]}" if len(likely) > 1 else lang


def json_ld(record: EditionRecord, siblings: list[EditionRecord], site: Site) -> dict:
    """A schema.org ``Report`` with its translation relations to the sibling editions."""
    def work(other: EditionRecord) -> dict:
        return {key: value for key, value in (
            ("@type", "Report"), ("@id", other.identifier), ("name", other.title), ("inLanguage", other.lang),
            ("url", site.public(other.page, record.page))) if value}

    data = {"@context": "https://schema.org", "@type": "Report", "@id": record.identifier, "name": record.title,
            "headline": record.title, "inLanguage": record.lang,
            "author": [{"@type": kind, "name": name} for name, kind in zip(record.authors, record.author_types)],
            "publisher": {"@type": "Organization", "name": record.publisher} if record.publisher else None,
            "datePublished": record.date, "dateModified": record.edition_date, "abstract": record.abstract,
            "keywords": list(record.keywords), "isBasedOn": record.source_url or None,
            "url": site.absolute(record.page) or None, "reportNumber": record.series_number,
            "translator": [{"name": record.translator}] if record.translator else None,
            "encoding": [{"@type": "MediaObject", "encodingFormat": item.media_type,
                          "contentUrl": site.public(item.path, record.page), "contentSize": str(item.size),
                          "sha256": item.sha256} for item in (record.pdf, record.epub)]}
    original = [other for other in siblings if other.lang == record.original_language]
    if record.is_original:
        data["workTranslation"] = [work(other) for other in siblings]
    elif original:
        data["translationOfWork"] = work(original[0])
    return {key: value for key, value in data.items() if value}


def json_ld_text(data: dict) -> str:
    """JSON-LD safe inside a ``script`` element: ``<`` written as an escape."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1).replace("<", "\\u003c")
