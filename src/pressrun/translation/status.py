"""Status page: the project's catalogs → one HTML page for a translation team.

In: ``commands.catalog_stats`` (every document and language, and the edition
strings), the catalogs' ``#. TM:`` comments and the terminology findings of
``translations/glossary.tbx``.
Out: a self-contained HTML page (no script, no external resource) with one
row per document and language: messages translated, fuzzy, untranslated,
filled from the translation memory, terminology findings, and whether the
edition is published or a draft.  Every value is text set with lxml, so no
catalog content becomes markup.
"""

from __future__ import annotations

from lxml import etree, html

from ..config import Project
from . import catalogs, commands, completeness, terminology
from .catalogs import MEMORY_COMMENT

STYLE = ("body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
         "th,td{border:1px solid #bbb;padding:.3em .6em;text-align:right}th:first-child,td:first-child,"
         "td:nth-child(2){text-align:left}.draft{color:#a00}.findings{color:#a00}")
COLUMNS = ("document", "language", "messages", "translated", "fuzzy", "untranslated", "TM-filled",
           "terminology findings", "complete", "edition")


def _memory_filled(catalog) -> int:
    return sum(1 for m in catalog if m.id and any(c.startswith(MEMORY_COMMENT) for c in m.auto_comments))


def _findings(project: Project, catalog, lang: str) -> int:
    path = project.translations_dir / "glossary.tbx"
    if not path.is_file():
        return 0
    termbase = terminology.read_termbase(path)
    return 0 if lang == termbase.source_lang else len(terminology.check_catalog(catalog, lang, termbase))


def rows(project: Project) -> list[dict]:
    """One row per catalog: the counts the page shows."""
    found = []
    for result in commands.catalog_stats(project):
        catalog = catalogs.read_catalog(project.po_path(result.lang, result.doc_id), result.lang)
        row = {"document": result.doc_id, "language": result.lang, "messages": result.messages,
               "translated": result.translated, "fuzzy": result.fuzzy, "untranslated": result.untranslated,
               "TM-filled": _memory_filled(catalog), "terminology findings": 0,
               "complete": f"{result.percent:.1f} %", "edition": ""}
        if result.doc_id != "pressrun":
            row["terminology findings"] = _findings(project, catalog, result.lang)
            source = completeness.source_language(project, result.doc_id)
            draft = completeness.draft_percent(project, result.doc_id, result.lang, source)
            row["edition"] = "original" if result.lang == source else ("draft" if draft is not None else "published")
        found.append(row)
    return found


def status_page(project: Project) -> bytes:
    """The status page as HTML bytes."""
    page = etree.Element("html", lang="en")
    head = etree.SubElement(page, "head")
    etree.SubElement(head, "meta", charset="utf-8")
    etree.SubElement(head, "title").text = "Translation status"
    etree.SubElement(head, "style").text = STYLE
    body = etree.SubElement(page, "body")
    etree.SubElement(body, "h1").text = "Translation status"
    etree.SubElement(body, "p").text = (f"Editions below {project.min_publish:g} % translated are drafts "
                                        "([tool.pressrun] min_publish).")
    table = etree.SubElement(body, "table")
    header = etree.SubElement(etree.SubElement(table, "thead"), "tr")
    for column in COLUMNS:
        etree.SubElement(header, "th", scope="col").text = column
    tbody = etree.SubElement(table, "tbody")
    for row in rows(project):
        line = etree.SubElement(tbody, "tr")
        for column in COLUMNS:
            cell = etree.SubElement(line, "td")
            cell.text = str(row[column])
            if column == "edition" and row[column] == "draft":
                cell.set("class", "draft")
            if column == "terminology findings" and row[column]:
                cell.set("class", "findings")
    return html.tostring(page, doctype="<!DOCTYPE html>", encoding="utf-8")
