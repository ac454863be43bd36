"""Executors: the same build on this machine's process pool and on a Dask cluster.

The Dask tests run real ``distributed.LocalCluster`` process workers: the
seeds built on Dask must give the local build's bytes and summary, and a
worker killed in the middle of a step must cost no output.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from pressrun.engine import build
from pressrun.engine.executors import LocalPool
from pressrun.config import load_project

from conftest import AVIM_ID, make_project, require

PRESSRUN = [sys.executable, "-m", "pressrun"]
EPOCH = {"SOURCE_DATE_EPOCH": "1733097600"}


def _dask_available() -> bool:
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.fixture(scope="module")
def distributed():
    require(_dask_available(), "Dask (pip install 'pressrun[dask]')")
    import distributed
    return distributed


def _outputs(build_dir: Path) -> dict[str, bytes]:
    """Every file a build leaves, by relative path (state files name absolute paths, so they are left out)."""
    return {str(path.relative_to(build_dir)): path.read_bytes() for path in sorted(build_dir.rglob("*"))
            if path.is_file() and ".state" not in path.parts and path.name != ".lock"}


def _pressrun(folder: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(PRESSRUN + list(arguments), cwd=folder, capture_output=True, text=True,
                          env={**os.environ, **EPOCH}, timeout=600)


@pytest.fixture(scope="module")
def local_build(tmp_path_factory):
    """The seeds built with the local process pool: (build folder, command line output)."""
    folder = make_project(tmp_path_factory.mktemp("local"))
    result = _pressrun(folder, "all", "-j", "2")
    assert result.returncode == 0, result.stderr
    return folder / "build", result.stderr


@pytest.fixture(scope="module")
def cluster(distributed):
    """A LocalCluster of two single-threaded worker processes, and a client to watch it."""
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as local_cluster, \
            distributed.Client(local_cluster) as client:
        yield local_cluster, client


def test_dask_build_gives_the_local_bytes_and_summary(distributed, local_build, tmp_path):
    folder = make_project(tmp_path)
    result = _pressrun(folder, "all", "-j", "2", "--executor", "dask")
    assert result.returncode == 0, result.stderr
    reference, summary = local_build
    built = _outputs(folder / "build")
    assert len([name for name in built if name.endswith((".pdf", ".epub"))]) == 12
    assert built == _outputs(reference)
    assert result.stderr == summary
    assert "pressrun: 26 built, 0 up to date, 0 failed" in summary


def test_executor_comes_from_pyproject(distributed, local_build, tmp_path):
    folder = make_project(tmp_path)
    settings = folder / "pyproject.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "[tool.pressrun]", '[tool.pressrun]\nexecutor = "dask"'), encoding="utf-8")
    assert load_project(folder).executor == "dask"
    result = _pressrun(folder, "master", "-j", "2")
    assert result.returncode == 0, result.stderr
    assert {name: data for name, data in _outputs(folder / "build").items() if name.startswith("master/")} == \
        {name: data for name, data in _outputs(local_build[0]).items() if name.startswith("master/")}


def _kill_a_worker_during(stage: str, client, killed: list[int]) -> None:
    """Wait until a worker runs a ``stage`` step, then SIGKILL that worker's process."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        for address, keys in client.processing().items():
            if any(str(key).startswith(f"{stage}-") for key in keys):
                pid = client.run(os.getpid, workers=[address])[address]
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
        time.sleep(0.02)


def test_killing_a_worker_mid_build_loses_no_output(cluster, local_build, tmp_path, monkeypatch):
    local_cluster, client = cluster
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH["SOURCE_DATE_EPOCH"])
    project = dataclasses.replace(load_project(make_project(tmp_path)), executor="dask",
                                  scheduler=local_cluster.scheduler_address)
    pids_before = set(client.run(os.getpid).values())
    killed: list[int] = []
    killer = threading.Thread(target=_kill_a_worker_during, args=("pdf", client, killed))
    killer.start()
    finished = []
    outcomes = build.run(project, build.STAGES, on_done=finished.append)
    killer.join()
    assert len(killed) == 1 and killed[0] in pids_before, "no worker was killed during a PDF step"
    assert len(finished) == len(outcomes) == 26
    assert {outcome.status for outcome in outcomes} == {"built"}, [str(o.error) for o in outcomes if o.error]
    client.wait_for_workers(2, timeout=60)
    assert killed[0] not in set(client.run(os.getpid).values())

    again = build.run(dataclasses.replace(project, executor="local", scheduler=None), build.STAGES, jobs=2)
    assert {outcome.status for outcome in again} == {"skipped"}
    assert _outputs(project.build_dir) == _outputs(local_build[0])
    assert not list(project.build_dir.rglob("*.tmp"))


