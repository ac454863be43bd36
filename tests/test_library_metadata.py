"""Library metadata: calibre reads every PDF and EPUB edition as the master describes it.

calibre's ``ebook-meta`` (Debian ``calibre``) reads each file; title, authors,
language, publisher, publication date, identifier and series are compared with
the translated master. calibre files an EPUB's ``urn:uuid`` identifier as the
book's uuid, which ``ebook-meta`` does not print: that one field is read
through calibre's own metadata reader (``calibre-debug``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest
from lxml import etree

from pressrun.editions.edition import edition_identifier
from pressrun.document.master import read_master
from pressrun.document.model import XPATH_NS

from conftest import AVIM_ID, TURAN_ID, require_command

EDITIONS = [(doc_id, lang) for doc_id in (AVIM_ID, TURAN_ID) for lang in ("en", "ru", "az")]
ISO_639_2 = {"en": "eng", "ru": "rus", "az": "aze"}
CALIBRE_ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}


def ebook_meta(path) -> dict[str, str]:
    """``ebook-meta``'s report as {field: value}."""
    result = subprocess.run([require_command("ebook-meta"), str(path)], capture_output=True, text=True,
                            env=CALIBRE_ENV, timeout=120, check=True)
    fields = {}
    for line in result.stdout.splitlines():
        name, colon, value = line.partition(":")
        if colon and re.fullmatch(r"[A-Z][\w ()]*", name.strip()):
            fields[name.strip()] = value.strip()
    return fields


def expected(master, doc_id: str, lang: str) -> dict[str, str]:
    """The fields calibre should report, taken from the translated master."""
    text = lambda path: " ".join(master.xpath(f"string({path})", namespaces=XPATH_NS).split())
    info = "/db:article/db:info"
    authors = [" ".join(a.xpath("string(db:personname|db:orgname)", namespaces=XPATH_NS).split())
               for a in master.xpath(f"{info}/db:author", namespaces=XPATH_NS)]
    fields = {"Title": text(f"{info}/db:title"), "Author(s)": " & ".join(authors),
              "Publisher": text(f"{info}/db:publisher/db:publishername"), "Languages": ISO_639_2[lang],
              "Published": text(f"{info}/db:pubdate")[:10]}
    series = text(f"{info}/db:biblioset[@relation='series']/db:title")
    if series:
        number = text(f"{info}/db:biblioset[@relation='series']/db:volumenum")
        fields["Series"] = f"{series} #{number}" if number else series
    return fields


def _compare(report: dict[str, str], wanted: dict[str, str]) -> None:
    got = {name: report.get(name, "") for name in [*wanted, "Series"]}
    got["Author(s)"] = re.sub(r" \[[^\]]*\]$", "", got["Author(s)"])  # the sort name calibre adds
    got["Published"] = got["Published"][:10]
    assert got == {**{"Series": ""}, **wanted}


@pytest.fixture(scope="module")
def masters(release_editions):
    return {(doc_id, lang): read_master(release_editions.master_path(doc_id, lang)) for doc_id, lang in EDITIONS}


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_calibre_reads_the_pdf_as_the_master_says(release_editions, masters, doc_id, lang):
    report = ebook_meta(release_editions.pdf_path(doc_id, lang))
    _compare(report, expected(masters[doc_id, lang], doc_id, lang))
    assert report["Identifiers"] == "uuid:" + edition_identifier(doc_id, lang).removeprefix("urn:uuid:")


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_calibre_reads_the_epub_as_the_master_says(release_editions, masters, doc_id, lang):
    report = ebook_meta(release_editions.epub_path(doc_id, lang))
    _compare(report, expected(masters[doc_id, lang], doc_id, lang))


def test_calibre_finds_the_edition_identifier_in_every_epub(release_editions):
    paths = [str(release_editions.epub_path(doc_id, lang)) for doc_id, lang in EDITIONS]
    script = ("import sys, json\nfrom calibre.ebooks.metadata.meta import get_metadata\nuuids = []\n"
              "for path in sys.argv[1:]:\n    with open(path, 'rb') as stream:\n"
              "        uuids.append(get_metadata(stream, 'epub').uuid)\nprint(json.dumps(uuids))")
    result = subprocess.run([require_command("calibre-debug"), "-c", script, *paths], capture_output=True,
                            text=True, env=CALIBRE_ENV, timeout=300, check=True)
    uuids = json.loads(result.stdout.strip().splitlines()[-1])
    assert uuids == [edition_identifier(doc_id, lang).removeprefix("urn:uuid:") for doc_id, lang in EDITIONS]


@pytest.mark.parametrize("lang", ("en", "ru", "az"))
def test_xmp_states_only_what_the_master_states(release_editions, lang):
    """The series fields exist for the article in a series and are absent for the one without."""
    import pikepdf
    ns = {"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "prism": "http://prismstandard.org/namespaces/basic/2.0/",
          "calibre": "http://calibre-ebook.com/xmp-namespace", "dc": "http://purl.org/dc/elements/1.1/",
          "calibreSI": "http://calibre-ebook.com/xmp-namespace-series-index"}
    packets = {}
    for doc_id in (AVIM_ID, TURAN_ID):
        with pikepdf.open(release_editions.pdf_path(doc_id, lang)) as pdf:
            packets[doc_id] = etree.fromstring(pdf.Root.Metadata.read_bytes())
    avim, turan = packets[AVIM_ID], packets[TURAN_ID]
    assert avim.xpath("string(//calibre:series/calibreSI:series_index)", namespaces=ns) == "25"
    assert avim.xpath("string(//prism:number)", namespaces=ns) == "25"
    assert not turan.xpath("//calibre:series|//prism:publicationName|//prism:number", namespaces=ns)
    assert turan.xpath("//dc:date/rdf:Seq/rdf:li/text()", namespaces=ns) == ["2017-11-25"]
    assert len(avim.xpath("//dc:title", namespaces=ns)) == 1  # WeasyPrint's Dublin Core replaced, not doubled
