"""Language-aware text helpers: Turkic case mapping, dates, slugs.

Python's ``str.lower`` maps ``İ`` to ``i`` + U+0307 and ``I`` to ``i``,
which is wrong for Azerbaijani and Turkish (``İ``→``i``, ``I``→``ı``).
Every case mapping in pressrun goes through :func:`lower` / :func:`upper`.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

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


#: Date layouts seen in seeds, most specific first.  A weekday in
#: parentheses is removed before matching.
DATE_FORMATS = (
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y %B %d %H:%M:%S",
    "%Y-%m-%d",
    "%d.%m.%Y",
    "%d/%m/%Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%Y %B %d",
)
_TIME_FORMATS = {"%H"}


def parse_date(text: str) -> str | None:
    """An ISO 8601 date (or date-time when the text has a time), or None."""
    cleaned = re.sub(r"\(\s*\w+\s*\)", " ", text)
    cleaned = re.sub(r"^(?:Published|Date|Posted)\s*:?\s*", "", cleaned.strip(), flags=re.I)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    for layout in DATE_FORMATS:
        try:
            moment = datetime.strptime(cleaned, layout)
        except ValueError:
            continue
        return moment.isoformat() if "%H" in layout else moment.date().isoformat()
    return None


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
