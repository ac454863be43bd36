"""EPUB: the edition XHTML → an EPUB 3 file, written by pandoc.

In: ``build/html/<lang>/<doc-id>.xhtml`` (the same edition document the PDF
is rendered from), ``styles/edition.css`` + ``styles/epub.css``, the Noto
Serif fonts (subset to the characters the edition uses) and a cover image
drawn by pressrun in the edition's language.
The page map of the PDF (``build/pdf/<lang>/<doc-id>.pages.json``,
:mod:`pressrun.editions.pagemap`) says where each PDF page begins.
Out: ``build/epub/<lang>/<doc-id>.epub``: pandoc's EPUB 3 writer, then the
package is completed and repacked by pressrun: Dublin Core and accessibility
metadata in the OPF, a page-break marker where each page of the PDF begins
and a page list in the navigation, ``mimetype`` first and stored, every
entry in a fixed order with a fixed timestamp, so two builds give the same
bytes.

pandoc's ``--sandbox`` also refuses the stylesheets, fonts and cover an
EPUB needs, so pressrun confines pandoc another way: it runs in a private
temporary folder holding copies of exactly those files, with that folder as
its only resource path, on a source from which every resource reference
(``src``, ``<img>``, ``<link>``, ``<object>`` …) has been removed; links
(``<a href>``) are never fetched.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import textwrap
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pypandoc
import uharfbuzz
from lxml import etree
from PIL import Image, ImageDraw, ImageFont

from ..config import pinned_source_date
from ..document.master import safe_parser
from ..document.model import SOURCE_URL_SCHEMES, is_safe_url
from ..engine import dependencies
from ..engine.dependencies import uses_tool
from ..errors import InputError, ToolError
from .edition import XHTML_NS, Creator, EditionInfo, NavigationWords
from .fonts import font_folder
from .pagemap import PageStart
from .typography import quote_characters, quotes_css

OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
EPUB_NS = "http://www.idpf.org/2007/ops"
NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
SVG_NS = "http://www.w3.org/2000/svg"
NS = {"h": XHTML_NS, "epub": EPUB_NS, "opf": OPF_NS, "ncx": NCX_NS, "svg": SVG_NS}
H = f"{{{XHTML_NS}}}"
FONT_FILES = {"NotoSerif-Regular.ttf": "NotoSerif[wdth,wght].ttf", "NotoSerif-Italic.ttf": "NotoSerif-Italic[wdth,wght].ttf"}
ACCESSIBILITY = (
    ("schema:accessMode", "textual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityFeature", "readingOrder"),
    ("schema:accessibilityFeature", "alternativeText"),
    ("schema:accessibilityHazard", "none"),
    ("dcterms:conformsTo", "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"),
)
ACCESSIBILITY_SUMMARY = ("A text-only article with headings, a table of contents and landmarks; every passage in "
                         "another language than the edition's is marked with its language; the cover image has a "
                         "text alternative. No hazards.")
#: What an EPUB with the page breaks of its PDF edition declares besides (pageBreakSource names the PDF).
PAGINATION = (
    ("schema:accessibilityFeature", "printPageNumbers"),
    ("schema:accessibilityFeature", "pageBreakMarkers"),
    ("schema:accessibilityFeature", "pageNavigation"),
)
PAGINATION_SUMMARY = " Page breaks and a page list follow the pages of the PDF edition."
#: The class of the span that stands for a page break between the pandoc source and the finished chapter.
PAGE_MARKER = "pressrun-page"


# The pandoc input -------------------------------------------------------------------

def _hoist_sections(body_div: etree._Element) -> None:
    """The article's sections follow the body ``div`` instead of sitting in it.

    pandoc's EPUB navigation lists no heading inside a ``div``; the sections
    hold everything after the first heading, so the order is kept.
    """
    anchor = body_div
    for section in [child for child in body_div if child.tag == f"{H}section"]:
        section.set("class", " ".join(filter(None, (section.get("class"), "body"))))
        anchor.addnext(section)
        anchor = section


def _attributions_as_paragraphs(tree: etree._Element) -> None:
    """A quotation's ``footer`` becomes ``<p class="attribution">``: pandoc drops ``footer``, keeps a classed div."""
    for footer in tree.xpath("//h:blockquote/h:footer", namespaces={"h": XHTML_NS}):
        footer.tag = f"{H}p"
        footer.set("class", "attribution")


