"""What graded code needs from the rest of a notebook: pure functions on source text.

A notebook's code cells are read statement by statement (top level only) with ``ast``.
Each statement *binds* names (an import, a ``def``, an assignment), may *update* names
(``model.compile(…)``, ``obj.attr = …``), and *uses* names now (when it runs) or later
(inside a function body, when the function is called).

``select`` starts from what always runs — the definitions and imports of the graded
cells, the provided cells, the exercises' ``call:`` expressions — and takes, in notebook
order, the statements their free names need: for a name needed at some point, the last
statement before that point that binds it (and the updates of that name in between).
A function body's names are needed "at the end", when the grader calls the exercises,
as they would be in the notebook run from top to bottom.

Top-level work is never taken for its own sake: ``fit``/``evaluate``/``predict`` calls,
plots, prints, bare expressions, loops that train. An assignment whose value trains
(``history = model.fit(…)``) is taken only when it is needed *and* the cell's
``top_level`` is ``run``; under ``skip`` (the default) it is left out and a note names
it, since running a student's top-level training is what ``skip`` exists to avoid.
"""

from __future__ import annotations

import ast
import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from autograder.freenames import BUILTINS, free_names, parse
from autograder.statements import (
    ASSIGN,
    BLOCK,
    CLASS,
    DEF,
    IMPORT,
    MAGIC,
    STAR,
    TRAIN,
    UPDATE,
    WORK,
    Statement,
    statements,
)

__all__ = [
    "ASSIGN",
    "BLOCK",
    "BUILTINS",
    "CLASS",
    "DEF",
    "IMPORT",
    "MAGIC",
    "STAR",
    "TRAIN",
    "UPDATE",
    "WORK",
    "CodeCell",
    "Selection",
    "Statement",
    "free_names",
    "parse",
    "render",
    "render_checked",
    "select",
    "statements",
]

#: What a graded cell always runs; a magic is a get_ipython() call (a %%time cell's body
#: runs through it).
DEFINITIONS = frozenset({IMPORT, STAR, DEF, CLASS, MAGIC})

GRADED, STUDENT, PROVIDED = "graded", "student", "provided"
SKIP, RUN = "skip", "run"
END = (10**9, 0)


# --------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class CodeCell:
    """One code cell given to ``select``: its notebook index, source and role.

    ``role`` is ``graded`` (an exercise's cell, ``exercise`` says which), ``provided``
    (run whole, from the release) or ``student`` (anything else the student wrote).
    ``top_level`` is ``skip`` or ``run`` for this cell.
    """

    index: int
    source: str
    role: str
    exercise: str | None = None
    top_level: str = SKIP


@dataclass(frozen=True)
class Selection:
    """What runs of each cell, and why.

    ``run`` maps a cell index to the keys (cell, place) of its statements that run; a
    graded cell under ``top_level: run`` and provided cells run whole and are absent.
    ``needed_by`` says which exercises (or "" for provided cells) needed each taken
    statement of a student cell; ``skipped`` lists a graded cell's statements not run.
    """

    statements: Mapping[int, tuple[Statement, ...]]
    run: Mapping[int, frozenset[tuple[int, int]]]
    needed_by: Mapping[tuple[int, int], frozenset[str]]
    skipped: Mapping[int, tuple[Statement, ...]]
    unparsed: Mapping[int, str]
    notes: tuple[str, ...] = field(default=())


def _always_runs(stmt: Statement, cell: CodeCell) -> bool:
    if cell.role == PROVIDED or (cell.role == GRADED and cell.top_level == RUN):
        return True
    return cell.role == GRADED and stmt.kind in DEFINITIONS


