"""The load and locate stages: read a notebook safely, find each exercise's cell.

Cell roles, in a solution notebook, come from cell metadata ``autograder.role`` or from
a marker comment on the cell's first line:

- ``# GRADED FUNCTION: name`` (or ``# GRADED: id``): an exercise cell;
- ``# SETUP``: frozen code the grader runs before the exercises (imports, data);
- ``# HIDDEN``: instructor-only code, removed on release;
- ``# PROVIDED`` (or the cell tag ``provided``): given code the grader runs from the
  release, in notebook order among the exercise cells; it earns no points;
- any other code cell: teaching code, shown to students, never run by the grader.

In a submission, an exercise's cell is found by stable cell id, then by the
``autograder`` metadata, then by the ``# GRADED`` marker, then by the name it defines.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from autograder.course import Assignment, Exercise
from autograder.errors import SubmissionError

METADATA_KEY = "autograder"
MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024
GRADED = re.compile(r"^\s*#\s*GRADED(?:\s+[A-Z]+)?\s*:\s*([A-Za-z_][A-Za-z0-9_]*)", re.M)
SETUP = re.compile(r"^\s*#\s*SETUP\b")
HIDDEN = re.compile(r"^\s*#\s*HIDDEN\b")
PROVIDED = re.compile(r"^\s*#\s*PROVIDED\b")
GRADE_UP_TO_HERE = re.compile(r"^\s*#\s*grade-up-to-here\b", re.I | re.M)

ROLE_EXERCISE = "exercise"
ROLE_SETUP = "setup"
ROLE_HIDDEN = "hidden"
ROLE_PROVIDED = "provided"
ROLE_TEACHING = "teaching"
ROLE_CHECK = "check"  # a released check("…") cell: never run by the grader
ROLE_CHECKER = "checker"  # the released cell that defines check(): never run by the grader


def read_notebook(path: Path) -> NotebookNode:
    """Load stage: a validated nbformat-4 notebook, or a SubmissionError saying why not."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise SubmissionError(f"cannot read {path.name}: {exc.strerror}") from exc
    if size > MAX_NOTEBOOK_BYTES:
        raise SubmissionError(
            f"{path.name} is {size / 2**20:.0f} MB, over the {MAX_NOTEBOOK_BYTES // 2**20} MB "
            "limit; clear the outputs (Kernel → Restart & Clear Output) and save again"
        )
    raw = path.read_bytes()
    if not raw.strip():
        raise SubmissionError(f"{path.name} is empty: save the notebook again and resubmit")
    try:
        text = raw.decode("utf-8")
        data = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SubmissionError(
            f"{path.name} is not a Jupyter notebook (it is not valid JSON: {exc}); "
            "submit the .ipynb file saved by Jupyter or Colab"
        ) from exc
    except RecursionError as exc:
        raise SubmissionError(
            f"{path.name} is not a Jupyter notebook (its JSON is nested far too deeply)"
        ) from exc
    if not isinstance(data, dict) or ("cells" not in data and "worksheets" not in data):
        raise SubmissionError(f"{path.name} is JSON but not a Jupyter notebook (no cells)")
    major = data.get("nbformat")
    if major != 4:
        raise SubmissionError(
            f"{path.name} is in notebook format {major}; this course needs format 4 "
            "(open it in a current Jupyter or Colab and save it again)"
        )
    try:
        nb = nbformat.reads(text, as_version=4)  # joins multi-line sources
        nbformat.validate(nb, relax_add_props=True)
    except Exception as exc:
        msg = str(exc).splitlines()[0]
        raise SubmissionError(f"{path.name} is not a valid notebook: {msg}") from exc
    return nb


def cell_meta(cell: NotebookNode) -> dict[str, Any]:
    """The cell's ``autograder`` metadata (empty when absent or malformed)."""
    meta = cell.get("metadata", {}).get(METADATA_KEY, {})
    return meta if isinstance(meta, dict) else {}


def marker_name(source: str) -> str | None:
    """The name in a ``# GRADED …: name`` marker on a cell's first non-blank lines."""
    head = "\n".join(source.lstrip().splitlines()[:3])
    m = GRADED.search(head)
    return m.group(1) if m else None


def exercise_for_name(assignment: Assignment, name: str) -> Exercise | None:
    """The exercise whose id, entry point or alias is ``name``."""
    for ex in assignment.exercises:
        if name == ex.id or name in ex.names:
            return ex
    return None


