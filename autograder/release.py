"""Solutions → assignments: the notebooks students receive.

Deterministic: the same solution always gives the same bytes, so the committed
assignments/ can be checked to be in sync (``autograder release --check``).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from autograder import bundle
from autograder.course import Assignment, Course
from autograder.errors import CourseError
from autograder.notebook import (
    METADATA_KEY,
    ROLE_CHECK,
    ROLE_CHECKER,
    ROLE_EXERCISE,
    ROLE_HIDDEN,
    ROLE_SETUP,
    ROLE_TEACHING,
    as_text,
    cell_meta,
    solution_role,
)
from autograder.reference import digest, load_reference

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


INTRO = """## How this notebook is checked and graded

- **Exercises** are the cells that start with `# GRADED FUNCTION`. Write your code where it
  says `# YOUR CODE HERE` (delete the `raise NotImplementedError()` line). Keep the
  function's name: the grader looks for it.
- **Check as you go.** Run the *checker* cell below once, then each `check("…")` cell after
  an exercise: it runs the same public checks as the grader, right here, with hints for
  common mistakes. Checks marked *hidden* run only when you submit.
- **Grading** runs the setup and provided cells (as released, even if you edit them),
  your exercise cells, and from your other cells only what your exercises need (imports,
  helper functions, constants), in a fresh process with a time budget per exercise.
  Top-level work (training, plots, prints) is not run, and `%magics` or `!shell` lines
  are skipped; the feedback lists what was taken from where.
- **`# grade-up-to-here`**: put this line in an exercise cell to have the grader ignore
  everything below it in that cell (unfinished experiments, for example).
- **Submit** this `.ipynb` file, saved after your last change.
"""


def build_release(solution: NotebookNode, assignment: Assignment, where: str,
                  checker: str | None = None) -> NotebookNode:
    """The student notebook for a solution notebook (pure, deterministic).

    ``checker`` is the source of the checker cell (``autograder.bundle``); without it the
    release has no in-notebook checks (the grader's own reference run uses that form).
    """
    cells = []
    counters: dict[str, int] = {}
    seen: set[str] = set()

    def add(cell: NotebookNode, role: str, cell_id: str, **meta: object) -> None:
        cell.metadata = {METADATA_KEY: {"role": role, "schema": SCHEMA, **meta}}
        if role != ROLE_EXERCISE:
            cell.metadata.update({"editable": False, "deletable": False})
        if role == ROLE_SETUP:
            cell.metadata["tags"] = ["setup"]
        if role == ROLE_CHECKER:
            cell.metadata["jupyter"] = {"source_hidden": True}
        cell["id"] = cell_id
        cells.append(cell)

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
            new.source = stub_solution(cell.source, f"{where}, cell {i + 1}")
        if ex is not None:
            if not ex.cell:
                raise CourseError(f"{where}, cell {i + 1}: exercise {ex.id} has cell: false "
                                  "in course.yaml, so it has no cell of its own; remove the "
                                  "cell's marker or the key")
            if ex.id in seen:
                raise CourseError(f"{where}, cell {i + 1}: a second cell for exercise {ex.id}")
            seen.add(ex.id)
            add(new, role, ex.id, exercise=ex.id)
            if checker is not None:
                add(nbformat.v4.new_code_cell(f'check("{ex.id}")'), ROLE_CHECK,
                    f"check-{ex.id}", exercise=ex.id)
            continue
        kind = role if new.cell_type == "code" else new.cell_type
        counters[kind] = counters.get(kind, 0) + 1
        add(new, role, f"{kind}-{counters[kind]}")
        if checker is not None and len(cells) == 1:
            add(nbformat.v4.new_markdown_cell(INTRO), ROLE_TEACHING, "how-grading-works")
            add(nbformat.v4.new_code_cell(checker), ROLE_CHECKER, "checker")
    missing = [e.id for e in assignment.exercises if e.id not in seen and e.cell]
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


def release_text(course: Course, assignment: Assignment,
                 facts: dict[str, Any] | None = None) -> str:
    """The released notebook's exact text for one assignment.

    ``facts`` are the public reference facts to embed; without them they are taken from
    the reference (running the solution if its facts are not cached yet).
    """
    path = course.solution_path(assignment)
    solution = nbformat.read(str(path), as_version=4)
    key = digest(course, assignment)
    if facts is None:
        facts = bundle.public_facts(assignment, course, load_reference(course, assignment))
    checker = bundle.checker_cell(course, assignment, key, facts)
    # errors name the solution as the instructor wrote it (solutions may live elsewhere)
    where = path.relative_to(course.root) if path.is_relative_to(course.root) else path
    return as_text(build_release(solution, assignment, str(where), checker))


def embedded_facts(course: Course, assignment: Assignment, text: str) -> dict[str, Any] | None:
    """The public facts inside a committed release, if they belong to the current solution."""
    try:
        nb = nbformat.reads(text, as_version=4)
    except Exception:
        return None
    for cell in nb.cells:
        if cell_meta(cell).get("role") == ROLE_CHECKER:
            spec = bundle.embedded(cell.source)
            if spec and spec.get("digest") == digest(course, assignment):
                facts = spec.get("facts")
                return facts if isinstance(facts, dict) else None
    return None


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
        path = course.release_path(assignment)
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if check_only:
            # no solution is run: the committed facts count only if the solution's hash
            # still matches; everything else is regenerated and compared byte for byte
            facts = embedded_facts(course, assignment, current) if current else None
            changed = facts is None or current != release_text(course, assignment, facts)
        else:
            from autograder.selfcheck import verify_solution

            reference = load_reference(course, assignment)
            verify_solution(course, assignment, reference)  # a check it fails: an error
            text = release_text(course, assignment,
                                bundle.public_facts(assignment, course, reference))
            changed = current != text
        if changed and not check_only:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        outcomes.append(ReleaseOutcome(assignment.id, path, changed))
    return outcomes
