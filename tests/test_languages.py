"""Adding a language: `pressrun languages` and the build's warnings say what it still needs."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import AVIM_SEED, make_project
from pressrun.editions import hyphenation

PRESSRUN = [sys.executable, "-m", "pressrun"]


@pytest.fixture(scope="module")
def turkish_project(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("tr"), [AVIM_SEED])
    config = root / "pyproject.toml"
    config.write_text(config.read_text(encoding="utf-8").replace('languages = ["en", "ru", "az"]',
                                                                 'languages = ["en", "ru", "az", "tr"]'),
                      encoding="utf-8")
    return root


def _report(root) -> dict:
    result = subprocess.run(PRESSRUN + ["languages", "--json"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return {(c["lang"], c["need"]): c for c in json.loads(result.stdout)}


def test_the_committed_languages_need_nothing(turkish_project):
    report = _report(turkish_project)
    assert all(c["ok"] for (lang, _need), c in report.items() if lang != "tr"), report


def test_a_new_language_reports_what_it_lacks(turkish_project):
    report = _report(turkish_project)
    assert not report[("tr", "labels catalog")]["ok"]
    assert not report[("tr", "typography stylesheet")]["ok"]
    assert report[("tr", "hyphenation")]["ok"] and "generated" in report[("tr", "hyphenation")]["detail"]
    assert report[("tr", "quotation marks")]["ok"]
    assert report[("tr", "font coverage")]["ok"], report[("tr", "font coverage")]
    assert report[("tr", "CLDR data")]["ok"]


def test_a_build_warns_about_the_new_language(turkish_project):
    result = subprocess.run(PRESSRUN + ["master"], cwd=turkish_project, capture_output=True, text=True)
    assert "warning: language tr: labels catalog" in result.stderr, result.stderr
    assert "warning: language ru" not in result.stderr


@pytest.mark.parametrize("word, expected", [("kitaplar", "ki-tap-lar"), ("anlamak", "an-la-mak"),
                                            ("saat", "sa-at"), ("İstanbul", "İs-tan-bul")])
def test_turkish_hyphenation_from_syllabification_rules(tmp_path, word, expected):
    hyphenation.register(tmp_path)
    assert hyphenation.hyphenate(word, "tr") == expected
