"""Completeness: which translations are published editions and which are drafts.

In: the project's catalogs ``translations/<lang>/LC_MESSAGES/<doc-id>.po`` and
``[tool.pressrun] min_publish`` (percent of messages translated, default 80).
Out: the share of a document's messages translated in one language, and the
languages in which the document is published.  An edition below the
threshold is built only as a draft (banner, watermark, "DRAFT" in its
metadata) and no other edition advertises it.  The original language is
always published.
"""

from __future__ import annotations

from lxml import etree

from ..config import Project
from ..document.model import XML_LANG
from ..engine.dependencies import note, uses
from ..errors import InputError
from .catalogs import read_catalog, stats


def catalog_state(project: Project, doc_id: str, lang: str) -> tuple[float, int]:
    """Percent of the document's messages translated in ``lang`` and the number left untranslated or
    fuzzy; (0, 0) without a readable catalog (a broken one fails its own merge step)."""
    path = project.po_path(lang, doc_id)
    try:
        found = stats(read_catalog(path, lang), doc_id, lang) if note(path).is_file() else None
    except InputError:
        found = None
    return (found.percent, found.untranslated + found.fuzzy) if found else (0.0, 0)


def translated_percent(project: Project, doc_id: str, lang: str) -> float:
    """Percent of the document's messages translated in ``lang``."""
    return catalog_state(project, doc_id, lang)[0]


def draft_percent(project: Project, doc_id: str, lang: str, source_lang: str) -> float | None:
    """The completeness of a draft edition, or None when the edition is published."""
    if lang == source_lang:
        return None
    percent = translated_percent(project, doc_id, lang)
    return percent if percent < uses("min_publish", project.min_publish) else None


def published_languages(project: Project, doc_id: str, source_lang: str) -> list[str]:
    """The project languages whose edition of the document is not a draft."""
    return [lang for lang in project.languages if draft_percent(project, doc_id, lang, source_lang) is None]


def source_language(project: Project, doc_id: str) -> str:
    """The language of a document's master (read from its root element only; "" without a master)."""
    try:
        for _event, root in etree.iterparse(str(note(project.master_path(doc_id))), events=("start",)):
            return root.get(XML_LANG, "")
    except (OSError, etree.XMLSyntaxError):
        return ""
    return ""


def publication(project: Project, doc_id: str, lang: str) -> dict:
    """What an edition states about the document's translations: the published languages and,
    for a draft, its completeness (part of the edition steps' keys)."""
    source = source_language(project, doc_id)
    percent, fallbacks = catalog_state(project, doc_id, lang) if lang != source else (100.0, 0)
    return {"published": published_languages(project, doc_id, source),
            "draft_percent": draft_percent(project, doc_id, lang, source), "min_publish": project.min_publish,
            "translated_percent": percent, "fallbacks": fallbacks}