class _Closure:
    """The transitive closure of needed names, over statements in notebook order."""

    def __init__(self, cells: Sequence[CodeCell], parsed: Mapping[int, tuple[Statement, ...]],
                 known: frozenset[str], setup_imports: frozenset[str]) -> None:
        self.cells = {c.index: c for c in cells}
        self.position = {c.index: i for i, c in enumerate(cells)}
        self.known = known
        self.binders: dict[str, list[Statement]] = {}
        self.updaters: dict[str, list[Statement]] = {}
        self.stars: list[Statement] = []
        self.always: set[tuple[int, int]] = set()
        self.pinned: dict[str, Statement] = {}  # a graded cell's definitions, by name
        self.setup_imports = setup_imports
        self.provided = frozenset(n for c in cells if c.role == PROVIDED
                                  for stmt in parsed.get(c.index, ()) for n in stmt.binds)
        for cell in cells:
            for stmt in parsed.get(cell.index, ()):
                if _always_runs(stmt, cell):
                    self.always.add(stmt.key)
                    if cell.role == GRADED:
                        self.pinned.update(dict.fromkeys(stmt.binds, stmt))
                for name in stmt.binds:
                    self.binders.setdefault(name, []).append(stmt)
                for name in stmt.updates - stmt.binds:
                    self.updaters.setdefault(name, []).append(stmt)
                if stmt.kind == STAR:
                    self.stars.append(stmt)
        self.taken: dict[tuple[int, int], set[str]] = {}
        self.followed: set[tuple[tuple[int, int], str]] = set()  # (pinned statement, who)
        self.left_out: dict[tuple[int, int], tuple[Statement, str]] = {}

    def pos(self, stmt: Statement) -> tuple[int, int]:
        return (self.position[stmt.cell], stmt.order)

    def trains(self, stmt: Statement) -> bool:
        """Training at the top level: a fit call, or a call of a function that trains
        (``history = train_model(…)``)."""
        if stmt.kind == TRAIN:
            return True
        return stmt.kind in (ASSIGN, UPDATE, BLOCK) and any(
            s.trains_when_called for n in stmt.uses_now for s in self.binders.get(n, ()))

    def allowed(self, stmt: Statement) -> bool:
        if stmt.kind == WORK:
            return False
        cell = self.cells[stmt.cell]
        return not self.trains(stmt) or cell.top_level == RUN

    def close(self, roots: Iterable[tuple[str, tuple[int, int]]], who: str,
              course_only: bool = False) -> None:
        """Take what ``roots`` need, for ``who``; ``course_only``: the roots' own names
        (a call's) skip the student's bindings of names a provided cell binds."""
        todo = list(roots)
        firsts = set(todo) if course_only else set()
        seen: set[tuple[str, tuple[int, int]]] = set()
        while todo:
            name, at = todo.pop()
            if (name, at) in seen:
                continue
            seen.add((name, at))
            if at == END and name in self.pinned:
                # a graded cell's own definition is what is graded; what it needs, this
                # exercise needs too
                todo += self._take(self.pinned[name], who, name)
                continue
            before = [s for s in self.binders.get(name, ()) if self.pos(s) < at]
            if (name, at) in firsts and name in self.provided:
                before = [s for s in before if self.cells[s.cell].role != STUDENT]
            if not before:
                if name not in self.known and name not in BUILTINS:
                    for star in self.stars:
                        if self.pos(star) < at:
                            todo += self._take(star, who, name)
                continue
            last = before[-1]
            if name not in last.uses_now and (
                    name in self.known
                    or (name in self.provided and self.cells[last.cell].role == STUDENT)):
                continue  # the course binds it (setup cells, data, provided cells); a fresh
                # binding of the student's (load_data() again, a quicker copy of the
                # course's training loop) is not taken, a derived one is
            chain = [last] + [u for u in self.updaters.get(name, ())
                              if self.pos(last) < self.pos(u) < at]
            for stmt in chain:
                todo += self._take(stmt, who, name)

    def _take(self, stmt: Statement, who: str, name: str) -> list[tuple[str, tuple[int, int]]]:
        at = self.pos(stmt)
        if stmt.key in self.always:  # runs anyway; what it needs, ``who`` needs too
            if (stmt.key, who) in self.followed:
                return []
            self.followed.add((stmt.key, who))
            return [(n, at) for n in stmt.uses_now] + [(n, END) for n in stmt.uses_later]
        if stmt.key in self.taken and who in self.taken[stmt.key]:
            return []
        if stmt.kind == IMPORT and _normal(stmt.text) in self.setup_imports:
            return []  # the same import runs in the setup cells already
        if not self.allowed(stmt):
            if self.trains(stmt) and name in stmt.binds:
                self.left_out.setdefault(stmt.key, (stmt, name))
            return []
        self.taken.setdefault(stmt.key, set()).add(who)
        return [(n, at) for n in stmt.uses_now] + [(n, END) for n in stmt.uses_later]


def _normal(text: str) -> str:
    return " ".join(text.split())


