"""Pages: edition records and edition XHTML → the HTML pages of ``build/dist``.

In: the records of every edition, the edition XHTML (the same body the PDF
and EPUB carry), the rendered citations and the labels of ``labels.toml``.
Out: an edition page per document and language, an index page per language
and a root page, as HTML5 bytes.  Every page is an lxml tree: text from the
seeds and catalogs is only ever set as text or attribute values, and links
are relative inside ``build/dist`` or allow-listed http(s) addresses.
"""

from __future__ import annotations

import tomllib
from datetime import date

import lxml.html
from babel.dates import format_date
from babel.units import format_unit
from lxml import etree

from ..engine.dependencies import package_file, read_bytes
from ..editions.edition import XHTML_NS, language_name
from .citations import CSL_STYLE
from .metadata import json_ld, json_ld_text, meta_tags
from .record import EditionRecord, safe_url
from .site import Site

STYLESHEET = "static/web.css"
FAVICON = "static/favicon.svg"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def load_labels() -> dict[str, dict[str, str]]:
    return tomllib.loads(read_bytes(package_file("dist/labels.toml")).decode("utf-8"))


def labels_for(labels: dict, lang: str) -> dict[str, str]:
    return {**labels["en"], **labels.get(lang, {})}


def _el(parent: etree._Element | None, tag: str, attrs: dict | None = None, text: str | None = None):
    element = etree.Element(tag, attrs or {}) if parent is None else etree.SubElement(parent, tag, attrs or {})
    if text:
        element.text = text
    return element


def _long_date(iso: str, lang: str) -> str:
    return format_date(date.fromisoformat(iso), format="long", locale=lang) if len(iso) == 10 else iso


def _size(size: int, lang: str) -> str:
    return format_unit(round(size / 1_000_000, 1) or 0.1, "digital-megabyte", length="short", locale=lang)


def _document(lang: str, title: str, page: str, site: Site) -> tuple[etree._Element, etree._Element]:
    html = _el(None, "html", {"lang": lang})
    head = _el(html, "head")
    _el(head, "meta", {"charset": "utf-8"})
    _el(head, "meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"})
    _el(head, "title", text=title)
    _el(head, "link", {"rel": "stylesheet", "href": site.relative(STYLESHEET, page)})
    _el(head, "link", {"rel": "icon", "type": "image/svg+xml", "href": site.relative(FAVICON, page)})
    return html, head


def _serialize(html: etree._Element) -> bytes:
    return lxml.html.tostring(html, doctype="<!DOCTYPE html>", encoding="utf-8", method="html") + b"\n"


def _site_header(body, words: dict, page: str, site: Site, switcher: list[tuple[str, str]], lang: str) -> None:
    """Skip link, the site's name (a link to the language index) and the language switcher."""
    _el(body, "a", {"class": "skip", "href": "#text"}, words["skip_to_text"])
    header = _el(body, "header", {"class": "site"})
    _el(_el(header, "p", {"class": "site-title"}), "a", {"href": site.relative(f"{lang}/index.html", page)},
        words["site_title"])
    nav = _el(header, "nav", {"aria-label": words["languages"]})
    items = _el(nav, "ul", {"class": "languages"})
    for other, target in switcher:
        item = _el(items, "li")
        attrs = {"href": site.relative(target, page), "hreflang": other, "lang": other}
        if other == lang:
            attrs["aria-current"] = "page"
        _el(item, "a", attrs, language_name(other, other))


def _site_footer(body, words: dict, page: str, site: Site, lang: str) -> None:
    footer = _el(body, "footer", {"class": "site"})
    _el(_el(footer, "p"), "a", {"href": site.relative(f"opds/{lang}.xml", page),
                                "type": "application/atom+xml"}, words["catalog"])


# Edition page ----------------------------------------------------------------------

