"""The nbgrader adapter: the exported course, and real nbgrader commands scoring as we do.

The slow test drives nbgrader itself (generate_assignment, autograde, generate_feedback,
export) on a temporary course and compares every student's score per exercise with
``grade_submission`` on the same submitted notebook.
"""

from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import MetadataValidator
from nbgrader.utils import determine_grade

from autograder.cli import main
from autograder.course import Course
from autograder.errors import GraderError
from autograder.grade import context
from autograder.nbgrader import testcell
from autograder.nbgrader.export import (
    RESULTS,
    SETTINGS,
    STATE_DIR,
    TEST_PREFIX,
    TESTCELL_CALL,
    export,
)
from autograder.nbgrader.preprocessors import (
    filter_outputs,
    quiet_stderr,
    restored_cell,
    runs_in_autograde,
)
from autograder.notebook import cell_meta
from autograder.pipeline import grade_submission
from autograder.results import SubmissionResult

ROOT = Path(__file__).resolve().parents[1]
COURSE_YAML = ROOT / "course.yaml"
EXAMPLES = ROOT / "examples" / "submissions" / "week1"

HIDDEN = ("BEGIN HIDDEN TESTS", TESTCELL_CALL, "run_path", f"{STATE_DIR}/testcell.py")
TF_NOISE = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1795830435.791269   21209 port.cc:153] oneDNN custom operations are on.\n"
    "2026-01-02 10:11:12.123456: I tensorflow/core/util/port.cc:113] oneDNN custom ops.\n"
    "To enable the following instructions: AVX2 FMA, in other operations, rebuild "
    "TensorFlow with the appropriate compiler flags.\n"
    "/x/.venv/lib/python3.11/site-packages/keras/src/layers/core/dense.py:93: UserWarning: "
    "Do not pass an `input_shape`\n"
    "  super().__init__(activity_regularizer=activity_regularizer, **kwargs)\n"
)