def solution_role(cell: NotebookNode, assignment: Assignment) -> tuple[str, Exercise | None]:
    """The role of a solution cell, and its exercise for exercise cells."""
    if cell.cell_type != "code":
        return ROLE_TEACHING, None
    meta = cell_meta(cell)
    role = meta.get("role")
    if role == ROLE_EXERCISE or (role is None and marker_name(cell.source)):
        name = meta.get("exercise") or marker_name(cell.source) or ""
        ex = exercise_for_name(assignment, name)
        if ex is None:
            known = ", ".join(e.id for e in assignment.exercises)
            raise ValueError(f"a cell is marked as exercise {name!r}, which course.yaml does "
                             f"not declare for {assignment.id} (known: {known})")
        return ROLE_EXERCISE, ex
    if role in (ROLE_SETUP, ROLE_HIDDEN, ROLE_TEACHING, ROLE_PROVIDED):
        return str(role), None
    if SETUP.match(cell.source):
        return ROLE_SETUP, None
    if HIDDEN.match(cell.source):
        return ROLE_HIDDEN, None
    if PROVIDED.match(cell.source) or "provided" in cell.get("metadata", {}).get("tags", ()):
        return ROLE_PROVIDED, None
    return ROLE_TEACHING, None


# --------------------------------------------------------------------------- locate


@dataclass(frozen=True)
class LocatedCell:
    """The cell found for one exercise, and how it was found."""

    exercise: str
    source: str
    index: int
    how: str


@dataclass(frozen=True)
class OtherCell:
    """A code cell of the submission that is no exercise's: what the grader makes of it.

    ``kind`` is ``student`` (the student's own code: what graded code needs is taken from
    it), ``setup`` (a copy of a release setup cell: the release's copy runs instead),
    ``provided`` (a copy of the release's provided cell ``release_id``: the release's copy
    runs at this place). Another cell defining an exercise is a student cell: the graded
    cell's definition wins, its other definitions may be taken.
    """

    index: int
    source: str
    kind: str
    release_id: str | None = None


@dataclass(frozen=True)
class Location:
    """Result of the locate stage for one submission."""

    cells: dict[str, LocatedCell]
    notes: tuple[str, ...]
    others: tuple[OtherCell, ...] = ()


def _defines(source: str, names: tuple[str, ...]) -> bool:
    try:
        tree = ast.parse(source)
    except (SyntaxError, RecursionError, MemoryError, ValueError):  # too deep, or NUL bytes
        return any(re.search(rf"^\s*(def|class)\s+{re.escape(n)}\b", source, re.M)
                   for n in names)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if node.name in names:
                return True
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in names for t in node.targets
        ):
            return True
    return False


def _is_exercise_cell(cell: NotebookNode, ex: Exercise) -> bool:
    """Same cell id, or the exercise's metadata (a cell copied in Jupyter keeps the metadata
    under a new id, so both count, and duplicates are settled below)."""
    meta = cell_meta(cell)
    return bool(cell.get("id") == ex.id or (
        meta.get("exercise") == ex.id and meta.get("role", ROLE_EXERCISE) == ROLE_EXERCISE))


_METHODS = (
    ("cell id or metadata", _is_exercise_cell),
    ("marker", lambda cell, ex: marker_name(cell.source) in (ex.id, *ex.names)),
    ("definition", lambda cell, ex: _defines(cell.source, ex.names)),
)


def locate(nb: NotebookNode, assignment: Assignment, release: NotebookNode) -> Location:
    """Locate stage: each exercise's cell, plus notes on deleted, duplicated, edited cells.

    When several cells define an exercise, the last one that differs from the released
    stub is graded (a copy pasted above an untouched stub must not lose the student's
    work), and a note says so.
    """
    code = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"
            and cell_meta(c).get("role") not in (ROLE_CHECK, ROLE_CHECKER)]
    stubs = {c.get("id"): c.source for c in release.cells}
    cells: dict[str, LocatedCell] = {}
    notes: list[str] = []
    candidates: set[int] = set()
    for ex in assignment.exercises:
        if not ex.cell:
            continue  # cell: false — only its call runs
        for how, matches in _METHODS:
            found = [(i, c) for i, c in code if matches(c, ex)]
            if not found:
                continue
            candidates.update(i for i, _ in found)
            edited = [(i, c) for i, c in found if c.source != stubs.get(ex.id)]
            index, cell = (edited or found)[-1]
            if len(found) > 1:
                which = ("the last one" if index == found[-1][0]
                         else "the last one you changed")
                notes.append(f"{ex.id}: {len(found)} cells define it; {which} "
                             f"(cell {index + 1}) was graded")
            cells[ex.id] = LocatedCell(ex.id, cell.source, index, how)
            break
    notes.extend(frozen_cell_notes(nb, release))
    return Location(cells=cells, notes=tuple(notes),
                    others=other_cells(code, release, cells, candidates))


