"""Shared fixtures: temporary project copies, real-seed masters, tool checks.

Tests that need an external tool (the DocBook schema, poppler, gettext,
EPUBCheck, DAISY Ace, calibre) call :func:`require`: it skips on a developer
machine without the tool and fails under ``CI=true``, where the tool must be
installed.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pressrun.config import load_project

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
AVIM_SEED = "000_6c4c178a899c20be.txt"
TURAN_SEED = "003_d93eaae1aa0c00e2.txt"
AVIM_ID = "avim-blog-25"
TURAN_ID = "turan-2017-11-25-nato-azerbaijan-contact-and-differences"
BASE_URL = "https://editions.example.org/press/"  # the base URL of the release site the tests build


def pytest_addoption(parser):
    parser.addoption("--regen-golden", action="store_true",
                     help="rewrite golden files from current output (review the diff before committing)")


def require(available: bool, what: str) -> None:
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is required (CI=true): install it, see .ci/run")
    pytest.skip(f"{what} is not installed")


def require_command(name: str) -> str:
    path = shutil.which(name)
    require(path is not None, f"the {name} command")
    return path


def require_ace() -> None:
    """Node.js, Ace's npm packages (``make check`` installs them) and Chromium."""
    from pressrun.engine import inspection
    from pressrun.errors import ToolError
    try:
        inspection.ace_tools()
    except ToolError as error:
        require(False, f"DAISY Ace ({error})")


def make_project(folder: Path, seeds: list[str] | None = None, translations: bool = True) -> Path:
    """A copy of this project's inputs in ``folder`` (no build/)."""
    shutil.copy2(ROOT / "pyproject.toml", folder / "pyproject.toml")  # its date is the project's date
    (folder / "seeds").mkdir()
    for name in seeds if seeds is not None else [AVIM_SEED, TURAN_SEED]:
        shutil.copy(SEEDS / name, folder / "seeds" / name)
        sidecar = (SEEDS / name).with_suffix(".meta.toml")
        if sidecar.exists():
            shutil.copy(sidecar, folder / "seeds" / sidecar.name)
    for extra in ("translations", "styles") if translations else ("styles",):
        if (ROOT / extra).exists():
            shutil.copytree(ROOT / extra, folder / extra)
        else:
            (folder / extra).mkdir()
    return folder


@pytest.fixture
def project(tmp_path):
    return load_project(make_project(tmp_path))


@pytest.fixture(scope="session")
def built_masters(tmp_path_factory):
    """The real seeds ingested once: {doc_id: lxml tree} plus the project."""
    from pressrun.engine import build
    from pressrun.document.master import read_master
    proj = load_project(make_project(tmp_path_factory.mktemp("masters")))
    outcomes = build.ingest_seeds(proj)
    assert [o.status for o in outcomes] == ["built", "built"], [str(o.error) for o in outcomes]
    return proj, {o.details["doc_id"]: read_master(o.output) for o in outcomes}


@pytest.fixture(scope="session")
def avim_master(built_masters):
    return built_masters[1][AVIM_ID]


@pytest.fixture(scope="session")
def turan_master(built_masters):
    return built_masters[1][TURAN_ID]


@pytest.fixture(scope="session")
def release_site(tmp_path_factory):
    """Both real seeds × every language built once into build/dist, with a base URL: (project, dist folder)."""
    from pressrun.dist import release
    folder = make_project(tmp_path_factory.mktemp("dist"))
    pyproject = folder / "pyproject.toml"
    stat = pyproject.stat()
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + f'base_url = "{BASE_URL}"\n', encoding="utf-8")
    os.utime(pyproject, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # keep the project's date
    project = load_project(folder)
    outcomes = release.make_dist(project, jobs=2)
    failed = [f"{o.step} {o.target}: {o.error}" for o in outcomes if o.status == "failed"]
    assert not failed, failed
    assert outcomes[-1].step == "dist" and outcomes[-1].status == "built"
    return project, release.dist_dir(project)


def build_editions(project):
    """Build every PDF and EPUB of ``project`` in one run; fail the test on any failed step."""
    from pressrun.engine import build
    outcomes = build.run(project, build.STAGES)
    failed = [f"{o.step} {o.target}: {o.error}" for o in outcomes if o.status == "failed"]
    assert not failed, failed
    return project


@pytest.fixture(scope="session")
def release_editions(tmp_path_factory):
    """Both seeds built once into PDF and EPUB in every language, under the C locale (an edition's
    language must never come from the machine's): the project.  Tests must not change it."""
    project = load_project(make_project(tmp_path_factory.mktemp("release")))
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LANG", "C")
        env.setenv("LC_ALL", "C")
        return build_editions(project)
