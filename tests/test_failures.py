"""Failures stay in their step: bad input is one line naming the file, a bug is exit 70 with a crash report.

Each case is a mistake an editor makes (or a file an editor is sent) and the
exact message pressrun must give; the rest of the work is still done.
"""

from __future__ import annotations

import codecs
import json
import subprocess
import sys

from click.testing import CliRunner
from lxml import etree

from conftest import TURAN_ID, TURAN_SEED, make_project
from pressrun import cli
from pressrun.editions import edition
from pressrun.engine import stages
from pressrun.config import load_project
from pressrun.document.master import read_master
from pressrun.document.model import XPATH_NS

PRESSRUN = [sys.executable, "-m", "pressrun"]
NOTE = "A Note on Harbours\n\nBy Ayşe Yılmaz\n\nHarbours are where trade meets the sea, and ports keep records.\n"


def run(args, cwd):
    return subprocess.run(PRESSRUN + args, cwd=cwd, capture_output=True, text=True)


def errors(result) -> list[str]:
    assert "Traceback" not in result.stderr, result.stderr
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def note_project(tmp_path, sidecar: str | None = None, seed: bytes | None = None):
    """A project with one small seed of our own (and the Turan seed beside it) and an optional sidecar."""
    make_project(tmp_path, seeds=[TURAN_SEED])
    (tmp_path / "seeds" / "note.txt").write_bytes(seed if seed is not None else NOTE.encode())
    if sidecar is not None:
        (tmp_path / "seeds" / "note.meta.toml").write_text(sidecar, encoding="utf-8")
    return tmp_path


def master_info(tmp_path, doc_id: str, path: str) -> str:
    tree = read_master(tmp_path / "build" / "master" / f"{doc_id}.xml")
    return tree.xpath(f"string(/db:article/db:info/{path})", namespaces=XPATH_NS)


# Sidecars ---------------------------------------------------------------------------

def test_implausible_sidecar_date_is_refused_with_file_and_line(tmp_path):
    note_project(tmp_path, 'title = "A Note on Harbours"\ndate = "9999-12-31"\n')
    result = run(["ingest"], tmp_path)
    assert result.returncode == 65
    assert errors(result) == ["error: seeds/note.meta.toml:2: date = '9999-12-31' is not a plausible date "
                              "(year 9999)"]
    assert (tmp_path / "build" / "master" / f"{TURAN_ID}.xml").is_file()


