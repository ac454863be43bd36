"""Master: the document model ↔ a DocBook 5.0 XML master, and its validation.

In: a :class:`~pressrun.model.Document` from :mod:`pressrun.ingest`.
Out: ``build/master/<doc-id>.xml``, a DocBook 5.0 ``article`` holding the
bibliographic metadata in ``<info>`` and the body, each segment carrying its
seed line in ``remap="seed-line:N"``.

Masters are read back with :func:`parse_xml`, which never expands entities,
never loads a DTD and never touches the network, and validated with
:func:`validate` against the official DocBook 5.0 RELAX NG schema, which
travels with pressrun as package data (``schemas/docbook.rng``, with its
licence notice beside it); ``PRESSRUN_DOCBOOK_RNG`` may name another copy.
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

from lxml import etree

from . import inlines as il
from .errors import ConfigError, InputError
from .model import (NSMAP, PROVENANCE_ATTR, PROVENANCE_PREFIX, XLINK_HREF, XML_ID, XML_LANG, BulletList, Document,
                    Figure, Heading, Inline, Metadata, Para, Person, Quote, Sourced, db)

SAFE_URL_SCHEMES = {"http", "https", "mailto"}
LINE_BREAK_PI = "asciidoc-br"  # the processing instruction pandoc's DocBook reader reads as a line break


# Writing ----------------------------------------------------------------------

class _Writer:
    def __init__(self, doc: Document):
        self.doc = doc
        self.lang = doc.meta.language
        self.notes = 0

    def article(self) -> etree._ElementTree:
        root = etree.Element(db("article"), nsmap=NSMAP)
        root.set("version", "5.0")
        root.set(XML_LANG, self.lang)
        root.set(XML_ID, self.doc.doc_id)
        root.set(PROVENANCE_ATTR, f"seed:{self.doc.seed}")
        root.append(self.info(self.doc.meta))
        for block in self.doc.body:
            root.append(self.block(block))
        return etree.ElementTree(root)

    # info -------------------------------------------------------------------
    def info(self, meta: Metadata) -> etree._Element:
        info = etree.Element(db("info"))
        self.text_el(info, "title", meta.title)
        self.text_el(info, "subtitle", meta.subtitle)
        for person in meta.authors:
            info.append(self.author(person))
        self.text_el(info, "pubdate", meta.pubdate)
        for other in meta.other_dates:
            self.text_el(info, "date", other).set("role", "stated-date")
        if meta.publisher:
            publisher = etree.SubElement(info, db("publisher"))
            self.text_el(publisher, "publishername", meta.publisher)
            if not meta.address.is_empty():
                publisher.append(self.address(meta))
        if meta.series or meta.series_number:
            series = etree.SubElement(info, db("biblioset"), relation="series")
            self.text_el(series, "title", meta.series)
            self.text_el(series, "volumenum", meta.series_number)
        if meta.category:
            subject = etree.SubElement(etree.SubElement(info, db("subjectset"), scheme="category"), db("subject"))
            self.text_el(subject, "subjectterm", meta.category)
        if meta.keywords:
            keywords = etree.SubElement(info, db("keywordset"))
            for keyword in meta.keywords:
                self.text_el(keywords, "keyword", keyword)
        if meta.source_url:
            self.text_el(info, "biblioid", meta.source_url).set("class", "uri")
        if meta.access_date:
            self.text_el(info, "bibliomisc", meta.access_date).set("role", "access-date")
        if meta.copyright_years or meta.copyright_holder:
            copyright_el = etree.SubElement(info, db("copyright"))
            years = meta.copyright_years or Sourced("")
            self.text_el(copyright_el, "year", Sourced(years.value, years.line))
            self.text_el(copyright_el, "holder", meta.copyright_holder)
        if meta.rights:
            notice = etree.SubElement(info, db("legalnotice"))
            notice.append(self.para(Para(il.text_inline(meta.rights.value), meta.rights.line, None, meta.rights.lang)))
        if meta.abstract:
            etree.SubElement(info, db("abstract")).append(self.para(meta.abstract))
        for version in meta.versions:
            relation = self.text_el(info, "bibliorelation", Sourced(version.value, version.line))
            relation.set("type", "hasversion")
            relation.set(XML_LANG, version.lang)
        return info

    def author(self, person: Person) -> etree._Element:
        author = etree.Element(db("author"))
        if person.orgname:
            self.text_el(author, "orgname", Sourced(person.orgname, person.display.line, person.display.lang))
        else:
            name = etree.SubElement(author, db("personname"))
            self.provenance(name, person.display.line)
            for part in ("honorific", "firstname", "surname"):
                if getattr(person, part):
                    etree.SubElement(name, db(part)).text = getattr(person, part)
        if person.jobtitle:
            self.text_el(etree.SubElement(author, db("affiliation")), "jobtitle", person.jobtitle)
        if person.blurb:
            etree.SubElement(author, db("personblurb")).append(self.para(person.blurb))
        return author

    def address(self, meta: Metadata) -> etree._Element:
        fields = meta.address
        address = etree.Element(db("address"))
        langs = {s.lang for s in (fields.street, fields.city, fields.country) if s and s.lang}
        if langs:
            address.set(XML_LANG, langs.pop())
        for part in ("street", "postcode", "city", "country", "phone", "fax", "email"):
            value = getattr(fields, part)
            if value:
                self.text_el(address, part, Sourced(value.value, value.line))
        if fields.website:
            self.text_el(address, "uri", Sourced(fields.website.value, fields.website.line)).set("type", "website")
        for social in fields.social:
            self.text_el(address, "uri", Sourced(social.value, social.line)).set("type", "social")
        return address

    def text_el(self, parent: etree._Element, tag: str, value: Sourced | None) -> etree._Element | None:
        if value is None:
            return None
        element = etree.SubElement(parent, db(tag))
        element.text = value.value
        self.provenance(element, value.line)
        self.language(element, value.lang)
        return element

    def provenance(self, element: etree._Element, line: int | None) -> None:
        if line:
            element.set(PROVENANCE_ATTR, f"{PROVENANCE_PREFIX}{line}")

    def language(self, element: etree._Element, lang: str | None) -> None:
        if lang and lang != self.lang:
            element.set(XML_LANG, lang)

    # body -------------------------------------------------------------------
    def block(self, block) -> etree._Element:
        if isinstance(block, Para):
            return self.para(block)
        if isinstance(block, Heading):
            head = etree.Element(db("bridgehead"), renderas=f"sect{min(max(block.level, 1), 5)}")
            self.provenance(head, block.line)
            self.inlines(head, block.inlines)
            return head
        if isinstance(block, BulletList):
            listing = etree.Element(db("itemizedlist"))
            for item in block.items:
                entry = etree.SubElement(listing, db("listitem"))
                for para in item:
                    entry.append(self.para(para))
            return listing
        if isinstance(block, Quote):
            quote = etree.Element(db("blockquote"))
            if block.attribution:
                said_by = etree.SubElement(quote, db("attribution"))
                self.provenance(said_by, block.attribution.line)
                self.inlines(said_by, block.attribution.inlines)
            for para in block.paras:
                quote.append(self.para(para))
            return quote
        if isinstance(block, Figure):
            return self.figure(block)
        raise TypeError(f"unknown block {block!r}")

    def figure(self, figure: Figure) -> etree._Element:
        """A figure whose picture the seed does not carry: its title is the caption."""
        holder = etree.Element(db("figure"), role="photo")
        caption = etree.SubElement(holder, db("title"))
        self.provenance(caption, figure.caption.line)
        self.language(caption, figure.caption.lang)
        self.inlines(caption, figure.caption.inlines)
        media = etree.SubElement(holder, db("mediaobject"))
        etree.SubElement(etree.SubElement(media, db("textobject"), role="image-not-in-source"), db("phrase"))
        return holder

    def para(self, para: Para) -> etree._Element:
        element = etree.Element(db("para"))
        if para.role:
            element.set("role", para.role)
        self.provenance(element, para.line)
        self.language(element, para.lang)
        self.inlines(element, para.inlines)
        return element

    def inlines(self, parent: etree._Element, inlines: list[Inline]) -> None:
        for node in inlines:
            self.inline(parent, node)

    def inline(self, parent: etree._Element, node: Inline) -> None:
        kind = node["t"]
        if kind in ("Str", "Space", "SoftBreak", "Code", "Math", "RawInline"):
            _append_text(parent, " " if kind in ("Space", "SoftBreak") else il.plain_text([node]))
        elif kind == "LineBreak":
            parent.append(etree.ProcessingInstruction(LINE_BREAK_PI))
        elif kind == "Emph":
            self.inlines(etree.SubElement(parent, db("emphasis")), node["c"])
        elif kind == "Strong":
            self.inlines(etree.SubElement(parent, db("emphasis"), role="strong"), node["c"])
        elif kind in ("Superscript", "Subscript"):
            self.inlines(etree.SubElement(parent, db(kind.lower())), node["c"])
        elif kind == "Link":
            self.link(parent, node)
        elif kind == "Note":
            self.notes += 1
            note = etree.SubElement(parent, db("footnote"))
            note.set(XML_ID, f"note-{self.notes}")
            for para in node["c"]:
                note.append(self.para(para))
        else:
            self.inlines(parent, il.children(node) or [])

    def link(self, parent: etree._Element, node: Inline) -> None:
        url = node["c"][2][0]
        if urlparse(url).scheme not in SAFE_URL_SCHEMES:
            self.inlines(parent, node["c"][1])
            return
        link = etree.SubElement(parent, db("link"))
        link.set(XLINK_HREF, url)
        self.inlines(link, node["c"][1])


def _append_text(parent: etree._Element, text: str) -> None:
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def build_master(doc: Document) -> etree._ElementTree:
    return _Writer(doc).article()


def serialize(tree: etree._ElementTree) -> bytes:
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# Reading and validating ---------------------------------------------------------

def safe_parser() -> etree.XMLParser:
    """An XML parser that expands no entity, loads no DTD and never goes online."""
    return etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True, dtd_validation=False,
                           huge_tree=False, remove_comments=False)


def parse_xml(data: bytes, source: Path | str) -> etree._ElementTree:
    """Parse XML that may be hostile: any DOCTYPE declaring entities is refused."""
    try:
        tree = etree.ElementTree(etree.fromstring(data, safe_parser()))
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {exc.msg}", source, exc.lineno) from None
    doctype = tree.docinfo.internalDTD
    if doctype is not None and (list(doctype.iterentities()) or tree.docinfo.system_url):
        raise InputError("DOCTYPE declares entities or an external DTD; refused", source)
    return tree


def read_master(path: Path) -> etree._ElementTree:
    return parse_xml(path.read_bytes(), path)


def docbook_schema_path() -> Path:
    """The DocBook 5.0 schema: ``PRESSRUN_DOCBOOK_RNG`` when set, else pressrun's own copy."""
    override = os.environ.get("PRESSRUN_DOCBOOK_RNG")
    if override:
        if not Path(override).is_file():
            raise ConfigError(f"PRESSRUN_DOCBOOK_RNG names no file: {override}")
        return Path(override)
    with resources.as_file(resources.files("pressrun") / "schemas" / "docbook.rng") as path:
        return path


@lru_cache(maxsize=1)
def _schema() -> etree.RelaxNG:
    path = docbook_schema_path()
    return etree.RelaxNG(etree.parse(str(path), safe_parser()))


def validate(tree: etree._ElementTree) -> list[str]:
    """Schema errors of a master as ``line: message`` strings (empty when valid)."""
    schema = _schema()
    if schema.validate(tree):
        return []
    return [f"{error.line}: {error.message}" for error in schema.error_log]
