"""PDF library metadata: WeasyPrint's PDF → the same PDF with one complete metadata record.

In: the PDF WeasyPrint wrote, open in pikepdf, and the edition's
:class:`~pressrun.editions.edition.EditionInfo`.
Out: the same PDF, changed in place, with an XMP packet carrying the record library tools read (calibre,
Zotero): Dublin Core title, ordered creators, language, publication date,
publisher, identifier, description, rights and source; the identifier also as
``xmp:Identifier``; the series as ``calibre:series`` and PRISM's
``publicationName``/``number``; ``xmp:MetadataDate`` equal to the Info
dictionary's ``ModDate`` so that readers take the XMP record. Every field the
master does not state stays absent. WeasyPrint's own descriptions
(``pdfuaid:part``, producer, dates) are kept; the Info dictionary gets the same
title, authors and description. :func:`pressrun.editions.pdf.finish` saves it.
"""

from __future__ import annotations

import pikepdf
from lxml import etree

from .edition import EditionInfo

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
NAMESPACES = {
    "rdf": RDF,
    "x": "adobe:ns:meta/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "xmp": "http://ns.adobe.com/xap/1.0/",
    "xmpidq": "http://ns.adobe.com/xmp/Identifier/qual/1.0/",
    "prism": "http://prismstandard.org/namespaces/basic/2.0/",
    "calibre": "http://calibre-ebook.com/xmp-namespace",
    "calibreSI": "http://calibre-ebook.com/xmp-namespace-series-index",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OWN_NAMESPACES = {NAMESPACES[p] for p in ("dc", "xmpidq", "prism", "calibre", "calibreSI")}
PACKET_START = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
PACKET_END = '\n<?xpacket end="r"?>'


def _q(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


def _container(parent: etree._Element, name: str, kind: str, values: list[str], lang: str | None = None) -> None:
    holder = etree.SubElement(etree.SubElement(parent, _q(name)), _q(f"rdf:{kind}"))
    for value in values:
        item = etree.SubElement(holder, _q("rdf:li"))
        item.text = value
        if lang:
            item.set(XML_LANG, lang)


def _dublin_core(description: etree._Element, info: EditionInfo) -> None:
    """The Dublin Core fields the master states, in the containers XMP prescribes."""
    _container(description, "dc:title", "Alt", [info.metadata_title], "x-default")
    if info.authors:
        _container(description, "dc:creator", "Seq", info.authors)
    _container(description, "dc:language", "Bag", [info.lang])
    if info.pubdate:
        _container(description, "dc:date", "Seq", [info.pubdate[:10]])
    if info.publisher:
        _container(description, "dc:publisher", "Bag", [info.publisher])
    etree.SubElement(description, _q("dc:identifier")).text = info.identifier
    if info.description:
        _container(description, "dc:description", "Alt", [info.description], "x-default")
    if info.rights_statement:
        _container(description, "dc:rights", "Alt", [info.rights_statement], "x-default")
    if info.source_url:
        etree.SubElement(description, _q("dc:source")).text = info.source_url
    if info.keywords:
        _container(description, "dc:subject", "Bag", info.keywords)


def _identifier(description: etree._Element, identifier: str) -> None:
    """``xmp:Identifier`` with its scheme (``urn:uuid:…`` → scheme ``uuid``)."""
    scheme, _, value = identifier.removeprefix("urn:").partition(":")
    bag = etree.SubElement(etree.SubElement(description, _q("xmp:Identifier")), _q("rdf:Bag"))
    item = etree.SubElement(bag, _q("rdf:li"), {_q("rdf:parseType"): "Resource"})
    etree.SubElement(item, _q("xmpidq:Scheme")).text = scheme
    etree.SubElement(item, _q("rdf:value")).text = value


def _series(description: etree._Element, info: EditionInfo) -> None:
    if not info.series:
        return
    etree.SubElement(description, _q("prism:publicationName")).text = info.series
    series = etree.SubElement(description, _q("calibre:series"), {_q("rdf:parseType"): "Resource"})
    etree.SubElement(series, _q("rdf:value")).text = info.series
    if info.series_number:
        etree.SubElement(description, _q("prism:number")).text = info.series_number
        etree.SubElement(series, _q("calibreSI:series_index")).text = info.series_number


def library_packet(existing: bytes | None, info: EditionInfo, metadata_date: str) -> bytes:
    """WeasyPrint's XMP packet with pressrun's record in place of its Dublin Core."""
    rdf = None
    if existing:
        rdf = etree.fromstring(existing).find(f".//{{{RDF}}}RDF")
    if rdf is None:
        meta = etree.Element(_q("x:xmpmeta"), nsmap={"x": NAMESPACES["x"]})
        rdf = etree.SubElement(meta, _q("rdf:RDF"), nsmap={"rdf": RDF})
    for description in rdf.findall(_q("rdf:Description")):
        if _is_replaced(description):
            rdf.remove(description)
    ours = etree.SubElement(rdf, _q("rdf:Description"), {_q("rdf:about"): ""},
                            nsmap={p: NAMESPACES[p] for p in NAMESPACES if p not in ("x", "rdf")})
    _dublin_core(ours, info)
    _identifier(ours, info.identifier)
    _series(ours, info)
    etree.SubElement(ours, _q("xmp:MetadataDate")).text = metadata_date
    etree.cleanup_namespaces(rdf.getroottree().getroot(), top_nsmap={p: NAMESPACES[p] for p in NAMESPACES})
    body = etree.tostring(rdf.getroottree().getroot(), encoding="unicode")
    return (PACKET_START + body + PACKET_END).encode("utf-8")


def _is_replaced(description: etree._Element) -> bool:
    """A description holding only Dublin Core (or a metadata date), which pressrun writes itself."""
    names = [child.tag for child in description] + [name for name in description.attrib if name != _q("rdf:about")]
    return bool(names) and all(etree.QName(name).namespace in OWN_NAMESPACES or name == _q("xmp:MetadataDate")
                               for name in names)


def _xmp_date(pdf_date: str) -> str:
    """``D:20261204`` (Info dictionary) → ``2026-12-04`` (XMP)."""
    digits = pdf_date.removeprefix("D:")
    return f"{digits[0:4]}-{digits[4:6]}-{digits[6:8]}"


def add_library_metadata(pdf: pikepdf.Pdf, info: EditionInfo) -> None:
    """Give the open PDF the complete record in XMP and a consistent Info dictionary."""
    docinfo = pdf.docinfo
    docinfo["/Title"] = info.metadata_title
    if info.authors:
        docinfo["/Author"] = ", ".join(info.authors)
    if info.description:
        docinfo["/Subject"] = info.description
    existing = pdf.Root.Metadata.read_bytes() if "/Metadata" in pdf.Root else None
    stamp = _xmp_date(str(docinfo.get("/ModDate", f"D:{info.edition_date.replace('-', '')}")))
    stream = pikepdf.Stream(pdf, library_packet(existing, info, stamp))
    stream.Type, stream.Subtype = pikepdf.Name.Metadata, pikepdf.Name.XML
    pdf.Root.Metadata = pdf.make_indirect(stream)
