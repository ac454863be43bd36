"""Edition: a translated master → the edition XHTML shared by PDF and EPUB.

In: ``build/master/<lang>/<doc-id>.xml`` and the ``pressrun`` domain catalog
of the edition language (the words pressrun adds: "About the author",
"Colophon" …).
Out: ``build/html/<lang>/<doc-id>.xhtml``: a title block, the body, the
author note as a footnote, "About the author", "How to cite this edition"
and a colophon, every element that differs from the edition language
carrying ``lang``; dates and language names formatted with Babel's locale
data.  The tree is built with lxml from the master's elements; no master
content is ever parsed as markup.
"""

from __future__ import annotations

import io
import json
import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.support import NullTranslations, Translations
from lxml import etree

from .. import __version__
from ..document.its import LINE_BREAK_PI
from ..document.model import (
    SOURCE_URL_SCHEMES,
    XML_ID,
    XML_LANG,
    XPATH_NS,
    db,
    is_safe_url,
)
from ..engine.dependencies import note, uses_tool

XHTML_NS = "http://www.w3.org/1999/xhtml"
STRINGS_DOMAIN = "pressrun"
CODE_LANGUAGE = "en"  # the language of the strings written in this module
#: DocBook ``emphasis/@role`` → XHTML element and attributes.
EMPHASIS_ELEMENTS = {"strong": ("strong", {}), "strikethrough": ("s", {}), "underline": ("u", {}),
                     "smallcaps": ("span", {"class": "smallcaps"})}
#: DocBook ``orderedlist/@numeration`` → XHTML ``ol/@type``.
LIST_TYPES = {"arabic": "1", "loweralpha": "a", "upperalpha": "A", "lowerroman": "i", "upperroman": "I"}
BLOCK_TAGS = {"para", "itemizedlist", "orderedlist", "variablelist", "programlisting", "blockquote",
              "figure", "informalfigure"}


def edition_identifier(doc_id: str, lang: str) -> str:
    """A stable ``urn:uuid`` for one document in one language (same on every build)."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'pressrun:{doc_id}:{lang}')}"


def load_strings(po_path: Path | None) -> NullTranslations:
    """The edition strings of one language from its ``pressrun.po`` (compiled in memory)."""
    from ..translation.catalogs import read_catalog
    if po_path is None or not note(po_path).is_file():
        return NullTranslations()
    catalog = read_catalog(po_path)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=STRINGS_DOMAIN)


@dataclass
class Creator:
    """An author as file metadata names them: display name, sort name, and whether a person or organisation."""

    name: str
    file_as: str
    kind: str = "Person"  # or "Organization"


@dataclass
class EditionInfo:
    """What the writers need besides the XHTML: the edition's metadata record.

    The edition step writes it next to the XHTML (:func:`info_json`); the
    PDF, EPUB and release writers read only those two files, never the
    master or the catalogs.
    """

    doc_id: str
    lang: str
    title: str
    authors: list[str]
    description: str
    keywords: list[str]
    publisher: str
    pubdate: str
    edition_date: str
    identifier: str
    source_url: str = ""
    rights: str = ""
    translators: list[str] = field(default_factory=list)
    original_language: str = ""
    series: str = ""
    series_number: str = ""
    siblings: list[str] = field(default_factory=list)
    copyright: str = ""
    #: Percent translated when the edition is a draft (below ``min_publish``); None when published.
    draft_percent: float | None = None
    #: Percent of the messages translated and passages shown in the original language (translations only).
    translation_state: tuple[float, int] | None = None
    #: For the writers: authors with sort names, the navigation's words, relations to the
    #: other editions, and the edition language's own name.
    creators: list[Creator] = field(default_factory=list)
    navigation: NavigationWords | None = None
    relations: list[str] = field(default_factory=list)
    language_name: str = ""

    @property
    def metadata_title(self) -> str:
        """The title for file metadata: marked "DRAFT" with its completeness when the edition is a draft."""
        if self.draft_percent is None:
            return self.title
        return f"DRAFT ({self.draft_percent:.0f} % translated): {self.title}"

    @property
    def rights_statement(self) -> str:
        """Copyright line and rights statement, e.g. ``© 2009-2025 AVİM. All rights reserved``."""
        return ". ".join(part for part in (self.copyright, self.rights) if part)

    @property
    def translator(self) -> str:
        """The credited translators' names, joined ("" when the translation is uncredited)."""
        return ", ".join(self.translators)


