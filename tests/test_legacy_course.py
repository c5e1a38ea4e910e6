"""The legacy course (tests/legacy_course/): an older generation's course and 105 notebooks
its students wrote, graded with the real grader under Keras 2 and Keras 3; every verdict of
expected.yaml is asserted, and the agreement per flavour is printed.

Fast tests check that the committed notebooks are what make_notebooks.py writes, that every
code cell is Python, and that the course file loads. The grading tests are slow: 105
submissions under Keras 2 and 30 under Keras 3, each training a tiny model for a few seconds.
"""

from __future__ import annotations

import ast
import json
import re
import sys
from pathlib import Path

import pytest

from autograder.course import Course

HERE = Path(__file__).resolve().parent / "legacy_course"
sys.path.insert(0, str(HERE))

from legacy_course import agreement  # noqa: E402


def _code_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


def test_notebooks_are_what_make_notebooks_writes() -> None:
    import make_notebooks

    for student in make_notebooks.STUDENTS:
        path = HERE / "students" / student.week / f"{student.name}.ipynb"
        assert path.read_text(encoding="utf-8") == make_notebooks._notebook(
            make_notebooks.student_cells(student), ids=False), f"{path}: run make_notebooks.py"
    assert make_notebooks.expected() == agreement.EXPECTED
    assert len(make_notebooks.STUDENTS) >= 40


def test_every_code_cell_is_python() -> None:
    magic = re.compile(r"^\s*[%!](?:.*\\\n)*.*$", re.M)  # with its continuation lines
    for path in [*HERE.glob("solutions/week?/*.ipynb"), *HERE.glob("students/*/*.ipynb")]:
        for source in _code_cells(path):
            ast.parse(magic.sub("pass", source), filename=str(path))


def test_data_is_small() -> None:
    size = sum(p.stat().st_size for p in (HERE / "data").rglob("*") if p.is_file())
    assert size < 1_000_000


def test_course_loads(tmp_path: Path) -> None:
    course = agreement.copy_course(tmp_path)
    assert [a.id for a in course.assignments] == agreement.flavours()


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Course:
    return agreement.copy_course(tmp_path_factory.mktemp("legacy"))


#: Flavours graded on every test run (a few minutes in all); the others are marked
#: ``legacy`` and run with ``./run test -m legacy`` or bench/legacy_agreement.py.
EVERY_RUN = ("week1_k3", "week3_k3")


@pytest.mark.slow
@pytest.mark.parametrize("flavour", [
    pytest.param(f, marks=() if f in EVERY_RUN else (pytest.mark.legacy,))
    for f in agreement.flavours()])
def test_every_verdict(flavour: str, legacy: Course, tmp_path: Path) -> None:
    agreement.release_flavours(legacy, [flavour])  # runs the solution once for its facts
    report = agreement.grade_flavour(legacy, flavour, tmp_path)
    print(agreement.describe(report))
    assert not report.disagreements, agreement.describe(report)


def test_a_returned_one_element_array_is_a_number() -> None:
    """The lecture's house_model returns model.predict(x)[0], an array of one number:
    record: last_fit keeps it as that number (numpy 2 refuses float() of it)."""
    import numpy as np

    from autograder.sandbox.recording import _plain

    assert _plain(np.array([4.04], dtype=np.float32)) == pytest.approx(4.04)
    assert _plain(np.float32(0.5)) == 0.5
    assert _plain(np.array([[3.0]])) == 3.0
    assert _plain(np.array([1.0, 2.0])) is None
    assert _plain("four") is None


def test_predict_on_a_list_given_as_an_argument_is_drift() -> None:
    """The 2020 lecture's house_model(y_new) predicts on y_new, which the course calls with
    [7.0]: Keras 3's 'Unrecognized data type' names the list, the line has no literal."""
    from autograder.drift import find_drift

    source = ("# GRADED FUNCTION: house_model\ndef house_model(y_new):\n"
              "    model.fit(xs, ys, epochs=500)\n    return model.predict(y_new)[0]\n")
    failure = ("ValueError: Unrecognized data type: x=[7.0] (of type <class 'list'>)\n"
               'File "<exercise house_model>", line 4, in house_model')
    note = find_drift(failure, source)
    assert note is not None and note.drift == "predict_list" and note.line == 4
    assert note.new == "return model.predict(np.array(y_new))[0]"
