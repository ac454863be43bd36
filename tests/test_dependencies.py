"""Dependency completeness: change one input of each kind, and exactly the steps that read it rerun.

A small project (one seed of our own, English and Russian) is built once in
this process.  pressrun's data files and the fonts are read from copies, so
that a case can change a rule file or a font as a new release would.  Each
case changes one input, rebuilds, compares the steps that ran with the steps
that read the input, checks that the outputs changed where the change must
show, then puts the input back.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from pressrun.translation import commands
from pressrun.engine import build, dependencies
from pressrun.editions import epub, fonts, pdf
from pressrun.config import load_project

DOC = "harbour-notes"
SEED = """Harbour Notes

By Ayşe Yılmaz

2 March 2025

Harbours are where trade meets the sea, and every port keeps careful records of what it handles.

Ships wait longer when the records are late.
"""
EVERY_STEP = {("ingest", "harbour.txt")} | {(stage, f"{DOC} [{lang}]") for stage in ("merge", "edition", "pdf", "epub")
                                             for lang in ("en", "ru")}


def steps(*stages: str, langs=("en", "ru")) -> set[tuple[str, str]]:
    found = set()
    for stage in stages:
        found |= {("ingest", "harbour.txt")} if stage == "ingest" else {(stage, f"{DOC} [{lang}]") for lang in langs}
    return found


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The built project, with pressrun's data files and fonts read from copies."""
    folder = tmp_path_factory.mktemp("dependencies")
    (folder / "pyproject.toml").write_text(
        (ROOT / "pyproject.toml").read_text(encoding="utf-8").replace(
            'languages = ["en", "ru", "az"]', 'languages = ["en", "ru"]'), encoding="utf-8")
    (folder / "seeds").mkdir()
    (folder / "seeds" / "harbour.txt").write_text(SEED, encoding="utf-8")
    shutil.copytree(ROOT / "styles", folder / "styles")
    for lang in ("ru",):
        catalogs = folder / "translations" / lang / "LC_MESSAGES"
        catalogs.mkdir(parents=True)
        shutil.copy(ROOT / "translations" / lang / "LC_MESSAGES" / "pressrun.po", catalogs)
    package = folder / "package"
    for data in ("profiles", "rules", "schemas"):
        shutil.copytree(dependencies.package_root() / data, package / data)
    shutil.copytree(fonts.font_folder(), folder / "fonts")
    patch = pytest.MonkeyPatch()
    patch.setenv("SOURCE_DATE_EPOCH", "1741000000")  # the date stays put while a case edits pyproject.toml
    patch.setattr(dependencies, "package_root", lambda: package)
    for module in (fonts, pdf, epub):
        patch.setattr(module, "font_folder", lambda: folder / "fonts")
    project = load_project(folder)
    first = build.run(project, build.STAGES, jobs=1)
    assert {(o.step, o.target) for o in first} == EVERY_STEP, [str(o.error) for o in first if o.error]
    _translate(project)
    build.run(project, build.STAGES, jobs=1)
    yield project
    patch.undo()


def _translate(project) -> None:
    """A Russian catalog for the seed, as `pressrun update` writes it, with every message translated."""
    commands.extract_catalogs(project)
    commands.update_catalogs(project)
    po = project.po_path("ru", DOC)
    text = po.read_text(encoding="utf-8")
    for source, target in (("Harbour Notes", "Заметки о гаванях"),
                           ("Harbours are where trade meets the sea, and every port keeps careful records of what "
                            "it handles.", "Гавани: здесь торговля встречается с морем, и каждый порт ведёт учёт."),
                           ("Ships wait longer when the records are late.", "Суда ждут дольше, когда учёт запаздывает.")):
        text = text.replace(f'msgid "{source}"\nmsgstr ""', f'msgid "{source}"\nmsgstr "{target}"')
    po.write_text(text, encoding="utf-8")


