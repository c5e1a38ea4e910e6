"""Frozen result records. Reporters format these; they never decide a score."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from autograder.checks import Table
from autograder.hints import Hint

GRADED = "graded"  # the submission was graded (whatever its score)
UNGRADABLE = "ungradable"  # not a notebook, corrupt, …: score 0 with a message


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

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (tables included)."""
        return dataclasses.asdict(self)
