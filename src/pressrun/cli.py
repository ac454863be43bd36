"""Command line interface: parses arguments, calls the library, shows results.

This is the only module that prints or exits.  Library errors
(:class:`pressrun.errors.PressrunError`) become one-line messages
``file:line: message`` and the process exit code; no traceback is shown for a
user's mistake (set ``PRESSRUN_DEBUG=1`` to see one).
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.logging import RichHandler
from rich.markup import escape
from rich.table import Table

from . import __version__, build
from .config import Project, load_project
from .errors import PressrunError

console = Console(stderr=True, highlight=False)

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
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(message)s",
                        handlers=[RichHandler(console=console, show_time=False, show_path=False)])
    ctx.obj = _guard(lambda: load_project(project_dir))


@main.command("ingest")
@click.argument("seeds", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def ingest_command(project: Project, seeds: tuple[Path, ...]) -> None:
    """Read seed texts into DocBook masters in build/master/.

    Without arguments every seeds/*.txt is ingested.  Each master is validated
    against DocBook 5.0; build/reports/<doc-id>.ingest.json lists which lines
    went to metadata, what was dropped and why, and any conflicts.
    """
    outcomes = _guard(lambda: build.ingest_seeds(project, [s.resolve() for s in seeds] or None))
    _finish(project, outcomes)


def _finish(project: Project, outcomes: list[build.Outcome]) -> None:
    table = Table(title="pressrun", show_edge=False)
    for column in ("step", "input", "status", "output"):
        table.add_column(column)
    for outcome in outcomes:
        shown = _relative(project, outcome.output) if outcome.output else ""
        colour = {"built": "green", "skipped": "dim", "failed": "red"}[outcome.status]
        table.add_row(outcome.step, outcome.target, f"[{colour}]{outcome.status}[/]", shown)
    console.print(table)
    for outcome in outcomes:
        for problem in outcome.problems:
            _say("warning", str(problem))
        if outcome.error is not None:
            _say("error", _describe(project, outcome.error))
    failures = [o.error for o in outcomes if o.error is not None]
    if failures:
        sys.exit(max(error.exit_code for error in failures))


def _describe(project: Project | None, error: PressrunError) -> str:
    if project is not None and error.path is not None:
        error.path = Path(_relative(project, error.path))
    return str(error)


def _relative(project: Project, path: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(project.root))
    except ValueError:
        return str(path)


def _guard(action):
    """Run ``action``; turn a PressrunError into a one-line message and exit code."""
    try:
        return action()
    except PressrunError as error:
        if os.environ.get("PRESSRUN_DEBUG"):
            raise
        _say("error", str(error))
        sys.exit(error.exit_code)


def _say(kind: str, message: str) -> None:
    """One line per message, never wrapped, so editors and CI logs can parse it."""
    colour = {"error": "red", "warning": "yellow"}.get(kind, "default")
    console.print(f"[{colour}]{kind}[/]: {escape(message)}", soft_wrap=True)


if __name__ == "__main__":
    main()