def _mark_pages(tree: etree._Element, pages: list[PageStart]) -> None:
    """An empty ``span`` where each page of the PDF begins (pandoc keeps a span with a class).

    Every place is found before any span goes in, then the spans go in from
    the last page back, so each page's element and text node are still
    those of the edition XHTML the page map points into.
    """
    body = tree.find(f"{H}body")
    places = [_page_place(body, page) for page in pages]
    for page, (element, node) in reversed(list(zip(pages, places))):
        marker = etree.Element(f"{H}span", {"class": PAGE_MARKER, "data-page": page.label})
        if node == 0:
            marker.tail, element.text = (element.text or "")[page.offset:], (element.text or "")[:page.offset]
            element.insert(0, marker)
        else:
            before = element[node - 1]
            marker.tail, before.tail = (before.tail or "")[page.offset:], (before.tail or "")[:page.offset]
            before.addnext(marker)


def _page_place(body: etree._Element, page: PageStart) -> tuple[etree._Element, int]:
    """The element and text node a page begins in, checked against the words the page map quotes."""
    element = body
    try:
        for index in page.path:
            element = [child for child in element if isinstance(child.tag, str)][index]
        text = element.text if page.node == 0 else element[page.node - 1].tail
    except IndexError:
        text = None
    if " ".join((text or "")[page.offset:].replace("\u00ad", "").split()).startswith(page.begins):
        return element, page.node
    raise InputError(f"page {page.label} of the page map does not fit the edition XHTML: rebuild the PDF "
                     "(`pressrun pdf --force`)")


def _carry_earlier_page_breaks(tree: etree._Element, title: etree._Element) -> None:
    """Page markers before the title go to its start: the EPUB opens with the title, and so does their page."""
    earlier = []
    for element in tree.iter(f"{H}h1", f"{H}span"):
        if element is title:
            break
        if element.get("class") == PAGE_MARKER:
            earlier.append(element)
    for marker in reversed(earlier):
        _remove_keeping_tail(marker)
        marker.tail, title.text = title.text, None
        title.insert(0, marker)


def pandoc_source(xhtml: bytes, pages: list[PageStart]) -> bytes:
    """The edition XHTML in the shape pandoc's HTML reader keeps whole, marked where each PDF page begins.

    Footnotes become pandoc's own note markup (``doc-noteref`` and a
    ``doc-endnotes`` section), ``main`` becomes a ``div`` (pandoc would read
    only the inside of ``main``), and the language of a paragraph, caption or
    list entry moves onto a ``span`` inside it, since pandoc keeps attributes
    on spans, divs and headings only (a heading keeps its own: pandoc leaves
    a heading whose text is a span out of the navigation).
    """
    tree = etree.fromstring(xhtml, safe_parser())
    _mark_pages(tree, pages)
    body = tree.find(f"{H}body")
    notes = etree.Element(f"{H}section", {"class": "footnotes", "role": "doc-endnotes", "id": "footnotes"})
    listing = etree.SubElement(notes, f"{H}ol")
    for number, note in enumerate(list(tree.xpath("//h:span[@class='footnote']", namespaces={"h": XHTML_NS})), 1):
        item = etree.SubElement(listing, f"{H}li", id=f"fn{number}")
        para = etree.SubElement(item, f"{H}p")
        para.text, para[:] = note.text, list(note)
        call = etree.Element(f"{H}a", {"href": f"#fn{number}", "id": f"fnref{number}", "class": "footnote-ref",
                                       "role": "doc-noteref"})
        etree.SubElement(call, f"{H}sup").text = str(number)
        call.tail = note.tail
        note.getparent().replace(note, call)
    _attributions_as_paragraphs(tree)
    for main in list(tree.iter(f"{H}main")):
        main.tag = f"{H}div"
        main.set("class", "body")
        _hoist_sections(main)
    for para in tree.xpath("//h:p[@class]", namespaces={"h": XHTML_NS}):
        holder = etree.Element(f"{H}div", {"class": para.attrib.pop("class")})
        para.getparent().replace(para, holder)
        holder.append(para)
    title = tree.find(f".//{H}h1")
    if title is not None:
        _carry_earlier_page_breaks(tree, title)
        body.insert(0, title)
    for element in tree.xpath("//h:*[@lang][not(self::h:html or self::h:span or self::h:div or self::h:h1 or self::h:h2"
                              " or self::h:h3 or self::h:h4 or self::h:h5 or self::h:h6)]",
                              namespaces={"h": XHTML_NS}):
        wrapper = etree.Element(f"{H}span", {"lang": element.get("lang")})
        wrapper.text, wrapper[:] = element.text, list(element)
        element.text = None
        element.append(wrapper)
        for attribute in ("lang", "{http://www.w3.org/XML/1998/namespace}lang"):
            element.attrib.pop(attribute, None)
    if len(listing):
        body.append(notes)
    for meta in tree.xpath("//h:head/h:meta", namespaces={"h": XHTML_NS}):
        meta.getparent().remove(meta)
    _remove_resource_references(tree)
    return etree.tostring(tree, encoding="UTF-8", xml_declaration=True)


