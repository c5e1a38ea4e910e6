"""Phase budgets come from the course: setup_limit, define_limit (assignment and exercise),
between_limit; the defaults stay 90 s, min(60 s, the exercise's budget) and 15 s."""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_course import submission, tiny_course

from autograder.errors import GraderError
from autograder.grade import grade
from autograder.reference import limits_for
from autograder.sandbox.events import between_allowance

SETUP = "# SETUP\nimport time\nimport numpy as np\n"
QUICK = {"a": "# GRADED FUNCTION: a\ndef a():\n    ### BEGIN SOLUTION\n    return np.ones(2)\n"
              "    ### END SOLUTION\n",
         "b": "# GRADED FUNCTION: b\ndef b():\n    ### BEGIN SOLUTION\n    return np.zeros(2)\n"
              "    ### END SOLUTION\n"}
SLOW_CELLS = {k: v + "\ntime.sleep(4)  # top-level work, as students leave it\n"
              for k, v in QUICK.items()}


def exercises(define_b: float | None = None) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for name in ("a", "b"):
        ex: dict[str, object] = {"id": name, "time_limit": 30, "record": "arrays", "checks": [
            {"name": "right", "check": "array_values", "points": 1}]}
        if name == "b" and define_b is not None:
            ex["define_limit"] = define_b
        out.append(ex)
    return out


def test_define_limits_from_the_course(tmp_path: Path) -> None:
    course = tiny_course(tmp_path, {"define_limit": 2, "between_limit": 20,
                                    "top_level": "run",  # the cells' sleeps run
                                    "exercises": exercises(define_b=12)}, QUICK, setup=SETUP)
    assignment = course.assignment("tiny")
    assert limits_for(assignment).between_seconds == 20
    assert assignment.exercise("b").define_limit == 12
    sub = submission(course, tmp_path / "subs" / "slow.ipynb", SLOW_CELLS)
    result = grade(course, "tiny", [sub], tmp_path / "out").results[0]
    by_id = {e.id: e for e in result.exercises}
    # a's cell runs under the assignment's define_limit, b's under its own
    assert "running the cell took longer than 2 s" in by_id["a"].message
    assert by_id["b"].score == 1, by_id["b"].message


def test_setup_limit_from_the_course(tmp_path: Path) -> None:
    with pytest.raises(GraderError, match="setup"):
        tiny_course(tmp_path, {"setup_limit": 1, "exercises": exercises()}, QUICK,
                    setup=SETUP + "time.sleep(5)\n")


def test_defaults_are_unchanged(tmp_path: Path) -> None:
    from autograder.course import load_course

    assignment = load_course(Path(__file__).resolve().parents[1] / "course.yaml"
                             ).assignment("week1")
    limits = limits_for(assignment)
    assert limits.setup_seconds == 90 and limits.between_seconds is None
    assert all(e.define_limit is None for e in assignment.exercises)
    assert between_allowance.__defaults__ == (None,)


@pytest.mark.parametrize(("where", "key"), [("assignment", "setup_limit"),
                                            ("assignment", "between_limit"),
                                            ("exercise", "define_limit")])
def test_a_budget_must_be_positive(tmp_path: Path, where: str, key: str) -> None:
    import yaml

    from autograder.course import load_course
    from autograder.errors import CourseError

    root = Path(__file__).resolve().parents[1]
    data = yaml.safe_load((root / "course.yaml").read_text(encoding="utf-8"))
    data["solutions"] = str(root / "solutions")
    data["extra_checks"] = str(root / "course_checks.py")
    week1 = data["assignments"]["week1"]
    (week1 if where == "assignment" else week1["exercises"][0])[key] = -1
    (tmp_path / "course.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(CourseError, match=f"{key}.*greater than 0"):
        load_course(tmp_path / "course.yaml")


def test_a_cell_defined_but_not_called_has_the_default_budget(tmp_path: Path) -> None:
    """A regrade runs every exercise's cell but calls only some: the others' cells still
    run under a budget (no KeyError in the runner's watch)."""
    import dataclasses

    from autograder.assemble import assemble
    from autograder.notebook import locate, read_notebook
    from autograder.outbox import exercise_facts
    from autograder.sandbox.runner import execute

    course = tiny_course(tmp_path, {"top_level": "run", "exercises": exercises()}, QUICK,
                         setup=SETUP)
    assignment = course.assignment("tiny")
    cells = {**QUICK, "a": QUICK["a"] + "\ntime.sleep(1)  # top-level work in a's cell\n"}
    sub = submission(course, tmp_path / "subs" / "one.ipynb", cells)
    release = read_notebook(course.release_path(assignment))
    program = assemble(assignment, release, locate(read_notebook(sub), assignment, release))
    only_b = dataclasses.replace(program, calls=tuple(c for c in program.calls if c.id == "b"))
    run = execute(only_b, limits_for(assignment), tmp_path / "run")
    assert exercise_facts(run, "b", "arrays").ok
