"""Library metadata: calibre reads every PDF and EPUB edition as the master describes it.

calibre (Debian ``calibre``) reads each file through :mod:`pressrun.engine.librarymeta`,
the reader the release gate uses: title, authors, language, publisher,
publication date, identifier and series must be the edition's metadata
record, and the record must say what the translated master says.
"""

from __future__ import annotations

import pytest
from lxml import etree

from pressrun.editions.edition import edition_identifier, read_info
from pressrun.document.master import read_master
from pressrun.document.model import XPATH_NS
from pressrun.engine import librarymeta

from conftest import AVIM_ID, TURAN_ID, require_command

EDITIONS = [(doc_id, lang) for doc_id in (AVIM_ID, TURAN_ID) for lang in ("en", "ru", "az")]


def master_fields(master) -> dict[str, str]:
    """What the translated master says, in the fields calibre reports."""
    text = lambda path: " ".join(master.xpath(f"string({path})", namespaces=XPATH_NS).split())
    info = "/db:article/db:info"
    authors = [" ".join(a.xpath("string(db:personname|db:orgname)", namespaces=XPATH_NS).split())
               for a in master.xpath(f"{info}/db:author", namespaces=XPATH_NS)]
    series = text(f"{info}/db:biblioset[@relation='series']/db:title")
    number = text(f"{info}/db:biblioset[@relation='series']/db:volumenum")
    return {"Title": text(f"{info}/db:title"), "Author(s)": " & ".join(authors),
            "Publisher": text(f"{info}/db:publisher/db:publishername"), "Published": text(f"{info}/db:pubdate")[:10],
            "Series": f"{series} #{number}" if series and number else series}


@pytest.fixture(scope="module")
def records(release_editions):
    return {(doc_id, lang): read_info(release_editions.edition_info_path(doc_id, lang).read_bytes())
            for doc_id, lang in EDITIONS}


@pytest.fixture(scope="module")
def epub_uuids(release_editions):
    require_command("calibre-debug")
    paths = [release_editions.epub_path(doc_id, lang) for doc_id, lang in EDITIONS]
    return dict(zip(EDITIONS, librarymeta.epub_uuids(paths)))


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_the_record_says_what_the_master_says(release_editions, records, doc_id, lang):
    wanted = librarymeta.expected(records[doc_id, lang])
    master = master_fields(read_master(release_editions.master_path(doc_id, lang)))
    assert {name: wanted[name] for name in master} == master
    assert wanted["Languages"] == {"en": "eng", "ru": "rus", "az": "aze"}[lang]
    assert wanted["Identifiers"] == "uuid:" + edition_identifier(doc_id, lang).removeprefix("urn:uuid:")


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_calibre_reads_the_pdf_as_its_record_says(release_editions, records, doc_id, lang):
    require_command("ebook-meta")
    fields = librarymeta.read(release_editions.pdf_path(doc_id, lang))
    assert librarymeta.mismatches(fields, records[doc_id, lang]) == []


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_calibre_reads_the_epub_as_its_record_says(release_editions, records, epub_uuids, doc_id, lang):
    require_command("ebook-meta")
    fields = librarymeta.read(release_editions.epub_path(doc_id, lang), epub_uuids[doc_id, lang])
    assert librarymeta.mismatches(fields, records[doc_id, lang]) == []


def test_a_changed_field_is_one_mismatch(records):
    record = records[AVIM_ID, "en"]
    fields = {**librarymeta.expected(record), "Series": ""}
    series = f"{record.series} #25"
    assert librarymeta.mismatches(fields, record) == [f"Series: calibre reads '', the edition says {series!r}"]


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