def test_a_failing_step_on_a_worker_fails_only_its_edition(cluster, tmp_path, monkeypatch):
    local_cluster, _client = cluster
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH["SOURCE_DATE_EPOCH"])
    project = dataclasses.replace(load_project(make_project(tmp_path)), executor="dask",
                                  scheduler=local_cluster.scheduler_address)
    po = project.po_path("az", AVIM_ID)
    po.write_text(po.read_text(encoding="utf-8") + '\nmsgid "broken"\n', encoding="utf-8")
    outcomes = build.run(project, build.TARGETS["pdf"])
    assert [(o.step, o.target) for o in outcomes if o.status == "failed"] == [("merge", f"{AVIM_ID} [az]")]
    assert sorted((o.step, o.target) for o in outcomes if o.status == "skipped") == \
        [("edition", f"{AVIM_ID} [az]"), ("pdf", f"{AVIM_ID} [az]")]
    assert sum(o.status == "built" for o in outcomes) == 2 + 5 * 3
    assert not project.pdf_path(AVIM_ID, "az").exists()


def test_unreachable_scheduler_is_one_line(distributed, tmp_path):
    folder = make_project(tmp_path)
    result = subprocess.run(PRESSRUN + ["master", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1"],
                            cwd=folder, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "1s"})
    assert result.returncode == 69 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: no Dask scheduler with workers at tcp://127.0.0.1:1")


@pytest.mark.parametrize("arguments, message", [
    (["--scheduler", "tcp://127.0.0.1:8786"], "--scheduler needs --executor dask"),
    (["--executor", "dask", "--scheduler", "127.0.0.1"], "is not a Dask scheduler address"),
    (["--executor", "spark"], "Invalid value for '--executor'"),
])
def test_executor_options_are_checked(tmp_path, arguments, message):
    folder = make_project(tmp_path)
    result = subprocess.run(PRESSRUN + ["master", *arguments], cwd=folder, capture_output=True, text=True)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert message in result.stderr
    assert not (folder / "build" / "master").exists()


def test_unknown_executor_in_pyproject_names_the_file(tmp_path):
    folder = make_project(tmp_path)
    settings = folder / "pyproject.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "[tool.pressrun]", '[tool.pressrun]\nexecutor = "spark"'), encoding="utf-8")
    result = subprocess.run(PRESSRUN + ["master"], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 78
    assert result.stderr.strip().endswith("pyproject.toml: unknown executor 'spark': choose one of local, dask")


def _import_and_tell(name: str) -> int:
    __import__(name)
    return os.getpid()


@pytest.fixture
def probe_module(tmp_path, monkeypatch):
    """A module that appends the importing process's id to a file each time a process imports it."""
    name = f"preload_probe_{os.getpid()}"
    imports = tmp_path / "imports.txt"
    (tmp_path / f"{name}.py").write_text(f"import os\nwith open({str(imports)!r}, 'a') as f:\n"
                                         "    f.write(f'{os.getpid()}\\n')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, imports
    sys.modules.pop(name, None)


def test_preloaded_module_is_imported_once_for_every_later_worker(probe_module):
    name, imports = probe_module
    with LocalPool(2) as pool:
        pool.submit(time.sleep, 0.2)
        pool.preload((name,))
        workers = {future.result() for future in [pool.submit(_import_and_tell, name) for _ in range(6)]}
    assert imports.read_text().split() == [str(os.getpid())]
    assert os.getpid() not in workers


def test_preload_with_nothing_running_imports_nothing(probe_module):
    name, imports = probe_module
    with LocalPool(2) as pool:
        pool.preload((name,))
        workers = {future.result() for future in [pool.submit(_import_and_tell, name) for _ in range(2)]}
    assert str(os.getpid()) not in imports.read_text().split()
    assert len(imports.read_text().split()) == len(workers)
