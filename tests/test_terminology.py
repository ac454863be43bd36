"""The termbase (translations/glossary.tbx) and the terminology gate of `pressrun check`."""

from __future__ import annotations

import pytest

from conftest import AVIM_ID, ROOT, TURAN_ID, make_project
from pressrun.engine import check
from pressrun.translation import terminology
from pressrun.config import load_project
from pressrun.errors import InputError

GLOSSARY = ROOT / "translations" / "glossary.tbx"


@pytest.mark.parametrize("text, term, lang, found", [
    ("к программе „Партнёрства ради мира“", "Партнёрство ради мира", "ru", True),
    ("программа «Партнерство ради мира»", "Партнёрство ради мира", "ru", True),  # ё written as е
    ("с определёнными вызовами", "вызов", "ru", True),
    ("как угрозу безопасности", "вызов", "ru", False),
    ("д-ра Якуба Корейбы", "Якуб Корейба", "ru", True),
    ("карабахское урегулирование", "карабахский", "ru", True),
    ("Sülh Naminə Tərəfdaşlıq proqramına", "Sülh Naminə Tərəfdaşlıq", "az", True),
    ("təhlükəsizlik çağırışları", "çağırış", "az", True),
    ("təhlükəsizlik təhdidi", "çağırış", "az", False),
    ("Cənubi Qafqazda", "Cənubi Qafqaz", "az", True),
])
def test_terms_match_through_inflection(text, term, lang, found):
    assert terminology.contains_term(text, term, lang) is found


def test_the_project_glossary_covers_both_articles():
    termbase = terminology.read_termbase(GLOSSARY)
    assert termbase.source_lang == "en"
    ids = {entry.entry_id for entry in termbase.entries}
    assert {"nato", "pfp", "security-challenge", "security-threat", "secretary-general", "stoltenberg",
            "aliyev", "korejba", "avim", "turan"} <= ids
    pfp = next(entry for entry in termbase.entries if entry.entry_id == "pfp")
    assert pfp.forbidden("ru") == ["Партнёрство во имя мира"]


def test_the_committed_catalogs_pass_the_gate(tmp_path):
    gate = check.terminology_gate(load_project(make_project(tmp_path)))
    assert gate.passed, gate.failures
    assert gate.checked == 4  # two articles in Russian and Azerbaijani


@pytest.mark.parametrize("lang, doc_id, right, wrong, expected", [
    ("ru", TURAN_ID, "«Партнёрство ради мира»", "«Партнёрство во имя мира»", "forbidden term «Партнёрство во имя мира»"),
    ("ru", AVIM_ID, "друг друга как вызов безопасности", "друг друга как угрозу безопасности",
     "“challenge” is not translated as «вызов»"),
    ("az", AVIM_ID, "bir-birini təhlükəsizlik çağırışı", "bir-birini təhlükəsizlik təhdidi",
     "“challenge” is not translated as «çağırış»"),
])
def test_an_injected_wrong_term_fails_the_gate(tmp_path, lang, doc_id, right, wrong, expected):
    project = load_project(make_project(tmp_path))
    path = project.po_path(lang, doc_id)
    text = path.read_text(encoding="utf-8")
    assert right in text
    path.write_text(text.replace(right, wrong, 1), encoding="utf-8")
    gate = check.terminology_gate(project)
    msgstr_line = next(number for number, content in enumerate(path.read_text(encoding="utf-8").split("\n"), 1)
                       if wrong in content)
    line = msgstr_line - 1  # findings name the entry's msgid line
    assert not gate.passed
    assert any(f.startswith(f"translations/{lang}/LC_MESSAGES/{doc_id}.po:{line}: ") and expected in f
               for f in gate.failures), gate.failures


def test_a_broken_glossary_is_one_line_naming_file_and_line(tmp_path):
    path = tmp_path / "glossary.tbx"
    path.write_text('<martif xml:lang="en"><text><body>\n<termEntry><langSet></langSet>\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        terminology.read_termbase(path)
    assert str(caught.value).startswith(f"{path}:") and "not well-formed" in str(caught.value)
    path.write_text('<martif xml:lang="en"><text><body><termEntry>\n<langSet><tig/></langSet>'
                    '</termEntry></body></text></martif>', encoding="utf-8")
    with pytest.raises(InputError, match="without xml:lang"):
        terminology.read_termbase(path)