def edition_page(record: EditionRecord, siblings: list[EditionRecord], edition_xhtml: bytes,
                 citation: etree._Element, site: Site, labels: dict) -> bytes:
    words = labels_for(labels, record.lang)
    page = record.page
    html, head = _document(record.lang, record.title, page, site)
    _head_links(head, record, siblings, site)
    for attribute, key, value in meta_tags(record, site):
        _el(head, "meta", {attribute: key, "content": value})
    _el(head, "script", {"type": "application/ld+json"}).text = json_ld_text(json_ld(record, siblings, site))
    body = _el(html, "body")
    every = sorted([record, *siblings], key=lambda r: site.languages.index(r.lang))
    _site_header(body, words, page, site, [(r.lang, r.page) for r in every], record.lang)
    main = _el(body, "main", {"id": "text"})
    article = _el(main, "article", {"class": "edition"})
    parts = _edition_parts(edition_xhtml)
    article.append(parts["header"])
    article.append(_downloads(record, words))
    article.append(parts["text"])
    if parts["about"] is not None:
        article.append(parts["about"])
    article.append(_citation_section(record, citation, words))
    if parts["notes"] is not None:
        parts["notes"].insert(0, _el(None, "h2", text=words["notes"]))
        article.append(parts["notes"])
    article.append(parts["colophon"])
    _site_footer(body, words, page, site, record.lang)
    return _serialize(html)


def _head_links(head, record: EditionRecord, siblings: list[EditionRecord], site: Site) -> None:
    if site.absolute(record.page):
        _el(head, "link", {"rel": "canonical", "href": site.absolute(record.page)})
    every = sorted([record, *siblings], key=lambda r: site.languages.index(r.lang))
    for other in every:
        _el(head, "link", {"rel": "alternate", "hreflang": other.lang, "href": site.public(other.page, record.page)})
    original = next((r for r in every if r.is_original), every[0])
    _el(head, "link", {"rel": "alternate", "hreflang": "x-default", "href": site.public(original.page, record.page)})


def _downloads(record: EditionRecord, words: dict) -> etree._Element:
    section = _el(None, "section", {"class": "downloads", "aria-labelledby": "downloads"})
    _el(section, "h2", {"id": "downloads"}, words["downloads"])
    items = _el(section, "ul")
    for label, item in ((words["download_pdf"], record.pdf), (words["download_epub"], record.epub)):
        link = _el(_el(items, "li"), "a", {"href": item.path.rsplit("/", 1)[-1], "type": item.media_type,
                                           "download": ""}, label)
        link.tail = f" ({_size(item.size, record.lang)})"
    return section


def _citation_section(record: EditionRecord, citation: etree._Element, words: dict) -> etree._Element:
    section = _el(None, "section", {"class": "how-to-cite", "aria-labelledby": "how-to-cite"})
    _el(section, "h2", {"id": "how-to-cite"}, words["how_to_cite"])
    section.append(citation)
    _el(section, "p", {"class": "citation-style"}, words["citation_style"].format(style=CSL_STYLE))
    files = _el(section, "p", {"class": "citation-files"}, words["citation_files"] + " ")
    for suffix, media_type, label in (("bib", "application/x-bibtex", "BibTeX"),
                                      ("ris", "application/x-research-info-systems", "RIS"),
                                      ("json", "application/vnd.citationstyles.csl+json", "CSL-JSON")):
        _el(files, "a", {"href": f"{record.doc_id}.{suffix}", "type": media_type, "download": ""}, label).tail = " "
    return section


def _edition_parts(edition_xhtml: bytes) -> dict:
    """The edition XHTML's title block, text, "About the author", notes and colophon, as HTML elements."""
    body = etree.fromstring(edition_xhtml, etree.XMLParser(resolve_entities=False, no_network=True)).find(
        f"{{{XHTML_NS}}}body")
    _strip_namespaces(body)
    notes = _notes_from_footnotes(body)
    text = body.find("main")
    text.tag, text.attrib["class"] = "div", "text"
    return {"header": body.find("header"), "text": text, "notes": notes,
            "about": body.find("section[@class='about-author']"), "colophon": body.find("section[@class='colophon']")}


