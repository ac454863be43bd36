"""Generated Azerbaijani hyphenation patterns against known syllable breaks."""

from __future__ import annotations

import pyphen
import pytest

from pressrun.editions.hyphenation import dictionary_text, hyphenate, patterns, register

# Words with their syllables as Azerbaijani grammar divides them.
KNOWN = {
    "ata": "a-ta",
    "müəllim": "mü-əl-lim",
    "Azərbaycan": "A-zər-bay-can",
    "tərəfdaşlıq": "tə-rəf-daş-lıq",
    "beynəlxalq": "bey-nəl-xalq",
    "təhlükəsizliyi": "təh-lü-kə-siz-li-yi",
    "qarşıdurmanın": "qar-şı-dur-ma-nın",
    "türklər": "türk-lər",
    "strategiya": "stra-te-gi-ya",
    "İstiqlal": "İs-tiq-lal",
    "ILHAM": "IL-HAM",
    "İLHAM": "İL-HAM",
    "şeir": "şe-ir",
    "ağac": "a-ğac",
    "inkişaf": "in-ki-şaf",
    "ölkələrimizin": "öl-kə-lə-ri-mi-zin",
    "məsuliyyətli": "mə-su-liy-yət-li",
    "Qafqaz": "Qaf-qaz",
}


@pytest.fixture(scope="module", autouse=True)
def registered(tmp_path_factory):
    return register(tmp_path_factory.mktemp("hyph"))


@pytest.mark.parametrize("word, syllables", sorted(KNOWN.items()))
def test_known_syllable_breaks(word, syllables):
    assert hyphenate(word, "az") == syllables


def test_dictionary_format_is_what_pyphen_reads(registered):
    assert dictionary_text("az").startswith("UTF-8\n")
    assert "1qa" in patterns("az") and "ə1i" in patterns("az") and ".s2t2" in patterns("az")
    from_file = pyphen.HyphDict(registered["az"])  # a fresh parse of the file WeasyPrint will use
    for word in ("müəllim", "tərəfdaşlıq", "strategiya"):
        breaks = [index for index, char in enumerate(KNOWN[word]) if char == "-"]
        expected = [position - number for number, position in enumerate(breaks)]
        assert [p for p in from_file.positions(word) if 0 < p < len(word)] == expected
