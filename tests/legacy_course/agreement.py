"""Grade the legacy course's student notebooks and compare with expected.yaml.

Shared by tests/test_legacy_course.py and bench/legacy_agreement.py: copy the course to a
scratch folder (so its release and caches stay out of the repository), release it, grade
each flavour's notebooks with the real grader, and compare every exercise's score with
the expected verdict.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from autograder.course import Course, load_course
from autograder.grade import Options, grade
from autograder.release import release
from autograder.results import SubmissionResult

HERE = Path(__file__).resolve().parent
EXPECTED: dict[str, Any] = yaml.safe_load((HERE / "expected.yaml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Disagreement:
    """One verdict the grader did not give."""

    notebook: str
    flavour: str
    exercise: str  # an exercise id, or "total"
    expected: Any
    got: float | None
    message: str  # the grader's messages for that exercise


@dataclass(frozen=True)
class FlavourReport:
    """How one flavour's notebooks were graded against expected.yaml."""

    flavour: str
    notebooks: int
    agreeing: int
    disagreements: tuple[Disagreement, ...]

    @property
    def agreement(self) -> float:
        """The share of notebooks whose every verdict was right."""
        return self.agreeing / self.notebooks if self.notebooks else 1.0


def flavours() -> list[str]:
    """Every flavour (assignment id) expected.yaml names, in course order."""
    seen: list[str] = []
    for entry in EXPECTED.values():
        for flavour in entry["expect"]:
            if flavour not in seen:
                seen.append(flavour)
    return sorted(seen, key=lambda f: (f.split("_")[0], f))


def notebooks(flavour: str) -> list[Path]:
    """The student notebooks expected.yaml has a verdict for under ``flavour``."""
    return [HERE / "students" / e["week"] / f"{name}.ipynb"
            for name, e in EXPECTED.items() if flavour in e["expect"]]


def copy_course_files(folder: Path) -> Path:
    """Copy the course to ``folder`` (links of the _k3 solutions kept); its course.yaml."""
    target = folder / "legacy_course"
    shutil.copytree(HERE, target, symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "students", "*.py"))
    return target / "course.yaml"


def copy_course(folder: Path) -> Course:
    """The course copied to ``folder``, loaded."""
    return load_course(copy_course_files(folder))


def release_flavours(course: Course, wanted: Iterable[str]) -> None:
    """Release the assignments ``wanted`` (runs each solution once for its facts)."""
    release(course, only=tuple(wanted))


def _want(verdict: Any, max_score: float) -> float:
    if verdict == "full":
        return max_score
    if verdict == "zero":
        return 0.0
    if verdict == "half":
        return max_score / 2
    return float(verdict)


def compare(result: SubmissionResult, verdicts: dict[str, Any]) -> list[Disagreement]:
    """Where ``result`` differs from the expected ``verdicts`` of its notebook."""
    name = Path(result.submission).stem
    out: list[Disagreement] = []
    by_id = {e.id: e for e in result.exercises}
    for exercise, verdict in verdicts.items():
        if exercise == "total":
            if not math.isclose(result.score, float(verdict), abs_tol=1e-6):
                out.append(Disagreement(name, result.assignment, "total", verdict,
                                        result.score, result.message))
            continue
        ex = by_id.get(exercise)
        if ex is None:
            out.append(Disagreement(name, result.assignment, exercise, verdict, None,
                                    result.message or "no such exercise in the result"))
            continue
        if not math.isclose(ex.score, _want(verdict, ex.max_score), abs_tol=1e-6):
            said = "; ".join(f"{c.name}: {c.message}" for c in ex.checks if not c.passed)
            out.append(Disagreement(name, result.assignment, exercise, verdict, ex.score,
                                    ex.message or said))
    return out


def grade_flavour(course: Course, flavour: str, out: Path, jobs: int = 2) -> FlavourReport:
    """Grade every notebook of ``flavour`` (no cache) and compare with expected.yaml."""
    paths = notebooks(flavour)
    report = grade(course, flavour, paths, out / flavour,
                   options=Options(jobs=jobs, use_cache=False))
    found: list[Disagreement] = []
    agreeing = 0
    for result in report.results:
        wrong = compare(result, EXPECTED[Path(result.submission).stem]["expect"][flavour])
        agreeing += not wrong
        found.extend(wrong)
    return FlavourReport(flavour, len(paths), agreeing, tuple(found))


def describe(report: FlavourReport) -> str:
    """A few lines: the agreement, then each disagreement with the grader's message."""
    lines = [f"{report.flavour}: {report.agreeing}/{report.notebooks} notebooks agree "
             f"({report.agreement:.0%})"]
    for d in report.disagreements:
        got = "no score" if d.got is None else f"{d.got:g}"
        needs = ", ".join(EXPECTED[d.notebook]["needs"])
        lines.append(f"  {d.notebook} {d.exercise}: expected {d.expected}, got {got} "
                     f"({d.message[:160]}) [needs: {needs}]")
    return "\n".join(lines)
