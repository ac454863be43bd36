"""Translator credits and the labels editions print, read back from real editions.

One project (the AVİM seed in English, Russian and Azerbaijani) is built once:
the Russian catalog names nobody (gettext's placeholder), the Azerbaijani one
lists two translators in ``X-Translators``.  Credits are checked in the PDF
text, the EPUB package document and the edition XHTML; the label lines of
page 1 and of the colophon are compared with hand-reviewed golden text in
``tests/golden/labels/`` (``pytest --regen-golden`` rewrites them).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from babel.dates import format_date
from babel.messages.pofile import read_po
from lxml import etree

from conftest import AVIM_ID, AVIM_SEED, ROOT, build_editions, make_project
from pressrun.engine import build, inspection
from pressrun.translation import catalogs
from pressrun.config import load_project

GOLDEN = Path(__file__).parent / "golden" / "labels"
XHTML = {"h": "http://www.w3.org/1999/xhtml"}
OPF = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
AZ_TRANSLATORS = "Aynur Quliyeva <aynur@example.org>, Rauf Həsənov"
EPOCH = "1767225600"  # 2026-01-01


def _set_header(path: Path, name: str, value: str) -> None:
    text = path.read_text(encoding="utf-8")
    text = re.sub(rf'^"{name}: [^"]*"\n', "", text, flags=re.MULTILINE)
    text = text.replace('"Language-Team:', f'"{name}: {value}\\n"\n"Language-Team:', 1)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    project = load_project(make_project(tmp_path_factory.mktemp("labels"), [AVIM_SEED]))
    _set_header(project.po_path("ru", AVIM_ID), "Last-Translator", "FULL NAME <EMAIL@ADDRESS>")
    _set_header(project.po_path("az", AVIM_ID), "X-Translators", AZ_TRANSLATORS)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SOURCE_DATE_EPOCH", EPOCH)
        return build_editions(project)


def _xhtml(project, lang):
    return etree.parse(str(project.edition_path(AVIM_ID, lang)))


def _opf(project, lang):
    with zipfile.ZipFile(project.epub_path(AVIM_ID, lang)) as epub:
        name = next(n for n in epub.namelist() if n.endswith(".opf"))
        return etree.fromstring(epub.read(name))


def _contributors(opf) -> list[tuple[str, str]]:
    found = []
    for element in opf.xpath("//dc:contributor", namespaces=OPF):
        roles = opf.xpath("//opf:meta[@refines=$ref][@property='role']/text()", ref=f"#{element.get('id')}",
                          namespaces=OPF)
        found.append((element.text, roles[0] if roles else ""))
    return found


# Credits -----------------------------------------------------------------------------

def test_no_credit_without_a_person(editions):
    """Russian catalog with gettext's placeholder: no credit anywhere, the colophon says so."""
    xhtml = _xhtml(editions, "ru")
    assert xhtml.xpath("string(//h:p[@class='translation-credit'])", namespaces=XHTML) == "Перевод с английского"
    pdf = inspection.pdf_text(editions.pdf_path(AVIM_ID, "ru"))
    assert "FULL NAME" not in pdf and "EMAIL" not in pdf and "translation desk" not in pdf
    assert "Перевод\nпереводчик не указан" in pdf
    assert _contributors(_opf(editions, "ru")) == []
    citation = xhtml.xpath("string(//h:section[@class='cite-edition']/h:p)", namespaces=XHTML)
    assert "Перевод с английского. Издание" in citation


def test_credit_lists_the_translators_the_catalog_names(editions):
    xhtml = _xhtml(editions, "az")
    credit = "İngilis dilindən tərcümə edən: Aynur Quliyeva, Rauf Həsənov"
    assert xhtml.xpath("string(//h:p[@class='translation-credit'])", namespaces=XHTML) == credit
    pdf = inspection.pdf_text(editions.pdf_path(AVIM_ID, "az"))
    assert credit in pdf and "aynur@example.org" not in pdf
    assert _contributors(_opf(editions, "az")) == [("Aynur Quliyeva", "trl"), ("Rauf Həsənov", "trl")]


def test_the_original_edition_has_no_translation_lines(editions):
    xhtml = _xhtml(editions, "en")
    assert xhtml.xpath("//h:p[@class='translation-credit']", namespaces=XHTML) == []
    assert "Translation" not in xhtml.xpath("//h:section[@class='colophon']//h:dt/text()", namespaces=XHTML)
    assert _contributors(_opf(editions, "en")) == []


@pytest.mark.parametrize("header, names", [
    ('"Last-Translator: FULL NAME <EMAIL@ADDRESS>\\n"', []),
    ('"Last-Translator: not yet assigned\\n"', []),
    ('"Last-Translator: \\n"', []),
    ('"Last-Translator: Leyla Məmmədova <leyla@example.org>\\n"', ["Leyla Məmmədova"]),
    ('"Last-Translator: Leyla Məmmədova\\n"\n"X-Translators: Ivan Petrov <i@example.org>, Olga Sidorova\\n"',
     ["Ivan Petrov", "Olga Sidorova"]),
])
def test_translator_names_come_from_the_headers_only(tmp_path, header, names):
    path = tmp_path / "doc.po"
    path.write_text(f'msgid ""\nmsgstr ""\n"Language: ru\\n"\n{header}\n', encoding="utf-8")
    assert catalogs.translator_names(catalogs.read_catalog(path, "ru")) == names


def test_translators_header_survives_an_update(tmp_path, avim_master):
    path = tmp_path / "doc.po"
    path.write_text('msgid ""\nmsgstr ""\n"Language: az\\n"\n"X-Translators: Rauf Həsənov\\n"\n', encoding="utf-8")
    template = catalogs.extract(avim_master, AVIM_ID)
    catalogs.write_catalog(path, catalogs.update(template, catalogs.read_catalog(path, "az"), "az", AVIM_ID, "t"))
    assert '"X-Translators: Rauf Həsənov\\n"' in path.read_text(encoding="utf-8")
    assert catalogs.translator_names(catalogs.read_catalog(path, "az")) == ["Rauf Həsənov"]


