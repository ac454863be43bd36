"""Language-aware text helpers: Turkic case mapping, dates, language identification, slugs.

Python's ``str.lower`` maps ``İ`` to ``i`` + U+0307 and ``I`` to ``i``,
which is wrong for Azerbaijani and Turkish (``İ``→``i``, ``I``→``ı``).
Every case mapping in pressrun goes through :func:`lower` / :func:`upper`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path

from ..engine.dependencies import package_file

TURKIC = {"az", "tr", "crh", "kk", "tt"}


def lower(text: str, lang: str | None) -> str:
    if (lang or "").split("-")[0] in TURKIC:
        text = text.replace("İ", "i").replace("I", "ı")
    return text.lower()


def upper(text: str, lang: str | None) -> str:
    if (lang or "").split("-")[0] in TURKIC:
        text = text.replace("i", "İ").replace("ı", "I")
    return text.upper()


def capitalize_word(word: str, lang: str | None) -> str:
    """``KOREJBA`` → ``Korejba``; hyphenated parts each capitalized."""
    return "-".join(upper(part[:1], lang) + lower(part[1:], lang) for part in word.split("-"))


def language_table() -> dict:
    """``rules/languages.toml``: the languages recognized in seeds."""
    return _language_table(package_file("rules/languages.toml"))


@lru_cache(maxsize=1)
def _language_table(path: Path) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _date_parser():
    import dateparser
    table = language_table()
    labels = "|".join(re.escape(label) for label in sorted(table["date_labels"], key=len, reverse=True))
    settings = {"STRICT_PARSING": True, "PARSERS": ["absolute-time"], "DATE_ORDER": "DMY",
                "PREFER_LOCALE_DATE_ORDER": False, "RETURN_AS_TIMEZONE_AWARE": False}
    parser = dateparser.date.DateDataParser(languages=table["dates"], settings=settings)
    return parser, re.compile(rf"^(?:{labels})\s*:?\s*", re.IGNORECASE)


_TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}:\d{2})?$")


def parse_date(text: str) -> str | None:
    """An ISO 8601 date (or date-time when the text has a time), or None.

    Month and weekday names in every language of ``rules/languages.toml``
    are read by dateparser; a weekday in parentheses is removed first, and
    a date must state day, month and year (no relative dates, no guessing).
    """
    parser, label = _date_parser()
    cleaned = re.sub(r"\(\s*[^()\d]+\s*\)", " ", text)
    cleaned = re.sub(r"(\d)(?:st|nd|rd|th)\b", r"\1", cleaned)
    cleaned = re.sub(r"\s+", " ", label.sub("", cleaned.strip())).strip()
    if not cleaned or not any(ch.isdigit() for ch in cleaned):
        return None
    if _ISO.match(cleaned):
        return cleaned.replace(" ", "T") if len(cleaned) > 10 else cleaned
    found = parser.get_date_data(cleaned).date_obj
    if found is None:
        return None
    return found.replace(tzinfo=None).isoformat() if _TIME.search(cleaned) else found.date().isoformat()


@lru_cache(maxsize=1)
def _detector():
    from lingua import IsoCode639_1, LanguageDetectorBuilder
    codes = [getattr(IsoCode639_1, code.upper()) for code in language_table()["detect"]]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()


def identify_language(text: str) -> tuple[str | None, float]:
    """The language of ``text`` among ``rules/languages.toml`` ``detect``, and lingua's confidence."""
    if not text.strip():
        return None, 0.0
    values = _detector().compute_language_confidence_values(text)
    if not values:
        return None, 0.0
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), best.value


_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
     "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"],
))
_LATIN_EXTRA = {"ə": "e", "ı": "i", "ğ": "g", "ş": "s", "ç": "c", "ö": "o", "ü": "u", "q": "q", "x": "x"}


def slugify(text: str, max_length: int = 60) -> str:
    """An ASCII slug: lowercase words joined by hyphens, cut at a word boundary."""
    lowered = lower(text, "az")
    spelled = "".join(_CYRILLIC.get(ch, _LATIN_EXTRA.get(ch, ch)) for ch in lowered)
    ascii_text = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > max_length:
            break
        slug = candidate
    return slug