def select(cells: Sequence[CodeCell], calls: Mapping[str, str], *,
           known: Iterable[str] = (), setup_imports: Iterable[str] = ()) -> Selection:
    """Which statements of which cells the graded code needs, in notebook order.

    ``cells`` are the notebook's code cells in order (setup cells left out: they run from
    the release). ``calls`` maps each exercise id to its ``call:`` expression, evaluated
    after every cell. ``known`` names are bound before any cell (the setup cells, the
    course's data); ``setup_imports`` are import statements the setup cells run already
    (their text; a student's copy of one is not taken again).
    """
    parsed: dict[int, tuple[Statement, ...]] = {}
    unparsed: dict[int, str] = {}
    notes: list[str] = []
    for cell in cells:
        try:
            parsed[cell.index] = statements(cell.index, cell.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            line = getattr(exc, "lineno", None)
            where = f" (line {line})" if line else ""
            unparsed[cell.index] = f"{type(exc).__name__}{where}: {getattr(exc, 'msg', exc)}"
            if cell.role == STUDENT:
                notes.append(f"cell {cell.index + 1} was not read: it is not valid Python "
                             f"({unparsed[cell.index]}); nothing was taken from it")
    closure = _Closure(cells, parsed, frozenset(known),
                       frozenset(_normal(s) for s in setup_imports))
    for cell in cells:
        if cell.role == STUDENT or cell.index not in parsed:
            continue
        who = cell.exercise or "" if cell.role == GRADED else ""
        roots: list[tuple[str, tuple[int, int]]] = []
        for stmt in parsed[cell.index]:
            if stmt.key in closure.always:
                at = closure.pos(stmt)
                roots += [(n, at) for n in stmt.uses_now] + [(n, END) for n in stmt.uses_later]
        closure.close(roots, who)
    bound_by_calls = set()
    for call in calls.values():
        with contextlib.suppress(SyntaxError):
            bound_by_calls |= {n.target.id for n in ast.walk(ast.parse(call, mode="eval"))
                               if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name)}
    for ex, call in calls.items():
        try:
            names = free_names(call, "eval")
        except SyntaxError:
            continue
        # a call's own names come from the course (its setup cells, its data, its provided
        # cells) or from the calls before it (``history := train_model(…)``), never from
        # the student's cells (``x_train = reshape_and_normalize(x_train)`` in a scratch
        # cell would feed the function its own output)
        closure.close([(n, END) for n in names - closure.known - bound_by_calls], ex,
                      course_only=True)
    run: dict[int, frozenset[tuple[int, int]]] = {}
    skipped: dict[int, tuple[Statement, ...]] = {}
    for cell in cells:
        stmts = parsed.get(cell.index, ())
        if cell.role == PROVIDED or (cell.role == GRADED and cell.top_level == RUN):
            continue
        if cell.role == GRADED and cell.index not in parsed:
            continue  # runs as written: the run reports its syntax error
        keys = frozenset(s.key for s in stmts if s.key in closure.always
                         or s.key in closure.taken)
        run[cell.index] = keys
        if cell.role == GRADED:
            skipped[cell.index] = tuple(s for s in stmts if s.key not in keys)
    for stmt, name in closure.left_out.values():
        if stmt.key not in closure.taken:
            notes.append(
                f"{name} comes from training at the top level of cell {stmt.cell + 1} "
                f"({stmt.text}), which the grader does not run (top_level: skip); compute "
                "it inside your function instead")
    return Selection(
        statements=parsed, run=run,
        needed_by={k: frozenset(v) for k, v in closure.taken.items()},
        skipped=skipped, unparsed=unparsed, notes=tuple(notes))


# --------------------------------------------------------------------------- rendering


def render(source: str, stmts: Sequence[Statement], keep: frozenset[tuple[int, int]]) -> str:
    """The cell's source with only the ``keep`` statements, on their original lines.

    A statement left out on lines of its own becomes blank lines (the first one ``pass``);
    one sharing a line with another (``a = 1; model.fit(x)``) becomes ``pass`` in place,
    with line continuations so every kept statement keeps its line number.
    """
    lines = source.splitlines(keepends=True)
    if not lines:
        return source
    for stmt in sorted((s for s in stmts if s.key not in keep), key=lambda s: s.key,
                       reverse=True):
        first, last = stmt.first_line - 1, stmt.last_line - 1
        if first >= len(lines) or last >= len(lines):
            continue
        head = lines[first][:stmt.col]
        tail = lines[last][stmt.end_col:]
        rest = tail.strip()
        count = last - first
        if not head.strip() and (not rest or rest.startswith("#")):
            ends = lines[last].endswith("\n")
            new = [head + "pass" + ("\n" if count or ends else "")]
            new += ["\n" if k < count or ends else "" for k in range(1, count + 1)]
            lines[first:last + 1] = new
        else:
            joined = head + "pass" + " \\\n" * count + tail
            lines[first:last + 1] = [joined]
    return "".join(lines)


def render_checked(source: str, stmts: Sequence[Statement],
                   keep: frozenset[tuple[int, int]]) -> str | None:
    """``render``, or None when its result would not parse (it then should not run)."""
    text = render(source, stmts, keep)
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return text
