"""The masters of the real seeds: metadata and body by XPath, schema, read-back."""

from __future__ import annotations

import json
import re

import pypandoc
import pytest

from lxml import etree

from pressrun.document.master import parse_xml, read_master, validate
from pressrun.errors import InputError
from pressrun.document.langs import parse_date
from pressrun.document.model import XPATH_NS

from conftest import AVIM_ID, AVIM_SEED, SEEDS, TURAN_ID, TURAN_SEED


def xp(tree, path):
    return tree.xpath(path, namespaces=XPATH_NS)


def one(tree, path):
    found = xp(tree, path)
    assert len(found) == 1, f"{path}: {len(found)} matches"
    item = found[0]
    return item if isinstance(item, str) else "".join(item.itertext())


def test_both_masters_are_valid_docbook_5(built_masters):
    project, trees = built_masters
    for doc_id in trees:
        tree = read_master(project.master_path(doc_id))  # the file as written, parsed afresh
        root = tree.getroot()
        assert root.tag == "{http://docbook.org/ns/docbook}article" and root.get("version") == "5.0"
        assert validate(tree) == []
        broken = read_master(project.master_path(doc_id))
        broken.getroot().insert(1, etree.Element("{http://docbook.org/ns/docbook}bogus"))
        assert validate(broken), "the schema check must reject an element DocBook does not define"


def test_avim_metadata(avim_master):
    assert one(avim_master, "/db:article/@xml:lang") == "en"
    assert one(avim_master, "//db:info/db:title") == "NATO-AZERBAIJAN: SUCCESSFUL PARTNERSHIP FOR TURBULENT TIMES - 28.11.2024"
    assert one(avim_master, "//db:info/db:author/db:personname/db:honorific") == "Dr."
    assert one(avim_master, "//db:info/db:author/db:personname/db:firstname") == "Jakub"
    assert one(avim_master, "//db:info/db:author/db:personname/db:surname") == "Korejba"
    assert one(avim_master, "//db:info/db:author/db:affiliation/db:jobtitle") == "AVİM Intern"
    assert one(avim_master, "//db:info/db:author/db:personblurb/db:para").startswith("Jakub Korejba graduated from Warsaw")
    assert one(avim_master, "//db:info/db:pubdate") == "2024-12-02"
    assert one(avim_master, "//db:info/db:publisher/db:publishername") == "Center for Eurasian Studies (AVİM)"
    assert one(avim_master, "//db:publisher/db:address/db:street") == "Süleyman Nazif Sok. No: 12/B Daire 3-4"
    assert one(avim_master, "//db:publisher/db:address/db:postcode") == "06550"
    assert one(avim_master, "//db:publisher/db:address/db:city") == "Çankaya-ANKARA"
    assert one(avim_master, "//db:publisher/db:address/db:country") == "TÜRKİYE"
    assert one(avim_master, "//db:publisher/db:address/@xml:lang") == "tr"
    assert one(avim_master, "//db:publisher/db:address/db:phone") == "+90 (312) 438 50 23-24"
    assert one(avim_master, "//db:publisher/db:address/db:fax") == "+90 (312) 438 50 26"
    assert one(avim_master, "//db:publisher/db:address/db:email") == "info@avim.org.tr"
    assert one(avim_master, "//db:publisher/db:address/db:uri[@type='website']") == "http://avim.org.tr"
    assert xp(avim_master, "//db:publisher/db:address/db:uri[@type='social']/text()") == [
        "@avimorgtr", "https://www.facebook.com/avrasyaincelemelerimerkezi"]
    assert one(avim_master, "//db:info/db:biblioset[@relation='series']/db:title") == "AVİM Blog"
    assert one(avim_master, "//db:info/db:biblioset[@relation='series']/db:volumenum") == "25"
    assert one(avim_master, "//db:info/db:biblioid[@class='uri']") == (
        "https://avim.org.tr/public/Blog/NATO-AZERBAIJAN-SUCCESSFUL-PARTNERSHIP-FOR-TURBULENT-TIMES")
    assert one(avim_master, "//db:info/db:bibliomisc[@role='access-date']") == "2026-06-10"
    assert one(avim_master, "//db:info/db:copyright/db:year") == "2009-2025"
    assert one(avim_master, "//db:info/db:copyright/db:holder") == "Avrasya İncelemeleri Merkezi (AVİM)"
    assert one(avim_master, "//db:info/db:copyright/db:holder/@xml:lang") == "tr"
    assert one(avim_master, "//db:info/db:legalnotice/db:para[@xml:lang='tr']") == "Tüm Hakları Saklıdır"
    assert one(avim_master, "//db:info/db:abstract/db:para").startswith("This is the text of the speech delivered")


def test_turan_metadata(turan_master):
    assert one(turan_master, "//db:info/db:title") == "NATO-Azerbaijan: Contact and Differences"
    assert one(turan_master, "//db:info/db:author/db:orgname") == "Analytical Service Turan"
    assert one(turan_master, "//db:info/db:pubdate") == "2017-11-25T12:51:33"
    assert one(turan_master, "//db:info/db:date[@role='stated-date']") == "2017-11-01"
    assert one(turan_master, "//db:info/db:subjectset[@scheme='category']//db:subjectterm") == "Analytics"
    assert one(turan_master, "//db:info/db:publisher/db:publishername") == "Turan Information Agency"
    assert xp(turan_master, "//db:info/db:bibliorelation[@type='hasversion']/@xml:lang") == ["ru", "az"]
    assert one(turan_master, "/db:article/@xml:lang") == "en"