def _remove_resource_references(tree: etree._Element) -> None:
    """Nothing in the source may make pandoc read a file or a URL."""
    for element in tree.xpath("//h:img|//h:link|//h:object|//h:embed|//h:iframe|//h:script|//h:source|//h:video"
                              "|//h:audio|//h:style", namespaces={"h": XHTML_NS}):
        element.getparent().remove(element)
    for element in tree.iter(etree.Element):
        for attribute in ("src", "srcset", "data", "poster", "style", "background"):
            element.attrib.pop(attribute, None)


def subset_fonts(text: str, folder: Path) -> list[Path]:
    """The Noto Serif fonts reduced to the characters of ``text`` (variation axes kept).

    HarfBuzz's subsetter (the one browsers and WeasyPrint use) keeps every
    OpenType feature and name record, so kerning, ligatures and the font's
    licence survive; it is deterministic, so the EPUB stays reproducible.
    """
    uses_tool("harfbuzz")
    wanted = uharfbuzz.SubsetInput()
    wanted.unicode_set.update({ord(char) for char in set(text + quote_characters() + "0123456789 —–-.,:;!?()[]©№")})
    wanted.layout_feature_tag_set.invert()
    wanted.name_id_set.invert()
    wanted.flags = uharfbuzz.SubsetFlags.NOTDEF_OUTLINE
    written = []
    for target_name, source_name in FONT_FILES.items():
        face = uharfbuzz.Face(uharfbuzz.Blob.from_file_path(str(dependencies.note(font_folder() / source_name))))
        subset = uharfbuzz.subset(face, wanted)
        if subset is None:
            raise ToolError(f"HarfBuzz could not subset {source_name}")
        target = folder / target_name
        target.write_bytes(subset.blob.data)
        written.append(target)
    return written


def draw_cover(info: EditionInfo, language_name: str, path: Path) -> Path:
    """A cover image in the edition's language: publisher, title, author."""
    width, height = 1600, 2400
    image = Image.new("RGB", (width, height), (245, 241, 232))
    draw = ImageDraw.Draw(image)
    regular = font_folder() / FONT_FILES["NotoSerif-Regular.ttf"]

    def font(size: int, weight: int) -> ImageFont.FreeTypeFont:
        face = ImageFont.truetype(str(regular), size)
        wanted = {b"Weight": weight, b"Width": 100}
        face.set_variation_by_axes([wanted.get(axis["name"], axis["default"]) for axis in face.get_variation_axes()])
        return face

    draw.rectangle((0, 0, width, 36), fill=(122, 28, 28))
    y = 220
    for line in textwrap.wrap(info.publisher.upper(), 38):
        draw.text((140, y), line, font=font(52, 500), fill=(60, 60, 60))
        y += 72
    y += 200
    for line in textwrap.wrap(info.title, 22):
        draw.text((140, y), line, font=font(104, 700), fill=(20, 20, 20))
        y += 136
    y += 120
    draw.text((140, y), ", ".join(info.authors), font=font(64, 400), fill=(30, 30, 30))
    draw.text((140, height - 260), language_name, font=font(52, 400), fill=(90, 90, 90))
    image.save(path, format="PNG", compress_level=1)  # flat colours: fast zlib costs 30 % in size, saves 60 ms
    return path


# The package ---------------------------------------------------------------------------