def rebuild(project, **options) -> set[tuple[str, str]]:
    """The steps that ran (built or failed) in a build of everything."""
    return {(o.step, o.target) for o in build.run(project, build.STAGES, jobs=1, **options)
            if o.status != "skipped"}


def outputs(project) -> dict[str, bytes]:
    found = {}
    for lang in project.languages:
        for path in (project.master_path(DOC, lang), project.edition_path(DOC, lang), project.pdf_path(DOC, lang),
                     project.epub_path(DOC, lang)):
            found[str(path.relative_to(project.build_dir))] = path.read_bytes()
    return found


class Edit:
    """Change a file for one case, and put it back."""

    def __init__(self, path: Path):
        self.path = path
        self.original = path.read_bytes() if path.exists() else None

    def replace(self, old: str, new: str) -> None:
        text = self.path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {self.path}"
        self.path.write_text(text.replace(old, new, 1), encoding="utf-8")

    def restore(self) -> None:
        if self.original is None:
            self.path.unlink()
        else:
            self.path.write_bytes(self.original)


FILE_CASES = [
    # input kind, file (relative to the project, or pkg:/fonts: for the copies), change, steps that read it,
    # outputs that must change
    ("seed", "seeds/harbour.txt", ("careful records", "careful logs"), EVERY_STEP, ["master/en", "pdf/en"]),
    ("sidecar", "seeds/harbour.meta.toml", (None, 'publisher = "Harbour Institute"\n'), EVERY_STEP, ["html/ru", "pdf/en"]),
    ("catalog", f"translations/ru/LC_MESSAGES/{DOC}.po", ("Суда ждут дольше", "Корабли ждут дольше"),
     steps("merge", "pdf", "epub", langs=("ru",)) | steps("edition"), ["master/ru", "pdf/ru", "epub/ru"]),
    ("strings catalog", "translations/ru/LC_MESSAGES/pressrun.po", ('msgstr "Выходные сведения"',
                                                                  'msgstr "Сведения об издании"'),
     steps("edition", "pdf", "epub", langs=("ru",)), ["html/ru", "pdf/ru"]),
    ("print stylesheet", "styles/print.css", (None, "\nh1 { letter-spacing: 0.05em; }\n"), steps("pdf"),
     ["pdf/en", "pdf/ru"]),
    ("print stylesheet moving a page break", "styles/print.css", (None, "\n@page { size: A6; }\n"),
     steps("pdf", "epub"), ["pdf/en", "pdf/ru", "epub/en", "epub/ru"]),
    ("EPUB stylesheet", "styles/epub.css", (None, "\nh1 { letter-spacing: 0.05em; }\n"), steps("epub"),
     ["epub/en", "epub/ru"]),
    ("shared stylesheet", "styles/edition.css", (None, "\nh1 { letter-spacing: 0.05em; }\n"),
     steps("pdf", "epub"), ["pdf/ru", "epub/ru"]),
    ("language stylesheet", "styles/lang-ru.css", (None, "\n:lang(ru) h1 { letter-spacing: 0.05em; }\n"),
     steps("pdf", "epub"), ["pdf/ru", "epub/ru"]),
    ("new language stylesheet", "styles/lang-tr.css", (None, ":lang(tr) { quotes: '“' '”'; }\n"),
     steps("pdf", "epub"), []),
    ("profile", "pkg:profiles/generic.toml", (None, "\n# a comment\n"), steps("ingest"), []),
    ("rule file", "pkg:rules/docbook.its", ("</its:rules>", "<!-- a comment --></its:rules>"),
     steps("merge"), []),
    ("schema", "pkg:schemas/docbook.rng", (None, "\n<!-- a comment -->\n"), steps("ingest", "merge"), []),
    ("hyphenation rules", "pkg:rules/hyphenation.toml", (None, "\n# a comment\n"), steps("pdf"), []),
    ("font", "fonts:NotoSerif-Italic[wdth,wght].ttf", (None, ""), steps("pdf", "epub"), []),
]


