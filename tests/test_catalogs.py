"""Extract, update and read catalogs (the catalogs stage)."""

from __future__ import annotations

import copy
import io
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from pressrun.translation import commands
from pressrun.engine import build
from pressrun.translation import catalogs
from pressrun.errors import InputError
from pressrun.document.model import XPATH_NS

from conftest import AVIM_ID, ROOT, TURAN_ID, require_command


def _ids(catalog):
    return [m.id for m in catalog if m.id]


def test_extract_is_deterministic(avim_master):
    first = catalogs.catalog_bytes(catalogs.extract(avim_master, AVIM_ID))
    second = catalogs.catalog_bytes(catalogs.extract(copy.deepcopy(avim_master), AVIM_ID))
    assert first == second


def test_pot_not_rewritten_when_only_its_date_changes(avim_master, tmp_path, monkeypatch):
    target = tmp_path / "doc.pot"
    assert catalogs.write_catalog(target, catalogs.extract(avim_master, AVIM_ID))
    before = target.read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert not catalogs.write_catalog(target, catalogs.extract(avim_master, AVIM_ID))
    assert target.read_bytes() == before


def test_messages_comments_and_references(avim_master, turan_master):
    pot = catalogs.extract(avim_master, AVIM_ID)
    ids = _ids(pot)
    citation = next(i for i in ids if i.startswith("To cite this article"))
    assert '<link xlink:href="https://avim.org.tr/public/Blog/' in citation and citation.endswith("</link>")
    assert "NATO-AZERBAIJAN: SUCCESSFUL PARTNERSHIP FOR TURBULENT TIMES - 28.11.2024" in ids
    for kept_out in ("2024-12-02", "Korejba", "Jakub", "info@avim.org.tr", "06550", "25", "Dr. Jakub KOREJBA"):
        assert not any(i == kept_out or i.startswith(kept_out + "<") for i in ids), kept_out
    assert {"AVİM Intern", "AVİM Blog", "Tüm Hakları Saklıdır"} <= set(ids)
    bio = pot[next(i for i in ids if i.startswith("Jakub Korejba graduated") and i.endswith("TV stations."))]
    assert bio.auto_comments == ['author bio ("About the author")']
    assert bio.locations == [("seeds/000_6c4c178a899c20be.txt", 39)]
    assert pot["For last three decades NATO and Azerbaijan have demonstrated an efficient and constructive "
               "partnership that can be measured by the fact that none of the sides have engaged in a conflict "
               "against each other. This is a fact worth underlying because times were turbulent, temptations "
               "were numerous, and the region concerned (South Caucasus) remains interesting. I use interesting "
               "in a geopolitical way, which usually means being an object of great powers activities, "
               "inspirations, and interventions."].auto_comments == ["paragraph 1 of the body"]
    turan = catalogs.extract(turan_master, TURAN_ID)
    caption = turan["Ильхам Алиев и Йенс Столтенберг"]
    assert caption.auto_comments == ["figure caption; written in Russian (ru), not in the article's language"]
    assert turan["NATO Secretary General (2009-2014) Anders Fogh Rasmussen"].auto_comments == [
        "attribution of a block quote (who said it)"]


def test_language_templates_skip_segments_already_in_that_language(turan_master, avim_master):
    template = catalogs.extract(turan_master, TURAN_ID)
    assert _ids(catalogs.language_template(template, turan_master, "en")) == ["Ильхам Алиев и Йенс Столтенберг"]
    assert "Ильхам Алиев и Йенс Столтенберг" not in _ids(catalogs.language_template(template, turan_master, "ru"))
    assert "Ильхам Алиев и Йенс Столтенберг" in _ids(catalogs.language_template(template, turan_master, "az"))
    avim = catalogs.extract(avim_master, AVIM_ID)
    assert _ids(catalogs.language_template(avim, avim_master, "en")) == ["Tüm Hakları Saklıdır"]


def _edited(master, old_text: str, new_text: str):
    tree = copy.deepcopy(master)
    for para in tree.xpath("//db:para", namespaces=XPATH_NS):
        if para.text and old_text in para.text:
            para.text = para.text.replace(old_text, new_text)
    return tree


def _po(catalog) -> str:
    return catalogs.catalog_bytes(catalog).decode()


def test_update_keeps_work_through_edits_removals_and_reruns(avim_master, tmp_path):
    ru = catalogs.read_catalog(ROOT / "translations" / "ru" / "LC_MESSAGES" / f"{AVIM_ID}.po", "ru")
    long_para = next(m for m in ru if m.id.startswith("Firstly, the internal level"))
    assert len(long_para.id) > 1000
    edited = _edited(avim_master, "All that makes today’s NATO", "All this makes today’s NATO")
    removed = next(p for p in edited.xpath("/db:article/db:para", namespaces=XPATH_NS)
                   if (p.text or "").startswith("Secondly, the regional level"))
    removed.getparent().remove(removed)
    template = catalogs.language_template(catalogs.extract(edited, AVIM_ID), edited, "ru")
    updated = catalogs.update(template, ru, "ru", AVIM_ID, "title")

    new_id = long_para.id.replace("All that makes", "All this makes")
    fuzzy = updated[new_id]
    assert fuzzy.fuzzy and fuzzy.string == long_para.string and fuzzy.previous_id == [long_para.id]
    gone = next(m for m in ru if m.id.startswith("Secondly, the regional level"))
    assert updated.obsolete[gone.id].string == gone.string
    text = _po(updated)
    assert "#| msgid \"Firstly, the internal level" in text and "#~ msgid \"Secondly, the regional level" in text

    translated = {m.id: m.string for m in ru if m.id and m.string}
    kept = {m.id: m.string for m in updated if m.id and m.string}
    kept.update({m.id: m.string for m in updated.obsolete.values()})
    assert set(translated.values()) <= set(kept.values()), "a translation was dropped"

    written = tmp_path / "ru.po"
    written.write_text(text, encoding="utf-8")
    reread = catalogs.read_catalog(written, "ru")
    assert reread[new_id].previous_id == [long_para.id]
    again = catalogs.update(template, reread, "ru", AVIM_ID, "title")
    assert _po(again) == text


