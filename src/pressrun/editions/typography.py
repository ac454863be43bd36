"""Typography as CSS: ``rules/typography.toml`` → each language's quotation marks.

In: the per-language quotation marks of ``rules/typography.toml`` (the table
ingest also uses to straighten a seed's quotes).  Out: the ``quotes`` rules
the PDF and the EPUB are styled with, and the characters the EPUB's font
subsets must keep.  The marks are written once, in that table; the
stylesheets in ``styles/`` come after these rules and may still override them.
"""

from __future__ import annotations

from ..sources.profiles import load_rules_table


def _marks() -> dict[str, dict[str, str]]:
    return {lang: entry["quotes"] for lang, entry in sorted(load_rules_table("typography.toml").items())
            if "quotes" in entry}


def quotes_css() -> str:
    """``:lang(xx) { quotes: … }`` for every language of the table: outer marks, then inner."""
    rules = []
    for lang, quotes in _marks().items():
        outer, inner = quotes["DoubleQuote"], quotes["SingleQuote"]
        marks = " ".join(f'"{mark}"' for mark in (outer[0], outer[1], inner[0], inner[1]))
        rules.append(f":lang({lang}) {{ quotes: {marks}; }}")
    return "\n".join(rules) + "\n"


def quote_characters() -> str:
    """Every quotation mark of every language (kept in font subsets)."""
    return "".join(sorted({mark for quotes in _marks().values() for pair in quotes.values() for mark in pair}))
