"""Build: the pipeline as a graph of steps, run incrementally and in parallel.

In: a :class:`~pressrun.config.Project`.  Out: the artifacts under
``build/`` and a list of :class:`Outcome` records (what was built, skipped or
failed, with the problems found), which the command line shows as a summary.

The steps come from the stage table (:mod:`pressrun.engine.stages`): ingest
per seed; merge, edition, PDF and EPUB per document and language.  A step
records every file and setting it reads as it reads them
(:mod:`pressrun.engine.dependencies`); the engine keeps that record with the
step's state and skips the step while nothing recorded has changed and its
outputs exist, reporting again the warnings it gave when it ran, since they
hold until its input changes.  Each step is submitted as soon as the
steps it depends on have finished (no stage waits for the whole previous
stage) to the executor :func:`pressrun.engine.executors.make_executor` gives: this
machine's process pool or a Dask cluster.  Once the ingests are running,
the executor may preload what later stages import slowly (the stage table's
``preload``).  The step writes its outputs and
its state file itself, atomically, wherever it runs.  One document's failure
never stops the others, and the steps that depend on a failed one are
skipped with a note; an unexpected exception is a bug report (exit 70), not
a stopped build.  A lock on ``build/.lock`` serializes concurrent builds
of one checkout.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .. import __version__
from ..config import Project, load_project
from ..errors import (
    InputError,
    InternalError,
    PressrunError,
    Problem,
    ToolError,
    ValidationError,
)
from . import dependencies
from .executors import make_executor
from .outputs import remove_stale_temporaries, write_atomic
from .stages import STAGE_TABLE, STAGES, TARGETS, Outcome, Step

#: The stage that turns seeds into documents (it gives each document its id).
SEED_STAGE = next(stage.name for stage in STAGE_TABLE.values() if stage.per == "seed")

log = logging.getLogger("pressrun.engine.build")


# Running -------------------------------------------------------------------------

@dataclass(frozen=True)
class Selection:
    """Which documents and languages a build makes beyond ingest (None: all of them).

    Every seed is still ingested, since only ingest knows which seed gives
    which document id; nothing else is built for documents not asked for.
    """

    documents: frozenset[str] | None = None
    languages: tuple[str, ...] | None = None

    def wants(self, doc_id: str) -> bool:
        return self.documents is None or doc_id in self.documents

    def languages_of(self, project: Project) -> tuple[str, ...]:
        return self.languages or project.languages


def run(project: Project, stages: tuple[str, ...], *, jobs: int | None = None, strict: bool = False,
        force: bool = False, seeds: list[Path] | None = None, selection: Selection = Selection(),
        on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Bring the given stages up to date; returns one Outcome per step, in a stable order.

    A document in ``selection`` that no seed gives is a failed "select" outcome.
    """
    with build_lock(project):
        remove_stale_temporaries(project.build_dir)
        seed_names = project.seed_names(seeds) if seeds else [seed.name for seed in project.seeds()]
        with make_executor(project, jobs or os.cpu_count() or 1) as executor:
            runner = _Runner(project, executor, stages, strict, force, on_done, selection)
            outcomes = runner.run(seed_names)
    known = ", ".join(sorted(runner.owners)) or "none"
    return outcomes + [Outcome("select", doc_id, "failed", error=InputError(
        f"no seed gives the document {doc_id!r} (known: {known})"))
        for doc_id in sorted((selection.documents or set()) - set(runner.owners))]