def _strip_namespaces(root: etree._Element) -> None:
    """Plain HTML names, ``lang`` for ``xml:lang``, and only in-page or http(s) links."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = etree.QName(element).localname
        if XML_LANG in element.attrib:
            element.set("lang", element.attrib.pop(XML_LANG))
        href = element.get("href")
        if href is not None and not href.startswith("#") and not safe_url(href):
            del element.attrib["href"]
    etree.cleanup_namespaces(root)


def _notes_from_footnotes(body: etree._Element) -> etree._Element | None:
    """Footnotes (inline for the PDF) become numbered references to a list of notes."""
    footnotes = body.xpath(".//span[@class='footnote']")
    if not footnotes:
        return None
    section = _el(None, "section", {"class": "notes"})
    items = _el(section, "ol")
    for number, note in enumerate(footnotes, 1):
        note_id = note.get("id") or f"fn-{number}"
        reference = etree.Element("a", {"class": "noteref", "href": f"#{note_id}", "id": f"ref-{note_id}"})
        _el(reference, "sup", text=str(number))
        reference.tail = note.tail
        note.getparent().replace(note, reference)
        item = _el(items, "li", {"id": note_id})
        item.text = note.text
        for child in list(note):
            item.append(child)
    return section


# Index pages ---------------------------------------------------------------------------

def language_index(lang: str, records: list[EditionRecord], site: Site, labels: dict) -> bytes:
    words = labels_for(labels, lang)
    page = f"{lang}/index.html"
    html, head = _document(lang, words["editions_in"], page, site)
    for other in site.languages:
        _el(head, "link", {"rel": "alternate", "hreflang": other, "href": site.public(f"{other}/index.html", page)})
    _el(head, "link", {"rel": "alternate", "hreflang": "x-default", "href": site.public("index.html", page)})
    body = _el(html, "body")
    _site_header(body, words, page, site, [(other, f"{other}/index.html") for other in site.languages], lang)
    main = _el(body, "main", {"id": "text"})
    _el(main, "h1", text=words["editions_in"])
    listing = _el(main, "ul", {"class": "editions"})
    for record in records:
        _index_entry(_el(listing, "li"), record, words, site, page)
    _site_footer(body, words, page, site, lang)
    return _serialize(html)


def _index_entry(item, record: EditionRecord, words: dict, site: Site, page: str) -> None:
    article = _el(item, "article")
    _el(_el(article, "h2"), "a", {"href": site.relative(record.page, page)}, record.title)
    if record.authors:
        _el(article, "p", {"class": "authors"}, ", ".join(record.authors))
    if record.date:
        _el(_el(article, "p", {"class": "date"}), "time", {"datetime": record.date},
            _long_date(record.date, record.lang))
    if record.abstract:
        _el(article, "p", {"class": "abstract"}, record.abstract)
    formats = _el(article, "p", {"class": "formats"})
    for label, item_file in ((words["download_pdf"], record.pdf), (words["download_epub"], record.epub)):
        _el(formats, "a", {"href": site.relative(item_file.path, page), "type": item_file.media_type},
            label).tail = f" ({_size(item_file.size, record.lang)}) "


def root_page(site: Site, labels: dict) -> bytes:
    """The root page: plain links to every language index, each labelled in its own language."""
    first = site.languages[0]
    words = labels_for(labels, first)
    html, _head = _document(first, words["site_title"], "index.html", site)
    body = _el(html, "body")
    main = _el(body, "main", {"id": "text"})
    _el(main, "h1", text=words["site_title"])
    nav = _el(main, "nav", {"aria-label": words["choose_language"]})
    items = _el(nav, "ul", {"class": "languages"})
    for other in site.languages:
        other_words = labels_for(labels, other)
        link = _el(_el(items, "li", {"lang": other}), "a", {"href": f"{other}/index.html", "hreflang": other},
                   language_name(other, other))
        link.tail = f" — {other_words['all_editions']}"
    return _serialize(html)

