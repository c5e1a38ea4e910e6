"""Gates: an exercise marked ``gate: true`` must pass every check, or the assignment scores 0.

The total is decided here, once, for every reporter: each shows the message and the total.
"""

from __future__ import annotations

from collections.abc import Sequence

from autograder.course import Assignment
from autograder.results import ExerciseResult


def passed_fully(exercise: ExerciseResult) -> bool:
    """Every check of the exercise passed (a Keras 2 regrade at a drift credit below 1
    passes fully with fewer points: the code is right, only its spelling is old)."""
    if exercise.checks:
        return all(c.passed for c in exercise.checks)
    return exercise.score >= exercise.max_score - 1e-9


def gated_total(assignment: Assignment, exercises: Sequence[ExerciseResult]) -> tuple[float, str]:
    """The submission's total and, when a gate exercise lost points, why it is 0."""
    total = round(sum(e.score for e in exercises), 6)
    gates = {ex.id for ex in assignment.exercises if ex.gate}
    shut = [e for e in exercises if e.id in gates and not passed_fully(e)]
    if not shut:
        return total, ""
    named = ", ".join(f"{e.title} ({e.score:g}/{e.max_score:g})" for e in shut)
    return 0.0, (f"{named} must pass fully, so the assignment scores 0 "
                 f"({total:g}/{assignment.max_score:g} without "
                 f"{'this gate' if len(shut) == 1 else 'these gates'})")
