"""release: solutions/ → assignments/, deterministic, stubbed, checkable."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from autograder.cli import main
from autograder.course import Assignment, Course
from autograder.errors import CourseError
from autograder.notebook import METADATA_KEY
from autograder.release import release_text, stub_solution

ROOT = Path(__file__).resolve().parents[1]
COURSE_YAML = ROOT / "course.yaml"
REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)


def test_release_check_passes_on_the_repo(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--course", str(COURSE_YAML), "release", "--check"]) == 0
    assert "assignments/week1/week1.ipynb: up to date" in capsys.readouterr().out


def test_release_is_deterministic(course: Course, week1: Assignment) -> None:
    first = release_text(course, week1)
    assert release_text(course, week1) == first
    assert course.release_path(week1).read_text(encoding="utf-8") == first


def test_solution_regions_become_stubs(course: Course, week1: Assignment) -> None:
    solution = nbformat.read(str(course.solution_path(week1)), as_version=4)
    text = release_text(course, week1)
    released = nbformat.reads(text, as_version=4)
    assert "BEGIN SOLUTION" not in text and "END SOLUTION" not in text
    assert "0.5 * xs" not in text
    assert "raise NotImplementedError()" in text
    by_id = {c.get("id"): c for c in released.cells}
    for cell in solution.cells:
        regions = REGION.findall(cell.source)
        if not regions or not cell.source.startswith("# GRADED"):
            continue
        exercise_id = cell.source.split(":", 1)[1].split()[0]
        stub = by_id[exercise_id].source
        assert "    # YOUR CODE HERE\n    raise NotImplementedError()" in stub
        for line in regions[0].strip().splitlines():
            assert line.strip() not in stub
        # what surrounds the region (signature, docstring, return) is kept
        assert cell.source.splitlines()[1] in stub
        assert cell.source.splitlines()[-1] in stub


def test_exercise_cells_carry_ids_and_metadata(course: Course, week1: Assignment) -> None:
    released = nbformat.reads(release_text(course, week1), as_version=4)
    exercise_cells = [c for c in released.cells
                      if c.metadata[METADATA_KEY]["role"] == "exercise"]
    assert [c.id for c in exercise_cells] == [e.id for e in week1.exercises]
    for cell in exercise_cells:
        assert cell.metadata[METADATA_KEY]["exercise"] == cell.id
        assert "editable" not in cell.metadata
    for cell in released.cells:
        if cell.metadata[METADATA_KEY]["role"] != "exercise":
            assert cell.metadata["editable"] is False
    setup = [c for c in released.cells if c.metadata[METADATA_KEY]["role"] == "setup"]
    assert setup and all(c.metadata["tags"] == ["setup"] for c in setup)
    assert released.metadata[METADATA_KEY]["assignment"] == "week1"


def test_stale_assignment_fails_the_check(course_copy: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    released = course_copy / "assignments" / "week1" / "week1.ipynb"
    released.write_text(released.read_text(encoding="utf-8").replace("Week 1", "Week One", 1),
                        encoding="utf-8")
    argv = ["--course", str(course_copy / "course.yaml"), "release"]
    before = released.read_text(encoding="utf-8")
    assert main([*argv, "--check", "week1"]) == 1
    captured = capsys.readouterr()
    assert "assignments/week1/week1.ipynb: OUT OF DATE" in captured.out
    assert "autograder release" in captured.err
    assert released.read_text(encoding="utf-8") == before  # --check writes nothing
    assert main([*argv, "week1"]) == 0  # rewrites it (from the copied reference cache)
    assert main([*argv, "--check", "week1"]) == 0


@pytest.mark.parametrize(("source", "problem"), [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "without an END"),
    ("def f():\n    return 1\n    ### END SOLUTION\n", "without a BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n", "nested"),
])
def test_stub_solution_rejects_unbalanced_markers(source: str, problem: str) -> None:
    with pytest.raises(CourseError, match=problem) as info:
        stub_solution(source, "week1.ipynb, cell 6")
    assert "week1.ipynb, cell 6" in str(info.value)
