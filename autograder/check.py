"""The check and score stages: judge each exercise's facts against the reference.

Runs in the grader process only. Each check is a pure function from the library (or the
course's own ``extra_checks``); its verdict becomes a frozen ``CheckResult``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from itertools import takewhile
from typing import Any

from autograder.checks import CheckSpec, judge
from autograder.course import Exercise, ExerciseCheck
from autograder.facts import ExerciseFacts
from autograder.hints import Outcome, hints_for
from autograder.results import CheckResult, Curve, ExerciseResult

#: Checks that judge a training run: their exercises' results carry its curves.
TRAINING_CHECKS = frozenset({"history", "callback_stops", "heldout_accuracy", "heldout_images"})
MAX_CURVES = 12  # metrics kept from one history (Keras records a handful)
MAX_WARNINGS = 5  # Keras warnings kept per exercise
MAX_WARNING = 400  # characters of each


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
    caught: list[warnings.WarningMessage] = []
    if found.ok:
        with warnings.catch_warnings(record=True) as caught:  # Keras' words about the model
            warnings.simplefilter("always")
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
        curves=training_curves(found.value) if found.ok and grades_training(exercise) else (),
        warnings=model_warnings(caught),
    )


def model_warnings(caught: list[warnings.WarningMessage]) -> tuple[str, ...]:
    """What Keras warned about while the grader used the student's model (for example a
    softmax over a single unit), once each: it belongs in that student's feedback, not on
    the grader's console."""
    said = (str(w.message).strip() for w in caught if issubclass(w.category, UserWarning))
    return tuple(dict.fromkeys(m[:MAX_WARNING] for m in said if m))[:MAX_WARNINGS]


def grades_training(exercise: Exercise) -> bool:
    """True when one of the exercise's checks judges training (history, callback, accuracy)."""
    return any(c.check in TRAINING_CHECKS for c in exercise.checks)


def training_curves(value: Any) -> tuple[Curve, ...]:
    """The curves of a history record (``{"history": {metric: [value per epoch]}}``).

    The record comes from the sandbox, so anything else gives no curves. A curve stops
    before its first value that is not a finite number (training blew up: NaN); a metric
    with no finite first value is left out.
    """
    history = value.get("history") if isinstance(value, dict) else None
    if not isinstance(history, dict):
        return ()
    curves = []
    for metric, values in list(history.items())[:MAX_CURVES]:
        if isinstance(values, list):
            finite = tuple(float(v) for v in takewhile(_finite, values))
            if finite:
                curves.append(Curve(str(metric), finite))
    return tuple(curves)


def _finite(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))


def score(results: tuple[CheckResult, ...]) -> float:
    """The score stage: the points of the checks that passed."""
    return round(sum(r.points for r in results), 6)
