"""load and locate: reading submissions safely, finding exercise cells however saved."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from nbformat import NotebookNode

from autograder.assemble import assemble, neutralise
from autograder.course import Assignment
from autograder.errors import SubmissionError
from autograder.notebook import LocatedCell, Location, grade_up_to_here, locate, read_notebook
from autograder.sandbox.harness import _IPythonStub

ROOT = Path(__file__).resolve().parents[1]
CORRECT = ROOT / "examples" / "submissions" / "week1" / "correct.ipynb"
Json = dict[str, Any]


def save(tmp_path: Path, data: Json, name: str = "submission.ipynb") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def exercise_index(data: Json, exercise: str) -> int:
    return next(i for i, c in enumerate(data["cells"])
                if f"def {exercise}(" in "".join(c["source"]))


@pytest.mark.parametrize(("markers", "how"), [(False, "marker"), (True, "definition")])
def test_locate_without_metadata_or_ids(tmp_path: Path, week1: Assignment,
                                        release_nb: NotebookNode, strip: Callable[..., Json],
                                        example: Callable[[str], Json], markers: bool,
                                        how: str) -> None:
    data = strip(example("correct"), markers=markers)
    nb = read_notebook(save(tmp_path, data))
    assert not any(c.get("id") or c.metadata.get("autograder") for c in nb.cells)
    location = locate(nb, week1, release_nb)
    assert set(location.cells) == {e.id for e in week1.exercises}
    for ex_id, cell in location.cells.items():
        assert cell.how == how
        assert cell.index == exercise_index(data, ex_id)
        assert ("# GRADED" in cell.source) is not markers
    assert "np.arange(1, 7, dtype=float)" in location.cells["house_data"].source
    assert location.notes == ()


@pytest.mark.parametrize("how", ["metadata", "marker"])
def test_duplicated_exercise_cell_uses_the_last(tmp_path: Path, week1: Assignment,
                                                release_nb: NotebookNode,
                                                strip: Callable[..., Json],
                                                example: Callable[[str], Json],
                                                how: str) -> None:
    data = example("correct")
    # nbformat 4.4 has no cell ids; "marker" also drops the autograder metadata
    data = strip(data) if how == "marker" else {**data, "nbformat_minor": 4, "cells": [
        {k: v for k, v in c.items() if k != "id"} for c in data["cells"]]}
    i = exercise_index(data, "house_data")
    second = copy.deepcopy(data["cells"][i])
    second["source"] = "".join(second["source"]).replace("0.5 + 0.5 * xs", "1.0 + 0.5 * xs")
    data["cells"].insert(i + 1, second)
    location = locate(read_notebook(save(tmp_path, data)), week1, release_nb)
    cell = location.cells["house_data"]
    label = {"metadata": "cell id or metadata", "marker": "marker"}[how]
    assert (cell.how, cell.index) == (label, i + 1)
    assert "1.0 + 0.5 * xs" in cell.source
    assert f"house_data: 2 cells define it; the last one (cell {i + 2}) was graded" in \
        location.notes


def test_copied_exercise_cell_as_jupyter_saves_it(tmp_path: Path, week1: Assignment,
                                                  release_nb: NotebookNode,
                                                  example: Callable[[str], Json]) -> None:
    data = example("correct")
    i = exercise_index(data, "house_data")
    second = copy.deepcopy(data["cells"][i])  # Jupyter's copy-paste: same metadata, new id
    second["id"] = "0f1e2d3c"
    second["source"] = "".join(second["source"]).replace("0.5 + 0.5 * xs", "1.0 + 0.5 * xs")
    data["cells"].insert(i + 1, second)
    location = locate(read_notebook(save(tmp_path, data)), week1, release_nb)
    assert location.cells["house_data"].index == i + 1
    assert any("2 cells define it" in note for note in location.notes)


def test_edited_or_deleted_setup_cell_gives_a_note(week1: Assignment,
                                                   release_nb: NotebookNode) -> None:
    nb = read_notebook(CORRECT)
    setup = next(c for c in nb.cells if c.get("id") == "setup-1")
    original = setup.source
    setup.source = original.replace("import numpy as np", "import numpy as npy")
    location = locate(nb, week1, release_nb)
    assert location.notes == ("1 read-only setup cell(s) were edited; the grader used the "
                              "original version",)
    program = assemble(week1, release_nb, location)
    assert program.pieces[0].kind == "setup" and program.pieces[0].source == original
    nb.cells.remove(setup)
    assert any("were deleted" in note for note in locate(nb, week1, release_nb).notes)


@pytest.mark.parametrize(("content", "expected"), [
    ('{"cells": [', "submission.ipynb is not a Jupyter notebook (it is not valid JSON"),
    ("", "submission.ipynb is empty: save the notebook again and resubmit"),
    (" \n", "submission.ipynb is empty"),
    (json.dumps({"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}),
     "submission.ipynb is in notebook format 3; this course needs format 4"),
    (json.dumps({"name": "house prices", "values": [1, 2]}),
     "submission.ipynb is JSON but not a Jupyter notebook"),
    (json.dumps([1, 2, 3]), "submission.ipynb is JSON but not a Jupyter notebook"),
])
def test_read_notebook_plain_messages(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "submission.ipynb"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(SubmissionError) as info:
        read_notebook(path)
    message = str(info.value)
    assert message.startswith(expected)
    assert "\n" not in message and "Traceback" not in message and str(tmp_path) not in message


def test_neutralise_magics_and_shell_lines() -> None:
    source = "!pip install x\n%timeit f()\nx = 1\n"
    new, count = neutralise(source)
    assert count == 2
    assert not any(line.startswith(("!", "%")) for line in new.splitlines())
    assert neutralise("ratio = '100% sure!'\n") == ("ratio = '100% sure!'\n", 0)

    def f() -> None:
        raise AssertionError("a magic's code ran")

    ns: dict[str, Any] = {"f": f}
    ns["get_ipython"] = lambda: _IPythonStub(ns)  # what the sandbox's harness provides
    exec(compile(new, "<cell>", "exec"), ns)
    assert ns["x"] == 1


def test_grade_up_to_here_cuts_the_cell(week1: Assignment, release_nb: NotebookNode) -> None:
    source = ("def house_data():\n    return 1.0, 2.0\n# grade-up-to-here\n"
              "print(house_data())\n%timeit house_data()\n")
    assert grade_up_to_here(source) == ("def house_data():\n    return 1.0, 2.0\n", True)
    assert grade_up_to_here("x = 1\n") == ("x = 1\n", False)
    location = Location({"house_data": LocatedCell("house_data", source, 5, "cell id"),
                         "house_model": LocatedCell("house_model", "%time x = 1\n", 7,
                                                    "cell id")}, ())
    program = assemble(week1, release_nb, location)
    pieces = {p.exercise: p.source for p in program.pieces if p.kind == "exercise"}
    assert pieces["house_data"] == "def house_data():\n    return 1.0, 2.0\n"
    assert "get_ipython()" in pieces["house_model"]
    assert "house_data: graded up to the '# grade-up-to-here' line" in program.notes
    assert any(n.startswith("house_model: 1 IPython magic") for n in program.notes)