def _text(tree, path: str) -> str:
    return " ".join(tree.xpath(f"string({path})", namespaces=XPATH_NS).split())


def original_language(master: etree._ElementTree) -> str:
    """The language a translated master was translated from ("" for an original)."""
    return _text(master, "/db:article/db:info/db:bibliomisc[@role='original-language']")


def edition_info(master: etree._ElementTree, doc_id: str, lang: str, siblings: list[str],
                 edition_date: str, draft_percent: float | None = None) -> EditionInfo:
    uses_tool("babel")  # CLDR's names and date formats are part of every edition
    info = "/db:article/db:info"
    authors = [" ".join(a.xpath("string(db:personname|db:orgname)", namespaces=XPATH_NS).split())
               for a in master.xpath(f"{info}/db:author", namespaces=XPATH_NS)]
    keywords = [k for k in (_text(master, f"{info}/db:subjectset//db:subjectterm"),
                            _text(master, f"{info}/db:biblioset[@relation='series']/db:title")) if k]
    keywords += [" ".join(k.itertext()) for k in master.xpath(f"{info}/db:keywordset/db:keyword", namespaces=XPATH_NS)]
    return EditionInfo(
        doc_id=doc_id, lang=lang, title=_text(master, f"{info}/db:title"), authors=authors,
        description=_text(master, f"{info}/db:abstract"), keywords=keywords,
        publisher=_text(master, f"{info}/db:publisher/db:publishername"),
        pubdate=_text(master, f"{info}/db:pubdate"), edition_date=edition_date,
        identifier=edition_identifier(doc_id, lang),
        source_url=_text(master, f"{info}/db:biblioid[@class='uri']"),
        rights=_text(master, f"{info}/db:legalnotice"),
        translators=[" ".join(" ".join(credit.itertext()).split()) for credit in
                     master.xpath(f"{info}/db:othercredit[@class='translator']", namespaces=XPATH_NS)],
        original_language=original_language(master), draft_percent=draft_percent,
        series=_text(master, f"{info}/db:biblioset[@relation='series']/db:title"),
        series_number=_text(master, f"{info}/db:biblioset[@relation='series']/db:volumenum"),
        siblings=[s for s in siblings if s != lang],
        copyright=" ".join(part for part in (
            "© " + _text(master, f"{info}/db:copyright/db:year") if _text(master, f"{info}/db:copyright/db:year") else "",
            _text(master, f"{info}/db:copyright/db:holder")) if part),
    )


def _h(tag: str, attrs: dict | None = None, *children, text: str | None = None) -> etree._Element:
    element = etree.Element(f"{{{XHTML_NS}}}{tag}", attrs or {})
    if text is not None:
        element.text = text
    for child in children:
        element.append(child)
    return element


def _source_link(parent: etree._Element, url: str) -> None:
    """The source page's address: a live link only when it is a web address."""
    if is_safe_url(url, SOURCE_URL_SCHEMES):
        _sub(parent, "a", {"href": url}, url)
    else:
        _sub(parent, "span", {"class": "url"}, url)


def _sub(parent: etree._Element, tag: str, attrs: dict | None = None, text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, f"{{{XHTML_NS}}}{tag}", attrs or {})
    if text is not None:
        element.text = text
    return element