def _literal(value):
    """A metadata value that pandoc's Markdown reading leaves exactly as it is.

    pandoc reads metadata strings as Markdown: ``*`` would become emphasis,
    ``<b>`` raw HTML and "Dr. X" would get a no-break space.  Escaping every
    ASCII punctuation character keeps the text literal.
    """
    if isinstance(value, str):
        return re.sub(r"([!-/:-@\[-`{-~])", r"\\\1", value)
    if isinstance(value, list):
        return [_literal(item) for item in value]
    if isinstance(value, dict):
        return {key: value[key] if key == "role" else _literal(value[key]) for key in value}
    return value


def pandoc_metadata(info: EditionInfo, people: list[Creator], cover_alt: str) -> dict:
    """The pandoc metadata of one edition, every string kept literal."""
    return {key: _literal(value) for key, value in _metadata_fields(info, people, cover_alt).items()}


def _metadata_fields(info: EditionInfo, people: list[Creator], cover_alt: str) -> dict:
    meta = {
        "title": info.metadata_title,
        "lang": info.lang,
        "identifier": [{"scheme": "URN", "text": info.identifier}],
        "creator": [{"role": "aut", "text": p.name, "file-as": p.file_as} for p in people],
        "date": info.pubdate[:10],
        "publisher": info.publisher,
        "description": info.description,
        "subject": info.keywords,
        "rights": info.rights_statement,
        "cover-image-alt": cover_alt,
    }
    if info.translators:
        meta["contributor"] = [{"role": "trl", "text": name} for name in info.translators]
    if info.series:
        meta["belongs-to-collection"] = info.series
        if info.series_number:
            meta["group-position"] = info.series_number
    return {k: v for k, v in meta.items() if v not in ("", [], None)}


def run_pandoc(source: bytes, metadata: dict, stylesheets: list[Path], fonts: list[Path], cover: Path,
               epoch: int) -> bytes:
    """pandoc's EPUB 3 writer, confined to a folder holding only its inputs."""
    with tempfile.TemporaryDirectory(prefix="pressrun-epub-") as work:
        work_dir = Path(work)
        (work_dir / "edition.xhtml").write_bytes(source)
        (work_dir / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False), encoding="utf-8")
        copies = {path: work_dir / path.name for path in [*stylesheets, *fonts, cover]}
        for original, copy in copies.items():
            copy.write_bytes(original.read_bytes())
        target = work_dir / "edition.epub"
        args = ["--toc", "--toc-depth=2", "--split-level=1", f"--resource-path={work_dir}",
                "--metadata-file=metadata.json", f"--epub-cover-image={cover.name}",
                f"--metadata=lang:{metadata['lang']}"]
        args += [f"--css={path.name}" for path in stylesheets]
        args += [f"--epub-embed-font={path.name}" for path in fonts]
        try:
            with pinned_source_date(epoch):
                pypandoc.convert_file(str(work_dir / "edition.xhtml"), "epub3", format="html",
                                      outputfile=str(target), extra_args=args, cworkdir=str(work_dir))
        except (RuntimeError, OSError) as exc:
            raise ToolError(f"pandoc could not write the EPUB: {exc}") from exc
        return target.read_bytes()


def complete_package(epub: bytes, info: EditionInfo, relations: list[str], words: NavigationWords,
                     epoch: int) -> bytes:
    """Add what pandoc does not write to the OPF and navigation, and repack the container reproducibly."""
    with zipfile.ZipFile(io.BytesIO(epub)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    opf_name = next(name for name in entries if name.endswith(".opf"))
    _drop_generated_title_page(entries, opf_name)
    chapters = sorted(n for n in entries if re.search(r"/text/ch\d+\.xhtml$", n))
    page_targets = []
    for name in chapters:
        entries[name], labels = _finish_chapter(entries[name], info.title, words)
        page_targets += [(label, f"{_href(name)}#page-{label}") for label in labels]
    first_chapter = _href(chapters[0])
    entries[opf_name] = _complete_opf(entries[opf_name], info, relations, bool(page_targets))
    for name in entries:
        if name.endswith("nav.xhtml"):
            entries[name] = _localized_nav(entries[name], words, first_chapter, page_targets)
        elif name.endswith(".ncx"):
            entries[name] = _consistent_ncx(entries[name], entries[opf_name], words.pages, page_targets)
        elif name.endswith("/cover.xhtml"):
            entries[name] = _cover_with_text_alternative(entries[name], words.cover_alt)
    entries[opf_name] = _localized_guide(entries[opf_name], words, first_chapter)
    return repack(entries, epoch)


def _href(name: str) -> str:
    """A chapter's address relative to the package document and the navigation (``text/ch001.xhtml``)."""
    return name.rsplit("/", 2)[-2] + "/" + name.rsplit("/", 1)[-1]


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=True)


