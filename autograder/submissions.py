"""Finding the submissions of a batch, and whose each one is.

Arguments may be notebooks, folders (searched recursively), or glob patterns (quoted, so
the grader expands them: ``'submissions/**/*.ipynb'``). nbgrader's layout,
``…/submitted/<student>/<assignment>/<notebook>.ipynb``, gives the student id; elsewhere it
comes from ``--student-pattern`` (a regular expression with a ``student`` group, searched
in the path) or, by default, from the file name.
"""

from __future__ import annotations

import glob
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from autograder.course import Assignment
from autograder.errors import GraderError

SUBMITTED = "submitted"  # nbgrader's folder of collected submissions
_GLOB = re.compile(r"[*?[]")


@dataclass(frozen=True)
class Submission:
    """One notebook to grade, and the student it belongs to."""

    path: Path
    student: str


def discover(paths: Sequence[str | Path], assignment: Assignment,
             student_pattern: str | None = None) -> list[Submission]:
    """Every submission named by ``paths``, in the order given, each path once.

    Raises ``GraderError`` for a path that does not exist or a pattern that matches
    nothing, so a typo stops the batch before any grading starts.
    """
    pattern = _compile(student_pattern)
    files: list[Path] = []
    for arg in map(str, paths):
        if Path(arg).is_dir():
            files.extend(_in_folder(Path(arg), assignment))
        elif Path(arg).exists():
            files.append(Path(arg))
        elif _GLOB.search(arg):
            matches = sorted(Path(m) for m in glob.glob(arg, recursive=True))
            notebooks = [m for m in matches if m.is_file()]
            if not notebooks:
                raise GraderError(f"no file matches {arg!r}")
            files.extend(notebooks)
        else:
            raise GraderError(f"{arg}: no such file or folder")
    seen: set[Path] = set()
    unique = []
    for f in files:
        if f.resolve() not in seen:
            seen.add(f.resolve())
            unique.append(f)
    students = unique_ids([student_of(f, assignment, pattern) for f in unique])
    return [Submission(f, s) for f, s in zip(unique, students, strict=True)]


def _compile(student_pattern: str | None) -> re.Pattern[str] | None:
    if student_pattern is None:
        return None
    try:
        pattern = re.compile(student_pattern)
    except re.error as exc:
        raise GraderError(f"--student-pattern {student_pattern!r} is not a valid regular "
                          f"expression: {exc}") from exc
    if "student" not in pattern.groupindex and pattern.groups == 0:
        raise GraderError(f"--student-pattern {student_pattern!r} needs a group for the "
                          "student id, e.g. '(?P<student>[^_/]+)_week1'")
    return pattern


def nbgrader_student(path: Path) -> tuple[str, str] | None:
    """(student, assignment) when ``path`` is in nbgrader's ``submitted/`` layout."""
    parts = path.absolute().parts
    for i in range(len(parts) - 4, -1, -1):
        if parts[i] == SUBMITTED:
            return parts[i + 1], parts[i + 2]
    return None


def student_of(path: Path, assignment: Assignment, pattern: re.Pattern[str] | None) -> str:
    """The student id of one file: the pattern's group, nbgrader's layout, or the name."""
    if pattern is not None:
        m = pattern.search(path.as_posix())
        if m:
            found = m.group("student") if "student" in pattern.groupindex else m.group(1)
            if found:
                return found
    layout = nbgrader_student(path)
    if layout is not None:
        return layout[0]
    return path.stem or "submission"


def _in_folder(folder: Path, assignment: Assignment) -> list[Path]:
    """The notebooks under a folder; in nbgrader's layout, only this assignment's, and only
    its named notebook where a student's folder has it (scratch notebooks are left out)."""
    found = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    chosen: list[Path] = []
    for p in found:
        layout = nbgrader_student(p)
        ours = layout is not None and layout[1] == assignment.id and (
            p.name == assignment.notebook or not (p.parent / assignment.notebook).is_file())
        if layout is None or ours:
            chosen.append(p)
    return chosen


def unique_ids(students: Sequence[str]) -> list[str]:
    """The ids as given, with ``-2``, ``-3``… added where one repeats."""
    out: list[str] = []
    for s in students:
        name, n = s, 1
        while name in out:
            n += 1
            name = f"{s}-{n}"
        out.append(name)
    return out


def report_name(student: str) -> str:
    """A file name for a student's reports (no path separators or odd characters)."""
    return re.sub(r"[^\w.-]+", "_", student).strip("._") or "submission"
