"""The dispatcher: a thread of the service that feeds queued jobs to the grading workers.

It claims jobs from the store (``queued`` → ``running``), runs each through the same
function as ``autograder grade`` (``autograder.batch.grade_task``) on a local process pool
or a Dask cluster, and writes each result with :meth:`Store.finish`, then the grade that
counts (the course's policy) to the gradebook. Grading never runs in the web process: the
web side only stores uploads and reads the database. A worker process that dies gives its
jobs back to the queue up to ``MAX_ATTEMPTS`` times, then a result saying the grader failed;
a submission whose sandbox ran out of memory or time gets the pipeline's own result.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Protocol

from autograder import integrity
from autograder.batch import LocalPool, Task, grade_task
from autograder.cache import ResultCache, grader_digest, submission_key
from autograder.course import Assignment, Course, load_course
from autograder.errors import GraderError, SubmissionError, describe
from autograder.gradebook import Gradebook
from autograder.pipeline import failed, prepare, ungradable
from autograder.results import GRADER_ERROR, SubmissionResult, from_dict
from autograder.serve import policy
from autograder.serve.store import DONE, Job, Store, requeue

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 3  # grading runs of one job before it gets a grader-failed result
POLL = 0.25  # seconds between looks at the queue when nothing wakes the dispatcher
WORKER_SLACK = 300.0  # seconds beyond twice the time limit before a worker counts as stuck


class Pool(Protocol):
    """Where tasks run: ``submit`` gives a future with ``done()``, ``result()``."""

    where: str
    workers: int

    def submit(self, task: Task) -> Any:
        """Start grading one task."""
        ...

    def restart(self) -> None:
        """New workers (after a lost worker, or a course fix); running tasks are lost."""
        ...

    def close(self) -> None:
        """Stop the workers."""
        ...


class DaskPool:
    """``--scheduler tcp://HOST:PORT``: the workers of a running Dask cluster."""

    def __init__(self, scheduler: str) -> None:
        from distributed import Client

        try:
            self._client = Client(scheduler, timeout="10s")
        except OSError as exc:
            raise GraderError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
        self.workers = max(1, sum(w.get("nthreads", 1) for w in
                                  self._client.scheduler_info()["workers"].values()))
        self.where = f"Dask cluster at {scheduler}"

    def submit(self, task: Task) -> Any:
        """Start grading one task on the cluster."""
        return self._client.submit(grade_task, task, pure=False)

    def restart(self) -> None:
        """Restart the cluster's workers (they load the course afresh)."""
        self._client.restart()

    def close(self) -> None:
        """Disconnect (the cluster keeps running)."""
        self._client.close()


@dataclass(frozen=True)
class _Prepared:
    assignment: Assignment
    release: Any
    reference: str  # the reference facts' digest


@dataclass
class _Running:
    job: Job
    key: str
    future: Any
    deadline: float  # time.monotonic() past which its worker is taken for lost


