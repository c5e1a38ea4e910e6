"""nbgrader preprocessors that make ``nbgrader autograde`` score as ``autograder grade``.

Registered by the exported ``nbgrader_config.py``:

- ``RestoreTestCells`` (sanitize, after ``OverwriteCells``): a test cell the student
  deleted is put back from the gradebook. Plain nbgrader leaves it out and the exercise
  scores 0 (its ``OverwriteCells.add_missing_cells`` can put it back, but fails when the
  cell before it is gone too); our CLI grades the exercise anyway.
- ``ExecuteGraded`` (instead of nbgrader's ``Execute``): runs only the cells
  ``autograder grade`` runs (setup and exercise cells) and the test cells; teaching and
  scratch cells are skipped unless ``run_ungraded_cells`` is set.
- ``FilterOutput`` (right after execution): TensorFlow's log lines on stderr never zero a
  cell (nbgrader gives 0 to a test cell with any stderr output); in our own test cells,
  whose verdict is their returned score, stderr is kept as ordinary output and an error's
  traceback is cut to its last line, so the hidden test's source never reaches the
  feedback.
"""

from __future__ import annotations

import re
from typing import Any

import nbformat
from nbformat import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from traitlets import Bool

from autograder.nbgrader.export import NBGRADER_SCHEMA, TEST_PREFIX, TESTCELL_CALL
from autograder.notebook import (
    METADATA_KEY,
    ROLE_CHECK,
    ROLE_CHECKER,
    ROLE_EXERCISE,
    ROLE_SETUP,
    ROLE_TEACHING,
    cell_meta,
)
from autograder.release import SCHEMA

Resources = dict[str, Any]

RESTORED_NOTE = ("# This test cell was missing from the submission; autograder's nbgrader "
                 "adapter put it back.\n")

#: stderr lines that TensorFlow, absl and Keras write on their own
NOISE = re.compile(r"""
    \d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?:\ [IWEF]\          # TF's C++ logging
  | [IWEF]\d{4}\ +\d\d:\d\d:[\d.]+\ +\d+\ \S+:\d+\]              # absl logging
  | WARNING:\ All\ log\ messages\ before\ absl::InitializeLog\(\)
  | To\ enable\ the\ following\ instructions:\ .*\ rebuild\ TensorFlow
  | .*\bsite-packages[/\\](tensorflow|keras|absl|tf_keras|h5py)[/\\]\S*:\d+:\ \w*Warning:
""", re.X)


def _nbgrader(cell: NotebookNode) -> dict[str, Any]:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def is_our_test(cell: NotebookNode) -> bool:
    """An autograded test cell that calls our grader (its source, restored by nbgrader)."""
    return bool(cell.cell_type == "code" and _nbgrader(cell).get("grade")
                and TESTCELL_CALL in cell.source)


def runs_in_autograde(cell: NotebookNode) -> bool:
    """Whether ``ExecuteGraded`` runs a code cell: what ``autograder grade`` runs, plus tests.

    nbgrader's solution and test cells and our setup and exercise cells run; our teaching
    and check cells and the student's own cells do not; a locked cell the instructor added
    to source/ (nbgrader metadata, no role of ours) runs.
    """
    nbg = _nbgrader(cell)
    if nbg.get("grade") or nbg.get("solution"):
        return True
    role = cell_meta(cell).get("role")
    if role in (ROLE_SETUP, ROLE_EXERCISE):
        return True
    if role in (ROLE_TEACHING, ROLE_CHECK, ROLE_CHECKER):
        return False
    return "grade_id" in nbg


def quiet_stderr(text: str) -> str:
    """``text`` without the lines TensorFlow, absl and Keras log by themselves.

    A Python warning's second line (the indented source line) goes with it.
    """
    kept: list[str] = []
    dropping = False
    for line in text.splitlines(keepends=True):
        if NOISE.match(line):
            dropping = True
            continue
        if dropping and line.startswith((" ", "\t")):
            continue
        dropping = False
        kept.append(line)
    return "".join(kept)


