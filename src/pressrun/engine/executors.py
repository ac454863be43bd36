"""Executors: where build steps run — this machine's process pool or a Dask cluster.

In: a :class:`~pressrun.config.Project` (its ``executor`` and ``scheduler``
settings) and a number of jobs.  Out: an object with the
:class:`concurrent.futures.Executor` interface, to which the build engine
submits picklable top-level step functions and whose futures it waits on
with :func:`concurrent.futures.wait`, plus ``preload(modules)``, which the
engine calls once the first steps are running.  The engine, the steps, their keys and
their outcomes are the same whichever executor runs them.

* ``local`` (the default): a process pool of ``jobs`` workers on this
  machine, forked from the building process; with one job, steps run in the
  building process itself.  :meth:`LocalPool.preload` imports the modules the
  coming steps need (WeasyPrint takes 0.7 s of CPU to import) once, in the
  building process, while the first steps run; the steps submitted after it
  go to a pool forked from the warmed process, so no worker imports them again.
* ``dask``: a ``dask.distributed`` cluster.  With a ``scheduler`` address
  (``tcp://host:8786``) pressrun connects to that cluster; without one it
  starts a ``LocalCluster`` of ``jobs`` single-threaded worker processes on
  this machine.  Needs the ``dask`` extra: ``pip install 'pressrun[dask]'``.

Storage is a shared filesystem: every worker must see the project folder
under the same absolute path (NFS or similar); pressrun checks this, and
that the workers run the same pressrun and renderer versions, before the
first step is submitted.  Each task carries the project date this process
settled on (``SOURCE_DATE_EPOCH``, else the last commit's date) so that a
remote worker, which may have no git and another clock, dates editions
exactly as a local one would.

Failures: a worker that dies mid-step has the step re-run on another
worker, up to :data:`WORKER_LOSS_RETRIES` times (Dask's scheduler setting
``distributed.scheduler.allowed-failures``; a remote scheduler uses its own
configuration); a step that raises an unexpected exception is retried
:data:`TASK_RETRIES` time(s).  Dask task priorities follow the stage: a
step closer to a finished edition runs before one further from it.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import uuid
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from importlib import metadata

from .. import __version__
from ..config import Project
from ..errors import ConfigError, ToolError

log = logging.getLogger("pressrun.engine.executors")

#: Times a step is re-run after the worker running it died.
WORKER_LOSS_RETRIES = 3
#: Times a step that raised an unexpected exception is re-run.
TASK_RETRIES = 1


def make_executor(project: Project, jobs: int) -> Executor:
    """The executor the project asks for; use it as a context manager."""
    if project.executor == "dask":
        return DaskExecutor(project, jobs)
    if jobs <= 1:
        return InlineExecutor()
    return LocalPool(jobs)


class LocalPool(Executor):
    """A process pool forked from this process, started at the first submission.

    After :meth:`preload`, the next submission forks a new pool from the
    process that now holds the preloaded modules; the earlier pool finishes
    the steps it has and its workers exit.
    """

    def __init__(self, jobs: int):
        self.jobs = jobs
        self._pool: ProcessPoolExecutor | None = None
        self._retired: list[ProcessPoolExecutor] = []

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.jobs, mp_context=multiprocessing.get_context("fork"))
        return self._pool.submit(fn, *args, **kwargs)

    def preload(self, modules: tuple[str, ...]) -> None:
        """Import ``modules`` here while the running steps go on; later steps get workers that share them.

        Does nothing when no step is running: there is no work to overlap
        the import with, and a build with nothing to do imports nothing.
        """
        if self._pool is None or not modules:
            return
        for name in modules:
            try:
                importlib.import_module(name)
            except Exception:  # the step that needs the module reports why it cannot load
                log.debug("could not preload %s", name, exc_info=True)
                return
        self._pool.shutdown(wait=False)
        self._retired.append(self._pool)
        self._pool = None

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        for pool in [*self._retired, *([self._pool] if self._pool else [])]:
            pool.shutdown(wait=wait, cancel_futures=cancel_futures)
        self._retired, self._pool = [], None


class InlineExecutor(Executor):
    """Runs each step at once in this process (``-j 1``): no pool to start."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed to whoever waits on the future, like a pool would
            if isinstance(error, KeyboardInterrupt):
                raise
            future.set_exception(error)
        return future

    def preload(self, modules: tuple[str, ...]) -> None:
        """Nothing to share: the steps run here and import what they need themselves."""


