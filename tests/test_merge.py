"""Merging catalogs into translated masters."""

from __future__ import annotations

import json

import pytest
from babel.messages.catalog import Catalog

from pressrun.engine import build
from pressrun.document.master import read_master, validate
from pressrun.translation.merge import merge
from pressrun.document.model import XPATH_NS

from conftest import AVIM_ID, TURAN_ID

LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CITATION_START = "To cite this article"


def _find(tree, text_start):
    return next(p for p in tree.xpath("//db:para|//db:title", namespaces=XPATH_NS)
                if "".join(p.itertext()).startswith(text_start))


def _catalog(**messages):
    catalog = Catalog(locale="ru")
    for msgid, (msgstr, fuzzy) in messages.items():
        catalog.add(msgid, msgstr, flags=["fuzzy"] if fuzzy else [], lineno=42)
    return catalog


def _citation_id(tree):
    from pressrun.document.its import segments
    return next(s.msgid for s in segments(tree) if s.msgid.startswith(CITATION_START))


def test_valid_translation_with_moved_inline_tags(avim_master):
    msgid = _citation_id(avim_master)
    link = msgid[msgid.index("<link"):]
    msgstr = f"Ссылка {link} для цитирования."
    translated, report = merge(avim_master, _catalog(**{msgid: (msgstr, False)}), "ru", "ru.po", AVIM_ID)
    para = _find(translated, "Ссылка")
    assert "".join(para.itertext()).endswith("для цитирования.")
    assert para.xpath("db:link/@xlink:href", namespaces=XPATH_NS)[0].startswith("https://avim.org.tr/")
    assert translated.getroot().get(LANG) == "ru" and para.get(LANG) is None
    assert report.translated == 1 and validate(translated) == []


def test_fuzzy_and_untranslated_fall_back_with_source_language(avim_master):
    msgid = _citation_id(avim_master)
    translated, report = merge(avim_master, _catalog(**{msgid: ("Неточный перевод", True)}), "ru", "ru.po", AVIM_ID)
    para = _find(translated, CITATION_START)
    assert para.get(LANG) == "en"
    assert report.fuzzy == 1 and report.untranslated > 10 and report.translated == 0
    assert validate(translated) == []


@pytest.mark.parametrize("msgstr, reason", [
    ("Ссылка без тега", "inline tags"),
    ('Ссылка <link xlink:href="javascript:alert(1)">здесь</link>', "inline tags"),
    ("Ссылка <script>alert(1)</script>", "inline tags"),
    ('<img src="x" onerror="alert(1)"/>', "inline tags"),
    ("Ссылка &entity; <link>", "not well-formed"),
    ("Незакрытый <emphasis>тег", "not well-formed"),
])
def test_bad_translations_are_rejected_with_file_line_and_msgid(avim_master, msgstr, reason):
    msgid = _citation_id(avim_master)
    translated, report = merge(avim_master, _catalog(**{msgid: (msgstr, False)}), "ru", "ru.po", AVIM_ID)
    assert report.rejected == 1
    problem = report.problems[0]
    assert (problem.path, problem.line) == ("ru.po", 42) and reason in problem.message
    assert CITATION_START[:20] in problem.message
    para = _find(translated, CITATION_START)
    assert para.get(LANG) == "en"
    assert not translated.xpath("//*[local-name()='script' or local-name()='img']")
    assert not translated.xpath("//@*[starts-with(., 'javascript:')]")


def test_markup_written_as_text_stays_text(avim_master):
    msgid = _citation_id(avim_master)
    link = msgid[msgid.index("<link"):]
    translated, report = merge(avim_master, _catalog(**{msgid: (f"&lt;script&gt;alert(1)&lt;/script&gt; {link}", False)}),
                               "ru", "ru.po", AVIM_ID)
    assert report.translated == 1
    para = _find(translated, "<script>")
    assert "".join(para.itertext()).startswith("<script>alert(1)</script>")
    assert not translated.xpath("//*[local-name()='script']")


def test_committed_translations_merge_completely(project):
    build.ingest_seeds(project)
    outcomes = build.merge_translations(project, strict=True)
    assert [o.status for o in outcomes] == ["built"] * 6, [str(o.error) for o in outcomes]
    for doc_id in (AVIM_ID, TURAN_ID):
        for lang in ("en", "ru", "az"):
            tree = read_master(project.master_path(doc_id, lang))
            assert tree.getroot().get(LANG) == lang and validate(tree) == []
    ru = read_master(project.master_path(TURAN_ID, "ru"))
    caption = ru.xpath("//db:figure/db:title", namespaces=XPATH_NS)[0]
    assert caption.text == "Ильхам Алиев и Йенс Столтенберг"
    az = read_master(project.master_path(TURAN_ID, "az"))
    assert az.xpath("string(//db:figure/db:title)", namespaces=XPATH_NS) == "İlham Əliyev və Yens Stoltenberq"
    en = read_master(project.master_path(TURAN_ID, "en"))
    assert en.xpath("string(//db:figure/db:title)", namespaces=XPATH_NS) == "Ilham Aliyev and Jens Stoltenberg"
    assert en.xpath("//db:figure/db:title/@xml:lang", namespaces=XPATH_NS) in ([], ["en"])
    ru_avim = read_master(project.master_path(AVIM_ID, "ru"))
    assert ru_avim.xpath("//db:info/db:othercredit", namespaces=XPATH_NS) == []  # the catalog names nobody
    assert ru_avim.xpath("string(//db:bibliomisc[@role='original-language'])", namespaces=XPATH_NS) == "en"
    note = ru_avim.xpath("string(//db:footnote/db:para)", namespaces=XPATH_NS)
    assert note.startswith("Якуб Корейба окончил")
    report = json.loads(project.report_path(AVIM_ID, "ru.merge").read_text())
    assert (report["untranslated"], report["fuzzy"], report["rejected"]) == (0, 0, 0)


def test_malformed_catalog_fails_that_language_only(project):
    build.ingest_seeds(project)
    broken = project.po_path("ru", AVIM_ID)
    lines = broken.read_text(encoding="utf-8").split("\n")
    lines[30] = 'msgstr "unterminated'
    broken.write_text("\n".join(lines), encoding="utf-8")
    outcomes = {o.target: o for o in build.merge_translations(project)}
    failed = outcomes[f"{AVIM_ID} [ru]"]
    assert failed.status == "failed" and failed.error.line == 31 and failed.error.path == broken
    assert all(o.status == "built" for label, o in outcomes.items() if label != f"{AVIM_ID} [ru]")


def test_strict_mode_fails_on_fallbacks(project):
    build.ingest_seeds(project)
    project.po_path("az", TURAN_ID).unlink()
    outcomes = {o.target: o for o in build.merge_translations(project, strict=True)}
    assert outcomes[f"{TURAN_ID} [az]"].status == "failed"
    assert outcomes[f"{TURAN_ID} [ru]"].status == "built"
