"""Unit tests of the ingest stage: reading seeds, profiles, names, dates."""

from __future__ import annotations

import codecs

import pytest

from pressrun.errors import InputError
from pressrun.sources.ingest import IngestReport, ingest, parse_blocks, parse_name, read_seed
from pressrun.document.langs import lower, parse_date, slugify, upper
from pressrun.document.model import Sourced
from pressrun.sources.profiles import builtin_profiles, choose_profile

from conftest import AVIM_SEED, SEEDS, TURAN_SEED


def _read(path, max_bytes=10_000):
    report = IngestReport(seed=path.name)
    return read_seed(path, max_bytes, report), report


def test_empty_seed_is_an_error_naming_the_file(tmp_path):
    seed = tmp_path / "empty.txt"
    seed.write_text("  \n\n")
    with pytest.raises(InputError) as caught:
        _read(seed)
    assert "empty seed" in str(caught.value) and "empty.txt" in str(caught.value)


def test_windows_1251_seed_is_an_error_with_line(tmp_path):
    seed = tmp_path / "cp1251.txt"
    seed.write_bytes("Title\n\nПривет мир\n".encode("cp1251"))
    with pytest.raises(InputError) as caught:
        _read(seed)
    assert caught.value.line == 3 and "not valid UTF-8" in caught.value.message


def test_utf16_with_bom_is_decoded_with_a_warning(tmp_path):
    seed = tmp_path / "utf16.txt"
    seed.write_bytes(codecs.BOM_UTF16_LE + "Title\n\nBody text.\n".encode("utf-16-le"))
    text, report = _read(seed)
    assert text.startswith("Title")
    assert any("UTF-16" in p.message for p in report.problems)


def test_crlf_is_normalized_with_a_warning(tmp_path):
    seed = tmp_path / "crlf.txt"
    seed.write_bytes(b"Title\r\n\r\nBody\r\n")
    text, report = _read(seed)
    assert "\r" not in text and any("CRLF" in p.message for p in report.problems)


def test_binary_and_oversized_seeds_are_refused(tmp_path):
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"Title\n\x00\x01\x02")
    with pytest.raises(InputError, match="binary"):
        _read(binary)
    large = tmp_path / "large.txt"
    large.write_text("word " * 5000)
    with pytest.raises(InputError, match="limit"):
        _read(large, max_bytes=1000)


def test_seed_without_a_title_is_an_error(tmp_path):
    seed = tmp_path / "untitled.txt"
    seed.write_text("* only\n* a list\n")
    with pytest.raises(InputError, match="no recognizable title"):
        ingest(seed, max_bytes=10_000)


def test_blocks_carry_their_seed_lines():
    text = (SEEDS / AVIM_SEED).read_text(encoding="utf-8")
    blocks = parse_blocks(text)
    title = blocks[0]
    assert (title.start, title.end) == (5, 6)
    assert all(b.start >= 1 for b in blocks)
    assert [b.form for b in blocks].count("rule") == 1


def test_profiles_are_chosen_by_their_detect_rules():
    profiles = builtin_profiles()
    assert choose_profile((SEEDS / AVIM_SEED).read_text(), profiles).name == "avim-blog"
    assert choose_profile((SEEDS / TURAN_SEED).read_text(), profiles).name == "turan-analytics"
    assert choose_profile("Some Title\n\nBody.\n", profiles).name == "generic"


@pytest.mark.parametrize("text, iso", [
    ("02.12.2024", "2024-12-02"),
    ("2017 November 25 ( Saturday ) 12:51:33", "2017-11-25T12:51:33"),
    ("June 10, 2026", "2026-06-10"),
    ("2017-11-01", "2017-11-01"),
    ("Published: 3 March 2021", "2021-03-03"),
    ("NATO and Azerbaijan", None),
])
def test_dates_in_common_formats(text, iso):
    assert parse_date(text) == iso


def test_names_are_split_into_parts():
    person = parse_name(Sourced("Dr. Jakub KOREJBA"), ["Dr.", "Prof."], "en")
    assert (person.honorific, person.firstname, person.surname) == ("Dr.", "Jakub", "Korejba")


def test_turkic_case_mapping():
    assert lower("İLHAM ƏLİYEV", "az") == "ilham əliyev"
    assert lower("ISPARTA", "tr") == "ısparta"
    assert upper("ilham", "az") == "İLHAM"
    assert parse_name(Sourced("İlham ƏLİYEV"), [], "az").surname == "Əliyev"


def test_slugs_are_ascii():
    assert slugify("NATO-Azerbaijan: Contact and Differences") == "nato-azerbaijan-contact-and-differences"
    assert slugify("Ильхам Алиев") == "ilkham-aliev"
    assert slugify("Azərbaycan İncəsənəti") == "azerbaycan-inceseneti"