class DaskExecutor(Executor):
    """Steps as Dask tasks; the client (and a LocalCluster) start at the first submission.

    A build whose steps are all up to date therefore never starts a cluster.
    """

    def __init__(self, project: Project, jobs: int):
        self.project = project
        self.jobs = jobs
        self.environment = {"SOURCE_DATE_EPOCH": str(project.source_date_epoch)}
        self._cluster = None
        self._client = None
        self._executor = None

    def preload(self, modules: tuple[str, ...]) -> None:
        """Nothing to share: Dask workers are separate processes that import what their tasks need."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if kwargs:  # ClientExecutor.submit would take them as Dask options, not as fn's arguments
            raise TypeError("steps submitted to the Dask executor take positional arguments only")
        name, priority = _task_identity(args)
        return self._connected().submit(_with_environment, self.environment, fn, *args,
                                        key=f"{name}-{uuid.uuid4().hex}", priority=priority)

    def __exit__(self, kind, error, traceback) -> bool:
        """On Ctrl-C or an error, cancel the build's remaining tasks instead of waiting for them."""
        self.shutdown(wait=kind is None, cancel_futures=kind is not None)
        return False

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=wait and not cancel_futures)
        if self._client is not None:
            self._client.close()
        if self._cluster is not None:
            self._cluster.close()
        self._executor = self._client = self._cluster = None

    def _connected(self):
        if self._executor is None:
            self._client = self._connect()
            _check_workers(self._client, self.project)
            self._executor = self._client.get_executor(pure=False, retries=TASK_RETRIES)
        return self._executor

    def _connect(self):
        try:
            import dask
            from distributed import Client, LocalCluster
        except ImportError as error:
            raise ConfigError("the dask executor needs Dask: pip install 'pressrun[dask]'") from error
        _quiet_dask_logging()
        if self.project.scheduler:
            timeout = dask.config.get("distributed.comm.timeouts.connect")  # DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT
            try:
                client = Client(self.project.scheduler, timeout=timeout)
                client.wait_for_workers(1, timeout=timeout)
            except (OSError, TimeoutError) as error:
                raise ToolError(f"no Dask scheduler with workers at {self.project.scheduler}: {error}") from error
            return client
        with dask.config.set({"distributed.scheduler.allowed-failures": WORKER_LOSS_RETRIES}):
            self._cluster = LocalCluster(n_workers=self.jobs, threads_per_worker=1, processes=True,
                                         dashboard_address=None)
        return Client(self._cluster)


def _task_identity(args: tuple) -> tuple[str, int]:
    """A readable task name and a Dask priority from the step among the arguments.

    Arguments with ``stage`` and ``priority`` attributes (a build Step) name
    the task after their stage, so the Dask dashboard groups tasks by stage.
    """
    for argument in args:
        if hasattr(argument, "stage") and hasattr(argument, "priority"):
            return argument.stage, argument.priority
    return "pressrun", 0


def _with_environment(environment: dict[str, str | None], fn, *args, **kwargs):
    """Run ``fn`` on a worker under the building process's environment variables."""
    saved = {name: os.environ.get(name) for name in environment}
    _set_environment(environment)
    try:
        return fn(*args, **kwargs)
    finally:
        _set_environment(saved)


def _set_environment(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def worker_facts(root: str) -> dict:
    """What a worker must share with the building process: the project folder and the versions."""
    import pypandoc
    return {"sees_project": os.path.isfile(os.path.join(root, "pyproject.toml")),
            "versions": {"pressrun": __version__, "weasyprint": metadata.version("weasyprint"),
                         "pandoc": pypandoc.get_pandoc_version()}}


def _check_workers(client, project: Project) -> None:
    """Refuse a cluster whose workers cannot see the project or run other versions."""
    here = worker_facts(str(project.root))
    for worker, facts in sorted(client.run(worker_facts, str(project.root)).items()):
        if not facts["sees_project"]:
            raise ConfigError(f"Dask worker {worker} cannot see the project at {project.root}: every worker "
                              "needs the project folder under the same path (shared filesystem)")
        if facts["versions"] != here["versions"]:
            raise ToolError(f"Dask worker {worker} runs {facts['versions']}, this machine runs "
                            f"{here['versions']}: install the same versions on every worker")


def _quiet_dask_logging() -> None:
    """Dask's own INFO messages would interleave with pressrun's progress bar."""
    for name in ("distributed", "distributed.nanny", "distributed.scheduler", "distributed.worker"):
        logging.getLogger(name).setLevel(logging.WARNING)
