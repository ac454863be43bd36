"""Merge: a master and one language's catalog → the translated master.

In: ``build/master/<doc-id>.xml`` and
``translations/<lang>/LC_MESSAGES/<doc-id>.po``.
Out: ``build/master/<lang>/<doc-id>.xml`` (still DocBook 5.0) with
``xml:lang`` set to the edition language, every segment replaced by its
translation, and in ``<info>`` the original language and title and the
translator credit (the people the catalog names: ``X-Translators`` or
``Last-Translator``; none when it names nobody).

A segment already in the target language passes through.  An untranslated
or fuzzy message, or a msgstr that is rejected (not well-formed, or whose
inline tags differ from its msgid's), falls back to the source text, which
keeps its own ``xml:lang`` so hyphenation and fonts stay right.  A fuzzy
message whose source changed only trivially since it was translated
(whitespace, punctuation, letter case, or a character edit distance of at
most 2 % of the message, against its ``#| msgid``) stays in the edition and
is reported as "in use, awaiting review".  A msgstr is
parsed as XML with no entities and no DTD and may only contain the tags of
its msgid, so a translation can never inject markup.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from lxml import etree

from ..document.its import LINE_BREAK_PI, Segment, language_of, segments
from ..document.master import safe_parser
from ..document.model import DOCBOOK_NS, NSMAP, XML_LANG, XPATH_NS, db
from ..errors import Problem
from .catalogs import translator_names

#: A fuzzy message stays in the edition when its source changed by at most this share of characters.
TRIVIAL_EDIT_SHARE = 0.02
_WRAP_OPEN = f'<_wrap xmlns="{DOCBOOK_NS}" xmlns:xlink="http://www.w3.org/1999/xlink">'


class RejectedTranslation(ValueError):
    """A msgstr that cannot be used."""


@dataclass
class MergeReport:
    doc_id: str
    lang: str
    translated: int = 0
    passed_through: int = 0
    untranslated: int = 0
    fuzzy: int = 0
    fuzzy_in_use: int = 0
    rejected: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def fallbacks(self) -> int:
        return self.untranslated + self.fuzzy + self.rejected

    def as_dict(self) -> dict:
        data = {k: v for k, v in self.__dict__.items() if k != "problems"}
        return {**data, "problems": [p.as_dict() for p in self.problems]}


def merge(master: etree._ElementTree, catalog: Catalog | None, lang: str, po_path: Path | str,
          doc_id: str) -> tuple[etree._ElementTree, MergeReport]:
    tree = copy.deepcopy(master)
    root = tree.getroot()
    source_lang = root.get(XML_LANG)
    report = MergeReport(doc_id, lang)
    original_title = tree.xpath("string(/db:article/db:info/db:title)", namespaces=XPATH_NS)
    translated = [segment.element for segment in reversed(segments(tree))
                  if _merge_segment(segment, catalog, lang, po_path, report)]
    root.set(XML_LANG, lang)
    for element in translated:
        if language_of(element) != lang:
            element.set(XML_LANG, lang)
    if lang != source_lang:
        _record_translation(tree, source_lang, original_title, catalog)
    return tree, report


def _merge_segment(segment: Segment, catalog: Catalog | None, lang: str, po_path, report: MergeReport) -> bool:
    """Translate one segment in place; True when its text is now in ``lang``."""
    if segment.lang == lang:
        report.passed_through += 1
        return False
    message = catalog.get(segment.msgid) if catalog is not None else None
    if message is None or not message.string:
        report.untranslated += 1
    elif message.fuzzy and not trivially_changed(message.previous_id, segment.msgid):
        report.fuzzy += 1
    else:
        try:
            apply_translation(segment, message.string)
            if message.fuzzy:
                report.fuzzy_in_use += 1
                report.problems.append(Problem("warning", f"in use, awaiting review: {segment.msgid[:50]!r} "
                                               "(fuzzy after a trivial source change)",
                                               str(po_path), message.lineno, "fuzzy"))
            else:
                report.translated += 1
            return True
        except RejectedTranslation as exc:
            report.rejected += 1
            report.problems.append(Problem("error", f"translation of {segment.msgid[:50]!r} rejected: {exc}",
                                           str(po_path), message.lineno, "msgstr"))
    segment.element.set(XML_LANG, segment.lang)
    return False


def trivially_changed(previous_id, msgid: str) -> bool:
    """True when the source went from ``previous_id`` to ``msgid`` by a trivial edit only."""
    previous = previous_id[0] if isinstance(previous_id, (list, tuple)) and previous_id else previous_id
    if not previous:
        return False
    if _letters_only(previous) == _letters_only(msgid):
        return True
    return edit_distance_within(previous, msgid, int(TRIVIAL_EDIT_SHARE * len(msgid)))


def _letters_only(text: str) -> str:
    """The text without whitespace and punctuation, case folded."""
    return "".join(char for char in text.casefold() if char.isalnum())


def edit_distance_within(a: str, b: str, limit: int) -> bool:
    """Whether the Levenshtein distance of ``a`` and ``b`` is at most ``limit`` (stops early)."""
    if abs(len(a) - len(b)) > limit:
        return False
    row = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        previous_diagonal, row[0] = row[0], i
        for j, char_b in enumerate(b, 1):
            previous_diagonal, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1,
                                                   previous_diagonal + (char_a != char_b))
        if min(row) > limit:
            return False
    return row[-1] <= limit


def apply_translation(segment: Segment, msgstr: str) -> None:
    """Replace the segment's content with ``msgstr`` (raises RejectedTranslation)."""
    given = checked_translation(segment.msgid, msgstr)
    element = segment.element
    for child in list(element):
        element.remove(child)
    nested = list(segment.nested)
    element.text = given.text
    for child in list(given):
        element.append(_restore(child, nested))


