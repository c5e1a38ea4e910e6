"""The grade verb: plan a batch, grade what is not already known, and report.

plan (find the submissions, key each by its content) ▸ reuse (the gradebook with
``--resume``, then the result cache) ▸ grade the rest on a backend (``autograder.batch``)
▸ commit each grade to the gradebook as it arrives and write its reports ▸ export the
assignment's CSV, JSON and overview page.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder import datasets, integrity
from autograder.batch import Backend, Task, backend, default_jobs
from autograder.cache import ResultCache, grader_digest, submission_key
from autograder.course import Assignment, Course
from autograder.errors import GraderError, SubmissionError, describe
from autograder.gradebook import Gradebook
from autograder.pipeline import Context, failed, prepare, ungradable
from autograder.reference import ensure_reference, load_reference
from autograder.reporters import csv as csv_report
from autograder.reporters import html as html_report
from autograder.reporters import json as json_report
from autograder.results import GRADER_ERROR, SubmissionResult, from_dict
from autograder.submissions import Submission, discover, report_name


@dataclass(frozen=True)
class Options:
    """How a batch runs. The defaults suit one machine; see ``autograder grade --help``."""

    jobs: int | None = None  # worker processes (None: what the cores and memory allow)
    scheduler: str | None = None  # a Dask scheduler address, tcp://HOST:PORT
    cluster: str | None = None  # "local": start a Dask cluster of ``jobs`` workers
    use_cache: bool = True
    resume: bool = False
    gradebook: Path | None = None  # default: OUT/gradebook.db
    student_pattern: str | None = None
    unconfined: bool = False  # grade even where the sandbox's essentials are missing


@dataclass(frozen=True)
class BatchReport:
    """What a batch did and where its reports are."""

    results: tuple[SubmissionResult, ...]  # this batch's submissions, in the order given
    out: Path
    csv: Path
    json: Path
    overview: Path
    gradebook: Path
    graded: int  # graded now
    reused: int  # taken from the cache or the gradebook
    where: str  # where the grading ran


def context(course: Course, assignment_id: str) -> Context:
    """Everything grading an assignment needs, loaded once per process."""
    assignment = course.assignment(assignment_id)
    release = read_release(course, assignment)
    check_data(assignment)
    return Context(course, assignment, release, load_reference(course, assignment))


def confinement_check(allow: bool) -> bool:
    """Refuse (a GraderError naming what is missing and how to get it) to grade student
    code where the sandbox's essential protections are missing, unless ``allow``; true
    when grading goes on unconfined."""
    from autograder.sandbox.isolation import HOW_TO_CONFINE, essentials_missing

    missing = essentials_missing()
    if missing and not allow:
        raise GraderError(
            "student code would run without the sandbox's essential protections: missing "
            + "; ".join(missing) + f". To confine it, {HOW_TO_CONFINE}. To grade anyway "
            "(only notebooks you trust), pass --unconfined: every result is then marked "
            "UNCONFINED")
    return bool(missing)


def read_release(course: Course, assignment: Assignment) -> NotebookNode:
    """The released notebook, which holds the trusted copies of the frozen cells."""
    path = course.release_path(assignment)
    if not path.is_file():
        raise GraderError(f"the released notebook {path} is missing; run 'autograder release'")
    return nbformat.read(str(path), as_version=4)


def check_data(assignment: Assignment) -> None:
    """A missing dataset stops the batch here, with how to get it."""
    for item in assignment.data:
        if item.dataset:  # (a constant has none)
            datasets.load(item.dataset, item.split, item.limit)


@dataclass(frozen=True)
class _Planned:
    submission: Submission
    key: str
    notebook: bytes
    unreadable: str | None = None  # why the file is not a readable notebook


def _plan(subs: Sequence[Submission], course: Course, assignment: Assignment,
          release: NotebookNode, reference: str) -> list[_Planned]:
    planned = []
    for sub in subs:
        try:  # read_notebook checks the size before it reads: no huge file is loaded
            program = prepare(sub.path, assignment, release)
            raw = sub.path.read_bytes()
        except (SubmissionError, OSError) as exc:
            why = describe(exc)
            planned.append(_Planned(sub, submission_key(course, assignment, reference, why),
                                    b"", why))
        else:
            planned.append(_Planned(sub, submission_key(course, assignment, reference,
                                                        program), raw))
    return planned


def grade(course: Course, assignment_id: str, paths: Sequence[str | Path], out: Path,
          on_result: Callable[[SubmissionResult], None] | None = None,
          options: Options | None = None,
          on_start: Callable[[int, int, str, int], None] | None = None) -> BatchReport:
    """Grade a batch of submissions of one assignment and write every report.

    ``on_start(total, to_grade, where, workers)`` is called once the batch is planned and
    ``on_result`` as each submission is done (both for progress displays).
    """
    opts = options or Options()
    unconfined = confinement_check(opts.unconfined)
    if unconfined:  # student code could have written to the cache: neither read nor fill it
        opts = dataclasses.replace(opts, use_cache=False)
    assignment = course.assignment(assignment_id)
    release = read_release(course, assignment)
    subs = discover(paths, assignment, opts.student_pattern)
    reference = ensure_reference(course, assignment)
    planned = _plan(subs, course, assignment, release, reference)
    out.mkdir(parents=True, exist_ok=True)
    key = integrity.grader_key(course.cache_dir)
    cache = ResultCache(course.cache_dir / "results", key)
    book_path = opts.gradebook or out / "gradebook.db"
    results: dict[str, SubmissionResult] = {}
    fresh: list[str] = []  # students graded by this batch (the rest were reused)

    with Gradebook(book_path, key) as book:
        def finish(p: _Planned, result: SubmissionResult, *, store: bool,
                   record: bool = True) -> None:
            if store:
                fresh.append(p.submission.student)
                if result.status != GRADER_ERROR and not result.unconfined:
                    cache.put(p.key, result.to_dict())
            if record:  # (a grade resumed from the gradebook is there already)
                book.record(result, p.key)
            name = report_name(p.submission.student)
            json_report.write(result.for_student(), out / f"{name}.json")
            html_report.write(result.for_student(), out / f"{name}.html")
            results[p.submission.student] = result
            if on_result is not None:
                on_result(result)

        stored = book.keys(assignment.id) if opts.resume else {}
        todo: dict[str, list[_Planned]] = {}  # key → submissions with that content
        for p in planned:
            resumed = None
            if stored.get(p.submission.student) == p.key:
                resumed = book.result(assignment.id, p.submission.student)
                if resumed is not None and resumed.status == GRADER_ERROR:
                    resumed = None  # the grader's failure is never a grade: grade it again
            data = cache.get(p.key) if resumed is None and opts.use_cache else None
            if data is not None and data.get("status") == GRADER_ERROR:
                data = None
            if resumed is not None:
                finish(p, _as_reused(resumed, p.submission), store=False, record=False)
            elif data is not None:
                finish(p, _as_reused(from_dict(SubmissionResult, data), p.submission),
                       store=False)
            elif p.unreadable is not None:  # its verdict is known: no worker needed
                finish(p, ungradable(str(p.submission.path), p.submission.student,
                                     assignment, p.unreadable, 0.0), store=True)
            else:
                todo.setdefault(p.key, []).append(p)

        tasks = [_task(course, assignment, group[0], reference) for group in todo.values()]
        where, workers = "no worker (none was needed)", 0
        if tasks:
            check_data(assignment)
            jobs = opts.jobs or default_jobs(assignment)
            runner = backend(min(jobs, len(tasks)) if opts.scheduler is None else jobs,
                             opts.scheduler, opts.cluster)
            where, workers = runner.where, runner.workers
        if on_start is not None:
            on_start(len(planned), len(tasks), where, workers)
        if tasks:
            _run(runner, tasks, todo, assignment, finish)

        everyone = book.results(assignment.id)
    csv_path, json_path = out / f"{assignment.id}.csv", out / f"{assignment.id}.json"
    csv_report.write(everyone, assignment, csv_path)
    json_report.write_batch(everyone, assignment, json_path)
    overview = out / "index.html"
    _write_overview(everyone, assignment, overview)
    ordered = tuple(results[p.submission.student] for p in planned)
    return BatchReport(ordered, out, csv_path, json_path, overview, book_path,
                       graded=len(fresh), reused=len(planned) - len(fresh),
                       where=where)


def _run(runner: Backend, tasks: Sequence[Task], todo: dict[str, list[_Planned]],
         assignment: Assignment,
         finish: Callable[..., None]) -> None:
    by_task = {id(t): group for t, group in zip(tasks, todo.values(), strict=True)}
    try:
        for task, outcome in runner.run(tasks):
            group = by_task[id(task)]
            if isinstance(outcome, BaseException):
                result = failed(task.submission, task.student, assignment, outcome)
            else:
                result = from_dict(SubmissionResult, outcome)
            finish(group[0], result, store=True)
            for twin in group[1:]:  # the same content, graded once
                finish(twin, _as_reused(result, twin.submission), store=False)
    finally:
        runner.close()


def _task(course: Course, assignment: Assignment, p: _Planned, reference: str) -> Task:
    return Task(course=str(course.course_file), assignment=assignment.id,
                name=p.submission.path.name, submission=str(p.submission.path),
                student=p.submission.student, notebook=p.notebook, reference=reference,
                grader=grader_digest())


def _as_reused(result: SubmissionResult, sub: Submission) -> SubmissionResult:
    """A known grade, under this submission's name (identical content, identical grade)."""
    return dataclasses.replace(result, student=sub.student, submission=str(sub.path),
                               cached=True)


def _write_overview(results: Sequence[SubmissionResult], assignment: Assignment,
                    path: Path) -> None:
    from autograder.reporters import overview

    reports = {r.student: f"{report_name(r.student)}.html" for r in results}
    overview.write(results, assignment, path, reports)
