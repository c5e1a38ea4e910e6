"""``autograder nbgrader export``: the course as a ready nbgrader course.

What is written to COURSE_DIR:

- ``nbgrader_config.py``: course id, SQLite gradebook, local exchange, a cell timeout sized
  from course.yaml's time limits, and our preprocessors (``autograder.nbgrader
  .preprocessors``) in nbgrader's autograde and feedback pipelines;
- ``source/<assignment>/<notebook>``: per assignment, the solution notebook with nbgrader
  metadata: each exercise cell a solution cell (its ``# GRADED`` marker line outside the
  solution region, so our locate step still finds it), every other cell locked, and after
  each exercise one autograded test cell worth the exercise's points whose hidden part asks
  our sandboxed grader for the exercise's score (``autograder.nbgrader.testcell``);
- ``.autograder/``: ``settings.json`` (where the course, the grader's Python and the
  nbgrader course are; the marker that we wrote this folder), a copy of ``testcell.py``
  that the hidden tests run, and ``results/``, the grades memoised per submitted notebook.

No data set is copied: grading never reads data from the nbgrader course (the grader hands
the sandbox what course.yaml's ``data:`` names and keeps held-out sets to itself), and the
notebooks' own teaching cells fetch their data as the notebooks explain.
"""

from __future__ import annotations

import copy
import json
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from autograder import __version__
from autograder.course import Assignment, Course
from autograder.errors import CourseError, GraderError
from autograder.notebook import (
    METADATA_KEY,
    ROLE_CHECK,
    ROLE_EXERCISE,
    ROLE_HIDDEN,
    as_text,
    solution_role,
)
from autograder.release import SCHEMA, build_release

WRITTEN_BY = "autograder nbgrader export"
STATE_DIR = ".autograder"  # inside COURSE_DIR
SETTINGS = "settings.json"
RESULTS = "results"
TESTCELL = "testcell.py"
TEST_PREFIX = "test_"  # a test cell's grade_id is TEST_PREFIX + the exercise's id
NBGRADER_SCHEMA = 3
#: what identifies our hidden test in a cell's source (the call the cell makes)
TESTCELL_CALL = '["exercise_score"]('
#: nbgrader folders an existing course may hold besides what we write
NBGRADER_FOLDERS = ("source", "release", "submitted", "autograded", "feedback", "exchange")


def grade_timeout(assignment: Assignment) -> int:
    """Seconds the first test cell of a notebook may take to grade the whole submission.

    The sandbox's own budget (course.yaml ``time_limit``) with half again as much for
    starting the grader and running the trusted checks (held-out evaluations), plus two
    minutes for starting Python and TensorFlow on a busy machine.
    """
    return int(assignment.time_limit * 1.5) + 120


def cell_timeout(course: Course) -> int:
    """nbgrader's per-cell timeout: the longest grading of any assignment, and a margin."""
    return max(grade_timeout(a) for a in course.assignments) + 60


# --------------------------------------------------------------------------- notebooks


def _nbgrader_meta(grade_id: str, *, solution: bool = False, grade: bool = False,
                   locked: bool = False, points: float | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"schema_version": NBGRADER_SCHEMA, "grade": grade,
                            "solution": solution, "locked": locked, "task": False,
                            "grade_id": grade_id}
    if grade:
        meta["points"] = points
    return meta


def test_source(testcell: Path, assignment: Assignment, exercise_id: str) -> str:
    """An autograded test cell: a visible note, and the hidden call to our grader."""
    ex = assignment.exercise(exercise_id)
    return "\n".join([
        f"# Autograded: {ex.title} ({ex.id}, {ex.max_score:g} points).",
        "# When you submit, the course's grader checks this exercise on the notebook you",
        "# submitted, in its own sandbox; there is nothing to run here.",
        "### BEGIN HIDDEN TESTS",
        "from runpy import run_path",
        f"run_path({str(testcell)!r}){TESTCELL_CALL}{assignment.id!r}, {ex.id!r})",
        "### END HIDDEN TESTS",
    ])