def test_committed_catalogs_credit_nobody_invented():
    for path in (ROOT / "translations").rglob("*.po"):
        catalog = read_po(io.BytesIO(path.read_bytes()))
        assert "translation desk" not in catalog.last_translator, path
        assert "pressrun" not in " ".join(catalogs.translator_names(catalogs.read_catalog(path))), path


# Labels --------------------------------------------------------------------------------

def _label_lines(project, lang: str) -> str:
    """Page 1 down to the dateline and the credit line, then the colophon page from its heading."""
    xhtml = _xhtml(project, lang)
    pages = inspection.pdf_page_texts(project.pdf_path(AVIM_ID, lang))
    first = pages[0].splitlines()
    dateline = format_date(date(2024, 12, 2), format="long", locale=lang)
    end = first.index(dateline) + 1
    credit = xhtml.xpath("string(//h:p[@class='translation-credit'])", namespaces=XHTML)
    if credit:
        assert first[end] == credit
        end += 1
    heading = xhtml.xpath("string(//h:section[@class='colophon']/h:h2)", namespaces=XHTML)
    last = pages[-1].splitlines()
    colophon = last[last.index(heading):]
    return "\n".join(first[:end] + ["…"] + colophon) + "\n"


@pytest.mark.parametrize("lang", ["en", "ru", "az"])
def test_label_lines_match_the_reviewed_text(editions, request, lang):
    actual = _label_lines(editions, lang)
    path = GOLDEN / f"{lang}.txt"
    if request.config.getoption("--regen-golden"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} missing: run pytest --regen-golden"
    assert actual == path.read_text(encoding="utf-8")


def test_language_names_take_the_form_each_label_needs(editions):
    ru = _xhtml(editions, "ru")
    rows = dict(zip(ru.xpath("//h:section[@class='colophon']//h:dt/text()", namespaces=XHTML),
                    ru.xpath("//h:section[@class='colophon']//h:dd", namespaces=XHTML)))
    assert "".join(rows["Язык оригинала"].itertext()) == "английский"
    assert "".join(rows["Другие языки издания"].itertext()) == "английский, азербайджанский"
    az = _xhtml(editions, "az")
    assert "Nəşrin dili" in az.xpath("//h:dt/text()", namespaces=XHTML)
    assert "Azərbaycan dili" in az.xpath("//h:section[@class='colophon']//h:dd/text()", namespaces=XHTML)


def test_every_language_label_use_has_a_message_per_language():
    template = catalogs.extract_code_strings(("en", "ru", "az", "tr"))
    for use in catalogs.language_label_uses():
        ids = sorted(m.id for m in template if m.context == use)
        assert len(ids) == 4 and any("Turkish" in i for i in ids), (use, ids)


# Names ---------------------------------------------------------------------------------

def test_names_table_reaches_pdf_epub_and_citation(editions):
    pdf = inspection.pdf_text(editions.pdf_path(AVIM_ID, "ru"))
    assert "Якуб Корейба" in pdf and "KOREJBA" not in pdf.split("Выходные сведения")[0].split("Для цитирования")[0]
    opf = _opf(editions, "ru")
    creator = opf.xpath("//dc:creator", namespaces=OPF)[0]
    file_as = opf.xpath("string(//opf:meta[@refines=$ref][@property='file-as'])", ref=f"#{creator.get('id')}",
                        namespaces=OPF)
    assert (creator.text, file_as) == ("Якуб Корейба", "Корейба, Якуб")
    assert opf.xpath("string(//dc:publisher)", namespaces=OPF) == "Центр евразийских исследований (AVİM)"
    citation = _xhtml(editions, "ru").xpath("string(//h:section[@class='cite-edition']/h:p)", namespaces=XHTML)
    assert citation.startswith("Якуб Корейба. НАТО — АЗЕРБАЙДЖАН") and "Центр евразийских исследований (AVİM)" in citation


def test_the_colophon_keeps_the_original_spelling_of_the_publisher(editions):
    xhtml = _xhtml(editions, "ru")
    rows = dict(zip(xhtml.xpath("//h:section[@class='colophon']//h:dt/text()", namespaces=XHTML),
                    ("".join(dd.itertext()) for dd in xhtml.xpath("//h:section[@class='colophon']//h:dd",
                                                                  namespaces=XHTML))))
    assert rows["Издатель оригинала"] == "Center for Eurasian Studies (AVİM)"
    assert rows["Название оригинала"].startswith("NATO-AZERBAIJAN")


def test_the_original_edition_keeps_its_names(editions):
    creator = _opf(editions, "en").xpath("//dc:creator/text()", namespaces=OPF)
    assert creator == ["Dr. Jakub Korejba"]


def test_a_broken_names_table_names_file_and_line(tmp_path):
    from pressrun.errors import InputError
    from pressrun.translation.names import read_names
    path = tmp_path / "names.ru.toml"
    path.write_text('[people."Jakub Korejba"]\nfirstname = "Якуб\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"names\.ru\.toml:2: names table is not valid TOML"):
        read_names(path)


def test_the_names_table_is_read_by_that_languages_merge(editions):
    """The merge step records the names table it reads (absent or not), so editing it remakes that merge."""
    recorded = json.loads(build.Step("merge", AVIM_ID, "ru").state_file(editions).read_text(encoding="utf-8"))
    assert "translations/names.ru.toml" in recorded["inputs"]
    assert "translations/names.az.toml" not in recorded["inputs"]
