"""No answer leaves the grader.

Every released notebook is searched for what the hidden checks compare with (tests/leaks.py
says how), and so are the students' feedback pages and JSON. Week 4's release is searched
here only with ``-m fullsize`` (its reference trains the 40-million-parameter network);
test_week4 searches the release of its small-image copy of the course.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from leaks import Leaves, Secrets, hidden_secrets, public_leaves, release_leaks

from autograder.course import Assignment, Course, load_course
from autograder.grade import BatchReport

ROOT = Path(__file__).resolve().parents[1]
#: Courses whose releases are searched (test courses join when they have releases).
COURSES = [ROOT / "course.yaml", *sorted((ROOT / "tests").glob("*/course.yaml"))]
#: Releases whose reference trains at full size: searched with ``-m fullsize`` only
FULL_SIZE = {(ROOT / "course.yaml", "week4")}


def releases() -> Iterator[Any]:
    for path in COURSES:
        course = load_course(path)
        for assignment in course.assignments:
            if course.release_path(assignment).is_file():
                marks = [pytest.mark.fullsize] if (path, assignment.id) in FULL_SIZE else []
                where = "course" if path.parent == ROOT else path.parent.name
                yield pytest.param(course, assignment, marks=marks, id=f"{where}-{assignment.id}")


@pytest.mark.slow
@pytest.mark.parametrize(("course", "assignment"), list(releases()))
def test_released_notebook_holds_no_hidden_expectation(course: Course,
                                                        assignment: Assignment) -> None:
    release = nbformat.read(str(course.release_path(assignment)), as_version=4)
    assert release_leaks(course, assignment, release) == [], \
        f"{assignment.id}'s release gives away hidden values"


def test_the_search_finds_a_planted_answer_key() -> None:
    """The search is not blind: values planted in a spec are found, round ones ignored."""
    secrets = Secrets()
    secrets.add({"answers": ["horse", "human", "human", "horse"], "expected": [0.98231, 5.4907],
                 "round": 1.0}, Leaves())
    assert secrets.floats == {0.98231, 5.4907} and len(secrets.string_runs) == 1
    planted = Leaves().collect({"facts": {"parts": [{"value": ["horse", "human", "human",
                                                                "horse"]}]}})
    assert planted.leaked(secrets) == ["the answers ['horse', 'human', 'human', 'horse']"]
    text = Leaves().collect("the prediction for 10 is 9.1, expected 5.49071 ± 0.5")
    assert text.leaked(secrets) == ["the number 5.4907"]
    assert Leaves().collect({"x": [1.0, 0.5, 12]}).leaked(secrets) == []


@pytest.mark.slow
def test_feedback_pages_hold_no_hidden_expectation(batch: BatchReport) -> None:
    course = load_course(ROOT / "course.yaml")
    week1 = course.assignment("week1")
    release = nbformat.read(str(course.release_path(week1)), as_version=4)
    secrets = hidden_secrets(course, week1, public_leaves(week1, release))
    assert secrets, "week 1's hidden check has reference values to look for"
    failed_hidden = [r.student for r in batch.results
                     if any(c.hidden and not c.passed for e in r.exercises for c in e.checks)]
    assert failed_hidden, "some example fails the hidden check (its message would leak)"
    students = {p.stem for p in batch.out.glob("*.json")} - {batch.json.stem}
    assert students
    for name in students:
        for page in (batch.out / f"{name}.json", batch.out / f"{name}.html"):
            text = page.read_text(encoding="utf-8")
            data = json.loads(text) if page.suffix == ".json" else text
            assert Leaves().collect(data).leaked(secrets) == [], page.name
    # the instructor's own export keeps what the hidden checks said
    assert Leaves().collect(json.loads(batch.json.read_text(encoding="utf-8"))).leaked(secrets)