def _finish_chapter(chapter: bytes, title: str, words: NavigationWords) -> tuple[bytes, list[str]]:
    """The article's title as the chapter's ``<title>``; numbered notes with back links; page breaks.

    Returns the chapter and the labels of the pages that begin in it, in order.
    """
    root = etree.fromstring(chapter, safe_parser())
    root.find(f"{H}head/{H}title").text = title
    _number_notes(root, words)
    labels = _page_breaks(root)
    return _xml(root), labels


def _page_breaks(root: etree._Element) -> list[str]:
    """Each page marker becomes an EPUB page break (``pagebreak``, ``doc-pagebreak``) named ``page-N``."""
    labels = []
    for marker in root.xpath("//h:span[@class=$marker]", marker=PAGE_MARKER, namespaces=NS):
        label = marker.attrib.pop("data-page")
        del marker.attrib["class"]
        marker.set(f"{{{EPUB_NS}}}type", "pagebreak")
        marker.set("role", "doc-pagebreak")
        marker.set("id", f"page-{label}")
        marker.set("aria-label", label)
        labels.append(label)
    return labels


def _number_notes(root: etree._Element, words: NavigationWords) -> None:
    """Each footnote opens with its number and ends with a link back to its call (pandoc writes neither)."""
    for number, note in enumerate(root.xpath("//h:aside[@epub:type='footnote'][@id]", namespaces=NS), 1):
        calls = root.xpath("//h:a[@href=$target][@id]", target=f"#{note.get('id')}", namespaces=NS)
        paragraphs = note.xpath("h:p", namespaces=NS)
        if not calls or not paragraphs:
            continue
        first, last = paragraphs[0], paragraphs[-1]
        label = etree.Element(f"{H}span", {"class": "note-number"})
        label.text, label.tail = f"{number}.", " " + (first.text or "")
        first.text = None
        first.insert(0, label)
        _append_text(last, " ")
        back = etree.SubElement(last, f"{H}a", {"href": f"#{calls[0].get('id')}", "role": "doc-backlink",
                                                "aria-label": words.note_back.format(number=number)})
        back.text = "↩"


def _append_text(element: etree._Element, text: str) -> None:
    if len(element):
        element[-1].tail = (element[-1].tail or "") + text
    else:
        element.text = (element.text or "") + text


def _localized_nav(nav: bytes, words: NavigationWords, first_chapter: str,
                   page_targets: list[tuple[str, str]]) -> bytes:
    """The table of contents headed and the landmarks labelled in the edition's language, with bodymatter;
    the page list of the PDF's pages."""
    root = etree.fromstring(nav, safe_parser())
    for marker in root.xpath("//h:span[@class=$marker]", marker=PAGE_MARKER, namespaces=NS):
        _remove_keeping_tail(marker)  # a heading's page marker, copied into its table of contents entry
    if page_targets:
        _add_page_list(root, words.pages, page_targets)
    for heading in root.xpath("//h:nav[@epub:type='toc']/h:h1", namespaces=NS):
        heading.text = words.contents
    labels = {"cover": words.cover, "toc": words.contents}
    for link in root.xpath("//h:nav[@epub:type='landmarks']//h:a", namespaces=NS):
        link.text = labels.get(link.get(f"{{{EPUB_NS}}}type"), link.text)
    for listing in root.xpath("//h:nav[@epub:type='landmarks']/h:ol", namespaces=NS):
        if not listing.xpath("h:li/h:a[@epub:type='bodymatter']", namespaces=NS):
            item = etree.SubElement(listing, f"{H}li")
            etree.SubElement(item, f"{H}a", {"href": first_chapter, f"{{{EPUB_NS}}}type": "bodymatter"}).text = \
                words.start
    return _xml(root)


