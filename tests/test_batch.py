"""Batch grading: finding submissions, the gradebook, resume after kill -9, the result
cache, exports, and a real Dask cluster agreeing with the local pool."""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import EXAMPLES, example_json

from autograder.course import Course, load_course
from autograder.errors import GraderError
from autograder.grade import BatchReport, Options, grade
from autograder.submissions import discover

AUTOGRADER = Path(sys.executable).with_name("autograder")


def write_nb(path: Path, data: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def variant(name: str, n: int) -> dict[str, Any]:
    """An example whose first exercise cell differs by a comment: new content, same grade."""
    data = example_json(name)
    for cell in data["cells"]:
        source = "".join(cell["source"])
        if "GRADED FUNCTION: house_data" in source:
            cell["source"] = source + f"\n# student variant {n}\n"
    return data


def scores(results: Any) -> dict[str, tuple[float, ...]]:
    return {r.student: tuple(e.score for e in r.exercises) for r in results}


# --------------------------------------------------------------------------- discovery


def test_files_folders_globs_and_nbgrader_layout(tmp_path: Path, course: Course) -> None:
    week1 = course.assignment("week1")
    a = write_nb(tmp_path / "loose" / "alice_week1.ipynb", example_json("correct"))
    write_nb(tmp_path / "loose" / ".ipynb_checkpoints" / "alice_week1-checkpoint.ipynb",
             example_json("correct"))
    sub = tmp_path / "course" / "submitted"
    bob = write_nb(sub / "bob" / "week1" / "week1.ipynb", example_json("correct"))
    write_nb(sub / "bob" / "week1" / "scratch.ipynb", example_json("correct"))
    carol = write_nb(sub / "carol" / "week1" / "renamed.ipynb", example_json("correct"))
    write_nb(sub / "bob" / "week2" / "week2.ipynb", example_json("correct"))

    found = discover([tmp_path / "course" / "submitted"], week1)
    assert [(s.student, s.path) for s in found] == [("bob", bob), ("carol", carol)]

    found = discover([str(tmp_path / "loose" / "*.ipynb"), a, bob], week1)
    assert [s.student for s in found] == ["alice_week1", "bob"]  # a path named twice: once

    found = discover([tmp_path / "loose"], week1, r"(?P<student>[a-z]+)_week1")
    assert [s.student for s in found] == ["alice"]

    twice = discover([a, write_nb(tmp_path / "other" / "alice_week1.ipynb", {})], week1)
    assert [s.student for s in twice] == ["alice_week1", "alice_week1-2"]

    with pytest.raises(GraderError, match="no such file"):
        discover([tmp_path / "typo.ipynb"], week1)
    with pytest.raises(GraderError, match="no file matches"):
        discover([str(tmp_path / "*.nothing")], week1)
    with pytest.raises(GraderError, match="needs a group"):
        discover([a], week1, r"week1")


# --------------------------------------------------------------------------- cache


@pytest.mark.slow
def test_cache_hit_skips_execution(course_copy: Path, tmp_path: Path) -> None:
    course = load_course(course_copy / "course.yaml")
    first = write_nb(tmp_path / "in" / "ann.ipynb", example_json("raises_exception"))
    again = example_json("raises_exception")  # outputs and scratch cells are not graded
    again["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None,
                           "outputs": [], "source": "print('my own experiment')"})
    resubmitted = write_nb(tmp_path / "in2" / "ben.ipynb", again)
    changed = write_nb(tmp_path / "in3" / "cat.ipynb", variant("raises_exception", 1))

    report = grade(course, "week1", [first], tmp_path / "out1")
    assert (report.graded, report.reused) == (1, 0) and not report.results[0].cached

    runs = tmp_path / "runs"  # every sandbox run makes its folder here
    runs.mkdir()
    saved, tempfile.tempdir = tempfile.tempdir, str(runs)
    try:
        hit = grade(course, "week1", [resubmitted], tmp_path / "out2")
    finally:
        tempfile.tempdir = saved
    assert (hit.graded, hit.reused) == (0, 1)
    assert not any(runs.iterdir()), "a cache hit ran the sandbox"
    r = hit.results[0]
    assert r.cached and r.student == "ben" and r.submission == str(resubmitted)
    assert scores([r]) == {"ben": scores(report.results)["ann"]}

    miss = grade(course, "week1", [changed], tmp_path / "out3")
    assert (miss.graded, miss.reused) == (1, 0)
    forced = grade(course, "week1", [resubmitted], tmp_path / "out4",
                   options=Options(use_cache=False))
    assert (forced.graded, forced.reused) == (1, 0) and not forced.results[0].cached


