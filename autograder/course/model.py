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
    line: int = field(default=0, compare=False)  # where course.yaml declares it (messages)


COURSE_PARTS = ("course_file", "course_folder")


@dataclass(frozen=True)
class DataInput:
    """An array the grader gives the sandbox, bound to ``name`` before the setup cells run."""

    name: str
    dataset: str
    split: str
    part: str
    limit: int | None = None
    value: Any = None  # part "value": a constant bound as is (no dataset), e.g. IMAGE_SIZE
    # parts "course_file", "course_folder": a file or folder of the course (``path``,
    # relative to the course folder; ``source`` resolved) seen read-only by the sandbox at
    # ``at``, relative to its working folder; nothing is bound to ``name``
    # (out of repr, which the reference digest reads: ``content_digest`` hashes them)
    path: str = field(default="", repr=False)
    at: str = field(default="", repr=False)
    source: Path | None = field(default=None, repr=False, compare=False)

    @property
    def mounted(self) -> bool:
        """True for a file or folder of the course made visible to the sandbox."""
        return self.part in COURSE_PARTS


@dataclass(frozen=True)
class StopRule:
    """When a correct callback stops: the first epoch whose ``metric`` is below (or above)
    the threshold. The grader computes the expected stops of the sequences it draws from it."""

    metric: str
    below: float | None = None
    above: float | None = None

    def stops(self, logs: Mapping[str, Any]) -> bool:
        """Whether a correct callback stops after an epoch with these logs."""
        value = logs.get(self.metric)
        if value is None:
            return False
        if self.below is not None:
            return float(value) < self.below
        return self.above is not None and float(value) > self.above

    @property
    def threshold(self) -> float:
        """The threshold, whichever side it bounds."""
        return float(self.below if self.below is not None else self.above)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CallbackProbe:
    """How a callback is probed: ``logs`` sequences fed as ``fit`` would feed them.

    ``sequences`` are the public examples (the notebook's ``check()`` uses them too);
    every logs mapping holds ``loss`` and each of ``metrics``. With a ``stop`` rule the
    grader also draws ``draw`` sequences of its own at grading time, around the threshold.
    """

    sequences: tuple[tuple[Mapping[str, float], ...], ...]
    metrics: tuple[str, ...] = ("accuracy",)
    stop: StopRule | None = None
    draw: int = 0


@dataclass(frozen=True)
class DriftPolicy:
    """What to do with an exercise that fails under Keras 3 with a known Keras 2→3 drift
    error: grade it again under Keras 2 (``regrade``), its points times ``credit``."""

    regrade: bool = True
    credit: float = 1.0


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
    #: seconds for the exercise cell's own top-level code (None: the assignment's budget)
    define_limit: float | None = None
    gate: bool = False  # must pass fully, or the assignment scores 0
    top_level: str | None = None  # "skip" or "run"; None: the assignment's
    cell: bool = True  # False: no cell of its own, only its call runs

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
    #: phase budgets in seconds (None: the grader's defaults, see ``autograder.sandbox``)
    setup_limit: float | None = None  # the setup cells, before any exercise
    define_limit: float | None = None  # one exercise cell's top-level code
    between_limit: float | None = None  # from an exercise's end to the next event
    keras: int = 3  # the Keras generation the sandbox runs: 3, or 2 (tf_keras)
    drift: DriftPolicy = DriftPolicy()  # Keras 2→3 drift errors: regrade under Keras 2?
    top_level: str = "skip"  # top-level work in graded and student cells: "skip" or "run"
    student_cells: bool = True  # take what graded code needs from the student's other cells
    # how ``autograder serve`` counts submissions; not in the repr (a key of cached grades)
    policy: Policy = field(default_factory=Policy, repr=False, compare=False)

    @property
    def max_score(self) -> float:
        """Points available for the whole assignment."""
        return sum(e.max_score for e in self.exercises)

    def top_level_of(self, exercise: Exercise) -> str:
        """``skip`` or ``run``: the exercise's own ``top_level``, else the assignment's."""
        return exercise.top_level or self.top_level

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
        from autograder.checks.allowed import suggest

        ids = [a.id for a in self.assignments]
        raise CourseError(
            f"unknown assignment {assignment_id!r} in {self.course_file}; "
            f"known assignments: {', '.join(ids) or 'none'}{suggest(assignment_id, ids)}"
        )

    def solution_path(self, assignment: Assignment) -> Path:
        """The instructor's complete notebook for an assignment."""
        return self.solutions_dir / assignment.id / assignment.notebook

    def release_path(self, assignment: Assignment) -> Path:
        """The released (student) notebook for an assignment."""
        return self.assignments_dir / assignment.id / assignment.notebook