def filter_outputs(cell: NotebookNode) -> None:
    """FilterOutput's work on one code cell (in place)."""
    ours = is_our_test(cell)
    outputs = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            if ours:
                out["name"] = "stdout"  # the verdict is the returned score, not stderr
            else:
                out["text"] = quiet_stderr(out.get("text", ""))
                if not out["text"]:
                    continue
        elif ours and out.get("output_type") == "error":
            out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
        outputs.append(out)
    cell["outputs"] = outputs


class FilterOutput(NbGraderPreprocessor):  # type: ignore[misc]
    """After execution: TensorFlow's stderr never zeroes a cell; our tests show no source."""

    def preprocess_cell(self, cell: NotebookNode, resources: Resources,
                        index: int) -> tuple[NotebookNode, Resources]:
        if cell.cell_type == "code":
            filter_outputs(cell)
        return cell, resources


class ExecuteGraded(Execute):  # type: ignore[misc]
    """nbgrader's Execute, running only the cells that ``runs_in_autograde`` names."""

    run_ungraded_cells = Bool(
        False, help="Run every cell, as plain nbgrader does (teaching and scratch cells "
                    "included), not only the setup, exercise and test cells.",
    ).tag(config=True)

    def preprocess_cell(self, cell: NotebookNode, resources: Resources,
                        index: int) -> tuple[NotebookNode, Resources]:
        if cell.cell_type == "code" and not (self.run_ungraded_cells
                                             or runs_in_autograde(cell)):
            return cell, resources
        result: tuple[NotebookNode, Resources] = super().preprocess_cell(cell, resources, index)
        return result


def restored_cell(grade_id: str, source: str, checksum: str, points: float,
                  with_id: bool) -> NotebookNode:
    """A test cell put back from the gradebook's copy of its source."""
    cell = nbformat.v4.new_code_cell(RESTORED_NOTE + source)
    if with_id:
        cell["id"] = f"restored-{grade_id}"[:64]
    else:
        cell.pop("id", None)
    cell.metadata = {
        "editable": False, "deletable": False,
        "nbgrader": {"schema_version": NBGRADER_SCHEMA, "grade": True, "solution": False,
                     "locked": True, "task": False, "grade_id": grade_id,
                     "points": points, "checksum": checksum},
    }
    if grade_id.startswith(TEST_PREFIX):
        cell.metadata[METADATA_KEY] = {"role": ROLE_CHECK, "schema": SCHEMA,
                                       "exercise": grade_id[len(TEST_PREFIX):]}
    return cell


def _position(nb: NotebookNode, grade_id: str) -> int:
    """Where a restored test cell goes: after its exercise's cell, else at the end."""
    exercise = grade_id[len(TEST_PREFIX):] if grade_id.startswith(TEST_PREFIX) else None
    for i, cell in enumerate(nb.cells):
        if exercise and (_nbgrader(cell).get("grade_id") == exercise
                         or (cell_meta(cell).get("exercise") == exercise
                             and cell_meta(cell).get("role", ROLE_EXERCISE) == ROLE_EXERCISE)):
            return i + 1
    return len(nb.cells)


class RestoreTestCells(NbGraderPreprocessor):  # type: ignore[misc]
    """Put back the autograded test cells a submission lacks, from the gradebook."""

    def preprocess(self, nb: NotebookNode,
                   resources: Resources) -> tuple[NotebookNode, Resources]:
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gb:
            source = gb.find_notebook(info["notebook"], info["assignment"])
            answers = {c.name for c in source.solution_cells}  # manually graded: not ours
            cells = {c.name: c for c in source.source_cells}
            tests = [(c.name, float(c.max_score)) for c in source.grade_cells
                     if c.name not in answers and c.cell_type == "code" and c.name in cells]
            present = {_nbgrader(c).get("grade_id") for c in nb.cells}
            with_id = (nb.nbformat, nb.nbformat_minor) >= (4, 5)
            for name, points in tests:
                if name in present:
                    continue
                self.log.warning("Test cell %s is missing from the submission; putting it "
                                 "back", name)
                cell = restored_cell(name, cells[name].source, cells[name].checksum, points,
                                     with_id)
                nb.cells.insert(_position(nb, name), cell)
        return nb, resources
