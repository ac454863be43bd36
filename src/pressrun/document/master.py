"""Master: the document model ↔ a DocBook 5.0 XML master, and its validation.

In: a :class:`~pressrun.document.model.Document` from :mod:`pressrun.sources.ingest`.
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
from pathlib import Path
from urllib.parse import urlparse

from lxml import etree

from ..engine.dependencies import note, package_file, read_bytes
from ..errors import ConfigError, InputError
from ..sources import inlines as il
from .model import (
    NSMAP,
    PROVENANCE_ATTR,
    PROVENANCE_PREFIX,
    XLINK_HREF,
    XML_ID,
    XML_LANG,
    BulletList,
    CodeBlock,
    DefinitionList,
    Document,
    Figure,
    Heading,
    Inline,
    LineBlock,
    Metadata,
    OrderedList,
    Para,
    Person,
    Quote,
    Rule,
    Section,
    Sourced,
    Table,
    TableCell,
    db,
)

SAFE_URL_SCHEMES = {"http", "https", "mailto"}
#: pandoc inline containers → DocBook ``emphasis/@role`` (None: plain emphasis).
EMPHASIS_ROLES = {"Emph": None, "Strong": "strong", "Strikeout": "strikethrough", "Underline": "underline",
                  "SmallCaps": "smallcaps"}
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
            for part in ("honorific", "firstname", "othername", "surname"):
                if getattr(person, part):
                    etree.SubElement(name, db(part)).text = getattr(person, part)
        if person.jobtitle or person.affiliation:
            affiliation = etree.SubElement(author, db("affiliation"))
            self.text_el(affiliation, "jobtitle", person.jobtitle)
            self.text_el(affiliation, "orgname", person.affiliation)
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
        writer = getattr(self, f"block_{type(block).__name__}", None)
        if writer is None:
            raise TypeError(f"unknown block {block!r}")
        element = writer(block)
        if element.get(PROVENANCE_ATTR) is None:
            self.provenance(element, getattr(block, "line", None))
        return element

    def blocks(self, parent: etree._Element, blocks: list) -> etree._Element:
        for block in blocks:
            parent.append(self.block(block))
        return parent

    def block_Para(self, para: Para) -> etree._Element:
        return self.para(para)

    def block_Heading(self, block: Heading) -> etree._Element:
        head = etree.Element(db("bridgehead"), renderas=f"sect{min(max(block.level, 1), 5)}")
        self.inlines(head, block.inlines)
        return head

    def block_Section(self, block: Section) -> etree._Element:
        section = etree.Element(db("section"))
        section.set(XML_ID, block.ident)
        title = etree.SubElement(section, db("title"))
        self.provenance(title, block.line)
        self.inlines(title, block.title)
        return self.blocks(section, block.blocks)

    def block_BulletList(self, block: BulletList) -> etree._Element:
        return self.list_items(etree.Element(db("itemizedlist")), block.items)

    def block_OrderedList(self, block: OrderedList) -> etree._Element:
        listing = etree.Element(db("orderedlist"), numeration=block.numeration)
        if block.start != 1:
            listing.set("startingnumber", str(block.start))
        return self.list_items(listing, block.items)

    def list_items(self, listing: etree._Element, items: list[list]) -> etree._Element:
        for item in items:
            self.blocks(etree.SubElement(listing, db("listitem")), item or [Para([])])
        return listing

    def block_DefinitionList(self, block: DefinitionList) -> etree._Element:
        listing = etree.Element(db("variablelist"))
        for term, definitions in block.items:
            entry = etree.SubElement(listing, db("varlistentry"))
            term_el = etree.SubElement(entry, db("term"))
            self.provenance(term_el, term.line)
            self.language(term_el, term.lang)
            self.inlines(term_el, term.inlines)
            item = etree.SubElement(entry, db("listitem"))
            self.blocks(item, [b for definition in definitions for b in definition] or [Para([])])
        return listing

    def block_Quote(self, block: Quote) -> etree._Element:
        quote = etree.Element(db("blockquote"))
        if block.attribution:
            said_by = etree.SubElement(quote, db("attribution"))
            self.provenance(said_by, block.attribution.line)
            self.inlines(said_by, block.attribution.inlines)
        return self.blocks(quote, block.paras or [Para([])])

    def block_Figure(self, figure: Figure) -> etree._Element:
        """A figure: its caption, its alternative text, and its picture when the project holds it."""
        if figure.caption is None:
            holder = etree.Element(db("informalfigure"))
        else:
            holder = etree.Element(db("figure"))
            caption = etree.SubElement(holder, db("title"))
            self.provenance(caption, figure.caption.line)
            self.language(caption, figure.caption.lang)
            self.inlines(caption, figure.caption.inlines)
        if figure.image is None and not figure.alt:
            holder.set("role", "photo")
        media = etree.SubElement(holder, db("mediaobject"))
        if figure.image is not None:
            image = etree.SubElement(etree.SubElement(media, db("imageobject")), db("imagedata"))
            image.set("fileref", figure.image)
        if figure.alt:
            alt = etree.SubElement(etree.SubElement(media, db("textobject"), role="alt"), db("phrase"))
            self.provenance(alt, figure.line)
            self.inlines(alt, figure.alt)
        if figure.image_title:
            title = etree.SubElement(etree.SubElement(media, db("textobject"), role="image-title"), db("phrase"))
            title.text = figure.image_title
            self.provenance(title, figure.line)
        if figure.image is None and not figure.alt:
            etree.SubElement(etree.SubElement(media, db("textobject"), role="image-not-in-source"), db("phrase"))
        return holder

    def block_Table(self, table: Table) -> etree._Element:
        """A CALS table (pandoc's own DocBook shape): header rows in ``thead``, alignment in ``colspec``."""
        holder = etree.Element(db("table" if table.caption else "informaltable"))
        if table.caption:
            caption = etree.SubElement(holder, db("title"))
            self.provenance(caption, table.caption.line)
            self.inlines(caption, table.caption.inlines)
        columns = max([len(table.aligns)] + [len(row) for row in table.head + table.rows])
        group = etree.SubElement(holder, db("tgroup"), cols=str(columns))
        for number in range(columns):
            spec = etree.SubElement(group, db("colspec"), colname=f"c{number + 1}")
            align = table.aligns[number] if number < len(table.aligns) else None
            if align:
                spec.set("align", align)
        if table.head:
            self.rows(etree.SubElement(group, db("thead")), table.head)
        self.rows(etree.SubElement(group, db("tbody")), table.rows or [[TableCell([])]])
        return holder

    def rows(self, parent: etree._Element, rows: list[list[TableCell]]) -> None:
        for row in rows:
            row_el = etree.SubElement(parent, db("row"))
            for cell in row:
                entry = etree.SubElement(row_el, db("entry"))
                self.provenance(entry, cell.line)
                if len(cell.blocks) == 1 and isinstance(cell.blocks[0], Para):
                    self.language(entry, cell.blocks[0].lang)
                    self.inlines(entry, cell.blocks[0].inlines)
                else:
                    self.blocks(entry, cell.blocks)

    def block_LineBlock(self, block: LineBlock) -> etree._Element:
        """Lines kept apart by line breaks, one translatable paragraph (role ``line-block``)."""
        para = etree.Element(db("para"), role="line-block")
        for number, line in enumerate(block.lines):
            if number:
                para.append(etree.ProcessingInstruction(LINE_BREAK_PI))
            self.inlines(para, line)
        return para

    def block_CodeBlock(self, block: CodeBlock) -> etree._Element:
        listing = etree.Element(db("programlisting"))
        if block.language:
            listing.set("language", block.language)
        listing.text = block.text
        return listing

    def block_Rule(self, block: Rule) -> etree._Element:
        """DocBook has no thematic break: an empty paragraph with role ``horizontal-rule``."""
        return etree.Element(db("para"), role="horizontal-rule")

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
        if kind in ("Str", "Space", "SoftBreak", "RawInline"):
            _append_text(parent, " " if kind in ("Space", "SoftBreak") else il.plain_text([node]))
        elif kind == "LineBreak":
            parent.append(etree.ProcessingInstruction(LINE_BREAK_PI))
        elif kind in EMPHASIS_ROLES:
            emphasis = etree.SubElement(parent, db("emphasis"))
            if EMPHASIS_ROLES[kind]:
                emphasis.set("role", EMPHASIS_ROLES[kind])
            self.inlines(emphasis, node["c"])
        elif kind == "Code":
            etree.SubElement(parent, db("code")).text = node["c"][1]
        elif kind == "Math":
            equation = etree.SubElement(parent, db("inlineequation"))
            etree.SubElement(equation, db("mathphrase"), role="tex").text = node["c"][1]
        elif kind == "Span" and dict(node["c"][0][2]).get("lang"):
            phrase = etree.SubElement(parent, db("phrase"))
            phrase.set(XML_LANG, dict(node["c"][0][2])["lang"])
            self.inlines(phrase, node["c"][1])
        elif kind in ("Superscript", "Subscript"):
            self.inlines(etree.SubElement(parent, db(kind.lower())), node["c"])
        elif kind == "Link":
            self.link(parent, node)
        elif kind == "Note":
            self.notes += 1
            note = etree.SubElement(parent, db("footnote"))
            note.set(XML_ID, f"note-{self.notes}")
            self.blocks(note, node["c"] or [Para([])])
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
    return parse_xml(read_bytes(path), path)


def docbook_schema_path() -> Path:
    """The DocBook 5.0 schema: ``PRESSRUN_DOCBOOK_RNG`` when set, else pressrun's own copy."""
    override = os.environ.get("PRESSRUN_DOCBOOK_RNG")
    if override:
        if not Path(override).is_file():
            raise ConfigError(f"PRESSRUN_DOCBOOK_RNG names no file: {override}")
        return note(Path(override))
    return package_file("schemas/docbook.rng")


@lru_cache(maxsize=2)
def _schema(path: Path) -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(path), safe_parser()))


def validate(tree: etree._ElementTree) -> list[str]:
    """Schema errors of a master as ``line: message`` strings (empty when valid)."""
    schema = _schema(docbook_schema_path())
    if schema.validate(tree):
        return []
    return [f"{error.line}: {error.message}" for error in schema.error_log]
