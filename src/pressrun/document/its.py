"""Translatable segments of a master, as declared by ITS 2.0 rules.

In: a master tree and the rules in ``pressrun/rules/docbook.its``.
Out: the list of :class:`Segment`\\ s (element, message text, language,
description, seed line) that :mod:`pressrun.translation.catalogs` extracts and
:mod:`pressrun.translation.merge` replaces.

A message keeps the master's own inline markup, as itstool does:
``text <emphasis>word</emphasis> <link xlink:href="…">label</link>``; a line
break is ``<br/>``; a nested element with messages of its own (a footnote)
is an empty placeholder such as ``<footnote/>``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from lxml import etree

from ..engine.dependencies import package_file
from .model import (
    DOCBOOK_NS,
    PROVENANCE_ATTR,
    PROVENANCE_PREFIX,
    XLINK_NS,
    XML_LANG,
    XML_NS,
)

ITS_NS = "http://www.w3.org/2005/11/its"
LINE_BREAK_PI = "asciidoc-br"
_PREFIXES = {DOCBOOK_NS: "", XLINK_NS: "xlink:", XML_NS: "xml:"}


@dataclass(frozen=True)
class Rules:
    translate: tuple[tuple[str, bool], ...]
    within: tuple[tuple[str, str], ...]
    notes: tuple[tuple[str, str], ...]
    namespaces: dict


def load_rules() -> Rules:
    """The ITS rules of ``rules/docbook.its``: what is translatable, what is inline, what notes say."""
    return _load_rules(package_file("rules/docbook.its"))


@lru_cache(maxsize=1)
def _load_rules(path: Path) -> Rules:
    source = path.read_bytes()
    root = etree.fromstring(source, etree.XMLParser(resolve_entities=False, no_network=True))
    namespaces = {k: v for k, v in root.nsmap.items() if k}
    translate, within, notes = [], [], []
    for rule in root:
        if not isinstance(rule.tag, str):
            continue
        selector = " ".join(rule.get("selector", "").split())
        kind = etree.QName(rule).localname
        if kind == "translateRule":
            translate.append((selector, rule.get("translate") == "yes"))
        elif kind == "withinTextRule":
            within.append((selector, rule.get("withinText")))
        elif kind == "locNoteRule":
            notes.append((selector, "".join(rule.find(f"{{{ITS_NS}}}locNote").itertext()).strip()))
    return Rules(tuple(translate), tuple(within), tuple(notes), namespaces)


@dataclass
class Segment:
    element: etree._Element
    msgid: str
    lang: str
    description: str
    line: int | None
    nested: list = field(default_factory=list)


class _Annotated:
    """ITS data categories computed for every element of one tree."""

    def __init__(self, tree: etree._ElementTree, rules: Rules):
        self.rules = rules
        explicit: dict = {}
        for selector, value in rules.translate:
            for node in tree.xpath(selector, namespaces=rules.namespaces):
                explicit[node] = value
        self.translate: dict = {}
        for node in tree.getroot().iter(tag=etree.Element):
            parent = node.getparent()
            inherited = self.translate.get(parent, True) if parent is not None else True
            self.translate[node] = explicit.get(node, inherited)
        self.within: dict = {}
        for selector, value in rules.within:
            for node in tree.xpath(selector, namespaces=rules.namespaces):
                self.within[node] = value
        self.notes: dict = {}
        for selector, value in rules.notes:
            for node in tree.xpath(selector, namespaces=rules.namespaces):
                self.notes[node] = value


def segments(tree: etree._ElementTree, rules: Rules | None = None) -> list[Segment]:
    """The translatable segments of ``tree`` in document order."""
    info = _Annotated(tree, rules or load_rules())
    found: list[Segment] = []
    body_paragraphs = 0
    for node in tree.getroot().iter(tag=etree.Element):
        if not info.translate[node] or info.within.get(node) == "yes" or not _is_segment(node, info):
            continue
        description = info.notes.get(node, etree.QName(node).localname)
        if description == "paragraph" and node.getparent().tag == f"{{{DOCBOOK_NS}}}article":
            body_paragraphs += 1
            description = f"paragraph {body_paragraphs} of the body"
        nested = [child for child in node.iter(tag=etree.Element)
                  if child is not node and info.within.get(child) == "nested"]
        found.append(Segment(node, message_text(node, info.within), language_of(node), description,
                             source_line(node), nested))
    return found


def running_paragraphs(tree: etree._ElementTree) -> list[etree._Element]:
    """The paragraphs an edition sets as running text: translatable ``para`` segments, notes and the
    byline (set in the title block) left out.  The one answer to "which paragraphs count"."""
    return [segment.element for segment in segments(tree)
            if segment.element.tag == f"{{{DOCBOOK_NS}}}para" and segment.element.get("role") != "byline"
            and not segment.element.xpath("ancestor::db:footnote", namespaces={"db": DOCBOOK_NS})]


def _is_segment(node: etree._Element, info: _Annotated) -> bool:
    """An element holding text of its own (directly or through inline markup)."""
    if (node.text or "").strip():
        return True
    for child in node:
        if (isinstance(child.tag, str) and info.within.get(child) == "yes" and info.translate[child]
                and "".join(child.itertext()).strip()):
            return True
        if (child.tail or "").strip():
            return True
    return False


def message_text(node: etree._Element, within: dict) -> str:
    """The message for ``node``: its content with inline tags, white space collapsed."""
    return " ".join(_serialize_content(node, within).split())


def _serialize_content(node: etree._Element, within: dict) -> str:
    parts = [escape(node.text or "")]
    for child in node:
        if isinstance(child, etree._ProcessingInstruction):
            parts.append("<br/>" if child.target == LINE_BREAK_PI else "")
        elif isinstance(child.tag, str):
            name = _name(child.tag)
            attrs = _attributes(child)
            if within.get(child) == "nested":
                parts.append(f"<{name}{attrs}/>")
            else:
                parts.append(f"<{name}{attrs}>{_serialize_content(child, within)}</{name}>")
        parts.append(escape(child.tail or ""))
    return "".join(parts)


def _name(clark: str) -> str:
    qname = etree.QName(clark)
    return _PREFIXES.get(qname.namespace, "") + qname.localname


def _attributes(node: etree._Element) -> str:
    items = sorted((_name(k), v) for k, v in node.attrib.items() if k not in (PROVENANCE_ATTR, f"{{{XML_NS}}}id"))
    return "".join(f" {k}={quoteattr(v)}" for k, v in items)


def language_of(node: etree._Element) -> str:
    for ancestor in (node, *node.iterancestors()):
        if ancestor.get(XML_LANG):
            return ancestor.get(XML_LANG)
    return ""


def source_line(node: etree._Element) -> int | None:
    value = node.get(PROVENANCE_ATTR, "")
    return int(value.removeprefix(PROVENANCE_PREFIX)) if value.startswith(PROVENANCE_PREFIX) else None

