"""Which of a submission's code runs after the setup cells, in notebook order.

The exercise cells (with top-level work left out under ``top_level: skip``), the
release's provided cells at their place, and from the student's other cells only the
statements the graded code needs (``autograder.dependencies``). Pure: source text in,
pieces and notes out.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from nbformat import NotebookNode

from autograder import dependencies as deps
from autograder.course import Assignment
from autograder.notebook import (
    ROLE_PROVIDED,
    Location,
    OtherCell,
    cell_meta,
    grade_up_to_here,
    provided_cells,
    setup_sources,
)

CELL_MAGICS_RUN = ("time", "timeit", "capture")  # cell magics whose body is plain Python
MAX_LISTED = 3  # statements named per cell in a note
Clean = Callable[[str], tuple[str, int]]  # IPython magics → plain Python, and how many


@dataclass(frozen=True)
class Part:
    """One piece of code to run after the setup cells (``assemble`` makes it a Piece)."""

    kind: str  # "exercise", "student" or "provided"
    label: str
    source: str
    exercise: str | None = None
    needed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Slot:
    cell: deps.CodeCell
    label: str
    source: str  # what runs when nothing is left out


def _setup_facts(release: NotebookNode) -> tuple[set[str], set[str]]:
    """Names the setup cells bind, and the import statements they run."""
    known: set[str] = set()
    imports: set[str] = set()
    for source in setup_sources(release):
        try:
            stmts = deps.statements(-1, source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for stmt in stmts:
            known |= stmt.binds
            if stmt.kind == deps.IMPORT:
                imports.add(stmt.text)
    return known, imports


def _slots(assignment: Assignment, release: NotebookNode, location: Location,
           clean: Clean) -> tuple[list[_Slot], list[str]]:
    """Every cell that may run, in notebook order, and notes on the exercise cells."""
    notes: list[str] = []
    slots: list[tuple[float, _Slot]] = []
    for ex in assignment.exercises:
        cell = location.cells.get(ex.id)
        if cell is None:
            continue
        source, cut = grade_up_to_here(cell.source)
        if cut:
            notes.append(f"{ex.id}: graded up to the '# grade-up-to-here' line")
        source, magics = clean(source)
        if magics:
            notes.append(f"{ex.id}: {magics} IPython magic or shell line(s) (starting with % "
                         "or !) were not run; the grader runs plain Python")
        code = deps.CodeCell(cell.index, source, deps.GRADED, ex.id,
                             assignment.top_level_of(ex))
        slots.append((cell.index, _Slot(code, f"exercise {ex.id} (cell {cell.index + 1})",
                                        source)))
    release_code = {c.get("id"): c.source for c in provided_cells(release)}
    placed: set[str] = set()
    for other in location.others:
        if other.kind == ROLE_PROVIDED and other.release_id in release_code:
            placed.add(str(other.release_id))
            slots.append((other.index, _provided(other, release_code[other.release_id])))
        elif other.kind == "student" and assignment.student_cells:
            source, _ = clean(_unwrap_cell_magic(other.source))
            code = deps.CodeCell(other.index, source, deps.STUDENT,
                                 top_level=assignment.top_level)
            slots.append((other.index, _Slot(code, f"cell {other.index + 1}", source)))
    slots.extend(_missing_provided(release, location, placed))
    slots.sort(key=lambda s: s[0])
    return [s for _, s in slots], notes


def _unwrap_cell_magic(source: str) -> str:
    """A ``%%time``/``%%timeit``/``%%capture`` cell's Python body, on its own lines (the
    magic's line left blank), so its definitions can be read and taken."""
    lines = source.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or not lines[first].lstrip().startswith("%%"):
        return source
    words = lines[first].strip()[2:].split()
    if not words or words[0] not in CELL_MAGICS_RUN:
        return source
    lines[first] = ""
    return "\n".join(lines)


def _provided(other: OtherCell, source: str) -> _Slot:
    code = deps.CodeCell(other.index, source, deps.PROVIDED)
    return _Slot(code, f"provided cell (cell {other.index + 1})", source)


def _missing_provided(release: NotebookNode, location: Location,
                           placed: set[str]) -> list[tuple[float, _Slot]]:
    """Provided cells the submission lacks: placed before the cell of the exercise that
    follows them in the release (or after everything)."""
    found: list[tuple[float, NotebookNode]] = []
    pending: list[NotebookNode] = []
    for cell in release.cells:
        meta = cell_meta(cell)
        if cell.cell_type == "code" and meta.get("role") == ROLE_PROVIDED \
                and cell.get("id") not in placed:
            pending.append(cell)
        ex = meta.get("exercise") if meta.get("role") == "exercise" else None
        if ex in location.cells and pending:
            at = location.cells[str(ex)].index - 0.5
            found += [(at + k / 1000, c) for k, c in enumerate(pending)]
            pending = []
    found += [(1e9 + k, c) for k, c in enumerate(pending)]
    return [(at, _release_provided(c, -1 - k)) for k, (at, c) in enumerate(found)]


