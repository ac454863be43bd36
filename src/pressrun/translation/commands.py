"""Catalog commands: the project's masters → POT and PO files, progress and the memory.

In: the source masters in ``build/master/`` and ``translations/``.  Out:
``translations/<doc-id>.pot``, ``translations/<lang>/LC_MESSAGES/<doc-id>.po``
(created or updated, empty messages pre-filled from the translation memory),
the edition strings' ``pressrun.pot``/``pressrun.po``, and progress figures.
These run outside the build graph (``pressrun extract|update|catalogs|stats``):
they write what translators edit, never what editions are built from.
"""

from __future__ import annotations

from pathlib import Path

from ..config import Project
from ..document.master import read_master
from ..document.model import XML_ID, XML_LANG, XPATH_NS
from ..editions import edition
from ..engine.stages import Outcome
from ..errors import InputError, PressrunError
from . import catalogs, memory


def _masters(project: Project):
    """(doc_id, tree) for every source master, in a stable order."""
    for path in project.masters():
        tree = read_master(path)
        yield tree.getroot().get(XML_ID) or path.stem, tree


def _title(tree) -> str:
    return tree.xpath("string(/db:article/db:info/db:title)", namespaces=XPATH_NS)


def extract_catalogs(project: Project) -> list[Outcome]:
    """Write ``translations/<doc-id>.pot`` for every master."""
    outcomes = []
    for doc_id, tree in _masters(project):
        target = project.pot_path(doc_id)
        written = catalogs.write_catalog(target, catalogs.extract(tree, doc_id))
        outcomes.append(Outcome("extract", doc_id, "built" if written else "skipped", target))
    return outcomes


def update_catalogs(project: Project, compendia: list[Path] | None = None) -> list[Outcome]:
    """Create or update ``translations/<lang>/LC_MESSAGES/<doc-id>.po`` for every language,
    filling empty messages from the translation memory (other documents, then ``compendia``)."""
    outcomes = []
    units = {lang: memory.project_units(project.translations_dir, lang)
             + memory.compendium_units(list(compendia or []), lang) for lang in project.languages}
    for doc_id, tree in _masters(project):
        template = catalogs.extract(tree, doc_id)
        for lang in project.languages:
            target = project.po_path(lang, doc_id)
            try:
                old = catalogs.read_catalog(target, lang) if target.is_file() else None
                new = catalogs.update(catalogs.language_template(template, tree, lang), old, lang, doc_id,
                                      _title(tree))
                memory.prefill(new, units[lang], doc_id)
                written = catalogs.write_catalog(target, new)
                outcomes.append(Outcome("update", f"{doc_id} [{lang}]", "built" if written else "skipped", target))
            except PressrunError as error:
                outcomes.append(Outcome("update", f"{doc_id} [{lang}]", "failed", error=error))
    return outcomes


def memory_units(project: Project) -> list[tuple[str, str, memory.Unit]]:
    """Every reviewed translation of the project's documents as (source language, language, unit)."""
    found = []
    for doc_id, tree in _masters(project):
        source = tree.getroot().get(XML_LANG, "")
        for lang in project.languages:
            path = project.po_path(lang, doc_id)
            if lang != source and path.is_file():
                found += [(source, lang, unit) for unit in memory.units_of(catalogs.read_catalog(path, lang), doc_id)]
    return found


def catalog_stats(project: Project) -> list[catalogs.CatalogStats]:
    results = []
    for doc_id, _tree in _masters(project):
        for lang in project.languages:
            path = project.po_path(lang, doc_id)
            if not path.is_file():
                raise InputError("catalog missing: run `pressrun update`", path)
            results.append(catalogs.stats(catalogs.read_catalog(path, lang), doc_id, lang))
    for lang in project.languages:
        path = project.po_path(lang, edition.STRINGS_DOMAIN)
        if lang != edition.CODE_LANGUAGE and path.is_file():
            results.append(catalogs.stats(catalogs.read_catalog(path, lang), edition.STRINGS_DOMAIN, lang))
    return results


# Edition strings (the "pressrun" domain) ------------------------------------------

def extract_strings(project: Project) -> list[Outcome]:
    """Extract the words editions add themselves into ``translations/pressrun.pot``
    and update ``translations/<lang>/LC_MESSAGES/pressrun.po``."""
    template = catalogs.extract_code_strings(project.languages)
    outcomes = []
    target = project.pot_path(edition.STRINGS_DOMAIN)
    written = catalogs.write_catalog(target, template)
    outcomes.append(Outcome("extract", edition.STRINGS_DOMAIN, "built" if written else "skipped", target))
    for lang in project.languages:
        if lang == edition.CODE_LANGUAGE:
            continue
        path = project.po_path(lang, edition.STRINGS_DOMAIN)
        label = f"{edition.STRINGS_DOMAIN} [{lang}]"
        try:
            old = catalogs.read_catalog(path, lang) if path.is_file() else None
            new = catalogs.update(template, old, lang, edition.STRINGS_DOMAIN, "pressrun edition strings")
            written = catalogs.write_catalog(path, new)
            outcomes.append(Outcome("update", label, "built" if written else "skipped", path))
        except PressrunError as error:
            outcomes.append(Outcome("update", label, "failed", error=error))
    return outcomes
