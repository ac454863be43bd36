"""Build: runs the stages over every document and collects their outcomes.

In: a :class:`~pressrun.config.Project`.  Out: the artifacts under
``build/`` and a list of :class:`Outcome` records (what was built, skipped or
failed, and the problems found), which the command line shows as a summary.
One document's failure never stops the others.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from .config import Project
from .errors import PressrunError, Problem, ValidationError
from .ingest import ingest
from .master import build_master, serialize, validate
from .outputs import write_atomic

log = logging.getLogger("pressrun.build")


@dataclass
class Outcome:
    step: str
    target: str
    status: str  # "built", "skipped" or "failed"
    output: Path | None = None
    problems: list[Problem] = field(default_factory=list)
    error: PressrunError | None = None
    details: dict = field(default_factory=dict)


def ingest_seeds(project: Project, seeds: list[Path] | None = None) -> list[Outcome]:
    """Ingest each seed into ``build/master/<doc-id>.xml`` with its report."""
    outcomes: list[Outcome] = []
    seen: dict[str, str] = {}
    for seed in seeds or project.seeds():
        try:
            doc, report = ingest(seed, max_bytes=project.max_seed_bytes, sidecar=project.sidecar(seed))
            if doc.doc_id in seen:
                raise ValidationError(f"document id {doc.doc_id!r} is already used by {seen[doc.doc_id]}; "
                                      "set another id in a sidecar .meta.toml", seed)
            seen[doc.doc_id] = seed.name
            tree = build_master(doc)
            errors = validate(tree)
            if errors:
                raise ValidationError(f"master is not valid DocBook 5.0: {errors[0]}", seed)
            target = project.master_path(doc.doc_id)
            write_atomic(target, serialize(tree))
            write_atomic(project.report_path(doc.doc_id, "ingest"), report.to_json().encode())
            outcomes.append(Outcome("ingest", seed.name, "built", target, report.problems,
                                    details={"doc_id": doc.doc_id, "profile": report.profile}))
        except PressrunError as error:
            if error.path is None:
                error.path = seed
            outcomes.append(Outcome("ingest", seed.name, "failed", error=error))
    return outcomes
