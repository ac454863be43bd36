"""Hyphenation dictionaries generated from syllabification rules.

In: the rules in ``pressrun/rules/hyphenation.toml`` (vowels and consonants
of a language whose syllables follow the Turkic pattern).
Out: a hyphen dictionary (the ``hyph_*.dic`` format of LibreOffice and
pyphen) in ``build/hyphenation/``, registered with pyphen so that
WeasyPrint hyphenates ``lang="az"`` text with it.

Pattern scheme (Liang's, as in TeX): an odd digit between letters allows a
break, an even digit forbids one, the highest digit wins.

* ``1cv`` for every consonant c and vowel v: break before a consonant that
  starts a syllable (a-ta, əl-ma, türk-lər);
* ``v1v`` for every pair of vowels: break between two vowels (mü-əl-lim);
* ``.c2c2`` for every pair of consonants at the start of a word: never split
  an initial cluster (stra-te-gi-ya, not s-t-ra-…).

Case mapping is Turkic (``İ``→``i``, ``I``→``ı``): the dictionary lowercases
words with :func:`pressrun.document.langs.lower`, because Python's ``str.lower``
turns ``İ`` into two characters and would shift every break point.
"""

from __future__ import annotations

from itertools import product
from pathlib import Path

import pyphen

from ..document.langs import lower
from ..engine.outputs import write_if_changed
from ..sources.profiles import load_rules_table


def patterns(lang: str) -> list[str]:
    rules = load_rules_table("hyphenation.toml")[lang]
    vowels, consonants = rules["vowels"], rules["consonants"]
    found = [f"1{c}{v}" for c, v in product(consonants, vowels)]
    found += [f"{v}1{w}" for v, w in product(vowels, vowels)]
    found += [f".{c}2{d}2" for c, d in product(consonants, consonants)]
    return found


def dictionary_text(lang: str) -> str:
    return "UTF-8\nLEFTHYPHENMIN 2\nRIGHTHYPHENMIN 2\n" + "\n".join(patterns(lang)) + "\n"


def generated_languages() -> list[str]:
    return sorted(load_rules_table("hyphenation.toml"))


class _TurkicHyphDict(pyphen.HyphDict):
    """A pyphen dictionary that lowercases with Turkic rules (length-preserving)."""

    def __init__(self, path: Path, lang: str):
        super().__init__(path)
        self.lang = lang

    def positions(self, word):
        return super().positions(lower(word, self.lang))


def register(folder: Path) -> dict[str, Path]:
    """Write the generated dictionaries into ``folder`` and make pyphen use them."""
    registered = {}
    for lang in generated_languages():
        path = folder / f"hyph_{lang}.dic"
        write_if_changed(path, dictionary_text(lang).encode("utf-8"))
        pyphen.LANGUAGES[lang] = path
        pyphen.LANGUAGES_LOWERCASE[lang] = lang
        pyphen.hdcache[path] = _TurkicHyphDict(path, lang)
        registered[lang] = path
    return registered


def hyphenate(word: str, lang: str, hyphen: str = "-") -> str:
    """The word with every allowed break shown (for tests and reports)."""
    return pyphen.Pyphen(lang=lang, left=1, right=1).inserted(word, hyphen)
