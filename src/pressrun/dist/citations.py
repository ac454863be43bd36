"""Citations: an edition record → CSL-JSON, BibTeX, RIS, and the citation a page shows.

In: an :class:`~.record.EditionRecord`.  Out: the text of the ``.json``,
``.bib`` and ``.ris`` files, and the citation rendered by pandoc's citeproc
in the edition's language with pandoc's built-in style (Chicago Manual of
Style, author-date), as an lxml element whose only markup is ``i`` and the
source link: what citeproc returns is rebuilt as text, never parsed into a page.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import lxml.html
import pypandoc
from lxml import etree

from ..editions.edition import append_text
from .record import EditionRecord, safe_url

#: The CSL style the citations on the pages follow (pandoc's default style).
CSL_STYLE = "Chicago Manual of Style 17th edition (author-date)"
#: A document citing every entry of the bibliography, so citeproc writes the reference list.
NOCITE_ALL = "---\nnocite: '@*'\n---\n"
BIBTEX_ESCAPED = re.compile(r"([{}%&$#_])")
BIBTEX_DROPPED = re.compile(r"[\\^~]")


def citation_key(record: EditionRecord) -> str:
    return f"{record.doc_id}-{record.lang}"


def _date_parts(iso: str) -> list[int]:
    return [int(part) for part in iso.split("-") if part.isdigit()]


def csl_item(record: EditionRecord) -> dict:
    """The CSL-JSON item of an edition; fields the source does not state stay absent."""
    item = {"id": citation_key(record), "type": "report", "title": record.title,
            "author": [{"literal": name} for name in record.authors], "language": record.lang,
            "publisher": record.publisher, "collection-title": record.series, "number": record.series_number,
            "abstract": record.abstract, "keyword": ", ".join(record.keywords), "URL": record.source_url,
            "translator": [{"literal": record.translator}] if record.translator else [],
            "note": record.identifier}
    if record.date:
        item["issued"] = {"date-parts": [_date_parts(record.date)]}
    return {key: value for key, value in item.items() if value}


def csl_json(record: EditionRecord) -> str:
    return json.dumps([csl_item(record)], ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _bibtex_text(text: str) -> str:
    """Text safe inside a braced BibTeX value: specials escaped, commands impossible."""
    return BIBTEX_ESCAPED.sub(r"\\\1", BIBTEX_DROPPED.sub(" ", " ".join(text.split())))


def bibtex(record: EditionRecord) -> str:
    """A ``@techreport`` entry; each author braced as one name (the sources give display names)."""
    authors = " and ".join("{" + _bibtex_text(name) + "}" for name in record.authors)
    fields = [("title", _bibtex_text(record.title)), ("author", authors),
              *((name, _bibtex_text(value)) for name, value in (
                  ("institution", record.publisher), ("type", record.series), ("number", record.series_number),
                  ("year", record.date[:4]), ("month", record.date[5:7]), ("date", record.date),
                  ("language", record.lang), ("url", record.source_url), ("abstract", record.abstract),
                  ("keywords", ", ".join(record.keywords)), ("translator", record.translator),
                  ("note", record.identifier)))]
    lines = [f"@techreport{{{citation_key(record)},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields if value]
    return "\n".join(lines) + "\n}\n"


def ris(record: EditionRecord) -> str:
    """A RIS record of type RPRT."""
    tags = [("TY", "RPRT"), ("TI", record.title), *(("AU", name) for name in record.authors),
            ("PY", record.date[:4]), ("DA", record.date.replace("-", "/")), ("PB", record.publisher),
            ("T3", record.series), ("VL", record.series_number), ("LA", record.lang), ("UR", record.source_url),
            ("AB", record.abstract), *(("KW", word) for word in record.keywords),
            ("A4", record.translator), ("M1", record.identifier)]
    lines = [f"{tag}  - {' '.join(value.split())}" for tag, value in tags if value]
    return "\r\n".join([*lines, "ER  - ", ""])


def rendered_citation(record: EditionRecord) -> etree._Element:
    """The citation as pandoc's citeproc writes it in the edition's language, rebuilt as a ``p``."""
    with tempfile.TemporaryDirectory(prefix="pressrun-cite-") as folder:
        bibliography = Path(folder) / "edition.json"
        bibliography.write_text(csl_json(record), encoding="utf-8")
        html = pypandoc.convert_text(NOCITE_ALL, "html", "markdown", extra_args=[
            "--citeproc", f"--bibliography={bibliography}", f"--metadata=lang={record.lang}", "--wrap=none"])
    entries = lxml.html.fragment_fromstring(html, create_parent="div").xpath("//*[@class='csl-entry']")
    paragraph = etree.Element("p", {"class": "csl-citation"})
    if entries:
        _copy_as_text(entries[0], paragraph)
    paragraph.text = (paragraph.text or "").lstrip()
    if len(paragraph):
        paragraph[-1].tail = (paragraph[-1].tail or "").rstrip()
    else:
        paragraph.text = paragraph.text.rstrip()
    return paragraph


def _copy_as_text(source, target: etree._Element) -> None:
    """Copy the text of ``source`` into ``target``, keeping only italics and allowed links as markup."""
    append_text(target, source.text)
    for child in source:
        if child.tag in ("i", "em"):
            copy = etree.SubElement(target, "i")
            copy.text = child.text_content()
        elif child.tag == "a" and safe_url(child.get("href", "")):
            copy = etree.SubElement(target, "a", {"href": safe_url(child.get("href"))})
            copy.text = child.text_content()
        else:
            append_text(target, child.text_content())
        append_text(target, child.tail)