def _release_provided(cell: NotebookNode, index: int) -> _Slot:
    code = deps.CodeCell(index, cell.source, deps.PROVIDED)
    return _Slot(code, f"provided cell {cell.get('id')}", cell.source)


def run_order(assignment: Assignment, release: NotebookNode, location: Location,
              clean: Clean) -> tuple[list[Part], list[str]]:
    """The code that runs after the setup cells, in notebook order, and notes for the
    feedback: what was taken from which cell, which top-level statements were skipped."""
    slots, notes = _slots(assignment, release, location, clean)
    known, imports = _setup_facts(release)
    known |= {d.name for d in assignment.data}
    calls = {ex.id: ex.call for ex in assignment.exercises}
    selection = deps.select([s.cell for s in slots], calls, known=known, setup_imports=imports)
    parts: list[Part] = []
    taken: list[str] = []
    for slot in slots:
        cell = slot.cell
        if cell.role == deps.PROVIDED:
            parts.append(Part("provided", slot.label, slot.source))
            continue
        keys = selection.run.get(cell.index)
        stmts = selection.statements.get(cell.index, ())
        if cell.role == deps.STUDENT:
            if not keys:
                continue
            source = deps.render_checked(slot.source, stmts, keys)
            chosen = [s for s in stmts if s.key in keys]
            if source is None:
                notes.append(f"cell {cell.index + 1}: the grader could not take only what "
                             "your exercises need from it, so nothing of it was run")
                continue
            needers = sorted({n for s in chosen for n in selection.needed_by.get(s.key, ()) if n})
            parts.append(Part("student", slot.label, source, None, tuple(needers)))
            taken.append(f"{', '.join(_what(s) for s in chosen)} from cell {cell.index + 1}")
            continue
        skipped = selection.skipped.get(cell.index, ())
        source = slot.source
        if keys is not None and skipped:
            rendered = deps.render_checked(slot.source, stmts, keys)
            if rendered is None:
                notes.append(f"{cell.exercise}: the top-level statements of cell "
                             f"{cell.index + 1} could not be left out; the cell ran whole")
            else:
                source = rendered
                notes.append(_skipped_note(cell, skipped))
        parts.append(Part("exercise", slot.label, source, cell.exercise))
    if taken:
        notes.append("from your other cells, the grader took " + "; ".join(taken))
    notes.extend(selection.notes)
    return _with_nested_entries(assignment, slots, parts, known, notes), notes


def _top_level_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(a.asname or a.name).split(".")[0] for a in node.names}
        else:
            names |= {n.id for n in ast.walk(node)
                      if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return names


def nested_definition(source: str, names: Sequence[str]) -> tuple[str, str, str] | None:
    """A class or function named one of ``names`` defined inside a top-level function of
    ``source`` (an older notebook's callback inside ``train_mnist``): its name, the
    enclosing function's name and its own source, dedented, to run at the top level."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for outer in tree.body:
        if not isinstance(outer, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(outer):
            if node is not outer and isinstance(node, (ast.ClassDef, ast.FunctionDef)) \
                    and node.name in names:
                first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                lines = source.splitlines()[first - 1:node.end_lineno]
                return node.name, outer.name, textwrap.dedent("\n".join(lines)) + "\n"
    return None


def _with_nested_entries(assignment: Assignment, slots: Sequence[_Slot], parts: list[Part],
                         known: set[str], notes: list[str]) -> list[Part]:
    """An exercise whose entry point is defined nowhere at the top level, but inside a
    function of one of the cells that run, gets that definition run on its own (after
    that cell), so the grader can call it where the student defined it."""
    bound = set(known)
    for slot in slots:
        bound |= _top_level_names(slot.source)
    for ex in assignment.exercises:
        if not ex.cell or any(name in bound for name in ex.names):
            continue
        for slot in slots:
            found = nested_definition(slot.source, ex.names)
            if found is None:
                continue
            name, outer, source = found
            at = next((i + 1 for i, p in enumerate(parts) if p.label == slot.label),
                      len(parts))
            parts.insert(at, Part("student", f"{name} from inside {outer} ({slot.label})",
                                  source, None, (ex.id,)))
            notes.append(f"{ex.id}: {name} is defined inside {outer} ({slot.label}); the "
                         "grader ran that definition on its own to call it")
            bound.add(name)
            break
    return parts


def _what(stmt: deps.Statement) -> str:
    if stmt.kind in (deps.ASSIGN, deps.TRAIN) and stmt.binds:
        return ", ".join(sorted(stmt.binds))
    return stmt.text


def _skipped_note(cell: deps.CodeCell, skipped: Sequence[deps.Statement]) -> str:
    listed = "; ".join(s.text for s in skipped[:MAX_LISTED])
    more = f" and {len(skipped) - MAX_LISTED} more" if len(skipped) > MAX_LISTED else ""
    return (f"{cell.exercise}: skipped {len(skipped)} top-level statement(s) in cell "
            f"{cell.index + 1} (only definitions, imports and what they need run): "
            f"{listed}{more}")
