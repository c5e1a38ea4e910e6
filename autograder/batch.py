"""Where submissions are graded: in this process, a local worker pool, or a Dask cluster.

The unit of work is one submission, as a :class:`Task` of plain data (the notebook's bytes
travel with it, so a worker needs the course, not the students' files). Every backend runs
the same function, :func:`grade_task`, so a cluster changes where work runs, not what it
does. A worker keeps each assignment's context (release, reference facts) once loaded.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import ctypes
import multiprocessing
import os
import signal
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from autograder.cache import grader_digest
from autograder.course import Assignment, load_course
from autograder.errors import GraderError
from autograder.pipeline import Context, grade_submission

GRADER_MEMORY_MB = 1500  # a grader process with TensorFlow and the reference models loaded
POOL_RETRIES = 2  # times a task is run again after a worker process died under it


@dataclass(frozen=True)
class Task:
    """One submission to grade, as plain data that pickles to any worker."""

    course: str  # the course.yaml path, the same on every worker
    assignment: str
    name: str  # the notebook's file name (messages name it)
    submission: str  # its path on the coordinating machine (for reports)
    student: str
    notebook: bytes
    reference: str  # the reference digest the batch was planned with
    grader: str  # the grader digest of the coordinating process


_CONTEXTS: dict[tuple[str, str], Context] = {}


def _context(course_yaml: str, assignment_id: str) -> Context:
    key = (course_yaml, assignment_id)
    if key not in _CONTEXTS:
        from autograder.grade import context

        _CONTEXTS[key] = context(load_course(Path(course_yaml)), assignment_id)
    return _CONTEXTS[key]


def grade_task(task: Task) -> dict[str, Any]:
    """Grade one submission wherever this runs; the result as plain data.

    Raises ``GraderError`` when this worker's grader or reference facts differ from the
    coordinator's (a cluster with mixed versions must not mix grades).
    """
    if task.grader != grader_digest():
        raise GraderError(f"worker {os.uname().nodename} runs a different version of the "
                          "grader; install the same one on every worker")
    ctx = _context(task.course, task.assignment)
    if ctx.reference.digest != task.reference:
        raise GraderError(f"worker {os.uname().nodename} has different reference facts for "
                          f"{task.assignment}: it needs the same course checkout")
    with tempfile.TemporaryDirectory(prefix="autograder-submission-") as tmp:
        path = Path(tmp) / task.name
        path.write_bytes(task.notebook)
        result = grade_submission(path, ctx, task.student)
    return replace(result, submission=task.submission).to_dict()


Outcome = tuple[Task, "dict[str, Any] | BaseException"]


class Backend(Protocol):
    """Runs tasks and yields each one's outcome as it finishes (in any order)."""

    workers: int
    where: str

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        """Grade every task; an exception is yielded, never raised, for a failed task."""
        ...

    def close(self) -> None:
        """Stop the workers (unfinished tasks are dropped)."""
        ...


class InProcess:
    """One submission after another in this process (``--jobs 1``)."""

    workers = 1
    where = "this process"

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        """Grade the tasks in order."""
        for task in tasks:
            try:
                yield task, grade_task(task)
            except Exception as exc:
                yield task, exc

    def close(self) -> None:
        """Nothing to stop."""


