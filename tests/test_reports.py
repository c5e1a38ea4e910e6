"""Reports: JSON per submission, one CSV, autoescaped HTML, and the CLI's table."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from autograder.checks import Table
from autograder.cli import main
from autograder.grade import BatchReport
from autograder.reporters import html
from autograder.results import CheckResult, ExerciseResult, SubmissionResult

ROOT = Path(__file__).resolve().parents[1]
IDS = ["house_data", "house_model", "train_house_model"]


@pytest.mark.slow
def test_json_per_submission(batch: BatchReport) -> None:
    for result in batch.results:
        data = json.loads((batch.out / f"{result.student}.json").read_text(encoding="utf-8"))
        assert {"submission", "assignment", "score", "max_score", "exercises"} <= set(data)
        assert (data["assignment"], data["score"], data["max_score"]) == (
            "week1", result.score, 11)
        assert [e["id"] for e in data["exercises"]] == IDS
        for exercise in data["exercises"]:
            assert {"id", "score", "max_score", "checks"} <= set(exercise)
            for check in exercise["checks"]:
                assert {"name", "passed", "points", "message"} <= set(check)
                assert isinstance(check["passed"], bool) and isinstance(check["message"], str)


@pytest.mark.slow
def test_csv_for_the_batch(batch: BatchReport) -> None:
    with open(batch.csv, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert batch.csv == batch.out / "week1.csv"
    assert rows and next(iter(rows[0])) == "student"
    assert {*IDS, "score"} <= set(rows[0])
    assert [row["student"] for row in rows] == sorted(r.student for r in batch.results)
    by_student = {row["student"]: row for row in rows}
    arch = by_student["wrong_architecture"]
    assert (arch["house_data"], arch["house_model"], arch["score"]) == ("4", "1", "9")
    assert by_student["not_a_notebook"]["status"] == "ungradable"


@pytest.mark.slow
def test_html_pages(batch: BatchReport) -> None:
    for result in batch.results:
        assert (batch.out / f"{result.student}.html").is_file()
    page = (batch.out / "wrong_architecture.html").read_text(encoding="utf-8")
    assert "Score: <strong>9</strong> / 11" in page
    assert "<th>expected layer</th>" in page and "<td>Dense(8, relu)</td>" in page
    assert "should have 1 layer" in page


def test_html_is_autoescaped() -> None:
    evil = "<script>alert('x')</script>"
    check = CheckResult("values", "array_values", False, 0.0, 2.0, f"found {evil}",
                        table=Table(("found",), ((evil,),)))
    exercise = ExerciseResult("house_data", "Exercise 1", 0.0, 2.0, "ok", evil, (check,),
                              stdout=evil)
    result = SubmissionResult("x.ipynb", evil, "week1", "graded", 0.0, 2.0, evil, (exercise,),
                              notes=(evil,))
    page = html.render(result)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "Score: <strong>0</strong> / 2" in page


def test_cli_grades_and_prints_a_table(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    submission = ROOT / "examples" / "submissions" / "week1" / "untouched_release.ipynb"
    argv = ["--course", str(ROOT / "course.yaml"), "grade", "week1", str(submission),
            "--out", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    header = next(line for line in out.splitlines() if line.startswith("student"))
    assert header.split() == ["student", *IDS, "total", "note"]
    row = next(line for line in out.splitlines() if line.startswith("untouched_release "))
    assert row.split()[1:5] == ["0/4", "0/3", "0/4", "0/11"]
    assert "not written yet" in row
    assert {p.name for p in tmp_path.iterdir()} >= {
        "untouched_release.json", "untouched_release.html", "week1.csv"}
