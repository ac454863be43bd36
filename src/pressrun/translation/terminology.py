"""Terminology: the project's termbase (TBX) and the gate that holds translations to it.

In: ``translations/glossary.tbx``, a TBX (ISO 30042, ``martif``) termbase:
one ``termEntry`` per concept with a ``langSet`` per language and one ``tig``
per term; a term whose ``termNote type="administrativeStatus"`` is
``deprecatedTerm-admn-sts`` (or ``supersededTerm-admn-sts``) is forbidden,
every other term of the language is accepted.  The ``martif`` element's
``xml:lang`` is the source language of the glossary.
Out: findings for one catalog: a translated message whose msgid contains a
source term but whose msgstr contains none of the accepted target terms
(nor the source term as written: a citation of the original keeps its
spelling), or that contains a forbidden term.  Terms are matched through inflection, as
``rules/terminology.toml`` says per language (dictionary forms with pymorphy3
for Russian, stems for Azerbaijani and Turkish).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from babel.messages.catalog import Catalog
from lxml import etree

from ..document.master import safe_parser
from ..errors import InputError
from ..sources.profiles import load_rules_table

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
FORBIDDEN_STATUSES = {"deprecatedTerm-admn-sts", "supersededTerm-admn-sts"}
_WORD = re.compile(r"[^\W_]+(?:[-’'][^\W_]+)*")


@dataclass
class Term:
    text: str
    forbidden: bool = False


@dataclass
class TermEntry:
    entry_id: str
    line: int
    terms: dict[str, list[Term]] = field(default_factory=dict)  # language → terms

    def accepted(self, lang: str) -> list[str]:
        return [term.text for term in self.terms.get(lang, []) if not term.forbidden]

    def forbidden(self, lang: str) -> list[str]:
        return [term.text for term in self.terms.get(lang, []) if term.forbidden]


@dataclass
class Termbase:
    source_lang: str
    entries: list[TermEntry]


@dataclass
class Finding:
    line: int | None
    message: str


def read_termbase(path: Path) -> Termbase:
    """The TBX file as a :class:`Termbase` (InputError naming file and line when it is not one)."""
    try:
        root = etree.parse(str(path), safe_parser()).getroot()
    except etree.XMLSyntaxError as exc:
        raise InputError(f"not well-formed XML: {exc.msg}", path, exc.lineno) from None
    if etree.QName(root).localname != "martif" or not root.get(XML_LANG):
        raise InputError("not a TBX termbase: the root must be <martif xml:lang=\"…\">", path, root.sourceline)
    entries = []
    for entry in root.iter("termEntry"):
        terms: dict[str, list[Term]] = {}
        for lang_set in entry.iter("langSet"):
            lang = lang_set.get(XML_LANG)
            if not lang:
                raise InputError("<langSet> without xml:lang", path, lang_set.sourceline)
            for tig in lang_set.iter("tig"):
                text = " ".join("".join(tig.findtext("term") or "").split())
                if not text:
                    raise InputError("<tig> without a <term>", path, tig.sourceline)
                status = tig.findtext("termNote[@type='administrativeStatus']") or ""
                terms.setdefault(lang, []).append(Term(text, status.strip() in FORBIDDEN_STATUSES))
        entries.append(TermEntry(entry.get("id", ""), entry.sourceline, terms))
    return Termbase(root.get(XML_LANG), entries)


# Matching -------------------------------------------------------------------------

def _rules(lang: str) -> dict:
    return load_rules_table("terminology.toml")["languages"].get(lang, {})


def _fold(text: str, lang: str) -> str:
    text = text.casefold()
    for letter, replacement in _rules(lang).get("fold", {}).items():
        text = text.replace(letter, replacement)
    return text


@lru_cache(maxsize=1)
def _morph():
    import pymorphy3
    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=50_000)
def _lemma(word: str) -> str:
    return _morph().parse(word)[0].normal_form


def _words(text: str, lang: str) -> list[str]:
    return _WORD.findall(_fold(re.sub(r"<[^>]*>", " ", text), lang))


def _stem(word: str, rules: dict) -> str:
    keep = max(rules.get("min_stem", 4), len(word) - rules.get("strip", 2))
    return word[:keep]


def contains_term(text: str, term: str, lang: str) -> bool:
    """Whether ``term`` occurs in ``text`` in any inflected form (rules/terminology.toml)."""
    rules = _rules(lang)
    text_words, term_words = _words(text, lang), _words(term, lang)
    if not term_words:
        return False
    if rules.get("match") == "morphology":
        text_words = [_fold(_lemma(word), lang) for word in text_words]
        term_words = [_fold(_lemma(word), lang) for word in term_words]
        match = str.__eq__
    elif rules.get("match") == "prefix":
        def match(text_word, term_word):
            return text_word.startswith(_stem(term_word, rules))
    else:
        match = str.__eq__
    size = len(term_words)
    return any(all(match(text_words[start + i], term_words[i]) for i in range(size))
               for start in range(len(text_words) - size + 1))


def contains_source_term(text: str, term: str) -> bool:
    """Whether an English-style source ``term`` occurs in ``text`` (any case, plural -s/-es)."""
    words = [re.escape(word) for word in term.split()]
    pattern = r"\b" + r"\s+".join(words) + r"(?:s|es)?\b"
    return re.search(pattern, re.sub(r"<[^>]*>", " ", text), re.IGNORECASE) is not None


# The gate ---------------------------------------------------------------------------

def check_catalog(catalog: Catalog, lang: str, termbase: Termbase) -> list[Finding]:
    """Terminology findings for the translated messages of one catalog in ``lang``."""
    findings = []
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        for entry in termbase.entries:
            findings += _check_message(message, entry, lang, termbase.source_lang)
    return findings


def _check_message(message, entry: TermEntry, lang: str, source_lang: str) -> list[Finding]:
    found = []
    for term in entry.forbidden(lang):
        if contains_term(message.string, term, lang):
            found.append(Finding(message.lineno, f"forbidden term «{term}» ({entry.entry_id})"))
    accepted = entry.accepted(lang)
    sources = [term for term in entry.accepted(source_lang)
               if contains_source_term(message.id, term) and not contains_source_term(message.string, term)]
    if accepted and sources and not any(contains_term(message.string, term, lang) for term in accepted):
        wanted = " / ".join(f"«{term}»" for term in accepted)
        found.append(Finding(message.lineno, f"“{sources[0]}” is not translated as {wanted} ({entry.entry_id})"))
    return found