def test_update_agrees_with_msgmerge_previous(avim_master, tmp_path):
    msgmerge = require_command("msgmerge")
    ru_path = ROOT / "translations" / "ru" / "LC_MESSAGES" / f"{AVIM_ID}.po"
    ru = catalogs.read_catalog(ru_path, "ru")
    edited = _edited(avim_master, "All that makes today’s NATO", "All this makes today’s NATO")
    template = catalogs.language_template(catalogs.extract(edited, AVIM_ID), edited, "ru")
    ours = catalogs.update(template, ru, "ru", AVIM_ID, "title")
    pot = tmp_path / "t.pot"
    pot.write_bytes(catalogs.catalog_bytes(template))
    merged = subprocess.run([msgmerge, "--previous", "--quiet", "-o", "-", str(ru_path), str(pot)],
                            capture_output=True, text=True, check=True).stdout
    theirs = read_po(io.StringIO(merged))
    assert {m.id for m in ours if m.fuzzy and m.id} == {m.id for m in theirs if m.fuzzy and m.id}
    assert {m.id: m.string for m in ours if m.id} == {m.id: m.string for m in theirs if m.id}
    assert set(ours.obsolete) == set(theirs.obsolete)


def test_committed_catalogs_pass_msgfmt_and_pybabel(tmp_path):
    msgfmt = require_command("msgfmt")
    pos = sorted((ROOT / "translations").glob("*/LC_MESSAGES/*.po"))
    assert len(pos) >= 6
    for po in pos:
        result = subprocess.run([msgfmt, "-c", "--check-format", "-o", "/dev/null", str(po)],
                                capture_output=True, text=True)
        assert result.returncode == 0, f"{po}: {result.stderr}"
        result = subprocess.run([str(Path(sys.executable).parent / "pybabel"), "compile", "-i", str(po),
                                 "-o", str(tmp_path / "x.mo")], capture_output=True, text=True)
        assert result.returncode == 0 and "error" not in result.stderr.lower(), result.stderr


@pytest.mark.parametrize("content, line, message", [
    ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "a"\nmsgstr "b\n', 6, "syntax error"),
    ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-1\\n"\n', 3, "charset ISO-8859-1"),
    ('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b"\n\nmsgid "a"\nmsgstr "c"\n', 7, "duplicate msgid"),
    ('msgid ""\nmsgstr ""\n\nmsgid "a"\nmsgstr "b"\n\nmsgid "truncated"\n', 7, "missing msgstr"),
])
def test_broken_catalogs_name_file_and_line(tmp_path, content, line, message):
    path = tmp_path / "broken.po"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        catalogs.read_catalog(path)
    assert caught.value.line == line and message in caught.value.message
    assert str(caught.value).startswith(f"{path}:{line}:")


def test_committed_translations_are_complete(project):
    build.ingest_seeds(project)
    results = commands.catalog_stats(project)
    assert {(r.doc_id, r.lang) for r in results} == {
        (d, l) for d in (AVIM_ID, TURAN_ID) for l in ("en", "ru", "az")} | {("pressrun", "ru"), ("pressrun", "az")}
    for result in results:
        assert result.percent == 100.0 and result.fuzzy == 0 and result.untranslated == 0, result


def test_update_on_committed_catalogs_changes_nothing(project):
    build.ingest_seeds(project)
    before = {p: p.read_bytes() for p in project.translations_dir.rglob("*.po*")}
    outcomes = commands.extract_catalogs(project) + commands.update_catalogs(project)
    assert {o.status for o in outcomes} == {"skipped"}
    assert before == {p: p.read_bytes() for p in project.translations_dir.rglob("*.po*")}


def test_updating_the_committed_catalogs_changes_no_byte(project):
    """`make catalogs` on up-to-date seeds rewrites nothing a translator committed (no churn)."""
    before = {p: p.read_bytes() for p in project.translations_dir.rglob("*.po*")}
    build.ingest_seeds(project)
    outcomes = commands.extract_catalogs(project) + commands.update_catalogs(project) + commands.extract_strings(project)
    assert {o.status for o in outcomes} == {"skipped"}, [(o.target, str(o.error)) for o in outcomes]
    assert {p: p.read_bytes() for p in project.translations_dir.rglob("*.po*")} == before


def test_edition_strings_refer_to_pressrun_code_without_line_numbers():
    """Editing pressrun's code moves its line numbers; the catalogs must not follow them."""
    template = catalogs.extract_code_strings()
    assert len(template) > 10
    assert {lineno for message in template for _path, lineno in message.locations} == {None}


def test_update_keeps_the_catalogs_plural_forms(avim_master):
    old = read_po(io.StringIO('msgid ""\nmsgstr ""\n"Language: ru\\n"\n'
                              '"Plural-Forms: nplurals=3; plural=(n%10==1 ? 0 : n%10>=2 ? 1 : 2);\\n"\n'), locale="ru")
    updated = catalogs.update(catalogs.extract(avim_master, AVIM_ID), old, "ru", AVIM_ID, "t")
    assert updated.plural_forms == "nplurals=3; plural=(n%10==1 ? 0 : n%10>=2 ? 1 : 2);"
