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

from conftest import AVIM_ID, ROOT, TURAN_ID, make_project, require_ace, require_command

PRESSRUN = [sys.executable, "-m", "pressrun"]
GATES = 10
ACE_GATE, CALIBRE_GATE = "DAISY Ace: no accessibility violation", "calibre reads every edition's metadata"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    require_command("msgfmt")
    require_command("ebook-meta")
    require_ace()
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
    result = subprocess.run(["make", "-f", str(ROOT / "Makefile"), "check", "SETUP=", "CHECK_SETUP=", "ACE_SETUP=",
                             f"RUN={sys.executable} -m pressrun"], cwd=built, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "pressrun: 0 built, 26 up to date, 0 failed" in result.stderr, result.stderr
    rows = [line for line in result.stdout.splitlines() if line.rstrip().endswith(("pass", "FAIL"))]
    assert len(rows) == GATES and all(row.rstrip().endswith("pass") for row in rows), result.stdout


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
    _rewrite_epub(project.epub_path(AVIM_ID, "ru"), _inaccessible)
    _retitle(project.pdf_path(AVIM_ID, "az"), project.epub_path(AVIM_ID, "az"))

    result = subprocess.run(PRESSRUN + ["check", "--json"], cwd=root, capture_output=True, text=True)
    assert result.returncode == 4 and "Traceback" not in result.stderr, result.stderr
    gates = {gate["gate"]: gate for gate in json.loads(result.stdout)}
    assert len(gates) == GATES and not any(gate["passed"] for gate in gates.values())
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
    ace = gates[ACE_GATE]["failures"]
    assert ace[0].startswith(f"build/epub/en/{AVIM_ID}.epub: Ace failed: ENOENT") and "nav.xhtml" in ace[0], ace
    assert ace[1:] == [f"build/epub/ru/{AVIM_ID}.epub: svg-img-alt (serious) at text/cover.xhtml svg",
                       f"build/epub/ru/{AVIM_ID}.epub: html-has-lang (serious) at text/ch001.xhtml html"], ace
    title = _title(project, AVIM_ID, "az")
    assert gates[CALIBRE_GATE]["failures"] == [
        f"build/{kind}/az/{AVIM_ID}.{kind}: Title: calibre reads 'Retitled', the edition says {title!r}"
        for kind in ("pdf", "epub")]


def _inaccessible(name, data):
    """An EPUB entry whose cover image lost its text alternative, or whose chapter lost its language."""
    if name.endswith("cover.xhtml"):
        return re.sub(rb'(<svg[^>]*?) aria-label="[^"]*">\s*<title>[^<]*</title>', rb"\1>", data, count=1)
    if name.endswith("ch001.xhtml"):
        return re.sub(rb'(<html[^>]*?) lang="[^"]*" xml:lang="[^"]*"', rb"\1", data, count=1)
    return data


def _retitle(pdf_path, epub_path):
    """A PDF and an EPUB whose metadata title is no longer the edition's."""
    import pikepdf
    with pikepdf.open(pdf_path, allow_overwriting_input=True) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = "Retitled"
        pdf.docinfo["/Title"] = "Retitled"
        pdf.save(pdf_path)
    _rewrite_epub(epub_path, lambda name, data: re.sub(rb"(<dc:title[^>]*>)[^<]*", rb"\1Retitled", data)
                  if name.endswith(".opf") else data)


def _title(project, doc_id, lang):
    from pressrun.editions.edition import read_info
    return read_info(project.edition_info_path(doc_id, lang).read_bytes()).title


def _path_with_only(folder, *tools: str) -> str:
    """A PATH holding nothing but ``tools`` (found on this machine) and this Python."""
    folder.mkdir()
    for tool in tools:
        (folder / tool).symlink_to(require_command(tool))
    (folder / "python").symlink_to(sys.executable)
    return str(folder)


def _calibre_pdf_helpers() -> list[str]:
    """The commands calibre runs to read a PDF, as calibre itself names them: calibre's dependencies, not pressrun's."""
    result = subprocess.run([require_command("calibre-debug"), "-c",
                             "from calibre.ebooks.metadata.pdf import get_tools; print(*get_tools())"],
                            capture_output=True, text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_gates_need_no_system_java_node_or_schema(built, tmp_path):
    """EPUBCheck runs on the PyPI Java runtime, Ace on the PyPI Node.js and the PDF gates on PyPI readers:
    a PATH with only msgfmt, Debian's chromium and calibre (with the commands chromium's launcher
    calls, and the helpers calibre itself runs to read a PDF) passes."""
    env = {**os.environ, "PATH": _path_with_only(tmp_path / "bin", "msgfmt", "chromium", "uname", "grep",
                                                 "ebook-meta", "calibre-debug", *_calibre_pdf_helpers())}
    env.pop("JAVA_HOME", None)
    result = subprocess.run(PRESSRUN + ["check", "--json"], cwd=built, capture_output=True, text=True, env=env)
    gates = {gate["gate"]: gate for gate in json.loads(result.stdout)}
    assert result.returncode == 0, gates
    assert gates["EPUBCheck: no error, no warning"]["checked"] == 6
    assert gates[ACE_GATE]["checked"] == 6 and gates[CALIBRE_GATE]["checked"] == 12


def test_missing_tools_fail_their_gates_saying_where_they_come_from(built, tmp_path):
    env = {**os.environ, "PATH": _path_with_only(tmp_path / "bin")}
    result = subprocess.run(PRESSRUN + ["check", "--json"], cwd=built, capture_output=True, text=True, env=env)
    assert result.returncode == 4 and "Traceback" not in result.stderr
    failed = {gate["gate"]: gate["failures"] for gate in json.loads(result.stdout) if not gate["passed"]}
    assert failed == {
        "msgfmt -c on every catalog": [
            "msgfmt is not installed: it comes with GNU gettext (Debian/Ubuntu: gettext; macOS: brew install gettext)"],
        ACE_GATE: ["chromium is not installed: it comes with Debian's chromium package (apt-get install chromium)"],
        CALIBRE_GATE: ["ebook-meta is not installed: it comes with calibre (Debian/Ubuntu: apt-get install calibre)"],
    }


def test_ace_not_installed_says_how_to_install_it(tmp_path, monkeypatch):
    from pressrun.engine import inspection
    from pressrun.errors import ToolError
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    with pytest.raises(ToolError, match=r"Ace not installed in .*: run `make check` \(npm packages @daisy/ace-core, "
                                        r"@daisy/ace-axe-runner-puppeteer from .*package-lock.json\)"):
        inspection.ace_tools()
