"""EPUB editions: EPUBCheck, package metadata, consistency with the PDF, read-back, reproducibility."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pypandoc
import pytest
from lxml import etree

from pressrun.engine import build, inspection
from pressrun.config import load_project
from pressrun.editions.edition import edition_identifier
from pressrun.document.master import read_master
from pressrun.document.model import XPATH_NS

from conftest import AVIM_ID, TURAN_ID

LANGS = ("en", "ru", "az")
DOCS = (AVIM_ID, TURAN_ID)
NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}


@pytest.fixture(scope="module")
def editions(release_editions):
    return release_editions


def _opf(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".opf"))
        return etree.fromstring(archive.read(name))


def _letters(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).casefold()


def _epub_text(path: Path) -> str:
    return pypandoc.convert_file(str(path), "plain", format="epub", extra_args=["--wrap=none"])


def test_every_epub_passes_epubcheck(editions):
    epubs = sorted((editions.build_dir / "epub").rglob("*.epub"))
    assert len(epubs) == 6
    for epub in epubs:
        result = inspection.epubcheck(epub)
        assert result.counts is not None, result.output
        assert result.clean, result.output
        assert "Validating using EPUB version 3.3 rules" in result.output


PUBLISHERS = {"en": "Center for Eurasian Studies (AVİM)", "ru": "Центр евразийских исследований (AVİM)",
              "az": "Avrasiya Araşdırmaları Mərkəzi (AVİM)"}
AUTHORS = {"en": ("Dr. Jakub Korejba", "Korejba, Jakub"), "ru": ("Якуб Корейба", "Корейба, Якуб"),
           "az": ("Dr. Yakub Koreyba", "Koreyba, Yakub")}


@pytest.mark.parametrize("lang", LANGS)
def test_package_metadata(editions, lang):
    avim = _opf(editions.epub_path(AVIM_ID, lang))
    text = lambda root, path: [" ".join("".join(e.itertext()).split()) for e in root.xpath(path, namespaces=NS)]
    assert text(avim, "//dc:identifier") == [edition_identifier(AVIM_ID, lang)]
    assert text(avim, "//dc:language") == [lang]
    assert text(avim, "//dc:date") == ["2024-12-02"]
    assert text(avim, "//dc:publisher") == [PUBLISHERS[lang]]  # translations/names.<lang>.toml
    assert text(avim, "//dc:source") == [
        "https://avim.org.tr/public/Blog/NATO-AZERBAIJAN-SUCCESSFUL-PARTNERSHIP-FOR-TURBULENT-TIMES"]
    creator = avim.xpath("//dc:creator", namespaces=NS)[0]
    assert creator.text == AUTHORS[lang][0]
    refines = {m.get("property"): m.text for m in avim.xpath(f"//opf:meta[@refines='#{creator.get('id')}']",
                                                             namespaces=NS)}
    assert refines == {"file-as": AUTHORS[lang][1], "role": "aut"}
    assert not avim.xpath("//dc:contributor", namespaces=NS)  # the committed catalogs credit nobody
    assert text(avim, "//dc:rights")[0].startswith("© 2009-2025 Avrasya İncelemeleri Merkezi (AVİM)")
    assert text(avim, "//dc:description") and text(avim, "//dc:subject")
    collection = avim.xpath("//opf:meta[@property='belongs-to-collection']", namespaces=NS)[0]
    assert avim.xpath(f"string(//opf:meta[@refines='#{collection.get('id')}'][@property='group-position'])",
                      namespaces=NS) == "25"
    assert sorted(text(avim, "//dc:relation")) == sorted(
        f"{edition_identifier(AVIM_ID, other)} ({other})" for other in LANGS if other != lang)
    assert text(avim, "//opf:meta[@property='dcterms:modified']")[0].endswith("Z")
    properties = {m.get("property") for m in avim.xpath("//opf:meta", namespaces=NS)}
    for wanted in ("schema:accessMode", "schema:accessModeSufficient", "schema:accessibilityFeature",
                   "schema:accessibilityHazard", "schema:accessibilitySummary", "dcterms:conformsTo"):
        assert wanted in properties
    turan = _opf(editions.epub_path(TURAN_ID, lang))
    assert not turan.xpath("//opf:meta[@property='belongs-to-collection']", namespaces=NS)
    assert text(turan, "//dc:source") == ["http://www.turan.az/ext/news/2017/11/subsc/analytics/en/118563.htm"]
    assert text(turan, "//dc:creator") == [{"en": "Analytical Service Turan", "ru": "Аналитическая служба «Туран»",
                                            "az": "Turan Analitik Xidməti"}[lang]]


def _segments(master):
    return master.xpath("/db:article/db:para[not(@role='byline')]|//db:listitem/db:para|//db:blockquote/db:para"
                        "|//db:blockquote/db:attribution|//db:personblurb/db:para|//db:abstract/db:para"
                        "|//db:figure/db:title|//db:footnote/db:para", namespaces=XPATH_NS)


@pytest.mark.parametrize("doc_id", DOCS)
@pytest.mark.parametrize("lang", LANGS)
def test_epub_agrees_with_the_pdf(editions, doc_id, lang):
    """The same segments in the EPUB's XHTML and the PDF's text; the same metadata in OPF and PDF."""
    project = editions
    epub = project.epub_path(doc_id, lang)
    epub_letters = _letters("".join(_chapter(epub).itertext()))
    pdf_letters = _letters(inspection.pdf_text(project.pdf_path(doc_id, lang)))
    master = read_master(project.master_path(doc_id, lang))
    for segment in _segments(master):
        words = _letters("".join(segment.itertext()))
        assert words in epub_letters, f"EPUB lacks {''.join(segment.itertext())[:60]!r}"
        assert words[:100] in pdf_letters, f"PDF lacks {''.join(segment.itertext())[:60]!r}"
    opf = _opf(epub)
    with pikepdf.open(project.pdf_path(doc_id, lang)) as document:
        info = document.docinfo
        assert opf.xpath("string(//dc:title)", namespaces=NS) == str(info["/Title"])
        assert opf.xpath("string(//dc:creator)", namespaces=NS) == str(info["/Author"])
        assert opf.xpath("string(//dc:language)", namespaces=NS) == str(document.Root.Lang)
        assert str(info["/CreationDate"]).startswith("D:" + opf.xpath("string(//opf:meta[@property='dcterms:modified'])",
                                                                           namespaces=NS)[:10].replace("-", ""))
    html = etree.fromstring(project.edition_path(doc_id, lang).read_bytes())
    published = html.xpath("string(//*[local-name()='meta'][@name='dcterms.date']/@content)")
    assert opf.xpath("string(//dc:date)", namespaces=NS) == published
    assert opf.xpath("string(//dc:publisher)", namespaces=NS) == html.xpath(
        "string(//*[local-name()='meta'][@name='dcterms.publisher']/@content)")


@pytest.mark.parametrize("doc_id", DOCS)
@pytest.mark.parametrize("lang", LANGS)
def test_pandoc_reads_every_body_paragraph_back(editions, doc_id, lang):
    text = _letters(_epub_text(editions.epub_path(doc_id, lang)))
    master = read_master(editions.master_path(doc_id, lang))
    paragraphs = master.xpath("/db:article/db:para[not(@role='byline')]|//db:listitem/db:para"
                              "|//db:blockquote/db:para", namespaces=XPATH_NS)
    assert len(paragraphs) >= 9
    for para in paragraphs:
        assert _letters("".join(para.itertext())) in text


def _chapter(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as archive:
        name = next(n for n in archive.namelist() if n.endswith("ch001.xhtml"))
        return etree.fromstring(archive.read(name))


def test_languages_of_passages_are_marked(editions):
    turan_en = _chapter(editions.epub_path(TURAN_ID, "en"))
    assert turan_en.get("lang") == "en"
    russian_caption = _chapter(editions.epub_path(TURAN_ID, "ru")).xpath("//*[local-name()='figcaption']")[0]
    assert "Ильхам Алиев" in "".join(russian_caption.itertext())
    russian = _chapter(editions.epub_path(AVIM_ID, "ru"))
    marked = russian.xpath("//*[@lang='en']")
    assert marked and any("Center for Eurasian Studies" in "".join(m.itertext()) for m in marked)


def test_notes_navigation_and_cover(editions):
    epub = editions.epub_path(AVIM_ID, "az")
    with zipfile.ZipFile(epub) as archive:
        names = archive.namelist()
        nav = etree.fromstring(archive.read(next(n for n in names if n.endswith("nav.xhtml"))))
    chapter = _chapter(epub)
    assert chapter.xpath("//*[@role='doc-noteref']") and chapter.xpath("//*[@role='doc-footnote' or @id='fn1']")
    kinds = set(nav.xpath("//@*[local-name()='type']"))
    assert {"toc", "landmarks"} <= kinds
    assert not any("title_page" in n for n in names)
    opf = _opf(epub)
    assert opf.xpath("//opf:item[@properties='cover-image']", namespaces=NS)
    assert any(n.endswith("NotoSerif-Regular.ttf") for n in names)


def test_container_is_reproducible(editions):
    first = {p: p.read_bytes() for p in (editions.build_dir / "epub").rglob("*.epub")}
    rebuilt = build.build_epubs(editions, force=True)
    assert {o.status for o in rebuilt} == {"built"}
    assert first == {p: p.read_bytes() for p in (editions.build_dir / "epub").rglob("*.epub")}
    with zipfile.ZipFile(next(iter(first))) as archive:
        entries = archive.infolist()
        assert entries[0].filename == "mimetype" and entries[0].compress_type == zipfile.ZIP_STORED
        assert archive.read("mimetype") == b"application/epub+zip"
        assert len({e.date_time for e in entries}) == 1


def test_resources_in_the_edition_are_never_read(editions, tmp_path):
    """pandoc gets no path or URL from the content: nothing outside its private folder is packed."""
    root = tmp_path / "copy"
    shutil.copytree(editions.root, root)
    project = load_project(root)
    html = project.edition_path(AVIM_ID, "en")
    hostile = ('<img src="file:///etc/passwd" alt="x"/><img src="../../../../../../etc/hostname" alt="y"/>'
               '<object data="file:///etc/passwd"></object><p style="background: url(http://127.0.0.1:9/x)">z</p>'
               '<link rel="stylesheet" href="/etc/passwd"/><video src="http://127.0.0.1:9/v.mp4"></video>')
    html.write_text(html.read_text(encoding="utf-8").replace("</main>", hostile + "</main>"), encoding="utf-8")
    outcomes = build.build_epubs(project)
    assert [o.status for o in outcomes if o.target == f"{AVIM_ID} [en]"] == ["built"]
    with zipfile.ZipFile(project.epub_path(AVIM_ID, "en")) as archive:
        names = archive.namelist()
        packed = b"".join(archive.read(name) for name in names)
    expected = re.compile(r"mimetype|META-INF/[\w.-]+\.xml|EPUB/(content\.opf|nav\.xhtml|toc\.ncx|text/\w+\.xhtml"
                          r"|styles/\w+\.css|fonts/NotoSerif-\w+\.ttf|media/file0\.png)")
    assert all(expected.fullmatch(name) for name in names), names
    for secret in (Path("/etc/passwd").read_bytes()[:30], b"/etc/passwd", b"/etc/hostname", b"127.0.0.1"):
        assert secret not in packed
