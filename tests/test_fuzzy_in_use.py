"""A fuzzy translation whose source changed only trivially stays in the edition; larger changes fall back."""

from __future__ import annotations

import pytest

from conftest import AVIM_ID, ROOT
from pressrun.translation.catalogs import read_catalog
from pressrun.document.its import segments
from pressrun.translation.merge import merge, trivially_changed
from pressrun.document.model import XML_LANG


@pytest.mark.parametrize("before, after, kept", [
    ("The tower is 300 metres high.", "The tower is 300 meters high.", False),  # 2 of 29 characters: 7 %
    ("The tower is 300 metres high.", "The tower is  300 metres high!", True),  # whitespace, punctuation
    ("the Tower is 300 metres high", "The tower is 300 metres high.", True),  # letter case
    ("The tower is 300 metres high.", "The tower is 280 metres high.", False),
    (" ".join(["The long paragraph says the same words again."] * 3) + " It is 300 metres high.",
     " ".join(["The long paragraph says the same words again."] * 3) + " It is 300 meters high.", True),
    (" ".join(["The long paragraph says the same words again."] * 3) + " It is 300 metres high.",
     " ".join(["The long paragraph says the same words again."] * 3) + " It is 280 yards long.", False),
])
def test_trivial_change_line(before, after, kept):
    assert trivially_changed([before], after) is kept


def _fuzzy_from(catalog, msgid: str, previous: str) -> None:
    message = catalog.get(msgid)
    message.flags.add("fuzzy")
    message.previous_id = [previous]


def _long_paragraph(master) -> str:
    return max((s.msgid for s in segments(master) if "<" not in s.msgid), key=len)


def test_trivially_changed_fuzzy_message_stays_in_the_edition(avim_master):
    catalog = read_catalog(ROOT / "translations" / "ru" / "LC_MESSAGES" / f"{AVIM_ID}.po", "ru")
    msgid = _long_paragraph(avim_master)
    _fuzzy_from(catalog, msgid, msgid.replace("e", "a", 1))
    tree, report = merge(avim_master, catalog, "ru", "ru.po", AVIM_ID)
    assert report.fuzzy_in_use == 1 and report.fuzzy == 0
    assert any("in use, awaiting review" in p.message for p in report.problems)
    translation = catalog.get(msgid).string
    assert any("".join(element.itertext()) == translation for element in tree.iter())
    assert msgid not in [s.msgid for s in segments(tree) if s.element.get(XML_LANG) == "en"]


def test_substantially_changed_fuzzy_message_falls_back(avim_master):
    catalog = read_catalog(ROOT / "translations" / "ru" / "LC_MESSAGES" / f"{AVIM_ID}.po", "ru")
    msgid = _long_paragraph(avim_master)
    _fuzzy_from(catalog, msgid, " ".join(msgid.split()[: len(msgid.split()) // 2]))
    tree, report = merge(avim_master, catalog, "ru", "ru.po", AVIM_ID)
    assert report.fuzzy == 1 and report.fuzzy_in_use == 0
    assert msgid in [s.msgid for s in segments(tree) if s.element.get(XML_LANG) == "en"]