def test_turan_date_conflict_is_reported(built_masters):
    project = built_masters[0]
    report = json.loads(project.report_path(TURAN_ID, "ingest").read_text())
    assert report["conflicts"] == [{"field": "date", "publication": "2017-11-25T12:51:33", "publication_line": 9,
                                    "other": "2017-11-01", "other_line": 1}]


def test_avim_body_structure(avim_master):
    byline = xp(avim_master, "/db:article/db:para[@role='byline']")[0]
    assert "".join(byline.xpath("text()")).strip() == "Dr. Jakub KOREJBA"
    note = one(avim_master, "/db:article/db:para[@role='byline']/db:footnote/db:para")
    assert note.startswith("Jakub Korejba graduated") and note.endswith("Non-resident Fellow in October 2023.")
    body = xp(avim_master, "/db:article/db:para[not(@role)]")
    assert len(body) == 8
    citation = one(avim_master, "/db:article/db:para[@role='citation']")
    assert citation.startswith("To cite this article: Jakub KOREJBA. 2026.")
    assert "25. December 02. Accessed June 10, 2026." in citation
    assert one(avim_master, "//db:para[@role='citation']/db:link/@xlink:href").startswith("https://avim.org.tr/public/Blog/")
    assert not xp(avim_master, "/db:article//text()[contains(., 'Tel') or contains(., 'E-Posta') or contains(., '©')]")
    assert not xp(avim_master, "/db:article/db:para[contains(., 'About the author')]")


def test_turan_body_structure(turan_master):
    caption = xp(turan_master, "//db:figure[@role='photo']/db:title")[0]
    assert caption.get("{http://www.w3.org/XML/1998/namespace}lang") == "ru"
    assert caption.text == "Ильхам Алиев и Йенс Столтенберг"
    quote = xp(turan_master, "//db:blockquote")[0]
    assert one(quote, "db:attribution") == "NATO Secretary General (2009-2014) Anders Fogh Rasmussen"
    assert one(quote, "db:para").startswith("Nato was born into a dangerous world.")
    assert one(quote, "db:para").endswith("to safeguard their security.")
    items = xp(turan_master, "//db:itemizedlist/db:listitem/db:para")
    assert [i.get("remap") for i in items] == ["seed-line:35", "seed-line:37"]
    assert "“Yes and no - do not talk.”" in one(turan_master, "//db:para[@remap='seed-line:25']")


WORD = re.compile(r"\w[\w'’-]*", re.UNICODE)


def _words(text: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(text.replace("\\", "").replace("’", "'"))}


@pytest.mark.parametrize("seed, doc_id", [(AVIM_SEED, AVIM_ID), (TURAN_SEED, TURAN_ID)])
def test_nothing_lost(built_masters, seed, doc_id):
    """Every word of every non-blank seed line is in the master or in the ingest report.

    Words the master does not hold (labels such as "Tel:", dates before
    normalization) must be listed by a report entry covering that line, and
    every field such an entry says it extracted must be in the master.
    """
    project, masters = built_masters
    root = masters[doc_id].getroot()
    master_words = _words(" ".join(root.itertext()) + " " + " ".join(root.xpath("//@*[local-name()='href']")))
    report = json.loads(project.report_path(doc_id, "ingest").read_text())
    covering: dict[int, set[str]] = {}
    for entry in report["consumed"] + report["dropped"]:
        assert entry["rule"] and (entry.get("reason") or "fields" in entry)
        for line in range(entry["lines"][0], entry["lines"][1] + 1):
            covering.setdefault(line, set()).update(_words(entry["text"]))
    for entry in report["consumed"]:
        for name, value in entry["fields"].items():
            expected = parse_date(value) if name.endswith("date") else value
            assert _words(expected) <= master_words, f"field {name}={value!r} is not in the master"
    lines = (SEEDS / seed).read_text(encoding="utf-8").split("\n")
    checked = 0
    for number, line in enumerate(lines, 1):
        missing = _words(line) - master_words
        assert missing <= covering.get(number, set()), (
            f"{seed}:{number}: {sorted(missing)} neither in the master nor in the ingest report")
        checked += bool(line.strip())
    assert checked == sum(1 for line in lines if line.strip())


@pytest.mark.parametrize("doc_id", [AVIM_ID, TURAN_ID])
def test_pandoc_reads_every_body_paragraph_back(built_masters, doc_id):
    project, masters = built_masters
    text = pypandoc.convert_file(str(project.master_path(doc_id)), "plain", format="docbook",
                                 extra_args=["--wrap=none", "--sandbox"])
    flat = " ".join(text.split())
    for para in xp(masters[doc_id], "/db:article//db:para[not(ancestor::db:info)]"):
        own = " ".join("".join(t for t in para.xpath("text()|db:*[not(self::db:footnote)]//text()",
                                                     namespaces=XPATH_NS)).split())
        assert own[:200] in flat


def test_hostile_xml_is_refused():
    laughs = b"""<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "lol"><!ENTITY y "&x;&x;&x;">]><a>&y;</a>"""
    with pytest.raises(InputError, match="DOCTYPE"):
        parse_xml(laughs, "laughs.xml")
    external = b"""<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>"""
    with pytest.raises(InputError):
        parse_xml(external, "external.xml")
