"""Frozen result records. Reporters format these; they never decide a score."""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass
from typing import Any, TypeVar

from autograder.checks import Table
from autograder.drift import DriftNote
from autograder.hints import Hint

GRADED = "graded"  # the submission was graded (whatever its score)
UNGRADABLE = "ungradable"  # not a notebook, corrupt, …: score 0 with a message
GRADER_ERROR = "grader_error"  # the grader failed (not the student's doing): never cached


@dataclass(frozen=True)
class CheckResult:
    """One check of one exercise."""

    name: str
    check: str
    passed: bool
    points: float
    max_points: float
    message: str
    hidden: bool = False
    near_threshold: bool = False
    table: Table | None = None


@dataclass(frozen=True)
class Curve:
    """One metric of the student's own training run, per epoch (finite numbers only)."""

    metric: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class ExerciseResult:
    """One exercise: its checks and score, and what the run said about it."""

    id: str
    title: str
    score: float
    max_score: float
    status: str
    message: str
    checks: tuple[CheckResult, ...]
    stdout: str = ""
    seconds: float = 0.0
    hints: tuple[Hint, ...] = ()
    curves: tuple[Curve, ...] = ()  # training curves, where the exercise's training is graded
    warnings: tuple[str, ...] = ()  # what Keras warned about while the grader used the model
    drift: DriftNote | None = None  # a Keras 2 spelling that failed under Keras 3, and the fix
    regrade: str = ""  # what grading it again under Keras 2 gave (autograder.regrade)


@dataclass(frozen=True)
class SubmissionResult:
    """One submission's grade."""

    submission: str
    student: str
    assignment: str
    status: str
    score: float
    max_score: float
    message: str
    exercises: tuple[ExerciseResult, ...]
    notes: tuple[str, ...] = ()
    seed: int | None = None
    protections: tuple[str, ...] = ()
    missing_protections: tuple[str, ...] = ()
    speedups: tuple[str, ...] = ()  # what the harness did to make training faster, same results
    seconds: float = 0.0
    grader_version: str = ""
    cached: bool = False  # taken from the result cache or the gradebook, not graded again
    setup_seconds: float = 0.0  # the notebook's setup cells (its imports, its data) in ``seconds``
    unconfined: bool = False  # graded with --unconfined, without the sandbox's essentials

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (tables included)."""
        return dataclasses.asdict(self)

    def for_student(self) -> SubmissionResult:
        """The result as its student may see it: a hidden check keeps its name, verdict and
        points, but not its message or table, which could tell what it compared with."""
        return dataclasses.replace(self, exercises=tuple(
            dataclasses.replace(ex, checks=tuple(_withheld(c) if c.hidden else c
                                                 for c in ex.checks))
            for ex in self.exercises))


#: What a student reads for a hidden check, instead of its message.
WITHHELD = "a hidden check: what it compared with stays with the grader"


def _withheld(check: CheckResult) -> CheckResult:
    return dataclasses.replace(check, message=WITHHELD, table=None, near_threshold=False)


T = TypeVar("T")


def from_dict(cls: type[T], data: Any) -> T:
    """Rebuild a result record from :meth:`SubmissionResult.to_dict` data (JSON, SQLite).

    Driven by the dataclasses' type hints, so a field added to a record needs no code here.
    """
    return typing.cast(T, _decode(cls, data))


def _decode(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        hints = typing.get_type_hints(hint)
        known = {f.name for f in dataclasses.fields(hint)}
        return hint(**{k: _decode(hints[k], v) for k, v in value.items() if k in known})
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in args if a is not type(None)]
        return _decode(options[0], value) if len(options) == 1 else value
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in value)
        return tuple(_decode(a, v) for a, v in zip(args, value, strict=True))
    if hint is float and isinstance(value, int):
        return float(value)
    return value