def build_source(solution: NotebookNode, assignment: Assignment, where: str,
                 testcell: Path) -> NotebookNode:
    """The nbgrader source notebook for one solution notebook (pure, deterministic).

    The cells, ids and ``autograder`` metadata are those of our release (so the grader's
    locate step and frozen-cell notes treat an nbgrader-released notebook like ours), the
    exercise cells keep the solution, and nbgrader metadata is added.
    """
    release = build_release(solution, assignment, where)
    kept = [c for c in solution.cells if solution_role(c, assignment)[0] != ROLE_HIDDEN]
    if len(kept) != len(release.cells):  # build_release keeps one cell per kept cell
        raise CourseError(f"{where}: the release does not match the solution cell for cell")
    cells: list[NotebookNode] = []
    for original, released in zip(kept, release.cells, strict=True):
        cell = copy.deepcopy(released)
        role, ex = solution_role(original, assignment)
        if role == ROLE_EXERCISE and ex is not None:
            cell.source = original.source  # the solution region stays; nbgrader stubs it
            cell.metadata["nbgrader"] = _nbgrader_meta(ex.id, solution=True)
            cells.append(cell)
            test = nbformat.v4.new_code_cell(test_source(testcell, assignment, ex.id))
            test["id"] = f"test-{ex.id}"
            test.metadata = {
                METADATA_KEY: {"role": ROLE_CHECK, "schema": SCHEMA, "exercise": ex.id},
                "editable": False, "deletable": False,
                "nbgrader": _nbgrader_meta(TEST_PREFIX + ex.id, grade=True, locked=True,
                                           points=ex.max_score),
            }
            cells.append(test)
        else:
            cell.metadata["nbgrader"] = _nbgrader_meta(str(cell["id"]), locked=True)
            cells.append(cell)
    nb = copy.deepcopy(release)
    nb.cells = cells
    return nb


# --------------------------------------------------------------------------- config


CONFIG = '''\
# nbgrader configuration for {course_id}, written by `autograder nbgrader export`
# (autograder {version}). Export again after changing course.yaml or a solution: this
# file, source/ and .autograder/ are rewritten; the gradebook and the students' folders
# are kept. See docs/nbgrader.md in the autograder repository.
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, ClearOutput, DeduplicateIds,
    GetGrades, IgnorePattern, LimitOutput, OverwriteCells, OverwriteKernelspec,
    SaveAutoGrades,
)

from autograder.nbgrader.preprocessors import ExecuteGraded, FilterOutput, RestoreTestCells

c = get_config()  # noqa: F821 (defined by traitlets when it loads this file)

c.CourseDirectory.root = {root!r}
c.CourseDirectory.course_id = {course_id!r}
c.CourseDirectory.db_url = {db_url!r}
c.Exchange.root = {exchange!r}

# The first test cell of a notebook grades the whole submission in the sandbox (the
# longest assignment may take {longest} s there); nbgrader's default of 30 s is too short.
c.Execute.timeout = {timeout}

# Sanitize: as nbgrader does, then put back test cells a student deleted, so each
# exercise is graded as `autograder grade` grades it.
c.Autograde.sanitize_preprocessors = [
    ClearOutput, DeduplicateIds, OverwriteKernelspec, OverwriteCells, RestoreTestCells,
    CheckCellMetadata,
]
# Autograde: run the setup, exercise and test cells (not the teaching or scratch cells,
# which `autograder grade` does not run either: set run_ungraded_cells = True to run
# every cell as plain nbgrader does); then FilterOutput keeps TensorFlow's log lines on
# stderr from zeroing a test cell.
c.Autograde.autograde_preprocessors = [
    ExecuteGraded, FilterOutput, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]
c.ExecuteGraded.run_ungraded_cells = False

# Feedback: hidden tests are removed from the feedback too (nbgrader shows them otherwise).
c.GenerateFeedback.preprocessors = [GetGrades, CSSHTMLHeaderPreprocessor, ClearHiddenTests]
'''


