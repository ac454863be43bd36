"""Command line interface: parses arguments, calls the library, shows results.

This is the only module that prints or exits.  Library errors
(:class:`pressrun.errors.PressrunError`) become one-line messages
``file:line: message`` and the process exit code; no traceback is shown for a
user's mistake (set ``PRESSRUN_DEBUG=1`` to see one).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from . import __version__, config
from .config import Project, load_project
from .engine import build, check
from .errors import PressrunError
from .translation import commands

console = Console(stderr=True, highlight=False, width=None if sys.stderr.isatty() else 160)
stdout = Console(highlight=False, width=None if sys.stdout.isatty() else 160)

PIPELINE_HELP = """pressrun: multilingual publishing pipeline.

\b
  seeds/*.txt ──ingest──▶ build/master/<doc-id>.xml (DocBook 5.0)
                           │ extract / update
                           ▼
               translations/<lang>/LC_MESSAGES/<doc-id>.po
                           │ merge
                           ▼
               build/master/<lang>/<doc-id>.xml ──▶ PDF and EPUB editions

Run a subcommand with --help for details.  The Makefile wraps the usual
sequences: make master, make catalogs, make pdf, make test.
"""


@click.group(help=PIPELINE_HELP)
@click.version_option(__version__, prog_name="pressrun")
@click.option("-v", "--verbose", count=True, help="Show more detail (-vv for debug logging).")
@click.option("-C", "--project-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Project folder (default: the nearest one with [tool.pressrun] in pyproject.toml).")
@click.pass_context
def main(ctx: click.Context, verbose: int, project_dir: Path | None) -> None:
    logging.basicConfig(level=logging.WARNING, format="%(message)s",
                        handlers=[RichHandler(console=console, show_time=False, show_path=False)])
    _more_verbose(ctx, None, verbose)
    ctx.obj = _guard(lambda: load_project(project_dir))


def _more_verbose(ctx: click.Context, param, count: int) -> None:
    """``-v`` before or after the subcommand: each one shows one level more."""
    if count:
        root = logging.getLogger()
        root.setLevel(max(logging.DEBUG, root.getEffectiveLevel() - 10 * count))


def build_options(function):
    """Options shared by the commands that build."""
    function = click.option("-j", "--jobs", type=click.IntRange(1), default=None,
                            help="Steps run in parallel (default: the number of cores).")(function)
    function = click.option("--force", is_flag=True, help="Rebuild every step even when its inputs are unchanged.")(function)
    function = click.option("--strict", is_flag=True,
                            help="Fail when any segment is untranslated, fuzzy or rejected.")(function)
    function = click.option("--executor", type=click.Choice(config.EXECUTORS), default=None,
                            help="Where steps run: this machine's process pool (local, the default) or a Dask "
                                 "cluster (dask; needs pressrun[dask]).  Default: [tool.pressrun] executor.")(function)
    function = click.option("-v", "--verbose", count=True, expose_value=False, callback=_more_verbose,
                            help="Show more detail (-vv for debug logging).")(function)
    function = click.option("--scheduler", metavar="ADDRESS", default=None,
                            help="Dask scheduler to use with --executor dask, e.g. tcp://host:8786 (default: "
                                 "[tool.pressrun] scheduler, else a LocalCluster of -j workers here).")(function)
    return function


def _with_executor(project: Project, executor: str | None, scheduler: str | None) -> Project:
    """The project with the command line's --executor and --scheduler applied."""
    executor = executor or project.executor
    if scheduler is not None and executor != "dask":
        raise click.UsageError("--scheduler needs --executor dask")
    settings = _guard(lambda: config.executor_settings(executor, scheduler or project.scheduler))
    return dataclasses.replace(project, **settings)


def _build(project: Project, target: str, jobs: int | None, strict: bool, force: bool,
           seeds: list[Path] | None = None, selection: build.Selection = build.Selection()) -> None:
    stages = ("ingest",) if target == "ingest" else build.TARGETS[target]
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True, disable=not console.is_terminal) as progress:
        task = progress.add_task(f"pressrun {target}", total=None)

        def done(outcome: build.Outcome) -> None:
            progress.update(task, advance=1, description=f"{outcome.step} {outcome.target}")

        outcomes = _guard(lambda: build.run(project, stages, jobs=jobs, strict=strict, force=force,
                                            seeds=seeds, selection=selection, on_done=done), project)
    if target != "ingest":
        _warn_unready_languages(project)
    _finish(project, outcomes)


def _warn_unready_languages(project: Project) -> None:
    from .editions import readiness
    for need in readiness.report(project):
        if not need.ok:
            _say("warning", f"language {need.lang}: {need.need}: {need.detail} (see `pressrun languages`)")


@main.command("ingest")
@click.argument("seeds", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@build_options
@click.pass_obj
def ingest_command(project: Project, seeds: tuple[Path, ...], jobs, strict, force, executor, scheduler) -> None:
    """Read seed texts into DocBook masters in build/master/.

    Without arguments every seeds/*.txt is ingested.  Each master is validated
    against DocBook 5.0; build/reports/<doc-id>.ingest.json lists which lines
    went to metadata, what was dropped and why, and any conflicts.
    """
    _build(_with_executor(project, executor, scheduler), "ingest", jobs, strict, force,
           [s.resolve() for s in seeds] or None)


@main.command("extract")
@click.pass_obj
def extract_command(project: Project) -> None:
    """Write translations/<doc-id>.pot from every master (run ingest first)."""
    _finish(project, _guard(lambda: commands.extract_catalogs(project)))


@main.command("update")
@click.option("--compendium", "compendia", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A PO file of existing translations to fill empty messages from (as msgmerge --compendium); "
                   "may be given several times.")
@click.pass_obj
def update_command(project: Project, compendia: tuple[Path, ...]) -> None:
    """Create or update translations/<lang>/LC_MESSAGES/<doc-id>.po for every language.

    Changed source text becomes fuzzy with the previous msgid; removed text
    becomes obsolete (#~) and is kept.  No translation is ever dropped.  Empty
    messages are filled from the translation memory: the other documents'
    catalogs of the same language, then the compendia (exact matches as
    translated, close ones as fuzzy).
    """
    _finish(project, _guard(lambda: commands.update_catalogs(project, list(compendia))))


@main.group("tm")
def tm_group() -> None:
    """The translation memory: every reviewed translation of the project's catalogs."""


@tm_group.command("export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=Path("build/memory.tmx"),
              show_default=True, help="Where to write the TMX file (relative to the project).")
@click.pass_obj
def tm_export_command(project: Project, output: Path) -> None:
    """Write the translation memory as TMX 1.4 for CAT tools (run `pressrun ingest` first)."""
    from .translation import memory
    target = output if output.is_absolute() else project.root / output
    units = _guard(lambda: commands.memory_units(project))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(memory.tmx(units))
    console.print(f"{len(units)} translation units written to {target}")


@main.command("catalogs")
@click.pass_obj
def catalogs_command(project: Project) -> None:
    """Ingest, extract and update: bring every catalog up to date with the seeds."""
    _finish(project, _guard(lambda: build.ingest_seeds(project) + commands.extract_catalogs(project)
                            + commands.update_catalogs(project) + commands.extract_strings(project)))


def _build_command(name: str, target: str, summary: str) -> None:
    """Register a command that brings ``target`` up to date (the ingest and merge it needs included)."""
    @main.command(name, help=summary + "\n\nWith DOC-ID arguments and --lang, only those documents and languages "
                  "are built (every seed is still ingested).")
    @click.argument("documents", nargs=-1, metavar="[DOC-ID]...")
    @click.option("--lang", "languages", multiple=True, metavar="LANG",
                  help="Build only this language (repeatable; default: every configured language).")
    @build_options
    @click.pass_obj
    def command(project: Project, documents: tuple[str, ...], languages: tuple[str, ...], jobs: int | None,
                strict: bool, force: bool, executor: str | None, scheduler: str | None) -> None:
        unknown = [lang for lang in languages if lang not in project.languages]
        if unknown:
            raise click.BadParameter(f"{', '.join(unknown)} is not one of the project's languages "
                                     f"({', '.join(project.languages)})", param_hint="--lang")
        selection = build.Selection(frozenset(documents) or None, tuple(languages) or None)
        _build(_with_executor(project, executor, scheduler), target, jobs, strict, force, selection=selection)


#: The build commands: name, build target, help.
BUILD_COMMANDS = (
    ("pdf", "pdf", "Build the PDF editions build/pdf/<lang>/<doc-id>.pdf (ingest and merge included)."),
    ("epub", "epub", "Build the EPUB 3 editions build/epub/<lang>/<doc-id>.epub (ingest, merge and the PDF, "
             "whose pages the EPUB's page list follows, included)."),
    ("all", "all", "Build every edition: PDF and EPUB for every document and language."),
    ("master", "master", "Ingest the seeds and merge the catalogs: source and translated masters."),
    ("merge", "master", "Write the translated masters build/master/<lang>/<doc-id>.xml from the catalogs "
                        "(ingest included)."),
)
for _command in BUILD_COMMANDS:
    _build_command(*_command)


@main.command("dist")
@build_options
@click.pass_obj
def dist_command(project: Project, jobs: int | None, strict: bool, force: bool, executor: str | None,
                 scheduler: str | None) -> None:
    """Build every edition, then the release site build/dist/ (pages, feeds, citations, checksums)."""
    from .dist import release
    project = _with_executor(project, executor, scheduler)
    _finish(project, _guard(lambda: release.make_dist(project, jobs=jobs, strict=strict, force=force)))


@main.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.pass_obj
def serve_command(project: Project, port: int) -> None:
    """Serve build/dist/ on 127.0.0.1 only, to check the site in a browser."""
    from .dist import release, serve
    server = _guard(lambda: serve.make_server(release.dist_dir(project), port))
    host, bound = server.server_address[:2]
    console.print(f"serving {project.shown(release.dist_dir(project))} at http://{host}:{bound}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@main.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.option("--min-complete", type=click.FloatRange(0, 100), default=None,
              help="Exit non-zero if any catalog is less than this percent translated.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write a status page for the translation team (translated, fuzzy, untranslated, "
                   "TM-filled, terminology findings, draft or published) to this file.")
@click.pass_obj
def stats_command(project: Project, as_json: bool, min_complete: float | None, html_file: Path | None) -> None:
    """Translation progress per document and language."""
    results = _guard(lambda: commands.catalog_stats(project))
    if html_file is not None:
        from .translation import status
        page = _guard(lambda: status.status_page(project))
        html_file.parent.mkdir(parents=True, exist_ok=True)
        html_file.write_bytes(page)
    if as_json:
        click.echo(json.dumps([r.as_dict() for r in results], indent=2, ensure_ascii=False))
    else:
        table = Table(title="translation progress", show_edge=False)
        for column in ("document", "lang", "messages", "translated", "fuzzy", "untranslated", "words", "complete"):
            table.add_column(column, justify="left" if column in ("document", "lang") else "right")
        for r in results:
            table.add_row(r.doc_id, r.lang, str(r.messages), str(r.translated), str(r.fuzzy), str(r.untranslated),
                          f"{r.words_translated}/{r.words}", f"{r.percent:.1f}%")
        stdout.print(table)
    below = [r for r in results if min_complete is not None and r.percent < min_complete]
    for r in below:
        _say("error", f"{r.doc_id} [{r.lang}] is {r.percent:.1f}% complete, below {min_complete:g}%")
    if below:
        sys.exit(4)


@main.command("languages")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def languages_command(project: Project, as_json: bool) -> None:
    """What each edition language has and still needs: labels, hyphenation, quotation marks,
    typography stylesheet, font coverage of its alphabet, CLDR data."""
    from .editions import readiness
    checks = readiness.report(project)
    if as_json:
        click.echo(json.dumps([c.as_dict() for c in checks], indent=2, ensure_ascii=False))
        return
    table = Table(title="edition languages", show_edge=False)
    for column in ("lang", "need", "status", "detail"):
        table.add_column(column)
    for c in checks:
        table.add_row(c.lang, c.need, "ok" if c.ok else "MISSING", c.detail)
    stdout.print(table)


@main.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (for CI systems).")
@click.option("--min-complete", type=click.FloatRange(0, 100), default=None,
              help="Required translation percentage (default: [tool.pressrun] min_complete, 100).")
@click.pass_obj
def check_command(project: Project, as_json: bool, min_complete: float | None) -> None:
    """Run every release gate on the built editions; non-zero exit if any fails."""
    gates = _guard(lambda: check.run_checks(project, min_complete))
    if as_json:
        click.echo(json.dumps([gate.as_dict() for gate in gates], indent=2, ensure_ascii=False))
    else:
        table = Table(title="pressrun check", show_edge=False)
        for column in ("gate", "checked", "result"):
            table.add_column(column)
        for gate in gates:
            table.add_row(gate.name, str(gate.checked), "[green]pass[/]" if gate.passed else "[red]FAIL[/]")
        stdout.print(table)
        for gate in gates:
            for failure in gate.failures[:20]:
                _say("error", f"{gate.name}: {failure}")
    if not all(gate.passed for gate in gates):
        sys.exit(4)


def _finish(project: Project, outcomes: list[build.Outcome]) -> None:
    counts = {status: sum(o.status == status for o in outcomes) for status in ("built", "skipped", "failed")}
    table = Table(title=f"pressrun: {counts['built']} built, {counts['skipped']} up to date, {counts['failed']} failed",
                  show_edge=False)
    for column in ("step", "input", "status", "output", "pages"):
        table.add_column(column)
    for outcome in outcomes:
        shown = project.shown(outcome.output) if outcome.output else ""
        colour = {"built": "green", "skipped": "dim", "failed": "red"}[outcome.status]
        pages = str(outcome.details.get("pages", "")) if outcome.step == "pdf" else ""
        if outcome.status == "skipped" and not outcome.problems and not verbose_summary():
            continue
        table.add_row(outcome.step, escape(outcome.target), f"[{colour}]{outcome.status}[/]", escape(shown), pages)
    if table.row_count:
        console.print(table)
    else:
        console.print(table.title)
    for outcome in outcomes:
        for problem in outcome.problems:
            _say(problem.severity, str(problem))
        if outcome.error is not None:
            _say("error", _describe(project, outcome.error))
    failures = [o.error for o in outcomes if o.error is not None]
    if failures:
        sys.exit(max(error.exit_code for error in failures))


def verbose_summary() -> bool:
    """Up-to-date steps are listed only with -v."""
    return logging.getLogger().getEffectiveLevel() <= logging.INFO


def _describe(project: Project | None, error: PressrunError) -> str:
    if project is not None and error.path is not None:
        error.path = Path(project.shown(error.path))
    return str(error)


def _guard(action, project: Project | None = None):
    """Run ``action``; turn a PressrunError into a one-line message and exit code."""
    try:
        return action()
    except PressrunError as error:
        if os.environ.get("PRESSRUN_DEBUG"):
            raise
        _say("error", _describe(project, error))
        sys.exit(error.exit_code)


def _say(kind: str, message: str) -> None:
    """One line per message, never wrapped, so editors and CI logs can parse it."""
    colour = {"error": "red", "warning": "yellow"}.get(kind, "default")
    console.print(f"[{colour}]{kind}[/]: {escape(message)}", soft_wrap=True)


if __name__ == "__main__":
    main()
