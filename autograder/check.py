"""The check and score stages: judge each exercise's facts against the reference.

Runs in the grader process only. Each check is a pure function from the library (or the
course's own ``extra_checks``); its verdict becomes a frozen ``CheckResult``.
"""

from __future__ import annotations

from collections.abc import Mapping

from autograder.checks import CheckSpec, judge
from autograder.course import Exercise, ExerciseCheck
from autograder.facts import ExerciseFacts
from autograder.hints import Outcome, hints_for
from autograder.results import CheckResult, ExerciseResult


def run_check(spec: CheckSpec, check: ExerciseCheck, found: ExerciseFacts,
              expected: ExerciseFacts) -> CheckResult:
    """One check, with its points; a check that crashes fails with the reason."""
    verdict = judge(spec, check.params, found, expected)
    return CheckResult(
        name=check.name,
        check=check.check,
        passed=verdict.passed,
        points=float(check.points) if verdict.passed else 0.0,
        max_points=float(check.points),
        message=verdict.message,
        hidden=check.hidden,
        near_threshold=verdict.near_threshold,
        table=verdict.table,
    )


def check_exercise(exercise: Exercise, found: ExerciseFacts, expected: ExerciseFacts,
                   registry: Mapping[str, CheckSpec], source: str = "") -> ExerciseResult:
    """Every check of one exercise, and the hints that apply to the student's ``source``.

    When the exercise did not run, each check fails with the reason.
    """
    if found.ok:
        results = tuple(run_check(registry[c.check], c, found, expected)
                        for c in exercise.checks)
        message = ""
    else:
        results = tuple(
            CheckResult(c.name, c.check, False, 0.0, c.points,
                        f"not checked: {exercise.entry} did not run to the end (see above)",
                        c.hidden)
            for c in exercise.checks
        )
        message = found.message
    outcomes = [Outcome(r.name, r.passed, r.message) for r in results]
    return ExerciseResult(
        id=exercise.id,
        title=exercise.title,
        score=score(results),
        max_score=exercise.max_score,
        status=found.status,
        message=message,
        checks=results,
        stdout=found.stdout,
        seconds=found.seconds,
        hints=hints_for(exercise.hints, source, message, outcomes),
    )


def score(results: tuple[CheckResult, ...]) -> float:
    """The score stage: the points of the checks that passed."""
    return round(sum(r.points for r in results), 6)