def config_text(course: Course, root: Path) -> str:
    """The generated ``nbgrader_config.py``."""
    return CONFIG.format(
        course_id=course.name, version=__version__, root=str(root),
        db_url=f"sqlite:///{root / 'gradebook.db'}", exchange=str(root / "exchange"),
        longest=max(int(a.time_limit) for a in course.assignments),
        timeout=cell_timeout(course))


def settings(course: Course, course_file: Path, root: Path) -> dict[str, Any]:
    """What the test cells need to know: ``.autograder/settings.json``."""
    common = [str(course_file)]
    if course.extra_checks is not None:
        common.append(str(course.extra_checks))
    return {
        "schema": 1,
        "written_by": WRITTEN_BY,
        "autograder_version": __version__,
        "python": sys.executable,
        "course_yaml": str(course_file),
        "course_root": str(course.root),
        "nbgrader_root": str(root),
        "assignments": {
            a.id: {
                "notebook": a.notebook,
                "grade_timeout": grade_timeout(a),
                # a memoised grade is keyed by these files' contents and the notebook's
                "inputs": [*common, str(course.solution_path(a)), str(course.release_path(a))],
                "exercises": {e.id: e.max_score for e in a.exercises},
            }
            for a in course.assignments
        },
    }


# --------------------------------------------------------------------------- export


@dataclass(frozen=True)
class Exported:
    """What an export wrote."""

    root: Path
    config: Path
    notebooks: tuple[Path, ...]
    updated: bool  # an earlier export was updated (gradebook and students' folders kept)


def _check_destination(root: Path) -> bool:
    """Whether ``root`` holds an earlier export; a GraderError if it is not ours to write."""
    if root.exists() and not root.is_dir():
        raise GraderError(f"{root} exists and is not a folder; give a new or empty folder "
                          "for the nbgrader course")
    if not root.exists() or not any(root.iterdir()):
        return False
    marker = root / STATE_DIR / SETTINGS
    try:
        ours = json.loads(marker.read_text(encoding="utf-8")).get("written_by") == WRITTEN_BY
    except (OSError, ValueError, AttributeError):
        ours = False
    if not ours:
        raise GraderError(
            f"{root} exists and is not an nbgrader course written by 'autograder nbgrader "
            f"export' (no {STATE_DIR}/{SETTINGS} in it); give a new or empty folder, or the "
            "folder of an earlier export to update it")
    return True


def export(course: Course, course_file: Path, dest: Path, *,
           only: Sequence[str] = (), warm: bool = True) -> Exported:
    """Write (or update) the nbgrader course for ``course`` in ``dest``.

    ``only`` limits the source notebooks written to these assignments (all by default);
    ``warm`` computes the reference facts now (running the solutions the first time), so
    that the first ``nbgrader autograde`` does not pay for it inside a test cell.
    """
    root = dest.resolve()
    updated = _check_destination(root)
    chosen = [course.assignment(a) for a in only] if only else list(course.assignments)
    if warm:
        from autograder.reference import load_reference

        for a in chosen:
            load_reference(course, a)
    state = root / STATE_DIR
    state.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(state / RESULTS, ignore_errors=True)  # grades of the previous export
    (state / RESULTS).mkdir()
    testcell = state / TESTCELL
    shutil.copyfile(Path(__file__).with_name(TESTCELL), testcell)
    notebooks = []
    for a in chosen:
        path = course.solution_path(a)
        solution = nbformat.read(str(path), as_version=4)
        where = str(path.relative_to(course.root)) if path.is_relative_to(course.root) \
            else str(path)
        nb = build_source(solution, a, where, testcell)
        out = root / "source" / a.id / a.notebook
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(as_text(nb), encoding="utf-8")
        notebooks.append(out)
    config = root / "nbgrader_config.py"
    config.write_text(config_text(course, root), encoding="utf-8")
    (state / SETTINGS).write_text(
        json.dumps(settings(course, course_file.resolve(), root), indent=1) + "\n",
        encoding="utf-8")
    return Exported(root, config, tuple(notebooks), updated)
