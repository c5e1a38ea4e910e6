"""What the grader stores is not trusted blindly: a result cache entry or a gradebook row
changed (or copied) by anyone but the grader is ignored, and the submission graded again."""

from __future__ import annotations

import csv
import json
import shutil
import sqlite3
from pathlib import Path

from autograder.course import load_course
from autograder.grade import Options, grade

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "submissions" / "week1"


def _grade(course_dir: Path, out: Path, *names: str, resume: bool = False) -> dict[str, object]:
    course = load_course(course_dir / "course.yaml")
    report = grade(course, "week1", [EXAMPLES / f"{n}.ipynb" for n in names], out,
                   options=Options(jobs=1, resume=resume))
    return {r.student: r for r in report.results}


def _entries(course_dir: Path) -> list[Path]:
    return sorted((course_dir / ".autograder-cache" / "results").rglob("*.json"))


def test_a_tampered_cache_entry_is_graded_again(course_copy: Path, tmp_path: Path) -> None:
    first = _grade(course_copy, tmp_path / "a", "untouched_release")
    (entry,) = _entries(course_copy)
    data = json.loads(entry.read_text(encoding="utf-8"))
    forged = json.loads(data["result"])
    forged["score"] = 11.0
    data["result"] = json.dumps(forged)
    entry.write_text(json.dumps(data), encoding="utf-8")
    again = _grade(course_copy, tmp_path / "b", "untouched_release")["untouched_release"]
    assert again.cached is False and again.score == 0  # type: ignore[attr-defined]
    assert first["untouched_release"].score == 0  # type: ignore[attr-defined]


def test_a_cache_entry_copied_under_another_key_is_ignored(course_copy: Path,
                                                           tmp_path: Path) -> None:
    _grade(course_copy, tmp_path / "a", "untouched_release")
    (entry,) = _entries(course_copy)
    # a key the grader computes for another submission: take it from a second grade
    _grade(course_copy, tmp_path / "b", "raises_exception")
    other = next(p for p in _entries(course_copy) if p != entry)
    shutil.copyfile(entry, other)  # the untouched notebook's 0 would now answer for it
    result = _grade(course_copy, tmp_path / "c", "raises_exception")["raises_exception"]
    assert result.cached is False  # type: ignore[attr-defined]


def test_a_tampered_gradebook_row_is_graded_again_and_left_out(course_copy: Path,
                                                               tmp_path: Path) -> None:
    out = tmp_path / "out"
    _grade(course_copy, out, "untouched_release")
    with sqlite3.connect(out / "gradebook.db") as db:
        (raw,) = db.execute("SELECT result FROM grades").fetchone()
        forged = json.loads(raw)
        forged["score"] = 11.0
        db.execute("UPDATE grades SET score=11, result=?", (json.dumps(forged),))
    for entry in _entries(course_copy):  # so that only the gradebook could answer
        entry.unlink()
    result = _grade(course_copy, out, "untouched_release", resume=True)["untouched_release"]
    assert result.cached is False and result.score == 0  # type: ignore[attr-defined]
    with open(out / "week1.csv", encoding="utf-8") as fh:
        assert [row["score"] for row in csv.DictReader(fh)] == ["0"]