class Dispatcher:
    """Feeds the queue to the workers, in its own thread; see the module's docstring."""

    def __init__(self, course: Course, store: Store, pool: Pool, *, use_cache: bool = True,
                 unconfined: bool = False) -> None:
        self.course = course
        self.store = store
        self.pool = pool
        self.unconfined = unconfined
        self.use_cache = use_cache and not unconfined
        self.gradebook_path = store.folder / "gradebook.db"
        self._key = integrity.grader_key(course.cache_dir)
        self._cache = ResultCache(course.cache_dir / "results", self._key)
        self._prepared: dict[str, _Prepared] = {}
        self._running: list[_Running] = []
        self._twins: dict[str, list[Job]] = {}  # content key → jobs waiting for its result
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._reload = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="dispatcher", daemon=True)
        self.error: str | None = None  # why the dispatcher stopped, if it did

    # control, from any thread ----------------------------------------------------------
    def start(self) -> None:
        """Put jobs a stopped service left running back in the queue, and start."""
        requeued = self.store.requeue_running()
        if requeued:
            log.warning("%d jobs were running when the service stopped: queued again",
                        requeued)
        self._thread.start()

    def wake(self) -> None:
        """Look at the queue now (a job was added)."""
        self._wake.set()

    def reload(self) -> None:
        """Read the course again and restart the workers (before a regrade)."""
        self._reload.set()
        self._wake.set()

    def stop(self) -> None:
        """Stop dispatching; running jobs stay ``running`` and are queued at the next start."""
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=10)
        self.pool.close()

    @property
    def alive(self) -> bool:
        """Whether the dispatcher thread runs."""
        return self._thread.is_alive()

    # the loop, in the dispatcher's thread ----------------------------------------------
    def _loop(self) -> None:
        with Gradebook(self.gradebook_path, self._key) as book:
            self._book = book
            while not self._stop.is_set():
                try:
                    self._step()
                except Exception as exc:  # keep serving; say why nothing is graded
                    log.exception("the dispatcher failed")
                    self.error = describe(exc)
                    self._stop.wait(5)
                    continue
                self._wake.wait(POLL)
                self._wake.clear()

    def _step(self) -> None:
        if self._reload.is_set():
            self._reload.clear()
            self._do_reload()
        self._collect()
        while True:  # a job settled at once (cached, a twin, unreadable) frees its slot
            jobs = self.store.claim(self.pool.workers - len(self._running))
            if not jobs:
                break
            for job in jobs:
                self._dispatch(job)
        self.error = None

    def _do_reload(self) -> None:
        for run in self._running:
            requeue(self.store, run.job.id)
            for twin in self._twins.pop(run.key, []):
                requeue(self.store, twin.id)
        self._running = []
        self.course = load_course(self.course.course_file)
        self._prepared.clear()
        self.pool.restart()

    def _prepare(self, assignment_id: str) -> _Prepared:
        if assignment_id not in self._prepared:
            from autograder.grade import read_release
            from autograder.reference import ensure_reference

            assignment = self.course.assignment(assignment_id)
            self._prepared[assignment_id] = _Prepared(
                assignment, read_release(self.course, assignment),
                ensure_reference(self.course, assignment))
        return self._prepared[assignment_id]

    def _dispatch(self, job: Job) -> None:
        """Start one claimed job: settle it at once when its verdict is known."""
        try:
            prep = self._prepare(job.assignment)
        except Exception as exc:  # the course is broken for this assignment
            self._finish(job, failed(job.filename, job.student, self._assignment(job), exc))
            return
        if job.attempts > MAX_ATTEMPTS:
            self._finish(job, failed(job.filename, job.student, prep.assignment,
                                     GraderError("grading stopped with the service "
                                                 f"{job.attempts - 1} times")))
            return
        data = self.store.read_upload(job.sha256)
        path = self.store.upload_path(job.sha256)
        try:
            program = prepare(path, prep.assignment, prep.release)
        except SubmissionError as exc:
            self._finish(job, ungradable(job.filename, job.student, prep.assignment,
                                         describe(exc), 0.0))
            return
        key = submission_key(self.course, prep.assignment, prep.reference, program)
        cached = self._cache.get(key) if self.use_cache else None
        if cached is not None:
            result = from_dict(SubmissionResult, cached)
            self._finish(job, dataclasses.replace(result, cached=True))
            return
        if key in self._twins:  # the same content is being graded: wait for its result
            self._twins[key].append(job)
            return
        task = Task(course=str(self.course.course_file), assignment=job.assignment,
                    name="submission.ipynb", submission=job.filename, student=job.student,
                    notebook=data, reference=prep.reference, grader=grader_digest())
        self._twins[key] = []
        budget = prep.assignment.time_limit * 2 + WORKER_SLACK
        self._running.append(_Running(job, key, self.pool.submit(task),
                                      time.monotonic() + budget))

    def _assignment(self, job: Job) -> Assignment:
        try:
            return self.course.assignment(job.assignment)
        except GraderError:
            return Assignment(job.assignment, job.assignment, "", 0, 0.0, 0, ())

    def _collect(self) -> None:
        """Write the results of the finished tasks; give a lost worker's jobs back."""
        still, lost = [], False
        for run in self._running:
            outcome: dict[str, Any] | BaseException
            if not run.future.done():
                if time.monotonic() < run.deadline:
                    still.append(run)
                    continue
                lost = True  # a stuck worker: the pool is restarted, the job tried again
                outcome = BrokenProcessPool(
                    "the worker grading it stopped answering")
            else:
                try:
                    outcome = run.future.result()
                except BrokenProcessPool as exc:
                    lost = True
                    outcome = exc
                except Exception as exc:
                    outcome = exc
            twins = self._twins.pop(run.key, [])
            if isinstance(outcome, BrokenProcessPool) and \
                    run.job.attempts < MAX_ATTEMPTS:
                for job in (run.job, *twins):
                    requeue(self.store, job.id)
                continue
            prep = self._prepared.get(run.job.assignment)
            assignment = prep.assignment if prep else self._assignment(run.job)
            if isinstance(outcome, BaseException):
                result = failed(run.job.filename, run.job.student, assignment, outcome)
            else:
                result = from_dict(SubmissionResult, outcome)
                if self.use_cache and result.status != GRADER_ERROR and not result.unconfined:
                    self._cache.put(run.key, outcome)
            self._finish(run.job, result)
            for twin in twins:
                self._finish(twin, dataclasses.replace(result, cached=True))
        self._running = still
        if lost:
            for run in self._running:  # the broken pool took these down too
                requeue(self.store, run.job.id)
                for twin in self._twins.pop(run.key, []):
                    requeue(self.store, twin.id)
            self._running = []
            self.pool.restart()

    def _finish(self, job: Job, result: SubmissionResult) -> None:
        result = dataclasses.replace(result, student=job.student, submission=job.filename)
        if self.store.finish(job.id, result.to_dict()):
            self._record(job.student, job.assignment)

    def _record(self, student: str, assignment_id: str) -> None:
        """The grade that counts, by the assignment's policy, into the gradebook."""
        try:
            assignment = self.course.assignment(assignment_id)
        except GraderError:
            return
        done = [policy.Graded(j.id, j.submitted_at, j.late_days,
                              from_dict(SubmissionResult, j.result_data()))
                for j in self.store.jobs(student=student, assignment=assignment_id,
                                         status=DONE)]
        best = policy.counted(assignment.policy, done)
        if best is not None:
            self._book.record(best.result, best.id)


def make_pool(jobs: int, scheduler: str | None) -> Pool:
    """The pool for ``--jobs`` / ``--scheduler``."""
    if scheduler is not None:
        return DaskPool(scheduler)
    return LocalPool(max(1, jobs))


def wait_idle(store: Store, timeout: float) -> bool:
    """Wait until no job is queued or running (for scripts and tests)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        counts = store.counts()
        if counts["queued"] == 0 and counts["running"] == 0:
            return True
        time.sleep(0.2)
    return False