def _die_with_parent() -> None:  # pragma: no cover - runs in the worker processes
    """A worker ends when the grader or the service does (even after ``kill -9``), on Linux."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class LocalPool:
    """``--jobs N``: N worker processes on this machine (spawned: no forked TensorFlow).

    ``autograder grade`` uses :meth:`run`; the service's dispatcher :meth:`submit` and
    :meth:`restart`.
    """

    where = "local worker processes"

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._pool = self._start()

    def _start(self) -> concurrent.futures.ProcessPoolExecutor:
        return concurrent.futures.ProcessPoolExecutor(
            max_workers=self.workers, mp_context=multiprocessing.get_context("spawn"),
            initializer=_die_with_parent)

    def submit(self, task: Task) -> concurrent.futures.Future[dict[str, Any]]:
        """Start grading one task in a worker."""
        return self._pool.submit(grade_task, task)

    def restart(self) -> None:
        """A fresh pool (the old one's workers are stopped, their tasks lost)."""
        self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._start()

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        """Submit every task; yield outcomes as workers finish them.

        A worker process that dies (the grader's own process, not a sandbox) breaks the
        whole pool: the tasks it took down are run again in a new pool, up to
        ``POOL_RETRIES`` times, so one bad submission costs only itself.
        """
        tries: dict[int, int] = {}
        pending = list(tasks)
        while pending:
            futures = {self.submit(t): t for t in pending}
            pending = []
            for future in concurrent.futures.as_completed(futures):
                task, exc = futures[future], future.exception()
                broken = isinstance(exc, concurrent.futures.process.BrokenProcessPool)
                if broken and tries.get(id(task), 0) < POOL_RETRIES:
                    tries[id(task)] = tries.get(id(task), 0) + 1
                    pending.append(task)
                    continue
                yield task, exc if exc is not None else future.result()
            if pending:
                self.restart()
        self._pool.shutdown(wait=True)  # every worker has exited when the batch ends

    def close(self) -> None:
        """Stop the pool; queued tasks are cancelled, running ones end with their worker."""
        self._pool.shutdown(wait=False, cancel_futures=True)


class DaskBackend:
    """A Dask cluster: an existing scheduler (``tcp://host:port``) or a local one."""

    def __init__(self, scheduler: str | None, workers: int) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - a dependency of ours
            raise GraderError("the Dask backend needs 'distributed' installed") from exc
        self._cluster: Any = None
        if scheduler is None:
            # Our sandbox caps each run's memory; Dask's own limit would count the worker only.
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                         processes=True, memory_limit=0,
                                         dashboard_address=None, host="127.0.0.1")
            address = self._cluster.scheduler_address
        else:
            address = scheduler
        try:
            self._client = Client(address, timeout="10s")
        except OSError as exc:
            self._close_cluster()
            raise GraderError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        self.workers = max(1, sum(w.get("nthreads", 1) for w in
                                  self._client.scheduler_info()["workers"].values()))
        self.where = f"Dask cluster at {address}"

    def run(self, tasks: Sequence[Task]) -> Iterator[Outcome]:
        """Submit every task to the cluster; yield outcomes as they finish."""
        from distributed import as_completed

        futures = {self._client.submit(grade_task, t, pure=False): t for t in tasks}
        for future in as_completed(futures):
            task = futures[future]
            try:
                yield task, future.result()
            except Exception as exc:  # the task raised, or its worker was lost
                yield task, exc

    def close(self) -> None:
        """Disconnect; a local cluster is shut down, an external one is left running."""
        self._client.close()
        self._close_cluster()

    def _close_cluster(self) -> None:
        if self._cluster is not None:
            self._cluster.close()


def default_jobs(assignment: Assignment) -> int:
    """Workers that fit this machine: one per core, as many as memory allows."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    per_job = assignment.memory_limit_mb + GRADER_MEMORY_MB
    return max(1, min(cores or 1, _available_mb() // per_job))


def _available_mb() -> int:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) // 1024
    except OSError:
        pass
    return 4096


def backend(jobs: int, scheduler: str | None = None, cluster: str | None = None) -> Backend:
    """The backend for the command-line options (``--jobs``, ``--scheduler``, ``--cluster``)."""
    if scheduler is not None and cluster is not None:
        raise GraderError("give --scheduler or --cluster, not both")
    if cluster is not None:
        if cluster != "local":
            raise GraderError(f"--cluster {cluster!r}: only 'local' is known "
                              "(use --scheduler tcp://HOST:PORT for a running cluster)")
        return DaskBackend(None, jobs)
    if scheduler is not None:
        return DaskBackend(scheduler, jobs)
    return InProcess() if jobs <= 1 else LocalPool(jobs)
