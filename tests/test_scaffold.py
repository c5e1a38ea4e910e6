"""``autograder new``: the course it writes loads, releases and grades its own solution."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.course import load_course


@pytest.mark.slow
def test_a_new_course_releases_and_its_solution_passes(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "my-course"
    assert main(["new", str(folder)]) == 0
    course = load_course(folder / "course.yaml")
    assert course.name == "my-course" and [a.id for a in course.assignments] == ["lesson1"]
    argv = ["--course", str(folder / "course.yaml")]
    assert main([*argv, "release"]) == 0
    release = folder / "assignments" / "lesson1" / "lesson1.ipynb"
    assert "BEGIN SOLUTION" not in release.read_text(encoding="utf-8")
    capsys.readouterr()
    solution = folder / "solutions" / "lesson1" / "lesson1.ipynb"
    assert main([*argv, "check", "lesson1", str(solution)]) == 0
    assert "checks passed" in capsys.readouterr().out
    assert main([*argv, "check", "lesson1", str(release)]) == 1  # the stubs fail
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    shutil.copy(solution, submissions / "ada.ipynb")
    assert main([*argv, "grade", "lesson1", str(submissions), "--out", str(tmp_path / "out"),
                 "--json"]) == 0
    assert '"score": 9.0' in capsys.readouterr().out


def test_new_refuses_a_folder_with_files(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(["new", str(tmp_path)]) == 2
    assert "already exists and is not an empty folder" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]
