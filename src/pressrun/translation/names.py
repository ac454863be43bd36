"""Names: the project's names tables → author, organisation and publisher names in an edition's language.

In: ``translations/names.<lang>.toml``, kept by the translators of ``<lang>``::

    [people."Jakub Korejba"]          # the name as the source writes it
    firstname = "Якуб"
    surname = "Корейба"
    honorific = ""                    # "" drops the source's honorific

    [organisations]
    "Center for Eurasian Studies (AVİM)" = "Центр евразийских исследований (AVİM)"

Out: the translated master with the authors' ``personname`` (hence the
byline, the citation and the EPUB ``dc:creator`` with its ``file-as``), the
byline paragraph, organisation authors and the publisher's name in the
edition's form.  The publisher's name as the source gives it is kept in
``<bibliomisc role="original-publisher">`` for the colophon, where
bibliographic practice keeps the original spelling (as it keeps the original
title).  A document or language without a table is left as it is.
"""

from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..config import read_user_toml
from ..document.model import XML_LANG, XPATH_NS, db
from ..engine.dependencies import note
from ..errors import InputError


def names_path(translations_dir: Path, lang: str) -> Path:
    return translations_dir / f"names.{lang}.toml"


def read_names(path: Path) -> dict:
    """The names table at ``path`` ({} when there is none); InputError naming file and line when broken."""
    if not note(path).is_file():
        return {}
    table, _text = read_user_toml(path, "names table")
    people, organisations = table.get("people", {}), table.get("organisations", {})
    if not isinstance(people, dict) or not all(isinstance(v, dict) for v in people.values()):
        raise InputError("[people.\"<name>\"] entries must be tables (firstname, surname, honorific)", path)
    if not isinstance(organisations, dict) or not all(isinstance(v, str) for v in organisations.values()):
        raise InputError("[organisations] must map a name to its form in this language", path)
    return {"people": people, "organisations": organisations}


def localize_names(tree: etree._ElementTree, table: dict, lang: str) -> None:
    """Put the table's forms of the authors', organisations' and publisher's names into ``tree``."""
    if not table:
        return
    info = tree.getroot().find(db("info"))
    for person in info.xpath("db:author/db:personname", namespaces=XPATH_NS):
        _localize_person(tree, person, table["people"], lang)
    for name in info.xpath("db:author/db:orgname", namespaces=XPATH_NS):
        _replace_text(name, table["organisations"], lang)
    publisher = info.find(f"{db('publisher')}/{db('publishername')}")
    if publisher is not None and " ".join((publisher.text or "").split()) in table["organisations"]:
        original = etree.SubElement(info, db("bibliomisc"), role="original-publisher")
        original.text = " ".join(publisher.text.split())
        _replace_text(publisher, table["organisations"], lang)


def _part(person: etree._Element, name: str) -> str:
    return " ".join(person.xpath(f"string(db:{name})", namespaces=XPATH_NS).split())


def _localize_person(tree, person: etree._Element, people: dict, lang: str) -> None:
    first, surname, honorific = _part(person, "firstname"), _part(person, "surname"), _part(person, "honorific")
    entry = people.get(f"{first} {surname}".strip())
    if entry is None:
        return
    prefix = rf"(?:{re.escape(honorific)}\s+)?" if honorific else ""
    pattern = re.compile(prefix + re.escape(first) + r"\s+" + re.escape(surname), re.IGNORECASE)
    for part in ("honorific", "firstname", "surname"):
        element = person.find(db(part))
        wanted = entry.get(part, None)
        if element is None or wanted is None:
            continue
        if wanted:
            element.text = wanted
        else:
            person.remove(element)
    person.set(XML_LANG, lang)
    shown = " ".join(v for v in (entry.get("honorific", honorific), entry.get("firstname", first),
                                 entry.get("surname", surname)) if v)
    for byline in tree.getroot().xpath("db:para[@role='byline']", namespaces=XPATH_NS):
        if byline.text and pattern.search(byline.text):
            byline.text = pattern.sub(shown, byline.text, count=1)


def _replace_text(element: etree._Element, table: dict, lang: str) -> None:
    wanted = table.get(" ".join((element.text or "").split()))
    if wanted:
        element.text = wanted
        element.set(XML_LANG, lang)
