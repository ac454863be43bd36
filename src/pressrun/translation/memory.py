"""Translation memory: the project's catalogs → pre-filled messages and a TMX 1.4 file.

In: every ``translations/<lang>/LC_MESSAGES/<doc-id>.po`` of one language
(the edition strings excepted), and any compendium PO files given with
``pressrun update --compendium``.
Out: :func:`prefill` fills the empty msgstrs of a catalog being created or
updated: an exact match of a translated message of another document as
translated, with a ``#. TM: <doc-id>`` comment; a close match (word-level
similarity of at least 75 %) as fuzzy, with its score and source in the
comment and its msgid as the previous msgid, so nothing unreviewed is
printed.  :func:`tmx` writes every translated message as TMX 1.4 for CAT
tools.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from babel.messages.catalog import Catalog
from lxml import etree

from .. import __version__
from ..errors import InputError
from .catalogs import MEMORY_COMMENT as TM_COMMENT
from .catalogs import read_catalog

CLOSE_MATCH = 0.75
STRINGS_DOMAIN = "pressrun"


@dataclass(frozen=True)
class Unit:
    source: str
    target: str
    origin: str  # the document id, or the compendium's file name


def units_of(catalog: Catalog, origin: str) -> list[Unit]:
    """The translated, reviewed messages of one catalog."""
    return [Unit(m.id, m.string, origin) for m in catalog
            if m.id and isinstance(m.id, str) and m.string and not m.fuzzy and not m.context]


def project_units(translations_dir: Path, lang: str) -> list[Unit]:
    """Every reviewed translation in ``lang`` from the project's document catalogs."""
    units = []
    for path in sorted((translations_dir / lang / "LC_MESSAGES").glob("*.po")):
        if path.stem == STRINGS_DOMAIN:
            continue
        try:
            units += units_of(read_catalog(path, lang), path.stem)
        except InputError:
            continue  # a broken catalog fails its own update, not the others'
    return units


def compendium_units(paths: list[Path], lang: str) -> list[Unit]:
    return [unit for path in paths for unit in units_of(read_catalog(path, lang), path.name)]


def prefill(catalog: Catalog, units: list[Unit], doc_id: str) -> int:
    """Fill the empty msgstrs of ``catalog`` from ``units`` of other documents; the number filled."""
    exact: dict[str, Unit] = {}
    for unit in units:
        if unit.origin != doc_id:
            exact.setdefault(unit.source, unit)
    others = list(exact.values())
    filled = 0
    for message in catalog:
        if not message.id or message.string or message.context:
            continue
        if message.id in exact:
            unit = exact[message.id]
            message.string = unit.target
            message.auto_comments.append(f"{TM_COMMENT}{unit.origin}")
        else:
            unit, score = closest(message.id, others)
            if unit is None:
                continue
            message.string = unit.target
            message.flags.add("fuzzy")
            message.previous_id = [unit.source]
            message.auto_comments.append(f"{TM_COMMENT}{unit.origin}, {score:.0%} match")
        filled += 1
    return filled


def closest(msgid: str, units: list[Unit]) -> tuple[Unit | None, float]:
    """The unit whose source is most similar to ``msgid`` at word level, if at least CLOSE_MATCH."""
    words = msgid.split()
    best, best_ratio = None, CLOSE_MATCH
    for unit in units:
        matcher = SequenceMatcher(None, words, unit.source.split(), autojunk=False)
        if matcher.real_quick_ratio() < best_ratio or matcher.quick_ratio() < best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio >= best_ratio:
            best, best_ratio = unit, ratio
    return best, best_ratio if best else 0.0


def tmx(units: list[tuple[str, str, Unit]]) -> bytes:
    """TMX 1.4 of ``(source language, target language, unit)``: one ``tu`` each, the origin as a ``prop``."""
    source_langs = {source for source, _target, _unit in units}
    source_lang = source_langs.pop() if len(source_langs) == 1 else "*all*"
    root = etree.Element("tmx", version="1.4")
    etree.SubElement(root, "header", {
        "creationtool": "pressrun", "creationtoolversion": __version__, "segtype": "paragraph",
        "o-tmf": "PO", "adminlang": "en", "srclang": source_lang, "datatype": "plaintext"})
    body = etree.SubElement(root, "body")
    for source, target, unit in units:
        tu = etree.SubElement(body, "tu")
        etree.SubElement(tu, "prop", type="x-pressrun-document").text = unit.origin
        for code, text in ((source, unit.source), (target, unit.target)):
            tuv = etree.SubElement(tu, "tuv", {"{http://www.w3.org/XML/1998/namespace}lang": code})
            etree.SubElement(tuv, "seg").text = text
    etree.indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
