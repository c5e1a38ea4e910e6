"""Dependency-aware assembly end to end: notebooks as students of other generations wrote
them (imports and helpers in their own cells, top-level training in graded cells, a
foreign notebook), provided cells and an exercise with no cell of its own."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode

from autograder.course import Assignment, Course, load_course
from autograder.grade import Options, grade
from autograder.notebook import locate
from autograder.pipeline import prepare
from autograder.release import release
from autograder.results import SubmissionResult

TINY_COURSE = """\
version: 1
course: tiny
assignments:
  tiny:
    notebook: tiny.ipynb
    seed: 1
    time_limit: 120
    memory_limit_mb: 2048
    exercises:
      - id: make_data
        record: arrays
        time_limit: 20
        checks: [{name: the data, check: array_values, points: 1}]
      - id: scale
        call: scale(raw)
        record: arrays
        time_limit: 20
        checks: [{name: scaled, check: array_values, points: 1}]
      - id: pipeline
        cell: false
        call: scale(make_data())[:3]
        record: arrays
        time_limit: 20
        checks: [{name: the first three, check: array_values, points: 1}]
"""

SOLUTION = [
    "# SETUP\nimport numpy as np",
    "# GRADED FUNCTION: make_data\ndef make_data():\n    ### BEGIN SOLUTION\n"
    "    return np.arange(1, 7, dtype=float)\n    ### END SOLUTION",
    "# PROVIDED\nraw = make_data()",
    "# GRADED FUNCTION: scale\ndef scale(data):\n    ### BEGIN SOLUTION\n"
    "    return data / data.max()\n    ### END SOLUTION",
]


def code(source: str) -> NotebookNode:
    return nbformat.v4.new_code_cell(textwrap.dedent(source).strip("\n"))


def notebook(*sources: str) -> NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [code(s) for s in sources]
    return nb


def write(nb: NotebookNode, path: Path) -> Path:
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Course:
    """A one-assignment course on numpy only, released (its solution run once)."""
    root = tmp_path_factory.mktemp("tiny-course")
    (root / "course.yaml").write_text(TINY_COURSE, encoding="utf-8")
    (root / "solutions" / "tiny").mkdir(parents=True)
    write(notebook(*SOLUTION), root / "solutions" / "tiny" / "tiny.ipynb")
    course = load_course(root / "course.yaml")
    release(course)
    return course


def released(course: Course) -> NotebookNode:
    return nbformat.read(str(course.release_path(course.assignments[0])), as_version=4)


def test_release_keeps_the_provided_cell_and_has_no_stub_for_a_cell_free_exercise(
        tiny: Course) -> None:
    nb = released(tiny)
    roles = [c.metadata.get("autograder", {}).get("role") for c in nb.cells
             if c.cell_type == "code"]
    assert "provided" in roles
    provided = next(c for c in nb.cells
                    if c.metadata.get("autograder", {}).get("role") == "provided")
    assert provided.source == "# PROVIDED\nraw = make_data()"
    assert provided.metadata["editable"] is False
    assert not any("pipeline" in c.source for c in nb.cells if c.cell_type == "code"
                   and c.metadata.get("autograder", {}).get("role") == "exercise")


def student_notebook(*, provided: bool = True) -> NotebookNode:
    """A notebook of another generation: its own imports and helpers, top-level work."""
    cells = [
        "import numpy as np\nimport matplotlib.pyplot as plt\nfrom google.colab import files",
        "import time\nSTART = 1.0\nCOUNT = 6\n\ndef span(first):\n"
        "    return np.arange(first, first + COUNT, dtype=float)",
        "# GRADED FUNCTION: make_data\ndef make_data():\n    return span(START)\n\n"
        "print(make_data())\nfor epoch in range(4000):\n    time.sleep(1)",
        "plt.plot(make_data())\nplt.show()",
    ]
    if provided:
        cells.append("raw = make_data()")
    cells += [
        "# GRADED FUNCTION: scale\ndef scale(data):\n    return data / biggest(data)\n"
        "history = scale(make_data())\nhistory",
        "def biggest(a):\n    return a.max()",
    ]
    return notebook(*cells)


def test_assembly_takes_what_is_needed_and_says_from_where(tiny: Course,
                                                           tmp_path: Path) -> None:
    assignment = tiny.assignments[0]
    program = prepare(write(student_notebook(), tmp_path / "s.ipynb"), assignment,
                      released(tiny))
    kinds = [(p.kind, p.label) for p in program.pieces]
    assert kinds == [("setup", "setup cell 1"), ("student", "cell 2"),
                     ("exercise", "exercise make_data (cell 3)"),
                     ("provided", "provided cell (cell 5)"),
                     ("exercise", "exercise scale (cell 6)"), ("student", "cell 7")]
    by_label = {p.label: p for p in program.pieces}
    taken = by_label["cell 2"]
    assert taken.source.splitlines()[1:3] == ["START = 1.0", "COUNT = 6"]
    assert "import time" not in taken.source and taken.group == "make_data"
    assert taken.needed_by == ("make_data", "pipeline", "scale")
    graded = by_label["exercise make_data (cell 3)"].source
    assert "sleep" not in graded and "print" not in graded
    assert graded.splitlines()[1] == "def make_data():"
    assert by_label["cell 7"].group == "scale"
    notes = "\n".join(program.notes)
    assert ("from your other cells, the grader took START, COUNT, def span from cell 2; "
            "def biggest from cell 7") in notes
    assert "make_data: skipped 2 top-level statement(s) in cell 3" in notes
    assert "print(make_data()); for epoch in range(4000):" in notes
    assert "not made from this course's release" in notes
    assert "deleted or changed" not in notes
    assert "matplotlib" not in "".join(p.source for p in program.pieces)
    call = next(c for c in program.calls if c.id == "pipeline")
    assert call.names == ()


def test_student_cells_false_and_top_level_run(tiny: Course, tmp_path: Path) -> None:
    import dataclasses

    assignment: Assignment = dataclasses.replace(tiny.assignments[0], student_cells=False,
                                                 top_level="run")
    nb = student_notebook()
    program = prepare(write(nb, tmp_path / "s.ipynb"), assignment, released(tiny))
    assert {p.kind for p in program.pieces} == {"setup", "exercise", "provided"}
    assert "time.sleep(1)" in program.source_of("make_data")
    assert not any("took" in n or "skipped" in n for n in program.notes)


def test_release_setup_cell_reformatted_is_not_tampering(tiny: Course) -> None:
    nb = released(tiny)
    setup = next(c for c in nb.cells if c.metadata.get("autograder", {}).get("role") == "setup")
    setup.source = "# SETUP  (my comment)\n\nimport numpy   as np  # numbers\n"
    assert locate(nb, tiny.assignments[0], released(tiny)).notes == ()
    setup.source = "import numpy as npy"
    assert locate(nb, tiny.assignments[0], released(tiny)).notes == (
        "1 read-only setup cell(s) were edited; the grader used the original version",)


def scores(result: SubmissionResult) -> dict[str, float]:
    return {e.id: e.score for e in result.exercises}


@pytest.mark.slow
def test_tiny_course_grades_foreign_notebooks_through_the_sandbox(tiny: Course,
                                                                  tmp_path: Path) -> None:
    without_provided = student_notebook(provided=False)
    no_helper = student_notebook()
    no_helper.cells = no_helper.cells[:-1]  # biggest() deleted: scale fails
    broken_helper = student_notebook()
    broken_helper.cells[1].source = broken_helper.cells[1].source.replace(
        "START = 1.0", "START = 1.0 / 0")
    paths = [write(student_notebook(), tmp_path / "foreign.ipynb"),
             write(without_provided, tmp_path / "no_provided_copy.ipynb"),
             write(no_helper, tmp_path / "no_helper.ipynb"),
             write(broken_helper, tmp_path / "broken_helper.ipynb")]
    report = grade(tiny, "tiny", paths, tmp_path / "out",
                   options=Options(jobs=1, use_cache=False))
    results = {r.student: r for r in report.results}
    full = {"make_data": 1.0, "scale": 1.0, "pipeline": 1.0}
    assert scores(results["foreign"]) == full, results["foreign"].exercises
    assert scores(results["no_provided_copy"]) == full  # the release's copy ran
    assert scores(results["no_helper"]) == {"make_data": 1.0, "scale": 0.0, "pipeline": 0.0}
    assert "biggest" in results["no_helper"].exercises[1].message
    # a cell taken for the exercise failed: the exercise's feedback says where and why
    broken = results["broken_helper"].exercises[0]
    assert broken.score == 0.0
    assert ("[grader] cell 2 line 2, run because your code needs it, failed: "
            "ZeroDivisionError: float division by zero") in broken.stdout, broken


WEEK1_FOREIGN = [
    "import tensorflow as tf\nimport numpy as np\nfrom tensorflow.keras import layers",
    "PRICE_SCALE = 100.0\nEPOCHS = 200  # with a larger learning rate: a cheaper test\n\n"
    "def in_hundreds(prices):\n"
    "    return np.array(prices, dtype=float) / PRICE_SCALE",
    "def house_data():\n    xs = np.arange(1, 7, dtype=float)\n"
    "    return xs, in_hundreds([100, 150, 200, 250, 300, 350])",
    "def house_model():\n    model = tf.keras.Sequential([tf.keras.Input(shape=(1,)), "
    "layers.Dense(units=1)])\n"
    "    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.03),\n"
    "                  loss='mean_squared_error')\n    return model",
    "def train_house_model(model, xs, ys):\n"
    "    model.fit(xs, ys, epochs=EPOCHS, verbose=0)\n    return model\n\n"
    "xs, ys = house_data()\nmodel = house_model()\n"
    "model.fit(xs, ys, epochs=4000, verbose=1)\nprint(model.predict(np.array([[7.0]])))",
]


@pytest.mark.slow
def test_week1_notebook_of_another_generation(course: Course, tmp_path: Path) -> None:
    """Imports in cell 1, helpers in cell 2, 4000 verbose epochs at the top of a graded
    cell: full marks, and the 4000 epochs never ran."""
    path = write(notebook(*WEEK1_FOREIGN), tmp_path / "older.ipynb")
    report = grade(course, "week1", [path], tmp_path / "out",
                   options=Options(jobs=1, use_cache=False))
    result = report.results[0]
    assert result.score == result.max_score, result.exercises
    notes = "\n".join(result.notes)
    # numpy and tensorflow are imported by the setup cells the same way: not taken again
    assert ("from your other cells, the grader took from tensorflow.keras import layers "
            "from cell 1; PRICE_SCALE, EPOCHS, def in_hundreds from cell 2") in notes
    assert ("train_house_model: skipped 4 top-level statement(s) in cell 5 (only "
            "definitions, imports and what they need run): xs, ys = house_data(); "
            "model = house_model(); model.fit(xs, ys, epochs=4000, verbose=1) and 1 more"
            ) in notes
    assert "not made from this course's release" in notes
    assert all("Epoch 4000" not in e.stdout for e in result.exercises)


def test_in_notebook_check_of_an_exercise_with_no_cell(tiny: Course) -> None:
    """check("pipeline") calls the exercise's call: with the notebook's functions; there is
    no function named pipeline to look for."""
    import numpy as np

    from autograder.release import embedded_facts
    from autograder.student import Checker

    assignment = tiny.assignments[0]
    text = tiny.release_path(assignment).read_text(encoding="utf-8")
    facts = embedded_facts(tiny, assignment, text)
    assert facts is not None
    from autograder.bundle import spec
    from autograder.reference import digest

    checker = Checker(spec(tiny, assignment, digest(tiny, assignment), facts))
    ns = {"np": np, "make_data": lambda: np.arange(1, 7, dtype=float),
          "scale": lambda data: data / data.max()}
    report = checker.run("pipeline", ns)
    assert report.passed and not report.error, report
    ns["scale"] = lambda data: data
    assert not checker.run("pipeline", ns).passed


@pytest.mark.parametrize(("line", "replacement", "message"), [
    ("    seed: 1\n", "    seed: 1\n    top_level: skp\n",
     "assignments.tiny.top_level: must be one of skip, run, found 'skp'"),
    ("    seed: 1\n", "    seed: 1\n    student_cells: maybe\n",
     "assignments.tiny.student_cells: expected true or false, found 'maybe'"),
    ("        cell: false\n", "        cell: no-cell\n",
     "assignments.tiny.exercises[2].cell: expected true or false, found 'no-cell'"),
    ("      - id: scale\n", "      - id: scale\n        top_level: running\n",
     "assignments.tiny.exercises[1].top_level: must be one of skip, run"),
])
def test_new_keys_are_validated(tiny: Course, tmp_path: Path, line: str, replacement: str,
                                message: str) -> None:
    from autograder.errors import CourseError

    text = TINY_COURSE.replace(line, replacement, 1)
    (tmp_path / "course.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "solutions").symlink_to(tiny.solutions_dir)
    with pytest.raises(CourseError, match=r"course\.yaml:[0-9]+: ") as error:
        load_course(tmp_path / "course.yaml")
    assert message in str(error.value)


def test_new_keys_are_read(tiny: Course) -> None:
    assignment = tiny.assignments[0]
    assert (assignment.top_level, assignment.student_cells) == ("skip", True)
    assert [e.cell for e in assignment.exercises] == [True, True, False]
    assert assignment.top_level_of(assignment.exercises[0]) == "skip"