class _Builder:
    def __init__(self, master: etree._ElementTree, meta: EditionInfo, strings: NullTranslations):
        self.master = master
        self.meta = meta
        self.lang = meta.lang
        self.locale = Locale.parse(meta.lang)
        self.strings = strings
        self.notes = 0

    # helpers ------------------------------------------------------------------
    def date(self, iso: str) -> str:
        if not iso:
            return ""
        return format_date(date.fromisoformat(iso[:10]), format="long", locale=self.locale)

    def language_name(self, code: str) -> str:
        """A language's name standing alone, as the edition's catalog gives it (else Babel's)."""
        from ..translation.catalogs import language_label_msgid
        msgid = language_label_msgid("language name", code)
        name = self.strings.pgettext("language name", msgid)
        return language_name(code, self.lang) if name == msgid and self.lang != CODE_LANGUAGE else name

    def language_label(self, use: str, code: str, **values: str) -> str:
        """The label ``use`` naming language ``code`` (rules/language-labels.toml), translated."""
        from ..translation.catalogs import language_label_msgid
        return self.strings.pgettext(use, language_label_msgid(use, code)).format(**values)

    def translation_credit(self) -> str:
        """"Translated from X" or "Translated from X by Y" in the edition language."""
        meta = self.meta
        if meta.translator:
            return self.language_label("translated from, by", meta.original_language, translator=meta.translator)
        return self.language_label("translated from", meta.original_language)

    def find(self, path: str):
        found = self.master.xpath(path, namespaces=XPATH_NS)
        return found[0] if found else None

    # document -----------------------------------------------------------------
    def document(self) -> etree._ElementTree:
        _ = self.strings.gettext
        meta = self.meta
        html = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS})
        html.set("lang", self.lang)
        html.set(XML_LANG, self.lang)
        head = _sub(html, "head")
        _sub(head, "meta", {"charset": "utf-8"})
        _sub(head, "title", text=meta.metadata_title)
        keywords = meta.keywords + (["DRAFT"] if meta.draft_percent is not None else [])
        for name, content in (("author", ", ".join(meta.authors)), ("description", meta.description),
                              ("keywords", ", ".join(keywords)),
                              ("generator", f"pressrun {__version__}"),
                              ("dcterms.created", meta.edition_date), ("dcterms.modified", meta.edition_date),
                              ("dcterms.identifier", meta.identifier), ("dcterms.publisher", meta.publisher),
                              ("dcterms.date", meta.pubdate[:10])):
            if content:
                _sub(head, "meta", {"name": name, "content": content})
        body = _sub(html, "body", {"data-page-label": _("Page")})
        if meta.draft_percent is not None:
            self.draft_marks(body)
        body.append(self.title_block())
        main = _sub(body, "main")
        for node in self.master.getroot():
            if node.tag != db("info") and not (node.tag == db("para") and node.get("role") == "byline"):
                main.append(self.block(node))
        for section in (self.about_author(), self.cite_edition(), self.colophon()):
            if section is not None:
                body.append(section)
        return etree.ElementTree(html)

    def completeness(self) -> str:
        """How complete the translation is, e.g. "Translated: 98 %; passages in the original language: 1"."""
        if self.meta.translation_state is None:
            return ""
        _ = self.strings.gettext
        percent, fallbacks = self.meta.translation_state
        return _("Translated: {percent} %; passages in the original language: {count}").format(
            percent=f"{percent:.0f}", count=fallbacks)

    def draft_marks(self, body: etree._Element) -> None:
        """The banner and the watermark (repeated on every PDF page) of a draft edition."""
        _ = self.strings.gettext
        body.set("class", "draft")
        percent = f"{self.meta.draft_percent:.0f}"
        _sub(body, "p", {"class": "draft-banner", "role": "note"},
             _("Draft translation: {percent} % translated; untranslated passages are shown in the original "
               "language. Not a published edition.").format(percent=percent))
        _sub(body, "div", {"class": "draft-watermark", "aria-hidden": "true"},
             _("DRAFT · {percent} %").format(percent=percent))

    def title_block(self) -> etree._Element:
        _ = self.strings.gettext
        meta = self.meta
        header = _h("header", {"class": "title-block", "data-short-title": short_title(meta.title),
                               "data-author": ", ".join(meta.authors)})
        if meta.publisher:
            publisher = _sub(header, "p", {"class": "publisher"}, meta.publisher)
            localized = self.find("/db:article/db:info/db:publisher/db:publishername[@xml:lang]") is not None
            if meta.original_language and meta.original_language != self.lang and not localized:
                publisher.set("lang", meta.original_language)
                publisher.set(XML_LANG, meta.original_language)
        if meta.series:
            series = _("{series}, No. {number}").format(series=meta.series, number=meta.series_number) \
                if meta.series_number else meta.series
            _sub(header, "p", {"class": "series"}, series)
        category = self.find("/db:article/db:info/db:subjectset[@scheme='category']//db:subjectterm")
        if category is not None:
            self.inline_content(_sub(header, "p", {"class": "category"}), category)
        title = _sub(header, "h1")
        self.inline_content(title, self.find("/db:article/db:info/db:title"))
        subtitle = self.find("/db:article/db:info/db:subtitle")
        if subtitle is not None:
            self.inline_content(_sub(header, "p", {"class": "subtitle"}), subtitle)
        header.append(self.byline())
        if meta.pubdate:
            dateline = _sub(header, "p", {"class": "dateline"})
            _sub(dateline, "time", {"datetime": meta.pubdate}, self.date(meta.pubdate))
        credit = self.translation_credit() if meta.original_language and meta.draft_percent is None else ""
        if credit:
            _sub(header, "p", {"class": "translation-credit"}, credit)
        abstract = self.find("/db:article/db:info/db:abstract")
        if abstract is not None:
            box = _sub(header, "div", {"class": "abstract"})
            for para in abstract:
                box.append(self.block(para))
        return header

    def byline(self) -> etree._Element:
        line = _h("p", {"class": "byline"})
        printed = self.find("/db:article/db:para[@role='byline']")
        if printed is not None:
            self.inline_content(_sub(line, "span", {"class": "author"}), printed)
        else:
            _sub(line, "span", {"class": "author"}, ", ".join(self.meta.authors))
        role = self.find("/db:article/db:info/db:author/db:affiliation/db:jobtitle")
        if role is not None:
            span = _sub(line, "span", {"class": "role"})
            self.inline_content(span, role)
        return line

    # body ---------------------------------------------------------------------
    def block(self, node: etree._Element) -> etree._Element:
        tag = etree.QName(node).localname
        if tag == "para" and node.get("role") != "horizontal-rule":
            element = _h("p", {"class": node.get("role")} if node.get("role") else {})
            self.inline_content(element, node)
        elif tag == "itemizedlist":
            element = _h("ul")
            self.list_items(element, node)
        elif tag == "blockquote":
            element = _h("blockquote")
            attribution = node.find(db("attribution"))
            for child in node:
                if child.tag != db("attribution"):
                    element.append(self.block(child))
            if attribution is not None:
                footer = _sub(element, "footer")
                footer.text = "— "
                self.inline_content(_sub(footer, "cite"), attribution)
        elif tag in ("figure", "informalfigure"):
            element = self.figure(node)
        elif tag == "section":
            element = self.section(node)
        elif tag == "orderedlist":
            element = _h("ol", {"type": LIST_TYPES.get(node.get("numeration") or "arabic", "1")})
            if node.get("startingnumber"):
                element.set("start", node.get("startingnumber"))
            self.list_items(element, node)
        elif tag == "variablelist":
            element = _h("dl")
            for entry in node.iterchildren(db("varlistentry")):
                self.inline_content(_sub(element, "dt"), entry.find(db("term")))
                definition = _sub(element, "dd")
                for child in entry.find(db("listitem")):
                    definition.append(self.block(child))
        elif tag in ("table", "informaltable"):
            element = self.table(node)
        elif tag == "programlisting":
            element = _h("pre")
            _sub(element, "code", text=node.text or "")
        elif tag == "para" and node.get("role") == "horizontal-rule":
            element = _h("hr")
        elif tag == "bridgehead":
            level = min(int((node.get("renderas") or "sect1")[-1]) + 1, 6)
            element = _h(f"h{level}")
            self.inline_content(element, node)
        else:
            element = _h("div")
            self.inline_content(element, node)
        self.copy_language(node, element)
        return element

    def section(self, node: etree._Element) -> etree._Element:
        """A master section: ``section`` with a heading one level below its parent's (h2 under the title)."""
        depth = len(node.xpath("ancestor::db:section", namespaces=XPATH_NS))
        element = _h("section", {"id": node.get(XML_ID)} if node.get(XML_ID) else {})
        self.inline_content(_sub(element, f"h{min(depth + 2, 6)}"), node.find(db("title")))
        for child in node:
            if child.tag != db("title"):
                element.append(self.block(child))
        return element

    def list_items(self, element: etree._Element, node: etree._Element) -> None:
        """One ``li`` per DocBook ``listitem`` of ``node``, holding its blocks."""
        for item in node.iterchildren(db("listitem")):
            entry = _sub(element, "li")
            for child in item:
                entry.append(self.block(child))

    def figure(self, node: etree._Element) -> etree._Element:
        """A figure's caption and the description of its picture (pictures are not embedded)."""
        element = _h("figure", {"class": node.get("role") or "figure"})
        alt = node.find(f"{db('mediaobject')}/{db('textobject')}[@role='alt']/{db('phrase')}")
        if alt is not None:
            self.inline_content(_sub(element, "p", {"class": "image-description"}), alt)
        if node.find(db("title")) is not None:
            self.inline_content(_sub(element, "figcaption"), node.find(db("title")))
        return element

    def table(self, node: etree._Element) -> etree._Element:
        """A CALS table as an XHTML table: caption, header rows as ``th``, column alignment as a class."""
        element = _h("table")
        if node.find(db("title")) is not None:
            self.inline_content(_sub(element, "caption"), node.find(db("title")))
        group = node.find(db("tgroup"))
        aligns = [spec.get("align") for spec in group.iterchildren(db("colspec"))]
        for part, cell_tag in (("thead", "th"), ("tbody", "td")):
            source = group.find(db(part))
            if source is None:
                continue
            target = _sub(element, part)
            for row in source.iterchildren(db("row")):
                line = _sub(target, "tr")
                for number, entry in enumerate(row.iterchildren(db("entry"))):
                    align = aligns[number] if number < len(aligns) else None
                    cell = _sub(line, cell_tag, {"class": f"align-{align}"} if align else {})
                    if cell_tag == "th":
                        cell.set("scope", "col")
                    if len(entry) and all(isinstance(c.tag, str) and c.tag != db("footnote") and
                                          etree.QName(c).localname in BLOCK_TAGS for c in entry):
                        for child in entry:
                            cell.append(self.block(child))
                    else:
                        self.inline_content(cell, entry)
        return element

    def copy_language(self, source: etree._Element, target: etree._Element) -> None:
        lang = source.get(XML_LANG)
        if lang:
            target.set("lang", lang)
            target.set(XML_LANG, lang)

    def inline_content(self, target: etree._Element, source: etree._Element | None) -> None:
        if source is None:
            return
        self.copy_language(source, target)
        append_text(target, source.text)
        for child in source:
            self.inline(target, child)
            append_text(target, child.tail)

    def inline(self, target: etree._Element, node) -> None:
        if isinstance(node, etree._ProcessingInstruction):
            if node.target == LINE_BREAK_PI:
                _sub(target, "br")
            return
        if not isinstance(node.tag, str):
            return
        tag = etree.QName(node).localname
        if tag == "emphasis":
            name, attrs = EMPHASIS_ELEMENTS.get(node.get("role"), ("em", {}))
            element = _sub(target, name, dict(attrs))
        elif tag == "link":
            href = node.get("{http://www.w3.org/1999/xlink}href", "")
            element = _sub(target, "a", {"href": href} if is_safe_url(href) else {})
        elif tag == "footnote":
            self.notes += 1
            element = _sub(target, "span", {"class": "footnote", "id": f"fn-{self.notes}", "role": "note"})
            for index, para in enumerate(node.iterchildren(db("para"))):
                if index:
                    append_text(element, " ")
                self.inline_content(element, para)
            return
        elif tag in ("superscript", "subscript"):
            element = _sub(target, "sup" if tag == "superscript" else "sub")
        elif tag == "code":
            element = _sub(target, "code")
        elif tag == "inlineequation":
            element = _sub(target, "span", {"class": "math"})
        else:
            element = _sub(target, "span")
        self.inline_content(element, node)
        if element.get("href") and " ".join("".join(element.itertext()).split()) != element.get("href"):
            element.set("class", "external")  # print shows the address after the words

    # back matter ---------------------------------------------------------------
    def about_author(self) -> etree._Element | None:
        _ = self.strings.gettext
        blurbs = self.master.xpath("/db:article/db:info/db:author/db:personblurb/db:para", namespaces=XPATH_NS)
        if not blurbs:
            return None
        section = _h("section", {"class": "about-author"})
        _sub(section, "h2", text=_("About the author"))
        for para in blurbs:
            section.append(self.block(para))
        return section

    def cite_edition(self) -> etree._Element:
        _ = self.strings.gettext
        meta = self.meta
        section = _h("section", {"class": "cite-edition"})
        _sub(section, "h2", text=_("How to cite this edition"))
        parts = [", ".join(meta.authors), f"{meta.title}.", meta.publisher]
        if meta.series:
            parts.append(_("{series}, No. {number}").format(series=meta.series, number=meta.series_number)
                         if meta.series_number else meta.series)
        parts.append(self.date(meta.pubdate))
        if meta.original_language and meta.draft_percent is None:
            parts.append(self.translation_credit())
        parts.append(_("Edition {identifier}").format(identifier=meta.identifier))
        para = _sub(section, "p", text=". ".join(p.rstrip(".") for p in parts if p) + ".")
        if meta.source_url:
            append_text(para, " ")
            _source_link(para, meta.source_url)
        return section

    def colophon(self) -> etree._Element:
        _ = self.strings.gettext
        meta = self.meta
        section = _h("section", {"class": "colophon"})
        _sub(section, "h2", text=_("Colophon"))
        listing = _sub(section, "dl")
        info = "/db:article/db:info"
        original_title = _text(self.master, f"{info}/db:bibliomisc[@role='original-title']") or meta.title
        accessed = _text(self.master, f"{info}/db:bibliomisc[@role='access-date']")
        original_publisher = _text(self.master, f"{info}/db:bibliomisc[@role='original-publisher']")
        years = _text(self.master, f"{info}/db:copyright/db:year")
        holder = _text(self.master, f"{info}/db:copyright/db:holder")
        rows = [
            (_("Original title"), original_title, meta.original_language or self.lang),
            (_("Original language"), self.language_name(meta.original_language or self.lang), None),
            (_("Source"), meta.source_url, None),
            (_("Accessed"), self.date(accessed), None),
            (_("Original publisher"), original_publisher or meta.publisher,
             (meta.original_language or None) if original_publisher else None),
            (_("Rights"), " ".join(p for p in (f"© {years}" if years else "", holder, meta.rights) if p), None),
            (_("Edition language"), self.language_name(self.lang), None),
            (_("Translation"), (meta.translator or _("translator not credited")) if meta.original_language else "",
             None),
            (_("Completeness"), self.completeness() if meta.original_language else "", None),
            (_("Edition identifier"), meta.identifier, None),
            (_("Build date"), self.date(meta.edition_date), None),
            (_("Also available in"), ", ".join(self.language_name(s) for s in meta.siblings), None),
        ]
        for label, value, lang in rows:
            if not value:
                continue
            _sub(listing, "dt", text=label)
            cell = _sub(listing, "dd")
            if label == _("Source"):
                _source_link(cell, value)
            else:
                cell.text = value
            if lang and lang != self.lang:
                cell.set("lang", lang)
                cell.set(XML_LANG, lang)
        rights = self.find(f"{info}/db:legalnotice/db:para")
        if rights is not None and rights.get(XML_LANG) and rights.get(XML_LANG) != self.lang:
            cells = listing.xpath("h:dd[preceding-sibling::h:dt[1][. = $label]]", label=_("Rights"),
                                  namespaces={"h": XHTML_NS})
            for cell in cells:
                cell.set("lang", rights.get(XML_LANG))
                cell.set(XML_LANG, rights.get(XML_LANG))
        return section


