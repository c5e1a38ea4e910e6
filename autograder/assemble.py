"""The assemble stage: the program the sandbox runs for one submission.

Trusted setup cells from the release (never the student's copies), then in notebook
order: the student's exercise cells (top-level work left out under ``top_level: skip``),
the release's provided cells, and from the student's other cells only what the graded
code needs (``autograder.runorder``, ``autograder.dependencies``). IPython magics and
shell escapes are turned into comments, with a note for the feedback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nbformat import NotebookNode

from autograder.course import Assignment, DataInput
from autograder.notebook import Location, setup_sources
from autograder.runorder import run_order

IPYTHON_CALL = "get_ipython()"
#: A line that is an IPython magic or shell escape (or assigns one's result), roughly.
MAGIC_LINE = re.compile(r"^(?P<indent>[ \t]*)(?:(?P<target>[A-Za-z_][\w.]*(?:[ \t]*,[ \t]*"
                        r"[A-Za-z_][\w.]*)*)[ \t]*=[ \t]*)?(?P<magic>[%!][^\n]*)$", re.M)
MAX_TRANSFORM_CHARS = 20_000  # larger cells skip IPython's transformer (see neutralise)
MAX_TRANSFORM_MAGICS = 50
CELL_MAGICS_RUN = ("time", "timeit", "capture")  # their body is Python: the harness runs it


@dataclass(frozen=True)
class Piece:
    """One unit of code to run: a setup cell, an exercise's cell, a provided cell, or
    what was taken from one of the student's other cells.

    ``group`` is the exercise in whose define phase a provided or student piece runs (the
    exercise cell it comes before); ``needed_by`` the exercises that need a student piece.
    """

    kind: str  # "setup", "exercise", "provided" or "student"
    label: str
    source: str
    exercise: str | None = None
    group: str | None = None
    needed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExerciseCall:
    """How the harness calls one exercise and what it records of the result."""

    id: str
    names: tuple[str, ...]
    call: str
    record: str
    time_limit: float
    probe: dict[str, Any] | None = None
    define_limit: float | None = None  # seconds for its cell's top-level code (None: default)


@dataclass(frozen=True)
class Program:
    """Everything the sandbox needs for one run, as plain data.

    ``data`` names the arrays the grader hands the sandbox (``autograder.datasets``); the
    runner writes them where the harness binds them before the setup cells.
    """

    seed: int
    pieces: tuple[Piece, ...]
    calls: tuple[ExerciseCall, ...]
    notes: tuple[str, ...]
    data: tuple[DataInput, ...] = ()
    keras: int = 3  # the Keras generation to run under: 3, or 2 (tf_keras)

    def source_of(self, exercise: str) -> str:
        """The student's code for an exercise, as it is run ("" when not found)."""
        return next((p.source for p in self.pieces if p.exercise == exercise), "")


def neutralise(source: str) -> tuple[str, int]:
    """Turn IPython magics and shell escapes into calls the harness does not carry out.

    IPython's own transformer rewrites ``%timeit f()`` or ``x = !ls`` into
    ``get_ipython().…`` calls, understanding strings and continuation lines; the harness's
    ``get_ipython()`` runs nothing (``%%time``/``%%capture`` cells run their Python body).
    Returns the new source and how many magics were found.

    The transformer re-reads the whole cell once per magic (and gives up after 500), and it
    runs in the grader's process, with no time limit: a big cell, one with many magics or
    one it cannot transform has its magic lines turned into ``pass`` line by line instead.
    """
    found = len(MAGIC_LINE.findall(source))
    if not found:
        return source, 0
    if len(source) <= MAX_TRANSFORM_CHARS and found <= MAX_TRANSFORM_MAGICS:
        from IPython.core.inputtransformer2 import TransformerManager

        try:
            new = TransformerManager().transform_cell(source)
        except Exception:  # a syntax error (reported by the run), or too many magics
            return _neutralise_lines(source)
        count = new.count(IPYTHON_CALL) - source.count(IPYTHON_CALL)
        return (new, count) if count > 0 else (source, 0)
    return _neutralise_lines(source)


def _neutralise_lines(source: str) -> tuple[str, int]:
    """The line-by-line fallback: each line that starts with % or ! (or assigns one) is
    replaced by a statement that does nothing, keeping indentation and line numbers."""
    lines = source.splitlines(keepends=True)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):  # a cell magic
        words = lines[first].strip()[2:].split()
        name = words[0] if words else ""
        if name not in CELL_MAGICS_RUN:
            return "pass  # not run: a %%" + name + " cell\n", 1
        lines[first] = "pass  # not run: " + lines[first].strip() + "\n"
        source, count = _neutralise_lines("".join(lines))
        return source, count + 1

    count = 0

    def replace(m: re.Match[str]) -> str:
        nonlocal count
        count += 1
        magic = m["magic"].replace("\r", " ")
        if m["target"]:
            return f"{m['indent']}{m['target']} = None  # not run: {magic}"
        return f"{m['indent']}pass  # not run: {magic}"

    return MAGIC_LINE.sub(replace, source), count


def assemble(assignment: Assignment, release: NotebookNode, location: Location) -> Program:
    """Build the program: release setup cells, then each located exercise cell."""
    pieces = [Piece("setup", f"setup cell {i + 1}", src)
              for i, src in enumerate(setup_sources(release))]
    notes = list(location.notes)
    parts, more = run_order(assignment, release, location, neutralise)
    notes.extend(more)
    last = next((p.exercise for p in reversed(parts) if p.kind == "exercise"), None)
    for i, part in enumerate(parts):
        # a provided or student piece runs with the next exercise cell (or the last one)
        group = part.exercise if part.kind == "exercise" else next(
            (p.exercise for p in parts[i:] if p.kind == "exercise"), last)
        if group is None:
            notes.append(f"{part.label} was not run: no exercise cell was found")
            continue
        pieces.append(Piece(part.kind, part.label, part.source, part.exercise,
                            None if part.kind == "exercise" else group, part.needed_by))
    from autograder.datasets import IMAGE_FILES, describe

    # which copy of an image dataset is in use (the real one, or a stand-in), reported
    notes.extend(describe(d) for d in sorted({i.dataset for i in assignment.data
                                              if i.dataset in IMAGE_FILES}))
    from autograder.probes import keras_of, public_probe

    calls = tuple(ExerciseCall(ex.id, ex.names if ex.cell else (), ex.call, ex.record,
                               ex.time_limit,
                               None if ex.probe is None else public_probe(ex, keras_of(assignment)),
                               ex.define_limit or assignment.define_limit)
                  for ex in assignment.exercises)
    return Program(assignment.seed, tuple(pieces), calls, tuple(notes), assignment.data,
                   assignment.keras)