class _Runner:
    """Submits each step as soon as the steps it depends on have finished."""

    def __init__(self, project: Project, executor: Executor, stages: tuple[str, ...], strict: bool, force: bool,
                 on_done, selection: Selection):
        self.project = project
        self.executor = executor
        self.stages = stages
        self.strict = strict
        self.force = force
        self.on_done = on_done
        self.selection = selection
        self.settings = current_settings(project, strict)
        self.results: dict[Step, Outcome] = {}
        self.running: dict[Future, Step] = {}
        self.failed: set[tuple[str, str | None]] = set()
        self.ingests: list[Step] = []
        self.seed_position: dict[str, int] = {}
        self.confirmed = 0  # ingests whose document id is settled, in seed order
        self.owners: dict[str, str] = {}

    def run(self, seed_names: list[str]) -> list[Outcome]:
        self.ingests = [Step(SEED_STAGE, name) for name in seed_names]
        self.seed_position = {name: position for position, name in enumerate(seed_names)}
        for step in self.ingests:
            self._start(step)
        self.executor.preload(tuple(dict.fromkeys(module for name in self.stages
                                                  for module in STAGE_TABLE[name].preload)))
        while self.running:
            done, _ = wait(self.running, return_when=FIRST_COMPLETED)
            for future in done:
                step = self.running.pop(future)
                self._finish(step, _collected(step, future))
        return [self.results[step] for step in sorted(self.results, key=self._planned_position)]

    def _start(self, step: Step) -> None:
        if (step.unit, step.lang) in self.failed:
            self._finish(step, Outcome(step.stage, step.label, "skipped", problems=[
                Problem("warning", "not built: an earlier step of this edition failed")]))
            return
        kept = None if self.force else reusable(self.project, step, self.settings)
        if kept is not None:
            self._finish(step, kept)
            return
        self.running[self.executor.submit(_execute, str(self.project.root), step, self.strict)] = step

    def _finish(self, step: Step, outcome: Outcome) -> None:
        self.results[step] = outcome
        if step.stage == SEED_STAGE:
            self._settle_ingests()
            return
        self._record(outcome, step)
        for stage in STAGE_TABLE[step.stage].then:
            if stage in self.stages:
                self._start(Step(stage, step.unit, step.lang))

    def _settle_ingests(self) -> None:
        """Settle finished ingests in seed order: a later seed claiming a taken document id fails."""
        while self.confirmed < len(self.ingests) and self.ingests[self.confirmed] in self.results:
            step = self.ingests[self.confirmed]
            self.confirmed += 1
            outcome = self.results[step]
            stage = STAGE_TABLE[step.stage]
            doc_id = _claim(outcome, self.owners, self.project)
            if doc_id and outcome.status == "built" and stage.publish:
                stage.publish(self.project, step, outcome)
            self._record(outcome, step)
            if doc_id and self.selection.wants(doc_id):
                for follower in (name for name in stage.then if name in self.stages):
                    for lang in self.selection.languages_of(self.project):
                        self._start(Step(follower, doc_id, lang))
            elif outcome.status == "failed":
                self._list_stale(step)

    def _list_stale(self, ingest_step: Step) -> None:
        """A failed ingest: its document's later steps are listed as not built, their old outputs as stale."""
        doc_id = read_state(ingest_step.state_file(self.project)).get("details", {}).get("doc_id")
        if not doc_id or doc_id in self.owners:
            return
        note = (f"not built: ingest of {ingest_step.unit} failed; outputs in build/ from an earlier build "
                "are stale")
        for stage in (STAGE_TABLE[name] for name in self.stages if STAGE_TABLE[name].per == "edition"):
            for lang in self.project.languages:
                later = Step(stage.name, doc_id, lang)
                stale = [path for path in stage.outputs(self.project, doc_id, lang) if path.exists()]
                self.results[later] = Outcome(stage.name, later.label, "skipped", stale[0] if stale else None,
                                              problems=[Problem("warning", note)])
                if self.on_done:
                    self.on_done(self.results[later])

    def _record(self, outcome: Outcome, step: Step) -> None:
        if outcome.status == "failed" and step.stage != SEED_STAGE:
            self.failed.add((step.unit, step.lang))
        if self.on_done:
            self.on_done(outcome)

    def _planned_position(self, step: Step) -> tuple:
        """Stage, then seed order for ingests, document and language order for the rest."""
        if STAGE_TABLE[step.stage].per == "seed":
            return (STAGES.index(step.stage), self.seed_position[step.unit])
        return (STAGES.index(step.stage), step.unit, self.project.languages.index(step.lang))


def _claim(outcome: Outcome, owners: dict[str, str], project: Project) -> str | None:
    """The document id an ingest gives, or None if it failed or the id is taken (then it fails)."""
    doc_id = outcome.details.get("doc_id")
    if outcome.status == "failed" or not doc_id:
        return None
    if doc_id in owners:
        outcome.status = "failed"
        outcome.error = ValidationError(f"document id {doc_id!r} is already used by {owners[doc_id]}; "
                                        "set another id in a sidecar .meta.toml", project.seeds_dir / outcome.target)
        return None
    owners[doc_id] = outcome.target
    return doc_id


def _collected(step: Step, future: Future) -> Outcome:
    """The step's outcome; a worker lost for good or a crash fails this step only."""
    try:
        return future.result()
    except Exception as error:
        log.debug("%s %s did not finish", step.stage, step.label, exc_info=True)
        return Outcome(step.stage, step.label, "failed",
                       error=ToolError(f"{step.stage} step did not finish: {type(error).__name__}: {error}"))


def _execute(root: str, step: Step, strict: bool) -> Outcome:
    """Run one step wherever the executor placed it; its outputs and state are written there, atomically."""
    project = load_project(Path(root))
    action = STAGE_TABLE[step.stage].run
    started, cpu = time.perf_counter(), _cpu_seconds()
    try:
        with dependencies.recording(project.root) as inputs:
            outcome = action(project, step, strict)
    except PressrunError as error:
        outcome = Outcome(step.stage, step.label, "failed", error=error)
    except Exception as error:  # a bug in pressrun must fail this step only, never the build
        outcome = Outcome(step.stage, step.label, "failed", error=_crash_report(project, step, error))
    outcome.seconds, outcome.cpu_seconds = time.perf_counter() - started, _cpu_seconds() - cpu
    if outcome.status == "built":
        write_state(project, step, inputs, outcome)
    return outcome