# --------------------------------------------------------------------------- kill -9, resume


def _rows(db: Path) -> list[tuple[str, str]]:
    """The gradebook's rows; none while the grader has made the file but not its table."""
    try:
        with sqlite3.connect(db) as con:
            return con.execute("SELECT student, graded_at FROM grades").fetchall()
    except sqlite3.OperationalError as e:
        if "no such table" in str(e):
            return []
        raise


@pytest.mark.slow
def test_killed_batch_resumes_and_grades_each_once(course_copy: Path, tmp_path: Path) -> None:
    submissions = [write_nb(tmp_path / "in" / f"s{n}.ipynb", variant("raises_exception", n))
                   for n in range(5)]
    out = tmp_path / "out"
    cmd = [str(AUTOGRADER), "--course", str(course_copy / "course.yaml"), "grade", "week1",
           str(tmp_path / "in"), "--out", str(out), "--jobs", "1", "--no-cache"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    db = out / "gradebook.db"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and proc.poll() is None:
        if db.is_file() and len(_rows(db)) >= 2:
            break
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)  # the grader and its sandbox, mid-batch
    proc.wait()
    before = dict(_rows(db))
    assert 2 <= len(before) < len(submissions), "kill the batch while it runs"

    done = subprocess.run([*cmd, "--resume", "--json"], capture_output=True, text=True,
                          timeout=600, check=True)
    summary = json.loads(done.stdout)
    after = dict(_rows(db))
    assert sorted(after) == [f"s{n}" for n in range(5)]  # each student once
    assert summary["graded"] == len(submissions) - len(before)
    assert {s: after[s] for s in before} == before  # finished grades were not redone
    with open(out / "week1.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["student"] for r in rows] == sorted(after)
    assert {r["score"] for r in rows} == {"4"}


@pytest.mark.slow
def test_a_worker_killed_mid_batch_costs_no_grade(course_copy: Path, tmp_path: Path) -> None:
    """The out-of-memory killer takes a pool worker: its tasks run again in a new pool."""
    course = load_course(course_copy / "course.yaml")
    subs = [write_nb(tmp_path / "in" / f"k{n}.ipynb", variant("raises_exception", n))
            for n in range(3)]
    killed: list[int] = []

    def kill_a_worker() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            workers = multiprocessing.active_children()
            if workers:
                time.sleep(1.0)
                os.kill(workers[0].pid or 0, signal.SIGKILL)
                killed.append(workers[0].pid or 0)
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_a_worker, daemon=True)
    killer.start()
    report = grade(course, "week1", subs, tmp_path / "out",
                   options=Options(jobs=2, use_cache=False))
    killer.join()
    assert killed, "no worker was killed"
    assert [(r.student, r.status, r.score) for r in report.results] == [
        (f"k{n}", "graded", 4.0) for n in range(3)]


# --------------------------------------------------------------------------- Dask


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Dask scheduler and two single-threaded workers on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("dask")
    info = folder / "scheduler.json"
    dask = str(Path(sys.executable).with_name("dask"))
    procs = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(info)],
                              cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        deadline = time.monotonic() + 60
        while not info.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        procs += [subprocess.Popen([dask, "worker", address, "--nthreads", "1",
                                    "--host", "127.0.0.1", "--no-dashboard",
                                    "--memory-limit", "0", "--name", f"w{i}"],
                                   cwd=folder, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL) for i in range(2)]
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)