def start_nbgrader(root: Path, *args: str) -> subprocess.Popen[str]:
    """Start a real nbgrader command in the course folder (the venv's tools on PATH)."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}"
                                f"{os.environ.get('PATH', '')}")
    return subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait(proc: subprocess.Popen[str]) -> None:
    """Wait for an nbgrader command; fail the test with its log if it failed."""
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 0, f"{' '.join(map(str, proc.args))} failed:\n{err[-4000:]}"


def nbgrader(root: Path, *args: str) -> None:
    """Run a real nbgrader command in the course folder."""
    wait(start_nbgrader(root, *args))


def code_cells(nb: NotebookNode) -> list[NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


# --------------------------------------------------------------------------- fast


@pytest.fixture
def exported(course: Course, tmp_path: Path) -> Path:
    root = tmp_path / "nbcourse"
    export(course, COURSE_YAML, root, only=("week1",), warm=False)
    return root


def test_source_notebook_has_valid_nbgrader_metadata(course: Course, exported: Path) -> None:
    week1 = course.assignment("week1")
    nb = nbformat.read(str(exported / "source" / "week1" / "week1.ipynb"), as_version=4)
    MetadataValidator().validate_nb(nb)  # raises on bad nbgrader metadata
    cells = nb.cells
    tests = {c.metadata.nbgrader["grade_id"]: c for c in cells if c.metadata.nbgrader["grade"]}
    assert set(tests) == {TEST_PREFIX + e.id for e in week1.exercises}
    for ex in week1.exercises:
        i = next(i for i, c in enumerate(cells) if c.metadata.nbgrader["grade_id"] == ex.id)
        solution, test = cells[i], cells[i + 1]  # each test cell right after its exercise
        assert solution.metadata.nbgrader["solution"] and not solution.metadata.nbgrader["locked"]
        assert solution.source.startswith(f"# GRADED FUNCTION: {ex.id}\n")
        assert "### BEGIN SOLUTION" in solution.source
        assert test is tests[TEST_PREFIX + ex.id]
        assert test.metadata.nbgrader["points"] == ex.max_score
        assert test.metadata.nbgrader["locked"]
        hidden = test.source.split("### BEGIN HIDDEN TESTS\n")[1]
        assert f"{TESTCELL_CALL}'week1', {ex.id!r})" in hidden
        assert cell_meta(test)["role"] == "check"
    assert sum(c.metadata.nbgrader.get("points", 0) for c in cells) == week1.max_score
    others = [c for c in cells if not (c.metadata.nbgrader["grade"]
                                       or c.metadata.nbgrader["solution"])]
    assert others and all(c.metadata.nbgrader["locked"] for c in others)
    assert not any("check(" in c.source for c in others)  # no checker / check() cells


def test_config_and_settings(course: Course, exported: Path) -> None:
    config = (exported / "nbgrader_config.py").read_text(encoding="utf-8")
    compile(config, "nbgrader_config.py", "exec")
    assert f"sqlite:///{exported}/gradebook.db" in config
    assert "c.Execute.timeout = " in config and "RestoreTestCells" in config
    settings = json.loads((exported / STATE_DIR / SETTINGS).read_text(encoding="utf-8"))
    assert settings["python"] == sys.executable
    assert settings["assignments"]["week1"]["exercises"] == {
        e.id: e.max_score for e in course.assignment("week1").exercises}
    timeout = int(config.split("c.Execute.timeout = ")[1].split()[0])
    assert timeout > max(a["grade_timeout"] for a in settings["assignments"].values())


def test_generate_assignment_accepts_the_export(exported: Path) -> None:
    nbgrader(exported, "generate_assignment", "week1")
    release = (exported / "release" / "week1" / "week1.ipynb").read_text(encoding="utf-8")
    assert not any(h in release for h in HIDDEN)
    assert "### BEGIN SOLUTION" not in release and "# GRADED FUNCTION: house_data" in release


def test_export_refuses_a_folder_it_did_not_write(course: Course, tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("instructor's notes", encoding="utf-8")
    with pytest.raises(GraderError, match="is not an nbgrader course written by"):
        export(course, COURSE_YAML, tmp_path, only=("week1",), warm=False)
    with pytest.raises(GraderError, match="is not a folder"):
        export(course, COURSE_YAML, tmp_path / "mine.txt", warm=False)
    with pytest.raises(GraderError, match="unknown assignment"):
        export(course, COURSE_YAML, tmp_path / "new", only=("week9",), warm=False)
    code = main(["--course", str(COURSE_YAML), "nbgrader", "export", str(tmp_path),
                 "--no-reference"])
    assert code == 2


def test_export_again_updates_and_forgets_old_grades(course: Course, exported: Path) -> None:
    stale = exported / STATE_DIR / RESULTS / "old.json"
    stale.write_text("{}", encoding="utf-8")
    (exported / "gradebook.db").write_bytes(b"kept")
    code = main(["--course", str(COURSE_YAML), "nbgrader", "export", str(exported),
                 "--assignment", "week1", "--no-reference"])
    assert code == 0
    assert not stale.exists() and (exported / "gradebook.db").read_bytes() == b"kept"


def _cell(source: str, outputs: list[dict[str, Any]], **nbgrader: Any) -> NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    if nbgrader:
        cell.metadata["nbgrader"] = {"grade_id": "t", "locked": True, "solution": False,
                                     "schema_version": 3, **nbgrader}
    return cell


def test_tensorflow_stderr_never_zeroes_a_cell() -> None:
    assert quiet_stderr(TF_NOISE) == ""
    assert quiet_stderr(TF_NOISE + "AssertionError: wrong\n") == "AssertionError: wrong\n"
    stderr = {"output_type": "stream", "name": "stderr", "text": TF_NOISE}
    result = {"output_type": "execute_result", "execution_count": 1, "metadata": {},
              "data": {"text/plain": "2.5"}}
    # an instructor's own test cell: TensorFlow's lines go, the numeric result counts
    theirs = _cell("assert True\n1.0 * 2.5", [stderr, result], grade=True, points=4)
    assert determine_grade(theirs)[0] == 0  # what plain nbgrader would give
    filter_outputs(theirs)
    assert determine_grade(theirs) == (2.5, 4.0)
    real = _cell("x", [dict(stderr, text="Traceback: real failure\n")], grade=True, points=4)
    filter_outputs(real)
    assert determine_grade(real) == (0, 4.0)
    # our test cell: stderr becomes ordinary output; an error loses its source lines
    ours = _cell(f"### BEGIN HIDDEN TESTS\nrun_path('x'){TESTCELL_CALL}'week1', 'a')",
                 [dict(stderr, text="anything\n"), result], grade=True, points=4)
    filter_outputs(ours)
    assert determine_grade(ours) == (2.5, 4.0) and ours.outputs[0]["name"] == "stdout"
    error = {"output_type": "error", "ename": "RuntimeError", "evalue": "grader down",
             "traceback": ["Cell In[3], line 5", f"run_path('x'){TESTCELL_CALL}'week1'"]}
    failing = _cell(f"run_path('x'){TESTCELL_CALL}'week1', 'a')", [error], grade=True,
                    points=4)
    filter_outputs(failing)
    assert failing.outputs[0]["traceback"] == ["RuntimeError: grader down"]
    assert determine_grade(failing) == (0, 4.0)


def test_which_cells_autograde_runs() -> None:
    def cell(role: str | None, **nbg: Any) -> NotebookNode:
        c = nbformat.v4.new_code_cell("pass")
        if role:
            c.metadata["autograder"] = {"role": role}
        if nbg:
            c.metadata["nbgrader"] = nbg
        return c

    assert runs_in_autograde(cell("setup", grade_id="setup-1", locked=True))
    assert runs_in_autograde(cell("exercise"))  # a submission in our own format
    assert runs_in_autograde(cell(None, grade_id="x", solution=True))
    assert runs_in_autograde(cell("check", grade_id="test_a", grade=True))
    assert runs_in_autograde(cell(None, grade_id="instructors-helper", locked=True))
    assert not runs_in_autograde(cell("teaching", grade_id="teaching-1", locked=True))
    assert not runs_in_autograde(cell("checker"))
    assert not runs_in_autograde(cell(None))  # the student's scratch cell


def test_restored_test_cell_is_valid_nbgrader() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [restored_cell("test_house_data", "# t\n### BEGIN HIDDEN TESTS\n1\n"
                              "### END HIDDEN TESTS", "0" * 32, 4.0, with_id=True)]
    MetadataValidator().validate_nb(nb)
    nbformat.validate(nb)
    assert cell_meta(nb.cells[0]) == {"role": "check", "schema": 1, "exercise": "house_data"}


def test_find_notebook_prefers_the_submitted_file(tmp_path: Path) -> None:
    settings = {"nbgrader_root": str(tmp_path),
                "assignments": {"week1": {"notebook": "week1.ipynb"}}}
    kernel_cwd = tmp_path / "autograded" / "ann" / "week1"
    submitted = tmp_path / "submitted" / "ann" / "week1" / "week1.ipynb"
    for path in (kernel_cwd / "week1.ipynb", submitted):
        path.parent.mkdir(parents=True)
        path.write_text("{}", encoding="utf-8")
    assert testcell.find_notebook(settings, "week1", kernel_cwd) == submitted
    source = tmp_path / "source" / "week1"
    source.mkdir(parents=True)
    with pytest.raises(RuntimeError, match="cannot find the notebook"):
        testcell.find_notebook(settings, "week1", source)


# --------------------------------------------------------------------------- slow


def _exercise_sources(path: Path) -> dict[str, str]:
    nb = nbformat.read(str(path), as_version=4)
    return {cell_meta(c)["exercise"]: c.source for c in code_cells(nb)
            if cell_meta(c).get("role") == "exercise"}


def _nbgrader_students(release: NotebookNode) -> dict[str, NotebookNode]:
    """Two students working in nbgrader's released notebook."""
    correct = _exercise_sources(EXAMPLES / "correct.ipynb")
    integers = _exercise_sources(EXAMPLES / "integer_arrays.ipynb")

    def answered(answers: dict[str, str]) -> NotebookNode:
        nb = copy.deepcopy(release)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        return nb

    # answers Exercises 1 and 2 (not 3), and deleted the test cell of Exercise 1
    deleted = answered({k: correct[k] for k in ("house_data", "house_model")})
    deleted.cells = [c for c in deleted.cells
                     if c.metadata.get("nbgrader", {}).get("grade_id") != "test_house_data"]
    # integer arrays in Exercise 1, and edited two locked cells: the setup cell (which
    # would break Exercise 2 in the kernel if it ran as edited) and a markdown cell
    edited = answered({"house_data": integers["house_data"], "house_model": correct["house_model"]})
    setup = next(c for c in edited.cells if cell_meta(c).get("role") == "setup")
    setup.source += "\nkeras = None  # edited by the student"
    markdown = next(c for c in edited.cells if c.cell_type == "markdown")
    markdown.source = "I rewrote the instructions."
    return {"deleted_test_cell": deleted, "edited_locked_cell": edited}


