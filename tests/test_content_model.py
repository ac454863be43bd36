"""Any article in, nothing lost: pandoc's whole Markdown model, languages, dates, names, footnotes.

The corpus is every golden ingest input plus the two real seeds.  Each is
parsed by pandoc (the same reader pressrun uses) and every word of its AST
must be in the master (text, attributes) or in the ingest report's
consumed/dropped entries; together the corpus must use every pandoc block
and inline type the reader can produce.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pypandoc
import pytest

from pressrun.translation.catalogs import extract, language_template
from pressrun.editions.edition import EditionInfo, build_edition
from pressrun.sources.ingest import PANDOC_READER, ingest, inline_notes_as_references, parse_name, split_authors
from pressrun.document.its import segments
from pressrun.document.langs import identify_language, parse_date
from pressrun.document.master import build_master, validate
from pressrun.document.model import XPATH_NS, Sourced

from conftest import AVIM_SEED, SEEDS, TURAN_SEED

GOLDEN = Path(__file__).parent / "golden" / "ingest"
CORPUS = sorted(GOLDEN.glob("*/in/seed.txt")) + [SEEDS / AVIM_SEED, SEEDS / TURAN_SEED]

#: Every block and inline type of pandoc's AST (pandoc-types 1.23).
PANDOC_BLOCKS = {"Plain", "Para", "LineBlock", "CodeBlock", "RawBlock", "BlockQuote", "OrderedList", "BulletList",
                 "DefinitionList", "Header", "HorizontalRule", "Table", "Figure", "Div"}
PANDOC_INLINES = {"Str", "Emph", "Underline", "Strong", "Strikeout", "Superscript", "Subscript", "SmallCaps",
                  "Quoted", "Cite", "Code", "Space", "SoftBreak", "LineBreak", "Math", "RawInline", "Link", "Image",
                  "Note", "Span"}
#: Types pressrun's reader never produces, and what the text becomes instead.  Raw HTML is read as
#: text (``-raw_html``); ``[@key]`` is text (no citations extension); line blocks, small caps and
#: underline are recognized by pressrun itself (``| line``, ``[x]{.smallcaps}``, ``[x]{.underline}``).
NOT_FROM_READER = {"RawBlock", "RawInline", "Cite", "LineBlock", "SmallCaps", "Underline"}

WORD = re.compile(r"\w[\w'’-]*", re.UNICODE)


def _words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(text.replace("\\", "").replace("’", "'"))}


def _ast(text: str) -> dict:
    prepared, _ = inline_notes_as_references(text)
    return json.loads(pypandoc.convert_text(prepared, "json", format=PANDOC_READER.replace("+sourcepos", "-gfm_auto_identifiers"),
                                            extra_args=["--sandbox"]))


def _types(value, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        if "t" in value:
            found.add(value["t"])
        _types(value.get("c"), found)
    elif isinstance(value, list):
        for item in value:
            _types(item, found)
    return found


def _ast_words(value) -> set[str]:
    """Every word of an AST: text, code, URLs, image titles."""
    words: set[str] = set()
    if isinstance(value, str):
        return _words(value)
    if isinstance(value, dict):
        if value.get("t") in ("RawInline", "RawBlock"):
            return _words(value["c"][1])
        if value.get("t") in ("Div", "Span"):
            return _ast_words([v for _k, v in value["c"][0][2]]) | _ast_words(value["c"][1])
        return _ast_words(value.get("c"))
    if isinstance(value, list):
        for item in value:
            words |= _ast_words(item)
    return words


def _ingested(seed: Path):
    doc, report = ingest(seed, max_bytes=200_000, sidecar=seed.with_suffix(".meta.toml"))
    return doc, report, build_master(doc)


@pytest.mark.parametrize("seed", CORPUS, ids=lambda p: p.parent.parent.name if p.name == "seed.txt" else p.stem)
def test_every_word_of_the_pandoc_ast_is_in_the_master_or_the_report(seed):
    doc, report, tree = _ingested(seed)
    assert validate(tree) == []
    root = tree.getroot()
    kept = _words(" ".join(root.itertext()) + " " + " ".join(root.xpath("//@*")))
    for entry in report.consumed + report.dropped:
        kept |= _words(entry["text"])
    blocks = _ast(seed.read_text(encoding="utf-8"))["blocks"]
    missing = {w for w in _ast_words(blocks) - kept
               if not w.startswith("pressrun-inline") and w not in {"data-pos", "wrapper"}}
    assert not missing, f"{seed}: {sorted(missing)[:20]} neither in the master nor in the ingest report"


def test_the_corpus_uses_every_pandoc_type_the_reader_produces():
    used: set[str] = set()
    for seed in CORPUS:
        used |= _types(_ast(seed.read_text(encoding="utf-8"))["blocks"], set())
    assert (PANDOC_BLOCKS | PANDOC_INLINES) - NOT_FROM_READER <= used


def test_constructs_outside_the_reader_are_kept():
    """Raw HTML stays visible text; ``| lines``, small caps and ``[@key]`` are kept too."""
    _doc, report, tree = _ingested(GOLDEN / "commentary-series" / "in" / "seed.txt")
    assert "<span>this</span>" in "".join(tree.getroot().itertext())
    assert any("raw html" in p.message for p in report.problems)
    assert tree.xpath("//db:emphasis[@role='smallcaps']", namespaces=XPATH_NS)
    _doc, _report, verse = _ingested(GOLDEN / "az-markdown" / "in" / "seed.txt")
    line_block = verse.xpath("//db:para[@role='line-block']", namespaces=XPATH_NS)[0]
    assert "".join(line_block.itertext()) == "Barama ağ, sap incə,dəzgah oxuyur gecə."
    assert len(line_block.xpath("processing-instruction('asciidoc-br')")) == 1


# Structure -------------------------------------------------------------------

def test_headings_nest_into_sections_with_stable_ids():
    _doc, _report, tree = _ingested(GOLDEN / "brief-two-authors" / "in" / "seed.txt")
    ids = tree.xpath("//db:section/@xml:id", namespaces=XPATH_NS)
    assert ids == ["sec-findings", "sec-withdrawals", "sec-data", "sec-recommendations"]
    nested = tree.xpath("//db:section[@xml:id='sec-findings']/db:section/db:title/text()", namespaces=XPATH_NS)
    assert nested == ["Withdrawals", "Data"]
    assert not tree.xpath("//db:bridgehead", namespaces=XPATH_NS)


def test_ordered_lists_keep_numbering_and_nesting(tmp_path):
    seed = tmp_path / "lists.txt"
    seed.write_text("# Lists\n\nIntro.\n\n3. three\n4. four\n\n   a) first\n   b) second\n\n"
                    "iv. roman\n\n- bullet\n  - nested bullet\n", encoding="utf-8")
    _doc, _report, tree = _ingested(seed)
    lists = tree.xpath("//db:orderedlist", namespaces=XPATH_NS)
    assert [(o.get("numeration"), o.get("startingnumber")) for o in lists] == [
        ("arabic", "3"), ("loweralpha", None), ("lowerroman", "4")]
    assert tree.xpath("//db:itemizedlist/db:listitem/db:itemizedlist/db:listitem/db:para/text()",
                      namespaces=XPATH_NS) == ["nested bullet"]
    assert validate(tree) == []


def test_tables_keep_header_alignment_and_caption():
    _doc, _report, tree = _ingested(GOLDEN / "brief-two-authors" / "in" / "seed.txt")
    table = tree.xpath("//db:table", namespaces=XPATH_NS)[0]
    assert table.xpath("string(db:title)", namespaces=XPATH_NS) == "Withdrawals from the Kura–Aras basin by country"
    assert table.xpath("db:tgroup/db:colspec/@align", namespaces=XPATH_NS) == ["left", "right", "right"]
    assert table.xpath("db:tgroup/db:thead/db:row/db:entry/text()", namespaces=XPATH_NS) == [
        "Country", "Share of withdrawals", "Gauges"]
    assert len(table.xpath("db:tgroup/db:tbody/db:row", namespaces=XPATH_NS)) == 3


def test_footnotes_reference_and_inline():
    _doc, _report, tree = _ingested(GOLDEN / "brief-two-authors" / "in" / "seed.txt")
    notes = tree.xpath("//db:footnote/db:para", namespaces=XPATH_NS)
    assert [n.get("remap") for n in notes] == ["seed-line:37", "seed-line:15"]
    assert "".join(notes[1].itertext()).startswith("Figures from the national hydrological services")


def test_missing_footnote_definitions_and_markers_are_reported_with_lines(tmp_path):
    seed = tmp_path / "notes.txt"
    seed.write_text("# Notes\n\nA claim[^1] and another[^2].\n\n[^1]: Source one.\n\n[^3]: Orphan note.\n",
                    encoding="utf-8")
    _doc, report, tree = _ingested(seed)
    messages = {(p.line, p.message) for p in report.problems}
    assert (3, "footnote marker [^2] has no definition; kept as text") in messages
    assert (7, "footnote definition [^3] has no marker in the text; listed as dropped") in messages
    assert report.dropped[0]["text"] == "[^3]: Orphan note." and report.dropped[0]["lines"] == [7, 7]
    assert "[^2]" in "".join(tree.getroot().itertext())


def test_images_are_never_fetched_and_only_project_files_are_used():
    _doc, report, tree = _ingested(GOLDEN / "commentary-series" / "in" / "seed.txt")
    assert tree.xpath("//db:imagedata/@fileref", namespaces=XPATH_NS) == ["silos.png"]
    assert [d["text"] for d in report.dropped if d["rule"] == "image-source"] == ["https://example.org/map.png"]
    assert tree.xpath("//db:textobject[@role='alt']/db:phrase/text()", namespaces=XPATH_NS) == [
        "Grain silos at Constanța", "Map of routes"]
    assert not tree.xpath("//db:link[starts-with(@xlink:href, 'file:')]", namespaces=XPATH_NS)


def test_new_segments_are_translatable():
    _doc, _report, tree = _ingested(GOLDEN / "commentary-series" / "in" / "seed.txt")
    found = {s.description for s in segments(tree)}
    assert {"table caption", "table cell", "figure caption",
            "image description (alternative text read aloud instead of the picture)"} <= found
    messages = [s.msgid for s in segments(tree)]
    assert not any(m.startswith("route,price") for m in messages), "code is not translatable"


# Languages ---------------------------------------------------------------------

@pytest.mark.parametrize("case, lang", [("ru-original", "ru"), ("az-original", "az"), ("tr-commentary", "tr"),
                                        ("ru-markdown", "ru"), ("az-markdown", "az"), ("brief-two-authors", "en")])
def test_article_language(case, lang):
    _doc, _report, tree = _ingested(GOLDEN / case / "in" / "seed.txt")
    assert tree.getroot().get("{http://www.w3.org/XML/1998/namespace}lang") == lang


def test_identified_language_and_quoted_segments():
    _doc, report, tree = _ingested(GOLDEN / "ru-markdown" / "in" / "seed.txt")
    assert report.language["source"] == "identified (lingua)"
    quote = tree.xpath("//db:blockquote/db:para", namespaces=XPATH_NS)[0]
    assert quote.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert identify_language("Azərbaycan ilə Türkiyə arasında əməkdaşlıq")[0] == "az"


def test_sidecar_language_wins(tmp_path):
    seed = tmp_path / "doc.txt"
    seed.write_text("# Заголовок статьи\n\nТекст статьи на русском языке.\n", encoding="utf-8")
    seed.with_suffix(".meta.toml").write_text('language = "az"\n', encoding="utf-8")
    _doc, report, tree = _ingested(seed)
    assert report.language == {"code": "az", "source": "sidecar"}
    assert tree.getroot().get("{http://www.w3.org/XML/1998/namespace}lang") == "az"


def test_catalogs_of_a_russian_original_ask_for_english_and_azerbaijani():
    _doc, _report, tree = _ingested(GOLDEN / "ru-original" / "in" / "seed.txt")
    template = extract(tree, "doc")
    assert len(language_template(template, tree, "ru")) == 0
    english = language_template(template, tree, "en")
    assert "Каспийский транзит: окно возможностей" in [m.id for m in english]
    assert len(language_template(template, tree, "az")) == len(english)


# Dates and names -----------------------------------------------------------------

@pytest.mark.parametrize("text, iso", [
    ("12.10.2023", "2023-10-12"),
    ("12.10.23", "2023-10-12"),
    ("2020 Сентябрь 21 ( Понедельник ) 14:05:10", "2020-09-21T14:05:10"),
    ("2020 Sentyabr 21 ( Bazar ertəsi ) 14:05:10", "2020-09-21T14:05:10"),
    ("12 oktyabr 2023", "2023-10-12"),
    ("21 сентября 2020", "2020-09-21"),
    ("4 Mart 2024 Pazartesi", "2024-03-04"),
    ("Tarih: 12 Ekim 2023", "2023-10-12"),
    ("March 4th, 2024", "2024-03-04"),
    ("yesterday", None),
    ("March 2024", None),
])
def test_dates_in_every_publishing_language(text, iso):
    assert parse_date(text) == iso


def test_bylines_with_several_authors():
    assert split_authors("Sabina ALIYEVA, Murad Rustamov and Elif Kaya", ["and", "и"]) == [
        "Sabina ALIYEVA", "Murad Rustamov", "Elif Kaya"]
    assert split_authors("Иван Петров и Анна Смирнова", ["and", "и"]) == ["Иван Петров", "Анна Смирнова"]
    person = parse_name(Sourced("Anders Fogh Rasmussen"), [], "en")
    assert (person.firstname, person.othername, person.surname) == ("Anders", "Fogh", "Rasmussen")


def test_each_metadata_field_has_a_source_line_or_not_found():
    _doc, report, _tree = _ingested(GOLDEN / "title-only" / "in" / "seed.txt")
    assert report.fields["title"] == {"line": 1, "rule": "title"}
    assert all(report.fields[name] == "not found" for name in ("authors", "date", "publisher", "subtitle"))


# Editions ----------------------------------------------------------------------------

def test_edition_renders_sections_lists_and_tables():
    from lxml import etree
    _doc, _report, tree = _ingested(GOLDEN / "brief-two-authors" / "in" / "seed.txt")
    info = EditionInfo("doc", "en", "Sharing the Kura", [], "", [], "", "2024-03-04", "2024-03-04", "urn:x")
    from babel.support import NullTranslations
    html = etree.fromstring(build_edition(tree, info, NullTranslations()))
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    assert html.xpath("//h:main/h:section/h:h2/text()", namespaces=ns) == ["Findings", "Recommendations"]
    assert html.xpath("//h:main/h:section/h:section/h:h3/text()", namespaces=ns) == ["Withdrawals", "Data"]
    assert html.xpath("//h:ol/@type", namespaces=ns) == ["1"]
    assert html.xpath("//h:table/h:thead/h:tr/h:th/text()", namespaces=ns) == [
        "Country", "Share of withdrawals", "Gauges"]
    assert html.xpath("//h:table/h:caption/text()", namespaces=ns) == ["Withdrawals from the Kura–Aras basin by country"]
    assert len(html.xpath("//h:span[@class='footnote']", namespaces=ns)) == 2


def test_template_seed_shows_every_construct():
    template = Path(__file__).resolve().parents[1] / "docs" / "template" / "seed.txt"
    _doc, report, tree = _ingested(template)
    assert validate(tree) == []
    assert {name for name, source in report.fields.items() if source != "not found"} == {
        "title", "subtitle", "authors", "date", "publisher", "series", "series_number"}
    for construct in ("section", "orderedlist", "table", "variablelist", "programlisting", "blockquote", "figure",
                      "footnote", "para[@role='line-block']", "para[@role='horizontal-rule']"):
        assert tree.xpath(f"//db:{construct}", namespaces=XPATH_NS), construct


def test_a_picture_inside_a_paragraph_keeps_its_alt_text_and_is_reported(tmp_path):
    seed = tmp_path / "inline.txt"
    (tmp_path / "dot.png").write_bytes(b"not read")
    seed.write_text('# Pictures\n\nText ![a small dot](dot.png "Dot") and more text.\n', encoding="utf-8")
    _doc, report, tree = _ingested(seed)
    assert "Text a small dot and more text." in "".join(tree.getroot().itertext())
    assert not tree.xpath("//db:imagedata", namespaces=XPATH_NS)
    assert [(d["rule"], d["text"], d["lines"]) for d in report.dropped] == [("inline-image", "dot.png Dot", [3, 3])]
