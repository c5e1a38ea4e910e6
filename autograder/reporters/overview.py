"""The instructor's overview of a batch: one static HTML page (jinja2, autoescaped).

Summary figures, the score distribution, the pass rate of every check (hidden ones too:
this page is for the instructor), what failed to run and why, the slowest submissions,
and a link to each student's feedback page.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from autograder.course import Assignment
from autograder.facts import ERROR, KILLED, MISSING, NOT_RUN, TIMEOUT
from autograder.reporters import svg
from autograder.reporters.html import ENV
from autograder.results import GRADED, GRADER_ERROR, SubmissionResult

FAILED_TO_RUN = (ERROR, TIMEOUT, KILLED, MISSING, NOT_RUN)  # exercise statuses listed
SLOWEST = 10
WHOLE_BINS = 20  # up to this many points (in whole numbers), one bar per score
BINS = 10  # otherwise, this many equal ranges


@dataclass(frozen=True)
class CheckRate:
    """How many graded submissions passed one check."""

    name: str
    hidden: bool
    passed: int
    total: int

    @property
    def percent(self) -> float:
        """The pass rate in percent (0 when no submission was graded)."""
        return 100 * self.passed / self.total if self.total else 0.0


@dataclass(frozen=True)
class ExerciseRates:
    """The pass rates of one exercise's checks, in course.yaml's order."""

    id: str
    title: str
    checks: tuple[CheckRate, ...]


@dataclass(frozen=True)
class Failure:
    """A submission, or one exercise of it, that did not run to the end, and why."""

    student: str
    exercise: str  # "" for the whole submission
    status: str
    reason: str


@dataclass(frozen=True)
class Overview:
    """Everything the page shows, computed from the results alone."""

    submissions: int
    graded: int
    ungradable: int
    grader_errors: int
    scored: int  # graded or ungradable: the submissions whose score is the student's
    mean: float | None
    median: float | None
    full_marks: int
    bins: tuple[tuple[str, int], ...]
    rates: tuple[ExerciseRates, ...]
    failures: tuple[Failure, ...]
    slowest: tuple[SubmissionResult, ...]
    unconfined: int = 0  # graded with --unconfined: without the sandbox's essentials


def summarise(results: Sequence[SubmissionResult], assignment: Assignment) -> Overview:
    """The figures of the overview page.

    Scores count every submission but those the grader failed on (not the student's
    doing); pass rates count the graded submissions only.
    """
    graded = [r for r in results if r.status == GRADED]
    scores = [r.score for r in results if r.status != GRADER_ERROR]
    failures = [Failure(r.student, "", r.status, r.message)
                for r in results if r.status != GRADED]
    failures += [Failure(r.student, e.id, e.status, (e.message.splitlines() or [""])[0])
                 for r in graded for e in r.exercises if e.status in FAILED_TO_RUN]
    return Overview(
        submissions=len(results),
        graded=len(graded),
        ungradable=sum(r.status not in (GRADED, GRADER_ERROR) for r in results),
        grader_errors=sum(r.status == GRADER_ERROR for r in results),
        scored=len(scores),
        mean=statistics.mean(scores) if scores else None,
        median=statistics.median(scores) if scores else None,
        full_marks=sum(r.score >= r.max_score for r in graded),
        bins=score_bins(scores, assignment.max_score),
        rates=pass_rates(graded, assignment),
        failures=tuple(sorted(failures, key=lambda f: (f.student, f.exercise))),
        slowest=tuple(sorted(results, key=lambda r: (-r.seconds, r.student))[:SLOWEST]),
        unconfined=sum(r.unconfined for r in results),
    )


def pass_rates(graded: Sequence[SubmissionResult],
               assignment: Assignment) -> tuple[ExerciseRates, ...]:
    """Per exercise, how many of the graded submissions passed each check."""
    verdicts: Counter[tuple[str, str, bool]] = Counter(
        (e.id, c.name, c.passed) for r in graded for e in r.exercises for c in e.checks)
    return tuple(
        ExerciseRates(ex.id, ex.title, tuple(
            CheckRate(c.name, c.hidden, verdicts[ex.id, c.name, True],
                      verdicts[ex.id, c.name, True] + verdicts[ex.id, c.name, False])
            for c in ex.checks))
        for ex in assignment.exercises
    )


def score_bins(scores: Sequence[float], max_score: float) -> tuple[tuple[str, int], ...]:
    """Counted bins for the score histogram: one per whole score when the scores are
    whole numbers up to :data:`WHOLE_BINS`, else :data:`BINS` equal ranges of the maximum.
    """
    if max_score <= WHOLE_BINS and all(float(s).is_integer() for s in [*scores, max_score]):
        counts = Counter(int(s) for s in scores)
        return tuple((str(k), counts[k]) for k in range(math.floor(max_score) + 1))
    width = max_score / BINS if max_score > 0 else 1.0
    index = Counter(min(max(int(s // width), 0), BINS - 1) for s in scores)
    return tuple((f"{i * width:g}-{(i + 1) * width:g}", index[i]) for i in range(BINS))


def render(results: Sequence[SubmissionResult], assignment: Assignment,
           reports: Mapping[str, str] | None = None) -> str:
    """The overview page; ``reports`` maps a student to their feedback page's relative path."""
    summary = summarise(results, assignment)
    histogram = svg.histogram(summary.bins, title="Score distribution",
                              x_label=f"score (of {assignment.max_score:g})")
    return ENV.get_template("overview.html.j2").render(
        a=assignment, o=summary, histogram=Markup(histogram),  # svg escapes its own text
        everyone=sorted(results, key=lambda r: r.student), reports=reports or {})


def write(results: Sequence[SubmissionResult], assignment: Assignment, path: Path,
          reports: Mapping[str, str] | None = None) -> None:
    """Write the overview page to ``path``; see :func:`render`."""
    path.write_text(render(results, assignment, reports), encoding="utf-8")
