"""Shared fixtures: the repository's course, its Week 1 release, and ONE graded batch.

Grading a Week 1 submission that trains takes ~15 s, so every bundled example (plus a
metadata-stripped copy and a second copy of the correct one) is graded once per session
by ``batch``; test_grade_examples.py and test_reports.py share it.
"""

from __future__ import annotations

import copy
import fcntl
import json
import os
import pickle
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat import NotebookNode

from autograder.course import Assignment, Course, load_course
from autograder.grade import BatchReport, Options, grade
from autograder.results import SubmissionResult

ROOT = Path(__file__).resolve().parents[1]
COURSE_YAML = ROOT / "course.yaml"
EXAMPLES = ROOT / "examples" / "submissions" / "week1"
GRADED_MARKER = "# GRADED FUNCTION:"


def strip_autograder(data: dict[str, Any], *, markers: bool = False) -> dict[str, Any]:
    """A notebook as another tool might save it: no cell ids, no ``autograder`` metadata.

    With ``markers=True`` the ``# GRADED FUNCTION`` lines go too. Saved as nbformat 4.4,
    where cell ids do not exist.
    """
    data = copy.deepcopy(data)
    data["nbformat_minor"] = 4
    data["metadata"].pop("autograder", None)
    for cell in data["cells"]:
        cell.pop("id", None)
        for key in ("autograder", "editable", "deletable", "tags"):
            cell["metadata"].pop(key, None)
        if markers:
            source = "".join(cell["source"])
            lines = [ln for ln in source.split("\n") if not ln.startswith(GRADED_MARKER)]
            cell["source"] = "\n".join(lines)
    return data


def example_json(name: str) -> dict[str, Any]:
    """A bundled example submission as raw JSON."""
    data: dict[str, Any] = json.loads((EXAMPLES / f"{name}.ipynb").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def course() -> Course:
    return load_course(COURSE_YAML)


@pytest.fixture(scope="session")
def week1(course: Course) -> Assignment:
    return course.assignment("week1")


@pytest.fixture(scope="session")
def release_nb(course: Course, week1: Assignment) -> NotebookNode:
    return nbformat.read(str(course.release_path(week1)), as_version=4)


@pytest.fixture
def strip() -> Callable[..., dict[str, Any]]:
    return strip_autograder


@pytest.fixture
def example() -> Callable[[str], dict[str, Any]]:
    return example_json


@pytest.fixture
def course_copy(tmp_path: Path) -> Path:
    """A copy of the course (course.yaml, its checks, solutions/, assignments/, its data
    scripts) in tmp_path.

    Week 1's cached reference facts come along, so a release needs no solution run.
    """
    shutil.copy(COURSE_YAML, tmp_path / "course.yaml")
    shutil.copy(ROOT / "course_checks.py", tmp_path / "course_checks.py")  # extra_checks
    for folder in ("solutions", "assignments", "course_data"):
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for cached in ROOT.glob(".autograder-cache/reference/week1-*"):
        shutil.copytree(cached, tmp_path / cached.relative_to(ROOT))
    return tmp_path


@pytest.fixture(scope="session")
def batch(course: Course, tmp_path_factory: pytest.TempPathFactory) -> BatchReport:
    """Every bundled example, a stripped and a second copy of ``correct``, graded once.

    The second copy has the same content, so the batch grades it once and reuses it. Under
    ``pytest -n 2`` (``./run test``) the first worker that needs the batch grades it and
    the other reads it (the folder all workers share, a lock), so it is graded once a run.
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # pytest-N/, above each worker's popen-gwK/
    with open(shared / "week1-batch.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        saved = shared / "week1-batch.pickle"
        if saved.is_file():
            report: BatchReport = pickle.loads(saved.read_bytes())
            return report
        folder = shared / "week1-batch"
        extra = folder / "extra-submissions"
        extra.mkdir(parents=True, exist_ok=True)
        stripped = extra / "correct_stripped.ipynb"
        stripped.write_text(json.dumps(strip_autograder(example_json("correct"))),
                            encoding="utf-8")
        again = extra / "correct_again.ipynb"
        shutil.copy(EXAMPLES / "correct.ipynb", again)
        paths = [*sorted(EXAMPLES.glob("*.ipynb")), stripped, again]
        report = grade(course, "week1", paths, folder / "reports",
                       options=Options(jobs=2, use_cache=False))  # the local pool, grading
        saved.write_bytes(pickle.dumps(report))
        return report


@pytest.fixture(scope="session")
def results(batch: BatchReport) -> dict[str, SubmissionResult]:
    """The batch's results by student name (the file stem)."""
    return {r.student: r for r in batch.results}
