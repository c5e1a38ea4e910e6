"""Release runs every check against the solution: a check the solution itself fails (a
``metric`` its training never records, a threshold it does not reach, a pinned parameter
count it does not have) is an instructor error at release, not a zero for every student."""

from __future__ import annotations

from autograder.checks import judge
from autograder.course import Assignment, Course
from autograder.errors import CourseError
from autograder.reference import Reference


def solution_failures(course: Course, assignment: Assignment,
                      reference: Reference) -> list[str]:
    """Each check of ``assignment`` that fails on the solution's own run, in words naming
    course.yaml's line, the exercise and the check."""
    failures = []
    for exercise in assignment.exercises:
        facts = reference.facts[exercise.id]
        for check in exercise.checks:
            verdict = judge(course.checks[check.check], check.params, facts, facts)
            if not verdict.passed:
                at = f"{course.course_file}:{check.line}" if check.line else str(
                    course.course_file)
                failures.append(f"{at}: {assignment.id}.{exercise.id}: check "
                                f"{check.name!r} ({check.check}) fails on the solution: "
                                f"{verdict.message}")
    return failures


def verify_solution(course: Course, assignment: Assignment, reference: Reference) -> None:
    """Raise a CourseError listing every check the solution fails (nothing when all pass)."""
    failures = solution_failures(course, assignment, reference)
    if failures:
        raise CourseError(
            f"the solution of {assignment.id} fails {len(failures)} of its own checks; fix "
            "the check's params in course.yaml (or the solution) and release again:\n  "
            + "\n  ".join(failures))
