"""Benchmark: pressrun against the plain pandoc/WeasyPrint chain, and a scale series.

Run with ``make bench``.  In one run on one machine it measures

* pressrun building every document × language × {PDF, EPUB} from a cold
  build folder with ``-j N`` (default: all cores) and with ``-j 1``, and
  again with nothing changed (no-op);
* the naive chain a user would otherwise script: per edition one
  ``pandoc`` process for the EPUB, and one ``pandoc`` → HTML plus one
  ``weasyprint`` process for the PDF, from the same translated masters;
* the same-work floor (``bench/floor.py``): pressrun's own edition XHTML,
  stylesheets and fonts rendered to PDF and EPUB by WeasyPrint and pandoc in
  ``-j N`` warm forked workers and nothing else, so that "× floor" is
  pressrun's own overhead;
* a scale series (2, 10, 50 documents made by repeating the seeds under new
  ids): pressrun's cold build time and peak memory per document;
* the archive benchmark (``bench/archive.py``): 200 distinct documents built
  cold on the local process pool and on a Dask LocalCluster of 2 workers,
  the Dask overhead, and a projection to 1,000 and 10,000 documents.

Wall time is measured around each command; peak memory is the largest sum
of proportional set sizes over the command's process tree, sampled every
20 ms.  Results are printed as a table and written to ``build/bench-<part>.json``
(``--only all``, ``comparison`` or ``archive``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypandoc

import archive

ROOT = Path(__file__).resolve().parents[1]
PRESSRUN = [sys.executable, "-m", "pressrun"]


def tree_rss_mib(root: int) -> float:
    """Memory of a process and all its descendants (MiB): the sum of their proportional set sizes.

    PSS shares each page among the processes that map it, so forked workers
    are not charged twice for the pages they share with their parent.
    """
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    tree, grew = {root}, True
    while grew:
        found = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= found
        grew = bool(found)
    kib = 0
    for pid in tree:
        try:
            rollup = (Path("/proc") / str(pid) / "smaps_rollup").read_text()
        except OSError:
            continue
        kib += sum(int(line.split()[1]) for line in rollup.splitlines() if line.startswith("Pss:"))
    return kib / 1024


def measure(command: list[str], cwd: Path, env: dict | None = None, memory: bool = True) -> dict:
    """Wall seconds, and (``memory``) the peak memory of the command's whole process tree.

    Parallel workers count together, so pressrun's process pool is not
    flattered by measuring one process at a time.  Sampling reads ``/proc``
    every 20 ms, which takes CPU from the command on a small machine: the
    comparison times runs without it and samples memory in runs of its own.
    """
    with tempfile.TemporaryFile() as stderr:  # a pipe could fill up and stall the command
        start = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        peak = 0.0
        while memory and process.poll() is None:
            peak = max(peak, tree_rss_mib(process.pid))
            time.sleep(0.02)
        process.wait()
        wall = time.perf_counter() - start
        if process.returncode != 0:
            stderr.seek(0)
            raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{stderr.read().decode(errors='replace')}")
    return {"seconds": round(wall, 3), "peak_mib": round(peak, 1)}


def make_project(folder: Path, copies: int) -> list[str]:
    """A project with ``copies`` documents per seed (sidecars give the copies new ids)."""
    shutil.copy(ROOT / "pyproject.toml", folder / "pyproject.toml")
    shutil.copytree(ROOT / "styles", folder / "styles")
    shutil.copytree(ROOT / "translations", folder / "translations")
    (folder / "seeds").mkdir()
    ids = {"000_6c4c178a899c20be.txt": "avim-blog-25",
           "003_d93eaae1aa0c00e2.txt": "turan-2017-11-25-nato-azerbaijan-contact-and-differences"}
    documents = []
    for index in range(copies):
        for seed, doc_id in ids.items():
            name = f"{index:03d}-{seed}"
            shutil.copy(ROOT / "seeds" / seed, folder / "seeds" / name)
            new_id = doc_id if index == 0 else f"{doc_id}-copy{index}"
            if index:
                (folder / "seeds" / name).with_suffix(".meta.toml").write_text(f'id = "{new_id}"\n')
                for po in (folder / "translations").glob(f"*/LC_MESSAGES/{doc_id}.po"):
                    shutil.copy(po, po.with_name(f"{new_id}.po"))
            documents.append(new_id)
    return documents


def naive_chain(folder: Path, documents: list[str], languages: list[str], memory: bool = True) -> dict:
    """One pandoc per EPUB; pandoc → HTML and one WeasyPrint process per PDF."""
    pandoc = pypandoc.get_pandoc_path()
    out = folder / "naive"
    out.mkdir(exist_ok=True)
    start = time.perf_counter()
    peak = 0.0
    for doc_id in documents:
        for lang in languages:
            master = folder / "build" / "master" / lang / f"{doc_id}.xml"
            html = out / f"{doc_id}.{lang}.html"
            steps = [
                [pandoc, "-f", "docbook", "-t", "html5", "-s", f"--metadata=lang:{lang}", "-o", str(html), str(master)],
                [sys.executable, "-m", "weasyprint", str(html), str(out / f"{doc_id}.{lang}.pdf")],
                [pandoc, "-f", "docbook", "-t", "epub3", f"--metadata=lang:{lang}", "-o",
                 str(out / f"{doc_id}.{lang}.epub"), str(master)],
            ]
            for command in steps:
                peak = max(peak, measure(command, folder, memory=memory)["peak_mib"])
    return {"seconds": round(time.perf_counter() - start, 3), "peak_mib": peak}


def machine() -> dict:
    return {"cpu_count": os.cpu_count(), "platform": platform.platform(), "python": platform.python_version(),
            "cpu": next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                         if line.startswith("model name")), platform.processor())}


NAIVE = "naive pandoc/WeasyPrint"


def compare(folder: Path, documents: list[str], languages: list[str], jobs: int, env: dict, repeat: int) -> dict:
    """pressrun cold (-j N and -j 1) and no-op, the naive chain and the floor, on the same documents.

    The runs take turns ``repeat`` times, so that a slow spell of a shared
    machine falls on all of them, and the median time is kept; one more
    round, not timed, samples their peak memory.
    """
    rounds = [_round(folder, documents, languages, jobs, env, memory=False) for _ in range(repeat)]
    sampled = _round(folder, documents, languages, jobs, env, memory=True)
    runs = {name: {"seconds": statistics.median(done[name]["seconds"] for done in rounds),
                   "peak_mib": sampled[name]["peak_mib"],
                   "all_seconds": [done[name]["seconds"] for done in rounds]} for name in sampled}
    naive, floor = runs[NAIVE], runs[_floor_name(jobs)]
    for run in runs.values():
        run["wall_ratio"] = round(run["seconds"] / naive["seconds"], 3)
        run["floor_ratio"] = round(run["seconds"] / floor["seconds"], 3)
        run["memory_ratio"] = round(run["peak_mib"] / naive["peak_mib"], 3)
    return {"documents": len(documents), "editions": len(documents) * len(languages) * 2, "repeat": repeat,
            "runs": runs}


def _floor_name(jobs: int) -> str:
    return f"same-work floor -j {jobs}"


def _round(folder: Path, documents: list[str], languages: list[str], jobs: int, env: dict, memory: bool) -> dict:
    """Each compared run once, in table order: a cold run starts from an empty ``build/``, the others
    use what the run before them built (the naive chain its masters, the floor its edition XHTML)."""
    def cold(workers: int) -> dict:
        shutil.rmtree(folder / "build", ignore_errors=True)
        return measure(PRESSRUN + ["all", "-j", str(workers)], folder, env, memory)

    floor = [sys.executable, str(Path(__file__).with_name("floor.py")), str(folder), str(folder / "floor"), str(jobs)]
    return {f"pressrun cold -j {jobs}": cold(jobs),
            f"pressrun no-op -j {jobs}": measure(PRESSRUN + ["all", "-j", str(jobs)], folder, env, memory),
            "pressrun cold -j 1": cold(1),
            NAIVE: naive_chain(folder, documents, languages, memory),
            _floor_name(jobs): measure(floor, folder, env, memory)}


def scale_series(work: Path, copies_list: list[int], jobs: int, env: dict) -> list[dict]:
    series = []
    for copies in copies_list:
        folder = work / f"scale-{copies}"
        folder.mkdir()
        count = len(make_project(folder, copies))
        run = measure(PRESSRUN + ["all", "-j", str(jobs)], folder, env)
        series.append({"documents": count, **run, "seconds_per_document": round(run["seconds"] / count, 3),
                       "peak_mib_per_document": round(run["peak_mib"] / count, 1)})
    return series


def report(results: dict) -> None:
    info = results["machine"]
    print(f"machine: {info['cpu']}, {info['cpu_count']} cores, {info['platform']}")
    comparison = results["comparison"]
    print(f"{comparison['documents']} documents, {comparison['editions']} editions (PDF and EPUB), "
          f"median of {comparison['repeat']} rounds\n")
    print(f"{'run':<28}{'wall s':>9}{'× naive':>9}{'× floor':>9}{'peak MiB':>10}{'× naive':>9}")
    for name, run in comparison["runs"].items():
        print(f"{name:<28}{run['seconds']:>9.2f}{run['wall_ratio']:>9.3f}{run['floor_ratio']:>9.3f}"
              f"{run['peak_mib']:>10.1f}{run['memory_ratio']:>9.3f}")
    if "scale" not in results:
        return
    print(f"\n{'documents':>10}{'wall s':>9}{'s/doc':>9}{'peak MiB':>10}{'MiB/doc':>9}")
    for row in results["scale"]:
        print(f"{row['documents']:>10}{row['seconds']:>9.2f}{row['seconds_per_document']:>9.3f}"
              f"{row['peak_mib']:>10.1f}{row['peak_mib_per_document']:>9.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="1,5,25", help="copies of each seed for the scale series (2, 10, 50 documents)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of the comparison (median time is kept)")
    parser.add_argument("--archive", type=int, default=200, help="documents in the archive benchmark")
    parser.add_argument("--archive-workers", type=int, default=2, help="workers of both archive builds")
    parser.add_argument("--only", choices=("all", "comparison", "archive"), default="all",
                        help="run every benchmark, or the comparison with the naive chain and the floor alone, "
                             "or the archive benchmark alone")
    args = parser.parse_args()
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1733097600"}
    results: dict = {"machine": machine(), "jobs": args.jobs}
    with tempfile.TemporaryDirectory(prefix="pressrun-bench-") as work:
        if args.only in ("all", "comparison"):
            folder = Path(work) / "base"
            folder.mkdir()
            documents = make_project(folder, 1)
            results["comparison"] = compare(folder, documents, ["en", "ru", "az"], args.jobs, env, args.repeat)
        if args.only == "all":
            results["scale"] = scale_series(Path(work), [int(n) for n in args.scale.split(",")], args.jobs, env)
        if args.only in ("all", "archive"):
            results["archive"] = archive.benchmark(Path(work), args.archive, args.archive_workers, measure, env)
    target = ROOT / "build" / f"bench-{args.only}.json"
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(results, indent=2) + "\n")
    if "comparison" in results:
        report(results)
    if "archive" in results:
        archive.report(results["archive"])
    print(f"\nwritten to {target}")


if __name__ == "__main__":
    main()