def crash_report_path(project: Project, step: Step) -> Path:
    name = step.unit if step.lang is None else f"{step.unit}.{step.lang}"
    return project.build_dir / "reports" / f"crash-{step.stage}-{name}.txt"


def _crash_report(project: Project, step: Step, error: Exception) -> InternalError:
    """Keep the traceback of an unexpected exception for a bug report; return the one-line error."""
    path = crash_report_path(project, step)
    log.debug("%s %s crashed", step.stage, step.label, exc_info=error)
    text = (f"pressrun {__version__}: {step.stage} step of {step.label} crashed\n\n"
            + "".join(traceback.format_exception(error)))
    write_atomic(path, text.encode("utf-8"))
    return InternalError(f"bug in pressrun: {step.stage} step crashed with {type(error).__name__}: {error}; "
                         "please report it with this file", path)


def _cpu_seconds() -> float:
    """CPU time of this process and of the subprocesses it has waited for."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


@contextmanager
def build_lock(project: Project):
    """Serialize builds of one checkout: a second build waits for the first."""
    project.build_dir.mkdir(parents=True, exist_ok=True)
    with open(project.build_dir / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            log.warning("another pressrun build is running in %s; waiting for it", project.root)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# Keys ------------------------------------------------------------------------------

def base_key(step: Step) -> str:
    """What a step's outputs depend on besides what it records: the step itself and pressrun's version."""
    return json.dumps({"stage": step.stage, "unit": step.unit, "lang": step.lang, "pressrun": __version__},
                      sort_keys=True)


def current_settings(project: Project, strict: bool) -> dict[str, object]:
    """The settings and tool versions steps may depend on (each step records the ones it uses)."""
    return {"languages": list(project.languages), "max_seed_bytes": project.max_seed_bytes, "strict": strict,
            "source_date_epoch": project.source_date_epoch, "base_url": project.base_url,
            "min_publish": project.min_publish,
            **dependencies.tool_versions()}


def up_to_date(state: dict, step: Step, settings: dict[str, object], root: Path) -> bool:
    """The step ran before with the same key, its outputs exist, and nothing it read has changed."""
    return (state.get("key") == base_key(step) and all((root / p).exists() for p in state.get("outputs", []))
            and dependencies.unchanged(state.get("inputs", {}), settings, root))


def reusable(project: Project, step: Step, settings: dict[str, object]) -> Outcome | None:
    """The step's last outcome, as skipped, when nothing it recorded has changed; else None.

    Its warnings are reported again: they hold until its inputs change.
    """
    state = read_state(step.state_file(project))
    if not up_to_date(state, step, settings, project.root) or not _lists_every_output(project, step, state):
        return None
    output = project.root / state["outputs"][0] if state["outputs"] else None
    return Outcome(step.stage, step.label, "skipped", output, details=state.get("details", {}),
                   problems=[Problem(**found) for found in state.get("problems", [])])


def _lists_every_output(project: Project, step: Step, state: dict) -> bool:
    """False when the stage now writes a file its record does not list (a ``build/`` of an older pressrun)."""
    stage = STAGE_TABLE.get(step.stage)
    if stage is None or stage.per != "edition":
        return True
    return state["outputs"] == _relative(project, stage.outputs(project, step.unit, step.lang))


def read_state(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _relative(project: Project, paths: list[Path]) -> list[str]:
    return [Path(path).relative_to(project.root).as_posix() for path in paths]


def write_state(project: Project, step: Step, inputs: dict[str, str], outcome: Outcome) -> None:
    """The step's record: its key, what it read, its outputs (relative to the project) and findings."""
    stage = STAGE_TABLE.get(step.stage)
    written = (stage.outputs(project, step.unit, step.lang) if stage and stage.per == "edition"
               else [outcome.output] if outcome.output else [])
    state = {"key": base_key(step), "inputs": inputs, "outputs": _relative(project, written),
             "details": outcome.details, "problems": [problem.as_dict() for problem in outcome.problems]}
    write_atomic(step.state_file(project), json.dumps(state, ensure_ascii=False, sort_keys=True).encode())


# Conveniences for one stage at a time (the library API and the tests use them) --------

def _only(outcomes: list[Outcome], stage: str) -> list[Outcome]:
    return [outcome for outcome in outcomes if outcome.step == stage]


def ingest_seeds(project: Project, seeds: list[Path] | None = None, **options) -> list[Outcome]:
    return _only(run(project, ("ingest",), seeds=seeds, **options), "ingest")


def merge_translations(project: Project, strict: bool = False, **options) -> list[Outcome]:
    return _only(run(project, TARGETS["master"], strict=strict, **options), "merge")


def build_pdfs(project: Project, **options) -> list[Outcome]:
    return _only(run(project, TARGETS["pdf"], **options), "pdf")


def build_epubs(project: Project, **options) -> list[Outcome]:
    return _only(run(project, TARGETS["epub"], **options), "epub")
