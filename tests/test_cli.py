"""The command line and the make targets, run as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import AVIM_ID, ROOT, TURAN_ID, make_project

PRESSRUN = [sys.executable, "-m", "pressrun"]


def run(args, cwd, **kwargs):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, **kwargs)


def test_help_explains_the_pipeline(tmp_path):
    result = run(PRESSRUN + ["--help"], tmp_path)
    assert result.returncode == 0
    for word in ("ingest", "seeds/*.txt", "DocBook", ".po", "PDF"):
        assert word in result.stdout


def test_bad_seed_gives_one_line_error_and_the_rest_is_built(tmp_path):
    make_project(tmp_path)
    (tmp_path / "seeds" / "legacy.txt").write_bytes("Заголовок\n\nТекст статьи.\n".encode("cp1251"))
    (tmp_path / "seeds" / "blank.txt").write_text("\n\n")
    result = run(PRESSRUN + ["ingest"], tmp_path)
    assert result.returncode == 65
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == ["error: seeds/blank.txt: empty seed: no text to ingest",
                      "error: seeds/legacy.txt:1: not valid UTF-8 (byte 0xc7); save the file as UTF-8"]
    for doc_id in (AVIM_ID, TURAN_ID):
        assert (tmp_path / "build" / "master" / f"{doc_id}.xml").is_file()
        assert (tmp_path / "build" / "reports" / f"{doc_id}.ingest.json").is_file()


def test_outside_a_project_is_a_clear_error(tmp_path):
    result = run(PRESSRUN + ["ingest"], tmp_path)
    assert result.returncode == 78 and "Traceback" not in result.stderr
    assert "[tool.pressrun]" in result.stderr


def test_bad_source_date_epoch_is_a_clear_error(tmp_path):
    make_project(tmp_path)
    result = run(PRESSRUN + ["master"], tmp_path, env={**os.environ, "SOURCE_DATE_EPOCH": "yesterday"})
    assert result.returncode == 78 and "Traceback" not in result.stderr
    assert result.stderr.strip() == ("error: SOURCE_DATE_EPOCH='yesterday' is not a whole number "
                                     "of seconds since 1970-01-01")
    assert not (tmp_path / "build").exists()


def test_make_master_writes_both_masters(tmp_path):
    make_project(tmp_path)
    result = run(["make", "-f", str(ROOT / "Makefile"), "master", "SETUP=",
                  f"RUN={sys.executable} -m pressrun"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "build" / "master").glob("*.xml")) == [
        f"{AVIM_ID}.xml", f"{TURAN_ID}.xml"]


def test_stats_reports_complete_catalogs(tmp_path):
    make_project(tmp_path)
    assert run(PRESSRUN + ["ingest"], tmp_path).returncode == 0
    result = run(PRESSRUN + ["stats", "--json", "--min-complete", "100"], tmp_path)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == 8 and all(row["percent"] == 100.0 for row in rows)
    po = tmp_path / "translations" / "az" / "LC_MESSAGES" / f"{AVIM_ID}.po"
    po.write_text(po.read_text(encoding="utf-8").replace('msgstr "AVİM Bloqu"', 'msgstr ""'), encoding="utf-8")
    result = run(PRESSRUN + ["stats", "--min-complete", "100"], tmp_path)
    assert result.returncode == 4
    assert f"error: {AVIM_ID} [az] is 93.8% complete, below 100%" in result.stderr