def other_cells(code: list[tuple[int, NotebookNode]], release: NotebookNode,
                cells: dict[str, LocatedCell], candidates: set[int]) -> tuple[OtherCell, ...]:
    """What each code cell that is no exercise's is: the student's, or a setup or provided
    cell's copy (compared without comments and layout)."""
    graded = {c.index for c in cells.values()}
    setup = {normalised(c.source) for c in release.cells
             if c.cell_type == "code" and cell_meta(c).get("role") == ROLE_SETUP}
    provided = {c.get("id"): normalised(c.source) for c in provided_cells(release)}
    by_source = {v: k for k, v in provided.items()}
    found: list[OtherCell] = []
    taken: set[str] = set()
    for i, cell in code:
        if i in graded:
            continue
        if i in candidates:  # another cell defining an exercise: its other definitions
            found.append(OtherCell(i, cell.source, "student"))  # may still be needed
            continue
        if cell_meta(cell).get("role") == ROLE_HIDDEN or HIDDEN.match(cell.source):
            continue  # instructor-only code of a solution: students never have it
        text = normalised(cell.source)
        rid = cell.get("id") if cell.get("id") in provided else by_source.get(text)
        if rid is not None and rid not in taken:
            taken.add(str(rid))
            found.append(OtherCell(i, cell.source, ROLE_PROVIDED, str(rid)))
        elif cell_meta(cell).get("role") == ROLE_SETUP or text in setup:
            found.append(OtherCell(i, cell.source, ROLE_SETUP))
        else:
            found.append(OtherCell(i, cell.source, "student"))
    return tuple(found)


def normalised(source: str) -> str:
    """A cell's code without comments, blank lines or layout (for comparing setup cells).

    Code that does not parse is compared line by line, stripped, without ``#`` comments.
    """
    try:
        return ast.dump(ast.parse(source))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        lines = (line.split("#", 1)[0].strip() for line in source.splitlines())
        return "\n".join(line for line in lines if line)


def is_foreign(nb: NotebookNode, release: NotebookNode) -> bool:
    """True for a notebook that was not made from this release (another generation's).

    Ours carry the release's cell ids or its ``autograder`` metadata.
    """
    ids = {c.get("id") for c in release.cells if cell_meta(c).get("role")}
    if nb.get("metadata", {}).get(METADATA_KEY):
        return False
    return not any(c.get("id") in ids or cell_meta(c).get("role") for c in nb.cells)


def frozen_cell_notes(nb: NotebookNode, release: NotebookNode) -> list[str]:
    """Notes on read-only cells of the release that the submission deleted or edited.

    Setup cells are compared without comments and layout. A notebook that was not made
    from this release (another generation's) gets one informational note instead: its
    own setup cells are not tampering, and the release's run anyway.
    """
    by_id = {c.get("id"): c for c in nb.cells}
    sources = {normalised(c.source) for c in nb.cells if c.cell_type == "code"}
    edited = deleted = 0
    for cell in release.cells:
        if cell_meta(cell).get("role") != ROLE_SETUP:
            continue
        mine = by_id.get(cell.get("id"))
        original = normalised(cell.source)
        if (mine is not None and normalised(mine.source) == original) or original in sources:
            continue
        if mine is None:
            deleted += 1
        else:
            edited += 1
    if (edited or deleted) and is_foreign(nb, release):
        return ["this notebook was not made from this course's release (its setup cells "
                "differ); the grader ran the course's setup cells before your code"]
    notes = []
    if edited:
        notes.append(f"{edited} read-only setup cell(s) were edited; the grader used the "
                     "original version")
    if deleted:
        notes.append(f"{deleted} read-only setup cell(s) were deleted or changed; the grader "
                     "used the original version")
    return notes


def grade_up_to_here(source: str) -> tuple[str, bool]:
    """The source up to a ``# grade-up-to-here`` line, and whether one was found."""
    m = GRADE_UP_TO_HERE.search(source)
    if m is None:
        return source, False
    return source[: m.start()], True


def setup_sources(release: NotebookNode) -> list[str]:
    """The trusted frozen code the grader runs, from the release notebook."""
    return [c.source for c in release.cells
            if c.cell_type == "code" and cell_meta(c).get("role") == ROLE_SETUP]


def provided_cells(release: NotebookNode) -> list[NotebookNode]:
    """The release's provided cells (run by the grader from the release, in order)."""
    return [c for c in release.cells
            if c.cell_type == "code" and cell_meta(c).get("role") == ROLE_PROVIDED]


def as_text(nb: NotebookNode) -> str:
    """A notebook serialised exactly as release writes it (for byte comparisons)."""
    return str(nbformat.writes(nb, version=4)) + "\n"
