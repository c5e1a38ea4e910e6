"""The library of checks: pure functions (found, expected, params) → Verdict.

A check never sees student code, only facts the grader built itself from the sandbox's
data files, and the same facts taken from the solution. Each check declares a frozen
parameter dataclass, which course.yaml's ``params`` are validated against.

A course may add checks of its own: a Python file named by ``extra_checks`` in
course.yaml that defines ``CHECKS = {"name": CheckSpec(function, Params)}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from autograder.facts import ExerciseFacts


@dataclass(frozen=True)
class Table:
    """A small table for feedback (for example expected versus found layers)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Verdict:
    """What a check decided. ``near_threshold`` flags a result that may flip between runs."""

    passed: bool
    message: str
    table: Table | None = None
    near_threshold: bool = False


CheckFunction = Callable[[ExerciseFacts, ExerciseFacts, Any], Verdict]


@dataclass(frozen=True)
class NoParams:
    """Parameters of a check that takes none."""


def no_probes(params: Any) -> Sequence[Sequence[float]]:
    """A check that feeds the model nothing of its own."""
    return ()


@dataclass(frozen=True)
class CheckSpec:
    """A check function and the dataclass its parameters are validated against.

    ``needs`` names the reference facts it reads ("arrays", "model", "value", "any", or
    "none" for a check that judges the student's facts alone); ``public`` narrows them
    further: given the reference facts and the params, it returns exactly what the check's
    student-side part needs (the count of answers, not the answers), and a released
    notebook carries that instead. ``probes`` gives the input batches it will ask the
    *reference* model to predict, so a released notebook can carry those predictions
    instead of the model.
    """

    function: CheckFunction
    params: type[Any] = NoParams
    needs: str = "any"
    probes: Callable[[Any], Sequence[Sequence[float]]] = no_probes
    public: Callable[[ExerciseFacts, Any], ExerciseFacts] | None = None


def judge(spec: CheckSpec, params: Any, found: ExerciseFacts,
          expected: ExerciseFacts) -> Verdict:
    """Run one check; a check that crashes fails with the reason (never raises)."""
    try:
        verdict = spec.function(found, expected, params)
    except Exception as exc:
        return Verdict(False, f"the check could not run on this result "
                              f"({type(exc).__name__}: {exc})")
    # checks may compute with numpy: keep plain Python types in results
    return Verdict(bool(verdict.passed), str(verdict.message), verdict.table,
                   bool(verdict.near_threshold))


def builtin_checks() -> Mapping[str, CheckSpec]:
    """Every check this package provides, by the name course.yaml uses."""
    from autograder.checks import (
        architecture,
        arrays,
        generators,
        images,
        model,
        training,
        values,
    )

    return {**arrays.CHECKS, **model.CHECKS, **architecture.CHECKS, **values.CHECKS,
            **training.CHECKS, **images.CHECKS, **generators.CHECKS}


def plural(n: int, word: str) -> str:
    """``1 layer``, ``2 layers``."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def number(x: float) -> str:
    """A number as a person would write it in feedback."""
    if x != x:  # NaN
        return "NaN (not a number: training blew up)"
    if abs(x) >= 1e5 or (abs(x) < 1e-3 and x != 0):
        return f"{x:.4g}"
    return f"{x:,.4f}".rstrip("0").rstrip(".")