#: per-exercise scores (house_data, house_model, train_house_model), as `autograder grade`
EXPECTED = {
    "correct": (4, 3, 4),
    "unscaled_prices": (2, 3, 0),
    "deleted_test_cell": (4, 3, 0),
    "edited_locked_cell": (3, 3, 0),
}


@pytest.mark.slow
def test_nbgrader_workflow_scores_as_autograder_grade(course: Course, tmp_path: Path,
                                                     results: dict[str, SubmissionResult]
                                                     ) -> None:
    root = tmp_path / "nbcourse"
    assert main(["--course", str(COURSE_YAML), "nbgrader", "export", str(root),
                 "--assignment", "week1"]) == 0
    nbgrader(root, "generate_assignment", "week1")
    release = nbformat.read(str(root / "release" / "week1" / "week1.ipynb"), as_version=4)
    students: dict[str, NotebookNode | Path] = {
        "correct": EXAMPLES / "correct.ipynb",  # the bundled examples, in our own format
        "unscaled_prices": EXAMPLES / "unscaled_prices.ipynb",
        **_nbgrader_students(release),
    }
    for student, nb in students.items():
        path = root / "submitted" / student / "week1" / "week1.ipynb"
        path.parent.mkdir(parents=True)
        if isinstance(nb, Path):
            path.write_bytes(nb.read_bytes())
        else:
            nbformat.write(nb, str(path))

    autograde = start_nbgrader(root, "autograde", "week1")
    ctx = context(course, "week1")  # our CLI's grades, computed while nbgrader works
    ours = {s: results[s] if isinstance(nb, Path) else  # a bundled example: graded already
            grade_submission(root / "submitted" / s / "week1" / "week1.ipynb", ctx, s)
            for s, nb in students.items()}
    wait(autograde)
    nbgrader(root, "generate_feedback", "week1")
    nbgrader(root, "export")

    ids = [e.id for e in ctx.assignment.exercises]
    with open(root / "grades.csv", newline="", encoding="utf-8") as fh:
        totals = {row["student_id"]: float(row["score"]) for row in csv.DictReader(fh)}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in students:
            grades = {g.name: g.score for g in
                      gb.find_submission_notebook("week1", "week1", student).grades}
            by_nbgrader = tuple(grades[TEST_PREFIX + i] for i in ids)
            by_cli = tuple(e.score for e in ours[student].exercises)
            assert by_nbgrader == pytest.approx(by_cli, abs=1e-9), student
            assert by_cli == EXPECTED[student], student
            assert totals[student] == pytest.approx(ours[student].score)

    # the deleted test cell was put back; the edited locked cells were restored
    autograded = root / "autograded"
    deleted = nbformat.read(str(autograded / "deleted_test_cell/week1/week1.ipynb"), 4)
    assert [c.metadata.nbgrader["grade_id"] for c in deleted.cells
            if c.metadata.get("nbgrader", {}).get("grade")].count("test_house_data") == 1
    source = nbformat.read(str(root / "source" / "week1" / "week1.ipynb"), 4)
    edited = nbformat.read(str(autograded / "edited_locked_cell/week1/week1.ipynb"), 4)
    assert [c.source for c in edited.cells if c.get("id") == "setup-1"] == \
        [c.source for c in source.cells if c.get("id") == "setup-1"]

    # the hidden tests are in no student-facing file
    facing = [*root.glob("release/**/*.ipynb"), *root.glob("feedback/**/*.html")]
    assert len(facing) == 1 + len(students)
    for path in facing:
        text = path.read_text(encoding="utf-8")
        assert not [h for h in HIDDEN if h in text], path
    feedback = (root / "feedback" / "unscaled_prices" / "week1" / "week1.html").read_text(
        encoding="utf-8")
    assert "bedrooms and prices" in feedback  # the checks' verdicts reach the student