def _remove_keeping_tail(element: etree._Element) -> None:
    """Remove an element but not the text after it (lxml's ``remove`` takes both)."""
    parent, previous = element.getparent(), element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + (element.tail or "")
    else:
        parent.text = (parent.text or "") + (element.tail or "")
    parent.remove(element)


def _add_page_list(root: etree._Element, heading: str, page_targets: list[tuple[str, str]]) -> None:
    """A hidden ``page-list`` nav after the others: one link per page of the PDF, labelled with its number."""
    body = root.find(f"{H}body")
    nav = etree.SubElement(body, f"{H}nav", {f"{{{EPUB_NS}}}type": "page-list", "role": "doc-pagelist",
                                             "id": "page-list", "hidden": ""})
    etree.SubElement(nav, f"{H}h1").text = heading
    listing = etree.SubElement(nav, f"{H}ol")
    for label, href in page_targets:
        etree.SubElement(etree.SubElement(listing, f"{H}li"), f"{H}a", href=href).text = label


def _localized_guide(opf: bytes, words: NavigationWords, first_chapter: str) -> bytes:
    """The EPUB 2 guide labelled like the landmarks, with the start of the text."""
    root = etree.fromstring(opf, safe_parser())
    labels = {"cover": words.cover, "toc": words.contents}
    for guide in root.xpath("//opf:guide", namespaces=NS):
        for reference in guide.xpath("opf:reference", namespaces=NS):
            reference.set("title", labels.get(reference.get("type"), reference.get("title", "")))
        if not guide.xpath("opf:reference[@type='text']", namespaces=NS):
            etree.SubElement(guide, f"{{{OPF_NS}}}reference", type="text", title=words.start, href=first_chapter)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def _consistent_ncx(ncx: bytes, opf: bytes, heading: str, page_targets: list[tuple[str, str]]) -> bytes:
    """The NCX ``cover`` meta names the manifest id of the cover image (pandoc writes one that does not exist);
    the NCX lists the pages like the navigation's page list."""
    root = etree.fromstring(ncx, safe_parser())
    if page_targets:
        _ncx_page_list(root, heading, page_targets)
    cover_ids = etree.fromstring(opf, safe_parser()).xpath("//opf:item[@properties='cover-image']/@id", namespaces=NS)
    for meta in root.xpath("//ncx:head/ncx:meta[@name='cover']", namespaces=NS):
        if cover_ids:
            meta.set("content", cover_ids[0])
        else:
            meta.getparent().remove(meta)
    return _xml(root)


def _ncx_page_list(root: etree._Element, heading: str, page_targets: list[tuple[str, str]]) -> None:
    """An NCX ``pageList`` after the ``navMap`` and the page count in the head (EPUB 2 reading systems)."""
    ncx = f"{{{NCX_NS}}}"
    for name, value in (("dtb:totalPageCount", len(page_targets)), ("dtb:maxPageNumber", len(page_targets))):
        for meta in root.xpath("//ncx:head/ncx:meta[@name=$name]", name=name, namespaces=NS):
            meta.set("content", str(value))
    page_list = etree.Element(f"{ncx}pageList")
    root.find(f"{ncx}navMap").addnext(page_list)
    etree.SubElement(etree.SubElement(page_list, f"{ncx}navLabel"), f"{ncx}text").text = heading
    for label, href in page_targets:
        target = etree.SubElement(page_list, f"{ncx}pageTarget", id=f"pageTarget-{label}", type="normal", value=label)
        etree.SubElement(etree.SubElement(target, f"{ncx}navLabel"), f"{ncx}text").text = label
        etree.SubElement(target, f"{ncx}content", src=href)


def _cover_with_text_alternative(cover: bytes, alternative: str) -> bytes:
    """The cover's SVG is an image with a title: its text alternative."""
    root = etree.fromstring(cover, safe_parser())
    for svg in root.xpath("//svg:svg", namespaces=NS):
        svg.set("role", "img")
        svg.set("aria-label", alternative)
        title = etree.Element(f"{{{SVG_NS}}}title")
        title.text = alternative
        svg.insert(0, title)
    return _xml(root)


