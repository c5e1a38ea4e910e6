"""The grading pipeline for one submission, stage by stage.

load ▸ locate ▸ assemble ▸ execute (sandbox) ▸ check (trusted) ▸ score ▸ report.
Each stage lives in its own module; this one only passes each stage's output on.
Reporting happens in the caller (``autograder.grade``), on the returned record.
"""

from __future__ import annotations

import logging
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from nbformat import NotebookNode

from autograder import __version__
from autograder.assemble import Program, assemble
from autograder.check import check_exercise
from autograder.course import Assignment, Course
from autograder.errors import SubmissionError, describe
from autograder.gates import gated_total
from autograder.notebook import locate, read_notebook
from autograder.outbox import exercise_facts
from autograder.probes import expected_facts, grading_seed, with_drawn
from autograder.reference import Reference, limits_for
from autograder.regrade import with_drift
from autograder.results import (
    GRADED,
    GRADER_ERROR,
    UNGRADABLE,
    CheckResult,
    ExerciseResult,
    SubmissionResult,
)
from autograder.sandbox import execute

log = logging.getLogger(__name__)
SYSTEM_RETRIES = 1  # a run the machine failed (not the student) is tried again this often


@dataclass(frozen=True)
class Context:
    """What every submission of one assignment is graded against (loaded once)."""

    course: Course
    assignment: Assignment
    release: NotebookNode
    reference: Reference


def grade_submission(path: Path, ctx: Context, student: str | None = None) -> SubmissionResult:
    """Grade one notebook. Never raises for a bad submission: it gets a message instead."""
    started = time.monotonic()
    try:
        return _grade(path, ctx, student or path.stem, started)
    except Exception as exc:  # a grader bug must cost one submission, never the batch
        log.exception("grading %s failed", path)
        return failed(str(path), student or path.stem, ctx.assignment, exc,
                      time.monotonic() - started)


def prepare(path: Path, assignment: Assignment, release: NotebookNode) -> Program:
    """load ▸ locate ▸ assemble: the program the sandbox would run (milliseconds, no TF).

    Raises ``SubmissionError`` for a file that is not a readable notebook.
    """
    nb = read_notebook(path)
    return assemble(assignment, release, locate(nb, assignment, release))


def _grade(path: Path, ctx: Context, student: str, started: float) -> SubmissionResult:
    assignment = ctx.assignment
    try:
        program = prepare(path, assignment, ctx.release)
    except SubmissionError as exc:
        return ungradable(str(path), student, assignment, describe(exc),
                          time.monotonic() - started)
    # callback probes also get sequences drawn now, from a seed the notebook never sees
    program, drawn = with_drawn(program, assignment, grading_seed())
    for attempt in range(1 + SYSTEM_RETRIES):
        with tempfile.TemporaryDirectory(prefix="autograder-run-") as tmp:
            run = execute(program, limits_for(assignment), Path(tmp))
            facts = {ex.id: exercise_facts(run, ex.id, ex.record)
                     for ex in assignment.exercises}
        if not run.system_failure:
            break
        log.warning("%s: attempt %d failed for a reason not the student's: %s", path,
                    attempt + 1, run.system_failure)
    else:
        return system_error(str(path), student, assignment, run.system_failure,
                            time.monotonic() - started)
    message = ""
    if run.setup_error:
        message = ("the course's setup cells failed on the grader (not your code): "
                   f"{run.setup_error.get('type')}: {run.setup_error.get('text')}")
    exercises = tuple(
        check_exercise(ex, facts[ex.id], expected_facts(ex, ctx.reference.facts[ex.id],
                                                        drawn.get(ex.id, [])),
                       ctx.course.checks, program.source_of(ex.id))
        for ex in assignment.exercises
    )
    exercises = with_drift(ctx.course, assignment, program, facts, exercises)  # Keras 2→3
    score, gate_message = gated_total(assignment, exercises)
    if gate_message:
        message = f"{gate_message}\n{message}".rstrip()
    return SubmissionResult(
        submission=str(path),
        student=student,
        assignment=assignment.id,
        status=GRADED,
        score=score,
        max_score=assignment.max_score,
        message=message,
        exercises=exercises,
        notes=program.notes,
        seed=program.seed,
        protections=run.protections,
        missing_protections=run.missing_protections,
        speedups=run.speedups,
        seconds=round(time.monotonic() - started, 3),
        grader_version=__version__,
        setup_seconds=round(run.setup_seconds, 3),
        unconfined=run.unconfined,
    )


def system_error(submission: str, student: str, assignment: Assignment, why: str,
                 seconds: float = 0.0) -> SubmissionResult:
    """The record of a submission whose runs the machine failed (every attempt): a grader
    error, never cached; the next plain run grades it again."""
    message = (f"the grader's machine failed while running this notebook ({why}), "
               f"{1 + SYSTEM_RETRIES} times; it is not your doing, and it will be graded "
               "again")
    return ungradable(submission, student, assignment, message, seconds, GRADER_ERROR)


def failed(submission: str, student: str, assignment: Assignment, exc: BaseException,
           seconds: float = 0.0) -> SubmissionResult:
    """The record of a submission the grader itself failed on (a bug, a lost worker)."""
    message = (f"the grader failed on this submission ({describe(exc)}); it is not your "
               "doing, and the course staff will grade it again")
    return ungradable(submission, student, assignment, message, seconds, GRADER_ERROR)


def ungradable(submission: str, student: str, assignment: Assignment, message: str,
               seconds: float, status: str = UNGRADABLE) -> SubmissionResult:
    """The record of a submission that could not be graded: every check fails with why."""
    exercises = tuple(
        ExerciseResult(ex.id, ex.title, 0.0, ex.max_score, "not_run", "not graded", tuple(
            CheckResult(c.name, c.check, False, 0.0, c.points, "not graded: " + message,
                        c.hidden)
            for c in ex.checks))
        for ex in assignment.exercises
    )
    return SubmissionResult(
        submission=submission, student=student, assignment=assignment.id, status=status,
        score=0.0, max_score=assignment.max_score, message=message, exercises=exercises,
        seconds=round(seconds, 3), grader_version=__version__,
    )
