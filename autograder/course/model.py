"""What a course is, once course.yaml has been read: frozen dataclasses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.checks import CheckSpec
from autograder.course.policy import Policy
from autograder.errors import CourseError
from autograder.hints import HintRule


@dataclass(frozen=True)
class ExerciseCheck:
    """One graded check of an exercise, as course.yaml declares it."""

    name: str
    check: str
    points: float
    params: Any
    hidden: bool = False


@dataclass(frozen=True)
class DataInput:
    """An array the grader gives the sandbox, bound to ``name`` before the setup cells run."""

    name: str
    dataset: str
    split: str
    part: str
    limit: int | None = None
    value: Any = None  # part "value": a constant bound as is (no dataset), e.g. IMAGE_SIZE


@dataclass(frozen=True)
class CallbackProbe:
    """Synthetic ``logs`` sequences fed to a callback's ``on_epoch_end`` (None = no logs)."""

    sequences: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Exercise:
    """A graded exercise: the cell that defines ``entry``, how to call it, what to record."""

    id: str
    title: str
    entry: str
    aliases: tuple[str, ...]
    call: str
    record: str
    time_limit: float
    checks: tuple[ExerciseCheck, ...]
    hints: tuple[HintRule, ...] = ()
    probe: CallbackProbe | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name under which the exercise's entry point may be defined."""
        return (self.entry, *self.aliases)

    @property
    def max_score(self) -> float:
        """Points available for this exercise."""
        return sum(c.points for c in self.checks)


@dataclass(frozen=True)
class Assignment:
    """One assignment (a week): its notebook, budgets and exercises."""

    id: str
    title: str
    notebook: str
    seed: int
    time_limit: float
    memory_limit_mb: int
    exercises: tuple[Exercise, ...]
    data: tuple[DataInput, ...] = ()
    max_file_mb: int = 200  # the largest file the sandbox may write (a saved model, say)
    # how ``autograder serve`` counts submissions; not in the repr (a key of cached grades)
    policy: Policy = field(default_factory=Policy, repr=False, compare=False)

    @property
    def max_score(self) -> float:
        """Points available for the whole assignment."""
        return sum(e.max_score for e in self.exercises)

    def exercise(self, exercise_id: str) -> Exercise:
        """The exercise with this id (KeyError when there is none)."""
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        raise KeyError(exercise_id)


@dataclass(frozen=True)
class Course:
    """The whole course: where its notebooks live and what each assignment grades."""

    root: Path
    name: str
    solutions_dir: Path
    assignments_dir: Path
    cache_dir: Path
    assignments: tuple[Assignment, ...]
    extra_checks: Path | None
    checks: Mapping[str, CheckSpec] = field(repr=False, compare=False)
    file: Path | None = None  # the course.yaml it was read from

    @property
    def course_file(self) -> Path:
        """The course file's path (``root/course.yaml`` unless read from another name)."""
        return self.file or self.root / "course.yaml"

    def assignment(self, assignment_id: str) -> Assignment:
        """The assignment with this id, or a CourseError listing the known ones."""
        for a in self.assignments:
            if a.id == assignment_id:
                return a
        known = ", ".join(a.id for a in self.assignments) or "none"
        raise CourseError(
            f"unknown assignment {assignment_id!r} in {self.root / 'course.yaml'}; "
            f"known assignments: {known}"
        )

    def solution_path(self, assignment: Assignment) -> Path:
        """The instructor's complete notebook for an assignment."""
        return self.solutions_dir / assignment.id / assignment.notebook

    def release_path(self, assignment: Assignment) -> Path:
        """The released (student) notebook for an assignment."""
        return self.assignments_dir / assignment.id / assignment.notebook