def language_name(code: str, in_lang: str) -> str:
    """The name of language ``code`` in language ``in_lang`` (Babel's locale data)."""
    return Locale.parse(code).get_display_name(Locale.parse(in_lang)) if code else ""


@dataclass(frozen=True)
class NavigationWords:
    """The words an EPUB's navigation adds, in the edition's language."""

    cover_alt: str
    cover: str
    contents: str
    start: str
    note_back: str  # keeps the ``{number}`` placeholder
    pages: str = "Pages"  # the page list's heading (records written before it had one: English, the code language)


def creators_of(master: etree._ElementTree) -> list[Creator]:
    """Authors with a sort name (``Korejba, Jakub``); an organisation is filed under its name."""
    creators = []
    for author in master.xpath("/db:article/db:info/db:author", namespaces=XPATH_NS):
        org = author.xpath("string(db:orgname)", namespaces=XPATH_NS).strip()
        if org:
            creators.append(Creator(org, org, "Organization"))
            continue
        parts = {p: author.xpath(f"string(db:personname/db:{p})", namespaces=XPATH_NS).strip()
                 for p in ("honorific", "firstname", "surname")}
        name = " ".join(v for v in parts.values() if v)
        creators.append(Creator(name, ", ".join(v for v in (parts["surname"], parts["firstname"]) if v) or name))
    return creators


