"""`autograder check` exits 0 only when every public check passes (for GitHub Classroom and
any CI), and `autograder export` writes the layouts Canvas and Moodle import."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.reporters import lms

ROOT = Path(__file__).resolve().parents[1]
COURSE = str(ROOT / "course.yaml")
WEEK1 = ROOT / "examples" / "submissions" / "week1"


@pytest.mark.parametrize("example, code", [
    ("untouched_release", 1),  # nothing written yet
    ("unscaled_prices", 1),  # partly right
    # a correct notebook exits 0: test_scaffold checks the new course's solution
])
def test_check_exit_codes(example: str, code: int,
                          capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--course", COURSE, "check", "week1", str(WEEK1 / f"{example}.ipynb"),
                 "--json"]) == code
    shown = json.loads(capsys.readouterr().out)
    assert shown["passed"] is (code == 0)
    hidden = [c for e in shown["exercises"] for c in e["checks"] if c["hidden"]]
    assert hidden and all(set(c) == {"name", "hidden"} for c in hidden)


def test_check_exit_code_2_when_the_grader_cannot_run(capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    assert main(["--course", COURSE, "check", "week9", str(WEEK1 / "correct.ipynb")]) == 2
    assert "unknown assignment 'week9'" in capsys.readouterr().err


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("graded")
    paths = [str(WEEK1 / f"{n}.ipynb") for n in ("untouched_release", "raises_exception")]
    assert main(["--course", COURSE, "grade", "week1", *paths, "--out", str(out)]) == 0
    return out / "gradebook.db"


def _export(gradebook: Path, kind: str, out: Path) -> list[dict[str, str]]:
    assert main(["--course", COURSE, "export", "--to", kind, "--gradebook", str(gradebook),
                 "--out", str(out)]) == 0
    with open(out, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_canvas_export_has_canvas_headers(gradebook: Path, tmp_path: Path) -> None:
    rows = _export(gradebook, "canvas", tmp_path / "canvas.csv")
    header = list(rows[0])
    assert header[:5] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
    week1 = "Week 1: a new programming paradigm (week1)"
    assert week1 in header
    assert rows[0]["Student"] == "Points Possible" and rows[0][week1] == "11"
    graded = {r["SIS Login ID"]: r for r in rows[1:]}
    assert set(graded) == {"untouched_release", "raises_exception"}
    assert graded["untouched_release"][week1] == "0"
    assert graded["untouched_release"]["Week 2: introduction to computer vision (week2)"] == ""


def test_moodle_export_has_moodle_headers(gradebook: Path, tmp_path: Path) -> None:
    rows = _export(gradebook, "moodle", tmp_path / "moodle.csv")
    header = list(rows[0])
    assert header[:6] == ["First name", "Last name", "ID number", "Institution", "Department",
                          "Email address"]
    assert header[-1] == "Last downloaded from this course"
    assert "Assignment: Week 1: a new programming paradigm (Real)" in header
    assert {r["ID number"] for r in rows} == {"untouched_release", "raises_exception"}


def test_plain_csv_export(gradebook: Path, tmp_path: Path) -> None:
    rows = _export(gradebook, "csv", tmp_path / "grades.csv")
    assert list(rows[0]) == ["student", "week1", "week2", "week3", "week4", "total"]
    assert rows[0]["student"] == "points possible"
    assert {r["student"] for r in rows[1:]} == {"untouched_release", "raises_exception"}
    assert lms.FORMATS == ("canvas", "moodle", "csv")
