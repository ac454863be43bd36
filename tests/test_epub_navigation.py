"""EPUB navigation read with XPath: titles, table of contents, landmarks, guide, NCX, cover, notes.

Every edition of both seeds is checked; the words must be the edition's
language (from the ``pressrun`` strings catalog), never pandoc's English.
"""

from __future__ import annotations

import posixpath
import zipfile

import pytest
from lxml import etree


from conftest import AVIM_ID, TURAN_ID

NS = {"h": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/", "svg": "http://www.w3.org/2000/svg"}
WORDS = {
    "en": {"contents": "Contents", "cover": "Cover", "start": "Start of text", "back": "Back to note 1 in the text",
           "cover_alt": "Cover: "},
    "ru": {"contents": "Содержание", "cover": "Обложка", "start": "Начало текста",
           "back": "Назад к примечанию 1 в тексте", "cover_alt": "Обложка: "},
    "az": {"contents": "Mündəricat", "cover": "Üz qabığı", "start": "Mətnin başlanğıcı",
           "back": "Mətndəki 1 saylı qeydə qayıt", "cover_alt": "Üz qabığı: "},
}
EDITIONS = [(doc_id, lang) for doc_id in (AVIM_ID, TURAN_ID) for lang in WORDS]


class Package:
    """The parsed files of one EPUB, addressed by their path in the container."""

    def __init__(self, path):
        with zipfile.ZipFile(path) as archive:
            self.files = {name: archive.read(name) for name in archive.namelist()}
        self.opf_name = next(name for name in self.files if name.endswith(".opf"))
        self.opf = self.xml(self.opf_name)

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.files[name])

    def item(self, xpath: str) -> str:
        """The container path of the manifest item selected by ``xpath``."""
        href = self.opf.xpath(f"string({xpath}/@href)", namespaces=NS)
        return posixpath.join(posixpath.dirname(self.opf_name), href)

    def chapters(self) -> list[str]:
        refs = self.opf.xpath("//opf:spine/opf:itemref/@idref", namespaces=NS)
        names = [self.item(f"//opf:item[@id='{ref}']") for ref in refs]
        return [name for name in names if "/text/ch" in name]


@pytest.fixture(scope="module")
def packages(release_editions):
    return {(doc_id, lang): Package(release_editions.epub_path(doc_id, lang)) for doc_id, lang in EDITIONS}


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_chapter_titles_are_the_article_title(packages, doc_id, lang):
    package = packages[doc_id, lang]
    title = package.opf.xpath("string(//dc:title)", namespaces=NS)
    assert package.chapters()
    for chapter in package.chapters():
        assert package.xml(chapter).xpath("string(/h:html/h:head/h:title)", namespaces=NS) == title


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_contents_and_landmarks_speak_the_edition_language(packages, doc_id, lang):
    package, words = packages[doc_id, lang], WORDS[lang]
    nav_name = package.item("//opf:item[contains(@properties, 'nav')]")
    nav = package.xml(nav_name)
    assert nav.xpath("string(//h:nav[@epub:type='toc']/h:h1)", namespaces=NS) == words["contents"]
    landmarks = {link.get(f"{{{NS['epub']}}}type"): link for link in
                 nav.xpath("//h:nav[@epub:type='landmarks']//h:a", namespaces=NS)}
    assert set(landmarks) == {"cover", "toc", "bodymatter"}
    assert {kind: link.text for kind, link in landmarks.items()} == {
        "cover": words["cover"], "toc": words["contents"], "bodymatter": words["start"]}
    start = posixpath.normpath(posixpath.join(posixpath.dirname(nav_name), landmarks["bodymatter"].get("href")))
    assert start == package.chapters()[0]
    guide = {ref.get("type"): ref.get("title") for ref in package.opf.xpath("//opf:guide/opf:reference",
                                                                             namespaces=NS)}
    assert guide == {"cover": words["cover"], "toc": words["contents"], "text": words["start"]}


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_ncx_agrees_with_the_package(packages, doc_id, lang):
    package = packages[doc_id, lang]
    ncx = package.xml(package.item("//opf:item[@media-type='application/x-dtbncx+xml']"))
    cover_id = ncx.xpath("string(//ncx:head/ncx:meta[@name='cover']/@content)", namespaces=NS)
    assert package.opf.xpath(f"//opf:item[@id='{cover_id}']/@properties", namespaces=NS) == ["cover-image"]
    assert ncx.xpath("string(//ncx:meta[@name='dtb:uid']/@content)", namespaces=NS) == \
        package.opf.xpath("string(//dc:identifier)", namespaces=NS)
    assert ncx.xpath("string(//ncx:docTitle/ncx:text)", namespaces=NS) == \
        package.opf.xpath("string(//dc:title)", namespaces=NS)


@pytest.mark.parametrize(("doc_id", "lang"), EDITIONS)
def test_cover_image_has_its_text_alternative(packages, doc_id, lang):
    package = packages[doc_id, lang]
    cover = package.xml(package.item("//opf:item[contains(@properties, 'svg')]"))
    expected = WORDS[lang]["cover_alt"] + package.opf.xpath("string(//dc:title)", namespaces=NS)
    svg = cover.xpath("//svg:svg", namespaces=NS)[0]
    assert svg.get("role") == "img" and svg.get("aria-label") == expected
    assert svg.xpath("string(svg:title)", namespaces=NS) == expected
    summary = package.opf.xpath("string(//opf:meta[@property='schema:accessibilitySummary'])", namespaces=NS)
    assert "cover image has a text alternative" in summary


@pytest.mark.parametrize("lang", WORDS)
def test_footnotes_have_numbers_and_back_links(packages, lang):
    package = packages[AVIM_ID, lang]
    chapter = package.xml(package.chapters()[0])
    notes = chapter.xpath("//h:aside[@epub:type='footnote']", namespaces=NS)
    assert notes
    for number, note in enumerate(notes, 1):
        assert note.xpath("string(h:p[1]/h:span[@class='note-number'])", namespaces=NS) == f"{number}."
        back = note.xpath(".//h:a[@role='doc-backlink']", namespaces=NS)
        assert len(back) == 1
        call = chapter.xpath("//h:a[@id=$id]", id=back[0].get("href")[1:], namespaces=NS)
        assert call and call[0].get("href") == f"#{note.get('id')}" and "".join(call[0].itertext()) == str(number)
    assert notes[0].xpath("string(.//h:a[@role='doc-backlink']/@aria-label)", namespaces=NS) == WORDS[lang]["back"]