def _locate(project, name: str) -> Path:
    if name.startswith("pkg:"):
        return dependencies.package_root() / name.removeprefix("pkg:")
    if name.startswith("fonts:"):
        return project.root / "fonts" / name.removeprefix("fonts:")
    return project.root / name


@pytest.mark.parametrize("kind, name, change, expected, changed", FILE_CASES, ids=[c[0] for c in FILE_CASES])
def test_changing_a_file_reruns_exactly_its_readers(world, kind, name, change, expected, changed):
    assert rebuild(world) == set(), "the project must be up to date before each case"
    path = _locate(world, name)
    edit = Edit(path)
    before = outputs(world)
    old, new = change
    if old is not None:
        edit.replace(old, new)
    elif kind == "font":
        path.write_bytes(path.read_bytes() + b"\0\0\0\0")  # padding after the last table: still a valid font
    else:
        path.write_text((path.read_text(encoding="utf-8") if path.exists() else "") + new, encoding="utf-8")
    try:
        assert rebuild(world) == expected
        after = outputs(world)
        for prefix in changed:
            names = [key for key in after if key.startswith(prefix)]
            assert names and all(before[key] != after[key] for key in names), f"{prefix} did not change"
        assert rebuild(world) == set()
    finally:
        edit.restore()
        rebuild(world)


SETTING_CASES = [
    # kind, environment, [tool.pressrun] lines, build options, steps that use the setting
    ("SOURCE_DATE_EPOCH", {"SOURCE_DATE_EPOCH": "1700000000"}, "", {}, steps("edition", "pdf", "epub")),
    ("strict merging", {}, "", {"strict": True}, steps("merge")),
    ("seed size limit", {}, "max_seed_bytes = 1000000\n", {}, steps("ingest")),
]


@pytest.mark.parametrize("kind, environment, settings, options, expected", SETTING_CASES,
                         ids=[c[0] for c in SETTING_CASES])
def test_changing_a_setting_reruns_exactly_its_readers(world, monkeypatch, kind, environment, settings, options,
                                                      expected):
    assert rebuild(world) == set()
    pyproject = Edit(world.root / "pyproject.toml")
    pyproject.replace("[tool.pressrun]\n", "[tool.pressrun]\n" + settings)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    try:
        changed = load_project(world.root)  # as every step loads it
        assert rebuild(changed, **options) == expected
        assert rebuild(changed, **options) == set()
    finally:
        pyproject.restore()
        monkeypatch.undo()
        rebuild(world)


@pytest.mark.parametrize("tool, expected", [("pandoc", steps("ingest", "epub")), ("weasyprint", steps("pdf")),
                                            ("harfbuzz", steps("epub")), ("babel", steps("edition"))])
def test_a_new_tool_version_reruns_exactly_the_steps_that_use_it(world, monkeypatch, tool, expected):
    assert rebuild(world) == set()
    monkeypatch.setitem(dependencies.TOOLS, tool, lambda: "99.0")
    assert rebuild(world) == expected
    monkeypatch.undo()
    rebuild(world)


def test_outside_a_step_reads_are_not_recorded(tmp_path):
    path = tmp_path / "input.txt"
    path.write_text("one", encoding="utf-8")
    assert dependencies.read_bytes(path) == b"one"
    with dependencies.recording(tmp_path) as found:
        dependencies.read_bytes(path)
        dependencies.note(tmp_path / "missing.txt")
        dependencies.uses("strict", True)
    assert found == {"input.txt": dependencies.digest(path), "missing.txt": dependencies.ABSENT,
                     "setting:strict": "true"}
    assert dependencies.unchanged(found, {"strict": True}, tmp_path)
    assert not dependencies.unchanged(found, {"strict": False}, tmp_path)
    moved = tmp_path / "moved"
    moved.mkdir()
    shutil.copy(path, moved / "input.txt")
    assert dependencies.unchanged(found, {"strict": True}, moved), "a copied project keeps its record"
    (tmp_path / "missing.txt").write_text("now here", encoding="utf-8")
    assert not dependencies.unchanged(found, {"strict": True}, tmp_path)