def checked_translation(msgid: str, msgstr: str) -> etree._Element:
    """``msgstr`` parsed, when it is well-formed and has the msgid's inline tags (else RejectedTranslation)."""
    wanted, given = _parse_fragment(msgid), _parse_fragment(msgstr)
    if _signature(wanted) != _signature(given):
        raise RejectedTranslation(f"inline tags {_describe(given)} do not match the msgid's {_describe(wanted)}")
    return given


def _parse_fragment(message: str) -> etree._Element:
    try:
        return etree.fromstring(f"{_WRAP_OPEN}{message}</_wrap>", safe_parser())
    except etree.XMLSyntaxError as exc:
        raise RejectedTranslation(f"not well-formed ({exc.msg})") from None


def _signature(fragment: etree._Element) -> list:
    return sorted((node.tag, sorted(node.attrib.items())) for node in fragment.iter() if node is not fragment)


def _describe(fragment: etree._Element) -> str:
    tags = sorted(etree.QName(node).localname for node in fragment.iter() if node is not fragment)
    return "(" + ", ".join(tags) + ")" if tags else "(none)"


def _restore(node: etree._Element, nested: list) -> etree._Element:
    """Map the parsed message's placeholders back to master nodes."""
    tail = node.tail
    if node.tag == db("br"):
        restored = etree.ProcessingInstruction(LINE_BREAK_PI)
    elif len(node) == 0 and not node.text and nested and nested[0].tag == node.tag:
        restored = nested.pop(0)
    else:
        restored = etree.Element(node.tag, dict(node.attrib), nsmap=NSMAP)
        restored.text = node.text
        for child in list(node):
            restored.append(_restore(child, nested))
    restored.tail = tail
    return restored


def _record_translation(tree: etree._ElementTree, source_lang: str, original_title: str,
                        catalog: Catalog | None) -> None:
    info = tree.getroot().find(db("info"))
    language = etree.SubElement(info, db("bibliomisc"), role="original-language")
    language.text = source_lang
    title = etree.SubElement(info, db("bibliomisc"), role="original-title")
    title.text = original_title
    title.set(XML_LANG, source_lang)
    for name in translator_names(catalog):
        other = etree.SubElement(info, db("othercredit"), {"class": "translator"})
        etree.SubElement(other, db("personname")).text = name
