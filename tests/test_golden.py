"""Golden cases for every stage: ``golden/<stage>/<case>/{in,golden}``.

Each case's input is run through its stage and every file the stage writes
is compared with the golden file of the same name.  Run
``pytest --regen-golden`` to rewrite them from the current output, then
review the diff before committing.

* ``ingest``: ``in/seed.txt`` (+ ``seed.meta.toml``) → ``master.xml``, ``report.json``
* ``merge``: ``in/master.xml`` + ``in/<lang>.po`` → ``master.xml``, ``report.json``
* ``edition``: ``in/master.xml`` (a translated master) + the project's strings
  catalog of the case's language → ``edition.xhtml`` (indented at block level for review)

``in/case.toml`` gives the language and, for editions, the edition's languages and date.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from lxml import etree

from conftest import ROOT
from pressrun.translation import catalogs
from pressrun.editions import edition
from pressrun.sources.ingest import ingest
from pressrun.document.master import build_master, read_master, serialize, validate
from pressrun.translation.merge import merge

GOLDEN = Path(__file__).parent / "golden"


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _case(folder: Path) -> dict:
    settings = folder / "in" / "case.toml"
    return tomllib.loads(settings.read_text(encoding="utf-8")) if settings.is_file() else {}


def run_ingest(folder: Path) -> dict[str, str]:
    seed = folder / "in" / "seed.txt"
    doc, report = ingest(seed, max_bytes=100_000, sidecar=seed.with_suffix(".meta.toml"))
    tree = build_master(doc)
    assert validate(tree) == []
    return {"master.xml": serialize(tree).decode(), "report.json": _json(report.as_dict())}


def run_merge(folder: Path) -> dict[str, str]:
    lang = _case(folder)["lang"]
    master = read_master(folder / "in" / "master.xml")
    po = folder / "in" / f"{lang}.po"
    translated, report = merge(master, catalogs.read_catalog(po, lang), lang, po.name, master.getroot().get(
        "{http://www.w3.org/XML/1998/namespace}id"))
    assert validate(translated) == []
    return {"master.xml": serialize(translated).decode(), "report.json": _json(report.as_dict())}


def run_edition(folder: Path) -> dict[str, str]:
    case = _case(folder)
    master = read_master(folder / "in" / "master.xml")
    doc_id = master.getroot().get("{http://www.w3.org/XML/1998/namespace}id")
    info = edition.edition_info(master, doc_id, case["lang"], case["languages"], case["edition_date"])
    strings = edition.load_strings(ROOT / "translations" / case["lang"] / "LC_MESSAGES" / "pressrun.po")
    return {"edition.xhtml": _readable(edition.build_edition(master, info, strings))}


def _readable(xhtml: bytes) -> str:
    """The XHTML indented at block level (mixed content untouched), so a golden diff reads line by line."""
    tree = etree.fromstring(xhtml)
    etree.indent(tree)
    return etree.tostring(tree, encoding="unicode") + "\n"


RUNNERS = {"ingest": run_ingest, "merge": run_merge, "edition": run_edition}
CASES = [(stage, case.name) for stage in RUNNERS for case in sorted((GOLDEN / stage).iterdir())]


@pytest.mark.parametrize("stage, case", CASES, ids=[f"{stage}/{case}" for stage, case in CASES])
def test_golden(stage, case, request):
    folder = GOLDEN / stage / case
    regen = request.config.getoption("--regen-golden")
    actual = RUNNERS[stage](folder)
    for name, text in actual.items():
        path = folder / "golden" / name
        if regen:
            path.parent.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert path.exists(), f"{path} missing: run pytest --regen-golden"
        assert text == path.read_text(encoding="utf-8"), f"{stage}/{case}/golden/{name} differs"
    assert sorted(actual) == sorted(p.name for p in (folder / "golden").iterdir())


def test_every_stage_has_golden_cases():
    assert {stage for stage, _ in CASES} == set(RUNNERS)
