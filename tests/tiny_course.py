"""A one-assignment course written in a temporary folder, for fast end-to-end tests.

``tiny_course`` writes course.yaml, the solution notebook (a setup cell, then one cell per
exercise) and its release; ``submission`` writes a student notebook from the release with
some exercise cells replaced. Real grader, real sandbox.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import yaml

from autograder.course import Course, load_course
from autograder.release import release

SETUP = "# SETUP\nimport numpy as np\nimport tensorflow as tf\nfrom tensorflow import keras\n"


def tiny_course(folder: Path, assignment: dict[str, Any], cells: dict[str, str],
                setup: str = SETUP, aid: str = "tiny") -> Course:
    """Write and release a course of one assignment ``aid``; ``cells`` maps each exercise
    id to its solution cell (with ``### BEGIN SOLUTION``/``### END SOLUTION``); ``setup``
    starts with ``# SETUP``."""
    data = {"version": 1, "course": "tiny", "cache": str(folder / "cache"),
            "assignments": {aid: {"title": "Tiny", "notebook": f"{aid}.ipynb", "seed": 1,
                                  "time_limit": 120, "memory_limit_mb": 3072, **assignment}}}
    (folder / "course.yaml").write_text(yaml.safe_dump(data, sort_keys=False),
                                        encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiny"), nbformat.v4.new_code_cell(setup),
                *(nbformat.v4.new_code_cell(src) for src in cells.values())]
    (folder / "solutions" / aid).mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(folder / "solutions" / aid / f"{aid}.ipynb"))
    course = load_course(folder / "course.yaml")
    release(course)
    return course


def submission(course: Course, path: Path, cells: dict[str, str], aid: str = "tiny") -> Path:
    """A student's notebook: the release with the exercise cells in ``cells`` replaced."""
    assignment = course.assignment(aid)
    nb = nbformat.read(str(course.release_path(assignment)), as_version=4)
    for cell in nb.cells:
        ex = cell.metadata.get("autograder", {}).get("exercise")
        if ex in cells and cell.metadata["autograder"].get("role") == "exercise":
            cell.source = cells[ex]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path
