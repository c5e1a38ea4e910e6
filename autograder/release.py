"""Solutions → assignments: the notebooks students receive.

Deterministic: the same solution always gives the same bytes, so the committed
assignments/ can be checked to be in sync (``autograder release --check``).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from autograder.course import Assignment, Course
from autograder.errors import CourseError
from autograder.notebook import (
    METADATA_KEY,
    ROLE_EXERCISE,
    ROLE_HIDDEN,
    ROLE_SETUP,
    as_text,
    solution_role,
)

BEGIN = re.compile(r"^(\s*)###\s*BEGIN SOLUTION\s*$")
END = re.compile(r"^\s*###\s*END SOLUTION\s*$")
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
SCHEMA = 1
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def stub_solution(source: str, where: str) -> str:
    """Replace each BEGIN/END SOLUTION region by a stub at the region's indentation."""
    out: list[str] = []
    indent: str | None = None
    for line in source.splitlines():
        if indent is None:
            m = BEGIN.match(line)
            if m:
                indent = m.group(1)
                out.extend(indent + s for s in STUB)
            elif END.match(line):
                raise CourseError(f"{where}: '### END SOLUTION' without a BEGIN")
            else:
                out.append(line)
        elif END.match(line):
            indent = None
        elif BEGIN.match(line):
            raise CourseError(f"{where}: nested '### BEGIN SOLUTION'")
    if indent is not None:
        raise CourseError(f"{where}: '### BEGIN SOLUTION' without an END")
    return "\n".join(out)


def build_release(solution: NotebookNode, assignment: Assignment, where: str) -> NotebookNode:
    """The student notebook for a solution notebook (pure, deterministic)."""
    cells = []
    counters: dict[str, int] = {}
    seen: set[str] = set()
    for i, cell in enumerate(solution.cells):
        try:
            role, ex = solution_role(cell, assignment)
        except ValueError as exc:
            raise CourseError(f"{where}, cell {i + 1}: {exc}") from exc
        if role == ROLE_HIDDEN:
            continue
        new = copy.deepcopy(cell)
        if new.cell_type == "code":
            new.outputs = []
            new.execution_count = None
        meta: dict[str, object] = {"role": role, "schema": SCHEMA}
        if ex is not None:
            if ex.id in seen:
                raise CourseError(f"{where}, cell {i + 1}: a second cell for exercise {ex.id}")
            seen.add(ex.id)
            new.source = stub_solution(cell.source, f"{where}, cell {i + 1}")
            meta["exercise"] = ex.id
            new["id"] = ex.id
        else:
            if new.cell_type == "code":
                new.source = stub_solution(cell.source, f"{where}, cell {i + 1}")
            kind = role if new.cell_type == "code" else new.cell_type
            counters[kind] = counters.get(kind, 0) + 1
            new["id"] = f"{kind}-{counters[kind]}"
        new.metadata = {METADATA_KEY: meta}
        if role != ROLE_EXERCISE:
            new.metadata.update({"editable": False, "deletable": False})
        if role == ROLE_SETUP:
            new.metadata["tags"] = ["setup"]
        cells.append(new)
    missing = [e.id for e in assignment.exercises if e.id not in seen]
    if missing:
        raise CourseError(
            f"{where}: no cell for exercise(s) {', '.join(missing)}; mark each with "
            "'# GRADED FUNCTION: <name>' on its first line"
        )
    nb = nbformat.v4.new_notebook()
    nb.nbformat_minor = 5
    nb.cells = cells
    nb.metadata = {
        "kernelspec": KERNELSPEC,
        "language_info": {"name": "python"},
        METADATA_KEY: {"assignment": assignment.id, "schema": SCHEMA},
    }
    return nb


def release_text(course: Course, assignment: Assignment) -> str:
    """The released notebook's exact text for one assignment."""
    path = course.solution_path(assignment)
    solution = nbformat.read(str(path), as_version=4)
    return as_text(build_release(solution, assignment, str(path.relative_to(course.root))))


@dataclass(frozen=True)
class ReleaseOutcome:
    """One assignment's release: where it goes and whether the file changed/differs."""

    assignment: str
    path: Path
    changed: bool


def release(course: Course, *, check_only: bool = False,
            only: tuple[str, ...] = ()) -> list[ReleaseOutcome]:
    """Write (or, with ``check_only``, compare) every assignment's release notebook."""
    outcomes = []
    for assignment in course.assignments:
        if only and assignment.id not in only:
            continue
        text = release_text(course, assignment)
        path = course.release_path(assignment)
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        changed = current != text
        if changed and not check_only:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        outcomes.append(ReleaseOutcome(assignment.id, path, changed))
    return outcomes
