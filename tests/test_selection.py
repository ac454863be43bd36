"""Build what you ask for: `pressrun pdf|epub|all|master [DOC-ID…] [--lang L…]`."""

from __future__ import annotations

import subprocess
import sys

from conftest import AVIM_ID, TURAN_ID, make_project

PRESSRUN = [sys.executable, "-m", "pressrun"]


def run(args, cwd):
    return subprocess.run(PRESSRUN + args, cwd=cwd, capture_output=True, text=True)


def built(folder, pattern):
    return sorted(str(path.relative_to(folder / "build")) for path in (folder / "build").glob(pattern))


def test_only_the_named_document_and_languages_are_built(tmp_path):
    make_project(tmp_path)
    result = run(["epub", TURAN_ID, "--lang", "ru", "--lang", "az", "-v"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert built(tmp_path, "master/*.xml") == [f"master/{AVIM_ID}.xml", f"master/{TURAN_ID}.xml"]
    assert built(tmp_path, "master/*/*.xml") == [f"master/az/{TURAN_ID}.xml", f"master/ru/{TURAN_ID}.xml"]
    assert built(tmp_path, "epub/*/*") == [f"epub/az/{TURAN_ID}.epub", f"epub/ru/{TURAN_ID}.epub"]
    # the EPUB's page list follows the PDF's pages: the PDF of each asked edition is built first
    assert built(tmp_path, "pdf/*/*.pdf") == [f"pdf/az/{TURAN_ID}.pdf", f"pdf/ru/{TURAN_ID}.pdf"]
    assert "pressrun: 10 built" in result.stderr  # 2 ingests, then merge, edition, pdf, epub × 2


def test_unknown_document_or_language_is_refused(tmp_path):
    make_project(tmp_path)
    result = run(["master", "no-such-article"], tmp_path)
    assert result.returncode == 65 and "Traceback" not in result.stderr
    assert (f"error: no seed gives the document 'no-such-article' (known: {AVIM_ID}, {TURAN_ID})"
            in result.stderr.splitlines())
    result = run(["pdf", "--lang", "tr"], tmp_path)
    assert result.returncode == 2
    assert "tr is not one of the project's languages (en, ru, az)" in result.stderr
