"""The build engine: incremental steps, parallel runs, interruption, concurrency, hostile input."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from pressrun.engine import build
from pressrun.config import load_project

from conftest import AVIM_ID, TURAN_ID, TURAN_SEED, make_project

PRESSRUN = [sys.executable, "-m", "pressrun"]


def _built(outcomes) -> Counter:
    return Counter((o.step, o.target) for o in outcomes if o.status == "built")


@pytest.fixture(scope="module")
def built_project(tmp_path_factory):
    project = load_project(make_project(tmp_path_factory.mktemp("engine")))
    outcomes = build.run(project, build.STAGES, jobs=2)
    assert {o.status for o in outcomes} == {"built"}
    assert len(outcomes) == 2 + 6 * 4
    return project


def test_noop_build_runs_no_step(built_project):
    outcomes = build.run(built_project, build.STAGES, jobs=2)
    assert _built(outcomes) == Counter() and {o.status for o in outcomes} == {"skipped"}
    warnings = [str(problem) for outcome in outcomes for problem in outcome.problems]
    assert len(warnings) == 1 and warnings[0].startswith(f"seeds/{TURAN_SEED}:1: conflicting dates"), warnings


def test_a_record_missing_an_output_the_stage_now_writes_reruns_the_step(built_project):
    """A build/ made by a pressrun whose PDF step wrote fewer files (no page map): the step runs again."""
    step = build.Step("pdf", AVIM_ID, "az")
    record = step.state_file(built_project)
    state = json.loads(record.read_text(encoding="utf-8"))
    state["outputs"] = state["outputs"][:1]
    record.write_text(json.dumps(state), encoding="utf-8")
    outcomes = build.run(built_project, build.STAGES, jobs=2)
    assert _built(outcomes) == Counter({("pdf", f"{AVIM_ID} [az]"): 1})


def test_one_msgstr_rebuilds_only_that_edition(built_project):
    """The Russian master, XHTML, PDF and EPUB are remade; the other editions' XHTML steps run again
    (an edition states which translations are published, so it reads every catalog of its document)
    but write the same bytes, so their PDFs and EPUBs are not remade."""
    po = built_project.po_path("ru", TURAN_ID)
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Аналитика"', 'msgstr "Аналитический обзор"'), encoding="utf-8")
    try:
        outcomes = build.run(built_project, build.STAGES, jobs=2)
        label = f"{TURAN_ID} [ru]"
        assert _built(outcomes) == Counter({("merge", label): 1, ("edition", label): 1, ("pdf", label): 1,
                                            ("epub", label): 1, ("edition", f"{TURAN_ID} [en]"): 1,
                                            ("edition", f"{TURAN_ID} [az]"): 1})
        assert "Аналитический обзор" in built_project.edition_path(TURAN_ID, "ru").read_text(encoding="utf-8")
    finally:
        po.write_text(text, encoding="utf-8")
        build.run(built_project, build.STAGES, jobs=2)


@pytest.mark.parametrize("stylesheet, stages", [("print.css", {"pdf"}), ("edition.css", {"pdf", "epub"}),
                                                  ("epub.css", {"epub"})])
def test_a_stylesheet_rebuilds_every_edition_that_uses_it(built_project, stylesheet, stages):
    path = built_project.styles_dir / stylesheet
    original = path.read_text(encoding="utf-8")
    path.write_text(original + "\n/* changed */\n", encoding="utf-8")
    try:
        outcomes = build.run(built_project, build.STAGES, jobs=2)
        built = _built(outcomes)
        assert {step for step, _ in built} == stages
        assert sum(built.values()) == 6 * len(stages)
    finally:
        path.write_text(original, encoding="utf-8")
        build.run(built_project, build.STAGES, jobs=2)


def test_a_failed_step_blocks_only_its_own_edition(built_project):
    po = built_project.po_path("az", AVIM_ID)
    text = po.read_text(encoding="utf-8")
    po.write_text(text + '\nmsgid "broken"\n', encoding="utf-8")
    try:
        outcomes = build.run(built_project, build.STAGES, jobs=2, force=True)
        failed = [(o.step, o.target) for o in outcomes if o.status == "failed"]
        assert failed == [("merge", f"{AVIM_ID} [az]")]
        blocked = [(o.step, o.target) for o in outcomes if o.status == "skipped"]
        assert sorted(blocked) == sorted((stage, f"{AVIM_ID} [az]") for stage in ("edition", "pdf", "epub"))
        assert sum(o.status == "built" for o in outcomes) == 2 + 5 * 4
    finally:
        po.write_text(text, encoding="utf-8")


def test_interrupted_build_keeps_previous_outputs(tmp_path):
    make_project(tmp_path)
    assert subprocess.run(PRESSRUN + ["pdf", "-j", "1"], cwd=tmp_path, capture_output=True).returncode == 0
    pdfs = sorted((tmp_path / "build" / "pdf").rglob("*.pdf"))
    before = {p: p.read_bytes() for p in pdfs}
    for sig in (signal.SIGINT, signal.SIGKILL):
        process = subprocess.Popen(PRESSRUN + ["pdf", "--force", "-j", "1"], cwd=tmp_path,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(2.0)
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=60)
        assert b"Traceback" not in stderr or sig == signal.SIGKILL
        for path in pdfs:
            assert path.read_bytes() == before[path], f"{path} changed or was damaged by an interrupted build"
        if sig == signal.SIGINT:
            assert not list((tmp_path / "build").rglob("*.tmp"))
    result = subprocess.run(PRESSRUN + ["pdf"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert {p: p.read_bytes() for p in pdfs} == before
    assert not list((tmp_path / "build").rglob("*.tmp")), "the next build removes what a killed one left"


def test_concurrent_builds_do_not_corrupt_outputs(tmp_path):
    make_project(tmp_path)
    first = subprocess.Popen(PRESSRUN + ["pdf", "-j", "1"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    second = subprocess.Popen(PRESSRUN + ["pdf", "-j", "1", "--force"], cwd=tmp_path, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
    assert first.wait(timeout=300) == 0 and second.wait(timeout=300) == 0, first.stderr.read() + second.stderr.read()
    pdfs = sorted((tmp_path / "build" / "pdf").rglob("*.pdf"))
    assert len(pdfs) == 6
    for path in pdfs:
        data = path.read_bytes()
        assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")


def test_hostile_seed_content_stays_text(tmp_path):
    make_project(tmp_path, seeds=[])
    (tmp_path / "seeds" / "hostile.txt").write_text(
        "A Hostile Page\n\nBy Some One\n\n"
        "Text with <script>alert(1)</script> and <img src=x onerror=alert(1)> inline.\n\n"
        "![secret](file:///etc/passwd) and ![net](http://127.0.0.1:9/x.png) and [js](javascript:alert(1)).\n",
        encoding="utf-8")
    (tmp_path / "seeds" / "huge.txt").write_bytes(b"word " * (1024 * 1024 + 10))
    result = subprocess.run(PRESSRUN + ["pdf"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 65 and "Traceback" not in result.stderr
    assert "seeds/huge.txt: seed is 5,242,930 bytes, over the 2,097,152-byte limit" in result.stderr
    assert "kept as text: seeds may not carry markup or resources" in result.stderr
    xhtml = next((tmp_path / "build" / "html" / "en").glob("*.xhtml")).read_text(encoding="utf-8")
    assert "<script" not in xhtml and "<img" not in xhtml and "javascript:" not in xhtml
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xhtml
    assert "/etc/passwd" not in xhtml and "127.0.0.1" not in xhtml
    pdf = next((tmp_path / "build" / "pdf" / "en").glob("*.pdf"))
    assert pdf.read_bytes().startswith(b"%PDF-")

