"""Golden cases: ``golden/<stage>/<case>/{in,golden}``.

Each case's input is run through the stage and compared with the golden
files.  Run ``pytest --regen-golden`` to rewrite them from the current
output, then review the diff before committing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pressrun.ingest import ingest
from pressrun.master import build_master, serialize, validate


GOLDEN = Path(__file__).parent / "golden"
INGEST_CASES = sorted(p.name for p in (GOLDEN / "ingest").iterdir())


def _compare(path: Path, actual: str, regen: bool) -> None:
    if regen:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} missing: run pytest --regen-golden"
    assert actual == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", INGEST_CASES)
def test_ingest_golden(case, request):
    folder = GOLDEN / "ingest" / case
    seed = folder / "in" / "seed.txt"
    doc, report = ingest(seed, max_bytes=100_000, sidecar=seed.with_suffix(".meta.toml"))
    tree = build_master(doc)
    assert validate(tree) == []
    regen = request.config.getoption("--regen-golden")
    _compare(folder / "golden" / "master.xml", serialize(tree).decode(), regen)
    report_view = json.dumps(report.as_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    _compare(folder / "golden" / "report.json", report_view, regen)
