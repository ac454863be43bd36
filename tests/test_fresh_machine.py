"""A fresh machine: pressrun needs Python, make, Pango and gettext, and takes everything else from PyPI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pressrun.config import load_project

from conftest import AVIM_ID, AVIM_SEED, ROOT, make_project, require_command

#: What the project's own code, tests and scripts must never invoke or read.
FORBIDDEN = {
    "poppler": re.compile(r"\bpdf(?:totext|toppm|fonts)\b"),
    "a system Java runtime": re.compile(r"""which\(\s*["']java["']|\[\s*["']java["']|command -v java"""),
    "a schema under /usr/share": re.compile(r"/usr/share/"),
}


def _project_files() -> list[Path]:
    files = [ROOT / "Makefile", ROOT / ".ci" / "run", *(ROOT / "bench").rglob("*.py")]
    files += [*(ROOT / "src").rglob("*.py"), *(ROOT / "src").rglob("*.toml"), *(ROOT / "tests").rglob("*.py")]
    return [path for path in files if path.resolve() != Path(__file__).resolve()]


def test_code_and_tests_use_no_system_pdf_tools_java_or_schema():
    found = [f"{path.relative_to(ROOT)}:{number}: {what}"
             for path in _project_files()
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             for what, pattern in FORBIDDEN.items() if pattern.search(line)]
    assert not found, found


def test_the_docbook_schema_is_package_data(monkeypatch):
    from pressrun.document.master import docbook_schema_path
    monkeypatch.delenv("PRESSRUN_DOCBOOK_RNG", raising=False)
    path = docbook_schema_path()
    assert path.name == "docbook.rng" and (path.parent / "LICENSE-docbook.txt").is_file()
    assert Path(__import__("pressrun").__file__).parent in path.parents
    assert "DocBook V5.0" in path.read_text(encoding="utf-8")[:3000]


def _git(folder: Path, *args: str, env: dict | None = None) -> str:
    return subprocess.run(["git", *args], cwd=folder, capture_output=True, text=True, check=True, env=env).stdout


def _make(folder: Path, target: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-f", str(ROOT / "Makefile"), target, "SETUP=", f"RUN={sys.executable} -m pressrun"],
                          cwd=folder, capture_output=True, text=True, env=env)


def test_make_and_pressrun_agree_on_the_date_and_on_what_is_up_to_date(tmp_path, monkeypatch):
    """Both take the edition date from the last commit: alternating them rebuilds nothing."""
    require_command("git")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    root = make_project(tmp_path, seeds=[AVIM_SEED])
    _git(root, "init", "-q")
    _git(root, "add", ".")
    env = {key: value for key, value in os.environ.items() if key != "SOURCE_DATE_EPOCH"}
    _git(root, "-c", "user.name=Editor", "-c", "user.email=editor@example.org", "commit", "-q", "-m", "articles",
         env={**env, "GIT_COMMITTER_DATE": "2024-12-02T10:00:00Z", "GIT_AUTHOR_DATE": "2024-12-02T10:00:00Z"})
    made = _make(root, "master", env)
    assert made.returncode == 0, made.stderr
    direct = subprocess.run([sys.executable, "-m", "pressrun", "master"], cwd=root, capture_output=True, text=True,
                            env=env)
    assert direct.returncode == 0, direct.stderr
    assert re.search(r"pressrun: 0 built, \d+ up to date, 0 failed", direct.stderr), direct.stderr
    assert load_project(root).source_date_epoch == 1733133600  # 2024-12-02T10:00:00Z, the commit's date


def test_source_archive_without_git_builds_every_pdf(tmp_path):
    """An exported tree (no .git): `make pdf` sets up .venv itself and builds every edition."""
    require_command("make")
    tree = tmp_path / "pressrun-src"
    if (ROOT / ".git").exists():
        files = _git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    else:
        files = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()
                 and not {".venv", "build", "__pycache__"} & set(p.relative_to(ROOT).parts)]
    for name in filter(None, files):
        if (ROOT / name).is_file():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, tree / name)
    assert not (tree / ".git").exists()
    env = {key: value for key, value in os.environ.items()
           if key not in {"SOURCE_DATE_EPOCH", "VIRTUAL_ENV", "MAKEFLAGS", "MFLAGS"}}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT)))
    env["GIT_CEILING_DIRECTORIES"] = str(tmp_path)  # no repository above the tree either
    result = subprocess.run(["make", "pdf"], cwd=tree, capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "Deprecat" not in result.stdout + result.stderr
    project = load_project(tree)
    pdfs = sorted((tree / "build" / "pdf").rglob("*.pdf"))
    assert len(pdfs) == len(project.seeds()) * len(project.languages)
    assert project.source_date_epoch == int((tree / "pyproject.toml").stat().st_mtime)
    assert project.pdf_path(AVIM_ID, "ru") in pdfs


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_source_date_epoch_counts_as_unset(tmp_path, monkeypatch, value):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    root = make_project(tmp_path, seeds=[])
    assert load_project(root).source_date_epoch == int((root / "pyproject.toml").stat().st_mtime)
