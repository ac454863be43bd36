"""Readiness: what each edition language has and what it still needs.

In: the project's languages, ``translations/<lang>/LC_MESSAGES/pressrun.po``,
pyphen's dictionaries and ``rules/hyphenation.toml``, ``rules/typography.toml``,
``styles/lang-<lang>.css``, ``rules/alphabets.toml`` with the edition fonts'
character maps, and Babel's CLDR data.
Out: one :class:`Check` per need and language, for ``pressrun languages`` and
the warnings of a build.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import pyphen
from babel import Locale, UnknownLocaleError

from ..config import Project
from ..document.langs import upper
from ..errors import PressrunError
from ..sources.profiles import load_rules_table
from ..translation import catalogs
from . import edition, hyphenation
from .fonts import font_files


@dataclass
class Check:
    lang: str
    need: str
    ok: bool
    detail: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def language_checks(project: Project, lang: str) -> list[Check]:
    return [_labels(project, lang), _hyphenation(lang), _quotes(lang), _stylesheet(project, lang),
            _font_coverage(lang), _cldr(project, lang)]


def report(project: Project) -> list[Check]:
    return [check for lang in project.languages for check in language_checks(project, lang)]


def _labels(project: Project, lang: str) -> Check:
    if lang == edition.CODE_LANGUAGE:
        return Check(lang, "labels catalog", True, "the language of pressrun's own labels")
    path = project.po_path(lang, edition.STRINGS_DOMAIN)
    try:
        found = catalogs.stats(catalogs.read_catalog(path, lang), edition.STRINGS_DOMAIN, lang)
    except (PressrunError, OSError):
        return Check(lang, "labels catalog", False, f"no readable {path.name}: run `make catalogs`, then translate it")
    return Check(lang, "labels catalog", found.percent == 100,
                 f"{found.percent:.0f} % of {found.messages} labels translated")


def _hyphenation(lang: str) -> Check:
    if lang in hyphenation.generated_languages():
        return Check(lang, "hyphenation", True, "patterns generated from rules/hyphenation.toml")
    if pyphen.language_fallback(lang):
        return Check(lang, "hyphenation", True, f"pyphen dictionary {pyphen.language_fallback(lang)}")
    return Check(lang, "hyphenation", False, "no dictionary: add syllabification rules to rules/hyphenation.toml")


def _quotes(lang: str) -> Check:
    rules = load_rules_table("typography.toml").get(lang)
    if rules and rules.get("quotes"):
        return Check(lang, "quotation marks", True, " ".join(rules["quotes"].values()))
    return Check(lang, "quotation marks", False, "none in rules/typography.toml")


def _stylesheet(project: Project, lang: str) -> Check:
    path = project.styles_dir / f"lang-{lang}.css"
    return Check(lang, "typography stylesheet", path.is_file(),
                 path.name if path.is_file() else f"no styles/{path.name} (hyphenation limits)")


@lru_cache(maxsize=1)
def _font_characters() -> frozenset[int]:
    from fontTools.ttLib import TTFont
    covered: set[int] = set()
    for path in font_files():
        covered |= set(TTFont(str(path), lazy=True).getBestCmap())
    return frozenset(covered)


def _font_coverage(lang: str) -> Check:
    alphabet = load_rules_table("alphabets.toml").get(lang)
    if not alphabet:
        return Check(lang, "font coverage", False, "no alphabet in rules/alphabets.toml to check")
    letters = alphabet + upper(alphabet, lang)
    missing = sorted({letter for letter in letters if ord(letter) not in _font_characters()})
    return Check(lang, "font coverage", not missing,
                 f"missing {''.join(missing)}" if missing else f"all {len(set(letters))} letters")


def _cldr(project: Project, lang: str) -> Check:
    try:
        locale = Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return Check(lang, "CLDR data", False, "Babel has no locale data")
    names = [other for other in project.languages if other not in locale.languages]
    if "long" not in locale.date_formats:
        return Check(lang, "CLDR data", False, "Babel has no long date format")
    if names:
        return Check(lang, "CLDR data", False, f"no names for {', '.join(names)}")
    return Check(lang, "CLDR data", True, "dates and language names")
