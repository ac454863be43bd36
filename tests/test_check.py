"""Release gates: `make check` passes on a full build, and each gate fails on the damage it exists for."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile

import pytest

from pressrun.engine import build
from pressrun.config import load_project

from conftest import AVIM_ID, ROOT, TURAN_ID, make_project, require_command

PRESSRUN = [sys.executable, "-m", "pressrun"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    require_command("msgfmt")
    project = load_project(make_project(tmp_path_factory.mktemp("check")))
    outcomes = build.run(project, build.STAGES, jobs=2)
    assert {o.status for o in outcomes} == {"built"}
    return project.root


def _rewrite_epub(path, change):
    """Rewrite an EPUB with ``change(name, data) -> data or None`` (None drops the entry)."""
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w") as archive:
        for info, data in entries:
            data = change(info.filename, data)
            if data is not None:
                archive.writestr(info, data)


def _replace(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def test_make_check_passes_on_a_full_build(built):
    result = subprocess.run(["make", "-f", str(ROOT / "Makefile"), "check", "SETUP=", "CHECK_SETUP=",
                             f"RUN={sys.executable} -m pressrun"], cwd=built, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pressrun: 0 built, 26 up to date, 0 failed" in result.stderr, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.rstrip().endswith(("pass", "FAIL"))]
    assert len(rows) == 8 and all(row.rstrip().endswith("pass") for row in rows), result.stdout


def test_every_gate_fails_on_its_own_damage(built, tmp_path):
    import pikepdf
    root = tmp_path / "damaged"
    shutil.copytree(built, root)
    project = load_project(root)
    _replace(project.master_path(AVIM_ID, "ru"), "</article>", "<bogus/></article>")
    first_msgstr = re.compile(r'(\nmsgid "[^"]+"\nmsgstr "[^"]+)"')
    po = project.po_path("az", TURAN_ID)
    po.write_text(first_msgstr.sub(r'\1\\n"', po.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    ru = project.po_path("ru", AVIM_ID)
    _replace(ru, 'msgstr "Блог AVİM"', 'msgstr "Блог <emphasis>AVİM</emphasis>"')
    _replace(ru, 'msgstr "Все права защищены"', 'msgstr ""')
    _replace(ru, "„Партнёрство ради мира“", "„Партнёрство во имя мира“")
    _rewrite_epub(project.epub_path(AVIM_ID, "en"), lambda name, data: None if name.endswith("nav.xhtml") else data)
    _rewrite_epub(project.epub_path(TURAN_ID, "az"),
                  lambda name, data: re.sub(rb"<p>[^<]{200,}</p>", b"", data, count=1) if name.endswith("ch001.xhtml") else data)
    with pikepdf.open(project.pdf_path(TURAN_ID, "en"), allow_overwriting_input=True) as pdf:
        del pdf.Root["/StructTreeRoot"]
        pdf.save(project.pdf_path(TURAN_ID, "en"))

    result = subprocess.run(PRESSRUN + ["check", "--json"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 4 and "Traceback" not in result.stderr, result.stderr
    gates = {gate["gate"]: gate for gate in json.loads(result.stdout)}
    assert len(gates) == 8 and not any(gate["passed"] for gate in gates.values())
    expected = {  # gate: (where every failure points, what the first one says)
        "masters valid DocBook 5.0": (f"build/master/ru/{AVIM_ID}.xml:", "Did not expect element"),
        "msgfmt -c on every catalog": (f"az/LC_MESSAGES/{TURAN_ID}.po:", "end with '\\n'"),
        "inline tags of every translation": (f"ru/LC_MESSAGES/{AVIM_ID}.po:", "inline tags (emphasis) do not match"),
        "terminology of translations/glossary.tbx": (f"ru/LC_MESSAGES/{AVIM_ID}.po:",
                                                     "forbidden term «Партнёрство во имя мира»"),
        "translations at least 100% complete": (f"{AVIM_ID} [ru]", "93.8% complete"),
        "EPUBCheck: no error, no warning": (f"build/epub/en/{AVIM_ID}.epub", "nav.xhtml\" could not be found"),
        "PDF tagged, fonts embedded, metadata present": (f"build/pdf/en/{TURAN_ID}.pdf", "not tagged"),
        "PDF and EPUB carry the same paragraphs": (f"{TURAN_ID} [az]", "differs"),
    }
    for name, (where, what) in expected.items():
        failures = gates[name]["failures"]
        assert failures and all(where in failure for failure in failures) and what in failures[0], gates[name]


def _path_with_only(folder, *tools: str) -> str:
    """A PATH holding nothing but ``tools`` (found on this machine) and this Python."""
    folder.mkdir()
    for tool in tools:
        (folder / tool).symlink_to(require_command(tool))
    (folder / "python").symlink_to(sys.executable)
    return str(folder)


def test_gates_need_no_system_java_poppler_or_schema(built, tmp_path):
    """EPUBCheck runs on the PyPI Java runtime and the PDF gates on PyPI readers: a PATH with only msgfmt passes."""
    env = {**os.environ, "PATH": _path_with_only(tmp_path / "bin", "msgfmt")}
    env.pop("JAVA_HOME", None)
    result = subprocess.run(PRESSRUN + ["check", "--json"], cwd=built, capture_output=True, text=True, env=env)
    gates = {gate["gate"]: gate for gate in json.loads(result.stdout)}
    assert result.returncode == 0, gates
    assert gates["EPUBCheck: no error, no warning"]["checked"] == 6


def test_missing_msgfmt_fails_its_gate_saying_where_it_comes_from(built, tmp_path):
    env = {**os.environ, "PATH": _path_with_only(tmp_path / "bin")}
    result = subprocess.run(PRESSRUN + ["check", "--json"], cwd=built, capture_output=True, text=True, env=env)
    assert result.returncode == 4 and "Traceback" not in result.stderr
    gates = {gate["gate"]: gate for gate in json.loads(result.stdout)}
    assert gates["msgfmt -c on every catalog"]["failures"] == [
        "msgfmt is not installed: it comes with GNU gettext (Debian/Ubuntu: gettext; macOS: brew install gettext)"]
    assert [name for name, gate in gates.items() if not gate["passed"]] == ["msgfmt -c on every catalog"]