def _drop_generated_title_page(entries: dict[str, bytes], opf_name: str) -> None:
    """Remove pandoc's own title page: the edition's title block already opens the book."""
    page = next((name for name in entries if name.endswith("/title_page.xhtml")), None)
    if page is None:
        return
    href = page.rsplit("/", 2)[-2] + "/" + page.rsplit("/", 1)[-1]
    del entries[page]
    for name, path in ((opf_name, f"//opf:item[@href='{href}']"),):
        root = etree.fromstring(entries[name], safe_parser())
        ns = {"opf": OPF_NS}
        for item in root.xpath(path, namespaces=ns):
            for ref in root.xpath(f"//opf:itemref[@idref='{item.get('id')}']", namespaces=ns):
                ref.getparent().remove(ref)
            item.getparent().remove(item)
        entries[name] = etree.tostring(root, encoding="UTF-8", xml_declaration=True)
    for name in [n for n in entries if n.endswith(("nav.xhtml", ".ncx"))]:
        root = etree.fromstring(entries[name], safe_parser())
        for link in root.xpath(f"//*[contains(@href, '{href}') or contains(@src, '{href}')]"):
            holder = link.getparent()
            if etree.QName(holder).localname in ("li", "navPoint"):
                holder.getparent().remove(holder)
        entries[name] = etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def _complete_opf(data: bytes, info: EditionInfo, relations: list[str], paginated: bool) -> bytes:
    """Source, relations and accessibility metadata; with page breaks, the PDF edition as their source."""
    root = etree.fromstring(data, safe_parser())
    metadata = root.find(f"{{{OPF_NS}}}metadata")
    prefixes = root.get("prefix", "")
    if "schema:" not in prefixes:
        root.set("prefix", (prefixes + " schema: http://schema.org/").strip())
    if is_safe_url(info.source_url, SOURCE_URL_SCHEMES) and metadata.find(f"{{{DC_NS}}}source") is None:
        etree.SubElement(metadata, f"{{{DC_NS}}}source").text = info.source_url
    for relation in relations:
        etree.SubElement(metadata, f"{{{DC_NS}}}relation").text = relation
    present = {(m.get("property"), m.text) for m in metadata.iter(f"{{{OPF_NS}}}meta")}
    pagination = PAGINATION + (("pageBreakSource", f"{info.metadata_title} (PDF, {info.identifier})"),)
    summary = ACCESSIBILITY_SUMMARY + (PAGINATION_SUMMARY if paginated else "")
    for prop, value in ACCESSIBILITY + (pagination if paginated else ()) + (("schema:accessibilitySummary", summary),):
        if (prop, value) not in present:
            etree.SubElement(metadata, f"{{{OPF_NS}}}meta", property=prop).text = value
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True)


def repack(entries: dict[str, bytes], epoch: int) -> bytes:
    """An OCF container: ``mimetype`` first and stored, then every entry in name order, fixed dates."""
    stamp = datetime.fromtimestamp(max(epoch, 315532800), tz=timezone.utc).timetuple()[:6]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        order = ["mimetype"] + sorted(name for name in entries if name != "mimetype")
        for name in order:
            item = zipfile.ZipInfo(name, date_time=stamp)
            item.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            item.external_attr = 0o644 << 16
            item.create_system = 3
            archive.writestr(item, entries[name], compresslevel=9 if name != "mimetype" else None)
    return buffer.getvalue()


def edition_text(xhtml: bytes) -> str:
    return "".join(etree.fromstring(xhtml, safe_parser()).itertext())


def build_epub(xhtml: bytes, info: EditionInfo, stylesheets: list[Path], epoch: int,
               pages: list[PageStart]) -> bytes:
    """The EPUB 3 of one edition, from its XHTML, metadata record and the page map of its PDF."""
    words = info.navigation
    with tempfile.TemporaryDirectory(prefix="pressrun-assets-") as work:
        folder = Path(work)
        fonts = subset_fonts(edition_text(xhtml), folder)
        cover = draw_cover(info, info.language_name, folder / "cover.png")
        typography = folder / "typography.css"
        typography.write_text(quotes_css(), encoding="utf-8")
        stylesheets = [typography, *stylesheets]
        metadata = pandoc_metadata(info, info.creators, words.cover_alt)
        uses_tool("pandoc")
        epub = run_pandoc(pandoc_source(xhtml, pages), metadata, stylesheets, fonts, cover, epoch)
    return complete_package(epub, info, info.relations, words, epoch)