@pytest.mark.slow
def test_dask_cluster_agrees_with_the_local_pool(dask_cluster: str, course: Course,
                                                 batch: BatchReport, tmp_path: Path) -> None:
    names = ["correct", "raises_exception", "not_a_notebook"]
    paths = [EXAMPLES / f"{n}.ipynb" for n in names]
    report = grade(course, "week1", paths, tmp_path / "dask",
                   options=Options(scheduler=dask_cluster, use_cache=False))
    assert report.where == f"Dask cluster at {dask_cluster}" and report.graded == len(names)
    local = {r.student: r for r in batch.results}  # graded by the local pool (conftest)
    assert scores(report.results) == scores(local[n] for n in names)
    for r in report.results:
        assert [c.message for e in r.exercises for c in e.checks] == [
            c.message for e in local[r.student].exercises for c in e.checks]


def test_unreachable_scheduler_is_a_clear_error(course: Course, tmp_path: Path) -> None:
    with pytest.raises(GraderError, match="cannot reach the Dask scheduler"):
        grade(course, "week1", [EXAMPLES / "raises_exception.ipynb"],  # a notebook to send
              tmp_path, options=Options(scheduler="tcp://127.0.0.1:9", use_cache=False))
    # a file that is not a notebook is settled by the coordinator: no worker is needed
    report = grade(course, "week1", [EXAMPLES / "not_a_notebook.ipynb"], tmp_path,
                   options=Options(scheduler="tcp://127.0.0.1:9", use_cache=False))
    assert report.where.startswith("no worker") and report.graded == 1
    assert report.results[0].status == "ungradable"


# --------------------------------------------------------------------------- the command line


def test_piped_output_is_quiet_and_json_is_for_machines(course_copy: Path,
                                                         tmp_path: Path) -> None:
    bad = EXAMPLES / "not_a_notebook.ipynb"  # graded in milliseconds, no sandbox needed
    base = [str(AUTOGRADER), "--course", str(course_copy / "course.yaml"), "grade", "week1",
            str(bad), "--out", str(tmp_path / "out"), "--jobs", "1"]
    done = subprocess.run(base, capture_output=True, text=True, timeout=300, check=True)
    assert "\r" not in done.stdout + done.stderr  # no progress line when piped
    assert "not_a_notebook" in done.stdout and "0/11" in done.stdout
    assert f"reports: {tmp_path / 'out'}/" in done.stdout
    assert (tmp_path / "out" / "index.html").is_file()

    again = subprocess.run([*base, "--json"], capture_output=True, text=True, timeout=300,
                           check=True)
    summary = json.loads(again.stdout)  # stdout is the JSON document and nothing else
    assert (summary["graded"], summary["reused"]) == (0, 1)  # from the cache
    [sub] = summary["submissions"]
    assert (sub["student"], sub["status"], sub["score"], sub["cached"]) == (
        "not_a_notebook", "ungradable", 0.0, True)
    assert summary["csv"] == str(tmp_path / "out" / "week1.csv")


def test_progress_line_counts_and_estimates() -> None:
    import io

    from autograder.progress import Progress
    from autograder.results import SubmissionResult

    def result(status: str, seconds: float, cached: bool = False) -> SubmissionResult:
        return SubmissionResult("x.ipynb", "x", "week1", status, 0.0, 11.0, "", (),
                                seconds=seconds, cached=cached)

    stream = io.StringIO()
    progress = Progress(total=10, workers=2, stream=stream, enabled=True)
    progress.queued(8)  # two came from the cache
    for r in (result("graded", 0.0, cached=True), result("graded", 0.0, cached=True),
              result("graded", 20.0), result("ungradable", 40.0)):
        progress.finished(r)
    assert progress.status() == ("4/10 done · 1 failed · 2 running · 2 from cache · "
                                 "~1 min 30 s left")  # 6 left, 30 s each, 2 workers
    progress.close()
    assert stream.getvalue().count("\r") == 6 and stream.getvalue().endswith("\n")
    assert Progress(3, 1, stream=io.StringIO()).enabled is False  # not a terminal