def for_writers(info: EditionInfo, master: etree._ElementTree, strings: NullTranslations) -> EditionInfo:
    """The record completed with what only the master and the strings can tell the writers."""
    info.creators = creators_of(master)
    info.navigation = navigation_words(strings, info.title)
    info.relations = [f"{edition_identifier(info.doc_id, other)} ({other})" for other in info.siblings]
    info.language_name = language_name(info.lang, info.lang)
    return info


def info_json(info: EditionInfo) -> bytes:
    return (json.dumps(asdict(info), ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def read_info(data: bytes) -> EditionInfo:
    """The record :func:`info_json` wrote."""
    fields = json.loads(data)
    fields["creators"] = [Creator(**creator) for creator in fields["creators"]]
    fields["navigation"] = NavigationWords(**fields["navigation"]) if fields["navigation"] else None
    if fields["translation_state"] is not None:
        fields["translation_state"] = tuple(fields["translation_state"])
    return EditionInfo(**fields)


def navigation_words(strings: NullTranslations, title: str) -> NavigationWords:
    """Labels of the EPUB's cover, table of contents, landmarks, note back links and page list."""
    _ = strings.gettext
    return NavigationWords(cover_alt=_("Cover: {title}").format(title=title), cover=_("Cover"),
                           contents=_("Contents"), start=_("Start of text"),
                           note_back=_("Back to note {number} in the text"), pages=_("Pages"))


def append_text(element: etree._Element, text: str | None) -> None:
    """Add ``text`` after the element's last child, or to its text when it has none (mixed content)."""
    if not text:
        return
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def short_title(title: str, limit: int = 60) -> str:
    """The running-head title: the part before a colon, or the title cut at a word."""
    head = title.split(":")[0].strip()
    if 10 <= len(head) <= limit:
        return head
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0] + "…"


def build_edition(master: etree._ElementTree, meta: EditionInfo, strings: NullTranslations) -> bytes:
    """The edition XHTML document as bytes."""
    tree = _Builder(master, meta, strings).document()
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", doctype="<!DOCTYPE html>")


def edition_date(epoch: int) -> str:
    """The date this edition was prepared: the project's date (:func:`pressrun.config.project_date`)."""
    return datetime.fromtimestamp(epoch, tz=timezone.utc).date().isoformat()
