"""The document model: what ingest produces and the master writer consumes.

A :class:`Document` is the publisher-neutral content of one article: its
bibliographic :class:`Metadata` and a list of body blocks.  Inline content is
kept as pandoc AST inlines (the JSON form of ``Str``, ``Emph``, ``Link`` …),
so that pandoc's reader stays the single authority on inline syntax.

Every value remembers the seed line it came from (:class:`Sourced`), which
the catalogs turn into ``#:`` references for translators.

This module also holds the vocabulary of the DocBook master shared by every
later stage (namespaces, the ``remap`` provenance attribute).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

DOCBOOK_NS = "http://docbook.org/ns/docbook"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
NSMAP = {None: DOCBOOK_NS, "xlink": XLINK_NS}
XPATH_NS = {"db": DOCBOOK_NS, "xlink": XLINK_NS}
XML_LANG = f"{{{XML_NS}}}lang"
XML_ID = f"{{{XML_NS}}}id"
XLINK_HREF = f"{{{XLINK_NS}}}href"

#: The attribute that records the seed line of a master element, as
#: ``seed-line:N``.  DocBook defines ``remap`` for "the name … assigned to the
#: content in some previous markup scheme"; the seed line is exactly that.
PROVENANCE_ATTR = "remap"
PROVENANCE_PREFIX = "seed-line:"

#: Link schemes an edition may make live.  Seeds, sidecars and catalogs are
#: untrusted: every address they bring passes this list wherever it is written
#: (body links, the source link in citation and colophon, OPF, PDF annotations).
SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
#: A source page is a web address.
SOURCE_URL_SCHEMES = frozenset({"http", "https"})

Inline = dict[str, Any]


def is_safe_url(url: str, schemes: frozenset[str] = SAFE_LINK_SCHEMES) -> bool:
    """True for an absolute address in one of ``schemes`` (a web address also needs a host)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    if parts.scheme.lower() not in schemes:
        return False
    return parts.scheme.lower() == "mailto" or bool(parts.netloc)


def db(tag: str) -> str:
    """The Clark name of a DocBook element."""
    return f"{{{DOCBOOK_NS}}}{tag}"


@dataclass
class Sourced:
    """A metadata value with the seed line it came from and its language."""

    value: str
    line: int | None = None
    lang: str | None = None


@dataclass
class Para:
    inlines: list[Inline]
    line: int | None = None
    role: str | None = None
    lang: str | None = None


@dataclass
class BulletList:
    """An itemized list; each item is a list of blocks (paragraphs, nested lists …)."""

    items: list[list[Block]]
    line: int | None = None


@dataclass
class OrderedList:
    """A numbered list: ``numeration`` is DocBook's (arabic, loweralpha, upperroman …)."""

    items: list[list[Block]]
    start: int = 1
    numeration: str = "arabic"
    line: int | None = None


@dataclass
class DefinitionList:
    """Terms and their definitions: ``[(term, [definition blocks, …]), …]``."""

    items: list[tuple[Para, list[list[Block]]]]
    line: int | None = None


@dataclass
class Quote:
    paras: list[Block]
    attribution: Para | None = None
    line: int | None = None


@dataclass
class Figure:
    """A figure: caption, alternative text, and a picture only when it lies in the project.

    ``image`` is a path relative to the seed's folder, set only for a file
    that exists there; a figure from a page extraction has a caption only.
    """

    caption: Para | None
    line: int | None = None
    alt: list[Inline] = field(default_factory=list)
    image: str | None = None
    image_title: str | None = None


@dataclass
class Heading:
    """A heading that cannot open a section (inside a list or a quote)."""

    level: int
    inlines: list[Inline]
    line: int | None = None


@dataclass
class Section:
    """A section opened by a heading; ``ident`` is stable across translations."""

    level: int
    title: list[Inline]
    ident: str
    blocks: list[Block] = field(default_factory=list)
    line: int | None = None


@dataclass
class TableCell:
    blocks: list[Block]
    line: int | None = None


@dataclass
class Table:
    """A table: column alignments (left/right/center/None), header rows, body rows."""

    aligns: list[str | None]
    head: list[list[TableCell]]
    rows: list[list[TableCell]]
    caption: Para | None = None
    line: int | None = None


@dataclass
class LineBlock:
    """Lines whose breaks matter (verse, addresses): pandoc's ``| line`` syntax."""

    lines: list[list[Inline]]
    line: int | None = None


@dataclass
class CodeBlock:
    text: str
    language: str | None = None
    line: int | None = None


@dataclass
class Rule:
    """A horizontal rule (thematic break) in the body."""

    line: int | None = None


Block = (Para | BulletList | OrderedList | DefinitionList | Quote | Figure | Heading | Section | Table | LineBlock
         | CodeBlock | Rule)


@dataclass
class Person:
    """An author: a person (name parts) or an organisation (``orgname``)."""

    display: Sourced
    honorific: str | None = None
    firstname: str | None = None
    surname: str | None = None
    orgname: str | None = None
    jobtitle: Sourced | None = None
    blurb: Para | None = None
    othername: str | None = None
    affiliation: Sourced | None = None


@dataclass
class Address:
    street: Sourced | None = None
    postcode: Sourced | None = None
    city: Sourced | None = None
    country: Sourced | None = None
    phone: Sourced | None = None
    fax: Sourced | None = None
    email: Sourced | None = None
    website: Sourced | None = None
    social: list[Sourced] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


#: The metadata vocabulary: fields holding one text value (``Metadata`` attributes of the same name) …
TEXT_FIELDS = ("title", "subtitle", "publisher", "series", "series_number", "category", "source_url",
               "copyright_years", "copyright_holder", "rights")
#: … fields holding a list …
LIST_FIELDS = ("authors", "keywords", "versions")
#: … and dates (``date`` is the publication date, ``Metadata.pubdate``).
DATE_FIELDS = ("date", "access_date")
#: Every field the ingest report accounts for: found on a line, set by the sidecar or profile, or "not found".
REPORTED_FIELDS = ("title", "subtitle", "authors", "date", "publisher", "series", "series_number", "category",
                   "keywords", "source_url", "access_date", "copyright_years", "copyright_holder", "rights",
                   "abstract")


@dataclass
class Metadata:
    language: str
    title: Sourced | None = None
    subtitle: Sourced | None = None
    authors: list[Person] = field(default_factory=list)
    pubdate: Sourced | None = None
    other_dates: list[Sourced] = field(default_factory=list)
    publisher: Sourced | None = None
    address: Address = field(default_factory=Address)
    series: Sourced | None = None
    series_number: Sourced | None = None
    category: Sourced | None = None
    keywords: list[Sourced] = field(default_factory=list)
    source_url: Sourced | None = None
    access_date: Sourced | None = None
    copyright_years: Sourced | None = None
    copyright_holder: Sourced | None = None
    rights: Sourced | None = None
    abstract: Para | None = None
    versions: list[Sourced] = field(default_factory=list)


@dataclass
class Document:
    doc_id: str
    seed: str
    profile: str
    meta: Metadata
    body: list[Block] = field(default_factory=list)
