"""Translation memory: a new article sharing text with a seed starts from that seed's translations.

The new article is the AVİM seed made into blog post 26: another title, one
paragraph of its own, one paragraph edited by a few words, the same author
bio.  ``update`` fills its catalogs from the committed ones (exact → translated,
near → fuzzy); ``tm export`` writes TMX 1.4, read back with translate-toolkit.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from babel.messages.catalog import Catalog

from conftest import AVIM_ID, AVIM_SEED, SEEDS, make_project
from pressrun.translation import commands
from pressrun.engine import build
from pressrun.translation import catalogs, memory
from pressrun.config import load_project

NEW_ID = "avim-blog-26"
OWN_PARAGRAPH = "A quiet harbour town keeps its lighthouse lit even on nights when no ship is expected."
PRESSRUN = [sys.executable, "-m", "pressrun"]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("memory"), [AVIM_SEED])
    text = (SEEDS / AVIM_SEED).read_text(encoding="utf-8")
    edited = "For last thirty years NATO and Azerbaijan have demonstrated"
    assert "For last three decades NATO and Azerbaijan have demonstrated" in text
    lines = text.replace("Blog No: 25", "Blog No: 26").replace(
        "TURBULENT TIMES - 28.11.2024", "QUIET TIMES - 05.12.2024").replace(
        "For last three decades NATO and Azerbaijan have demonstrated", edited).split("\n")
    third = next(i for i, line in enumerate(lines) if line.startswith("NATO and Azerbaijan never perceived"))
    lines[third] = OWN_PARAGRAPH
    (root / "seeds" / "026_new.txt").write_text("\n".join(lines), encoding="utf-8")
    project = load_project(root)
    outcomes = build.ingest_seeds(project) + commands.extract_catalogs(project) + commands.update_catalogs(project)
    assert all(o.status != "failed" for o in outcomes), [str(o.error) for o in outcomes]
    return project


def _message(catalog: Catalog, start: str):
    return next(m for m in catalog if m.id and m.id.startswith(start))


def test_exact_matches_are_translated_with_their_source(project):
    ru = catalogs.read_catalog(project.po_path("ru", NEW_ID), "ru")
    seed = catalogs.read_catalog(project.po_path("ru", AVIM_ID), "ru")
    bio = _message(ru, "Jakub Korejba graduated from Warsaw University")
    assert bio.string == _message(seed, "Jakub Korejba graduated from Warsaw University").string
    assert not bio.fuzzy and f"TM: {AVIM_ID}" in bio.auto_comments


def test_close_matches_are_fuzzy_with_score_and_previous_source(project):
    ru = catalogs.read_catalog(project.po_path("ru", NEW_ID), "ru")
    near = _message(ru, "For last thirty years NATO")
    assert near.fuzzy and near.string.startswith("На протяжении последних трёх десятилетий")
    assert near.previous_id[0].startswith("For last three decades NATO")
    comment = next(c for c in near.auto_comments if c.startswith("TM: "))
    assert comment.startswith(f"TM: {AVIM_ID}, ") and comment.endswith("% match")
    assert 75 <= int(comment.split(", ")[1].split("%")[0]) < 100


def test_new_text_stays_empty_and_nothing_unreviewed_is_printed(project):
    ru = catalogs.read_catalog(project.po_path("ru", NEW_ID), "ru")
    assert _message(ru, OWN_PARAGRAPH).string == ""
    stats = catalogs.stats(ru, NEW_ID, "ru")
    assert stats.fuzzy >= 1 and stats.untranslated >= 1


def test_an_update_keeps_the_memory_comments(project):
    before = project.po_path("ru", NEW_ID).read_bytes()
    outcomes = commands.update_catalogs(project)
    assert {o.status for o in outcomes} == {"skipped"}
    assert project.po_path("ru", NEW_ID).read_bytes() == before


def test_compendium_fills_what_the_project_cannot(project, tmp_path):
    compendium = Catalog(locale="ru")
    compendium.add(OWN_PARAGRAPH, "Тихий портовый город не гасит маяк даже в ночи, когда корабля не ждут.")
    path = tmp_path / "compendium.po"
    path.write_bytes(catalogs.catalog_bytes(compendium))
    result = subprocess.run(PRESSRUN + ["update", "--compendium", str(path)], cwd=project.root,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    message = _message(catalogs.read_catalog(project.po_path("ru", NEW_ID), "ru"), OWN_PARAGRAPH)
    assert message.string.startswith("Тихий портовый город") and "TM: compendium.po" in message.auto_comments


def test_tmx_export_reads_back_with_translate_toolkit(project):
    from translate.storage import tmx
    result = subprocess.run(PRESSRUN + ["tm", "export", "-o", "build/memory.tmx"], cwd=project.root,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    store = tmx.tmxfile.parsefile(str(project.root / "build" / "memory.tmx"))
    pairs = {(unit.source, unit.target) for unit in store.units}
    seed = catalogs.read_catalog(project.po_path("az", AVIM_ID), "az")
    bio = _message(seed, "Jakub Korejba graduated from Warsaw University")
    assert (bio.id, bio.string) in pairs
    expected = sum(len(memory.units_of(catalogs.read_catalog(project.po_path(lang, doc), lang), doc))
                   for doc in (AVIM_ID, NEW_ID) for lang in ("ru", "az"))
    assert len(store.units) == expected


def test_status_page_counts_memory_fills_and_drafts(project, tmp_path):
    from lxml import html
    target = tmp_path / "status.html"
    result = subprocess.run(PRESSRUN + ["stats", "--html", str(target)], cwd=project.root, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    page = html.parse(str(target))
    header = [th.text for th in page.xpath("//thead//th")]
    rows = {(r[0], r[1]): dict(zip(header, r)) for r in
            ([td.text for td in tr.xpath("td")] for tr in page.xpath("//tbody/tr"))}
    new = rows[(NEW_ID, "ru")]
    assert int(new["TM-filled"]) >= 2 and int(new["fuzzy"]) >= 1
    assert rows[(AVIM_ID, "ru")]["TM-filled"] == "0" and rows[(AVIM_ID, "ru")]["terminology findings"] == "0"
    assert rows[(AVIM_ID, "ru")]["edition"] == "published" and rows[(AVIM_ID, "en")]["edition"] == "original"
    assert not page.xpath("//script") and page.xpath("string(//title)") == "Translation status"