def test_unquoted_toml_date_is_accepted(tmp_path):
    note_project(tmp_path, 'id = "harbours"\nlanguage = "en"\ndate = 2025-03-03\naccess_date = 2025-04-01T10:00:00\n')
    result = run(["ingest"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert master_info(tmp_path, "harbours", "db:pubdate") == "2025-03-03"
    report = json.loads((tmp_path / "build" / "reports" / "harbours.ingest.json").read_text(encoding="utf-8"))
    assert report["sidecar"]["date"] == "2025-03-03"


def test_script_source_url_is_refused_with_its_line(tmp_path):
    note_project(tmp_path, 'title = "A Note"\n\nsource_url = "javascript:alert(1)"\n')
    result = run(["ingest"], tmp_path)
    assert result.returncode == 65
    assert errors(result) == ["error: seeds/note.meta.toml:3: source_url = 'javascript:alert(1)' is not an "
                              "http(s) address"]


def test_path_in_sidecar_id_is_refused_by_name(tmp_path):
    note_project(tmp_path, 'id = "../../etc/harbours"\n')
    result = run(["ingest"], tmp_path)
    assert result.returncode == 65
    assert errors(result) == ["error: seeds/note.meta.toml:1: id = '../../etc/harbours' is not a document id: "
                              "use lowercase letters, digits and hyphens (it names the document's files)"]
    assert not (tmp_path / "etc").exists() and not (tmp_path / "build" / "etc").exists()


def test_invalid_sidecar_values_are_reported_with_their_line(tmp_path):
    note_project(tmp_path, 'title = "A Note"\nkeywords = "ports"\n')
    assert errors(run(["ingest"], tmp_path)) == [
        'error: seeds/note.meta.toml:2: keywords must be a list of text, e.g. keywords = ["…"]']
    (tmp_path / "seeds" / "note.meta.toml").write_text('title = "A Note"\n\nsubtitel = "typo"\n')
    assert errors(run(["ingest"], tmp_path)) == ["error: seeds/note.meta.toml:3: unknown metadata field 'subtitel'"]
    (tmp_path / "seeds" / "note.meta.toml").write_text('title = "A Note"\nauthors = [\n  "A. B.",\n')
    [message] = errors(run(["ingest"], tmp_path))
    assert message.startswith("error: seeds/note.meta.toml:3: sidecar is not valid TOML")


# Seeds ------------------------------------------------------------------------------

def test_byte_order_mark_before_another_encoding_is_one_line(tmp_path):
    note_project(tmp_path, seed=codecs.BOM_UTF8 + "Заголовок\n\nТекст статьи.\n".encode("cp1251"))
    result = run(["ingest"], tmp_path)
    assert result.returncode == 65
    assert errors(result) == ["error: seeds/note.txt:1: starts with a UTF-8 byte order mark but is not "
                              "UTF-8 text; save the file as UTF-8"]
    assert (tmp_path / "build" / "master" / f"{TURAN_ID}.xml").is_file()


def test_binary_file_behind_a_utf16_mark_is_refused(tmp_path):
    png_like = codecs.BOM_UTF16_LE + b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(0, 64))
    note_project(tmp_path, seed=png_like)
    assert errors(run(["ingest"], tmp_path)) == [
        "error: seeds/note.txt:1: binary data (control character U+0000), not a text file"]


def test_seed_outside_the_seeds_folder_is_refused(tmp_path):
    note_project(tmp_path)
    elsewhere = tmp_path / "drafts" / "note.txt"
    elsewhere.parent.mkdir()
    elsewhere.write_text(NOTE, encoding="utf-8")
    result = run(["ingest", str(elsewhere)], tmp_path)
    assert result.returncode == 65
    assert errors(result) == ["error: drafts/note.txt: not in the seeds folder seeds: copy the seed there, "
                              "then ingest it"]


def test_raw_markup_stays_visible_text(tmp_path):
    seed = NOTE + '\n<div class="box">Boxed <b>words</b> stay.</div>\n\n<!-- an editor\'s comment -->\n'
    note_project(tmp_path, 'id = "harbours"\n', seed.encode())
    assert run(["ingest"], tmp_path).returncode == 0
    text = master_info(tmp_path, "harbours", "..")
    assert '<div class="box">Boxed <b>words</b> stay.</div>' in text
    assert "<!-- an editor's comment -->" in text


# Document ids -------------------------------------------------------------------------

def test_second_seed_claiming_an_id_never_overwrites_the_first(tmp_path):
    note_project(tmp_path, f'id = "{TURAN_ID}"\ntitle = "Impostor"\n')
    result = run(["ingest"], tmp_path)
    assert result.returncode == 4
    assert errors(result) == [f"error: seeds/note.txt: document id '{TURAN_ID}' is already used by {TURAN_SEED}; "
                              "set another id in a sidecar .meta.toml"]
    assert "NATO" in master_info(tmp_path, TURAN_ID, "db:title")
    report = json.loads((tmp_path / "build" / "reports" / f"{TURAN_ID}.ingest.json").read_text(encoding="utf-8"))
    assert report["seed"] == TURAN_SEED


def test_failed_ingest_lists_its_stale_later_steps(tmp_path):
    note_project(tmp_path, 'id = "harbours"\n')
    assert run(["master"], tmp_path).returncode == 0
    (tmp_path / "seeds" / "note.txt").write_bytes(b"\n\n")
    result = run(["-v", "master"], tmp_path)
    assert result.returncode == 65
    stale = [line for line in result.stderr.splitlines() if "stale" in line]
    assert stale == ["warning: not built: ingest of note.txt failed; outputs in build/ from an earlier build are "
                     "stale"] * 3
    for lang in ("en", "ru", "az"):  # each stale master is named in the summary, still in place
        assert f"build/master/{lang}/harbours.xml" in result.stderr
        assert (tmp_path / "build" / "master" / lang / "harbours.xml").is_file()


# Bugs in pressrun ----------------------------------------------------------------------

def test_unexpected_exception_fails_only_its_step(tmp_path, monkeypatch):
    project = note_project(tmp_path, 'id = "harbours"\n')
    real_merge = stages.merge

    def merge_with_a_bug(master, catalog, lang, *args):
        if lang == "ru" and master.getroot().get("{http://www.w3.org/XML/1998/namespace}id") == "harbours":
            raise AttributeError("'NoneType' object has no attribute 'text'")
        return real_merge(master, catalog, lang, *args)

    monkeypatch.setattr(stages, "merge", merge_with_a_bug)
    monkeypatch.chdir(project)
    result = CliRunner().invoke(cli.main, ["master", "-j", "1"])
    assert result.exit_code == 70, result.output
    crash = project / "build" / "reports" / "crash-merge-harbours.ru.txt"
    assert (f"error: build/reports/{crash.name}: bug in pressrun: merge step crashed with AttributeError: "
            "'NoneType' object has no attribute 'text'; please report it with this file") in result.output
    assert "Traceback (most recent call last)" in crash.read_text(encoding="utf-8")
    assert "Traceback" not in result.output
    built = load_project(project)
    for doc_id, lang in ((TURAN_ID, "ru"), ("harbours", "az"), ("harbours", "en")):
        assert built.master_path(doc_id, lang).is_file()
    assert not built.master_path("harbours", "ru").exists()


def test_problems_print_with_their_severity(tmp_path):
    note_project(tmp_path, 'id = "harbours"\n')
    result = run(["master", "--strict"], tmp_path)
    assert result.returncode == 65
    assert any(line.startswith("error: translations/ru/LC_MESSAGES/harbours.po:") and "source language" in line
               for line in result.stderr.splitlines())


# Untrusted addresses -------------------------------------------------------------------

def test_source_address_is_live_only_when_it_is_a_web_address(turan_master):
    master = etree.fromstring(etree.tostring(turan_master))
    uri = master.find("{http://docbook.org/ns/docbook}info/{http://docbook.org/ns/docbook}biblioid[@class='uri']")
    if uri is None:
        uri = etree.SubElement(master.find("{http://docbook.org/ns/docbook}info"),
                               "{http://docbook.org/ns/docbook}biblioid", {"class": "uri"})
    uri.text = "javascript:alert(document.cookie)"
    tree = master.getroottree()
    info = edition.edition_info(tree, TURAN_ID, "en", ["en", "ru", "az"], "2024-01-01")
    xhtml = etree.fromstring(edition.build_edition(tree, info, edition.load_strings(None)))
    hrefs = xhtml.xpath("//@href")
    assert not any(href.strip().lower().startswith("javascript") for href in hrefs)
    assert "javascript:alert(document.cookie)" in "".join(xhtml.itertext())
