"""Gradebook exports in the column layouts that learning-management systems import.

- ``canvas``: Canvas' gradebook CSV: ``Student, ID, SIS User ID, SIS Login ID, Section``
  then one column per assignment named ``Title (id)``, and a ``Points Possible`` row.
  The student id goes into ``SIS Login ID``, which Canvas matches on import.
- ``moodle``: Moodle's grade export layout (``First name, Last name, ID number,
  Institution, Department, Email address``, one ``Assignment: Title (Real)`` column per
  assignment, ``Last downloaded from this course``); on import, map ``ID number`` to the
  user's ID number.
- ``csv``: a plain table: ``student``, one column per assignment, ``total``, and a
  ``points possible`` row.

A student with no grade for an assignment has an empty cell (not a zero): the LMS then
keeps what it has, and the instructor sees who has not submitted.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from autograder.course import Assignment
from autograder.results import SubmissionResult

FORMATS = ("canvas", "moodle", "csv")
CANVAS_FIXED = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
MOODLE_FIXED = ("First name", "Last name", "ID number", "Institution", "Department",
                "Email address")
MOODLE_LAST = "Last downloaded from this course"

Grades = Mapping[str, Mapping[str, SubmissionResult]]  # assignment → student → result


def rows(kind: str, assignments: Sequence[Assignment], grades: Grades) -> list[list[str]]:
    """The export's rows (header first) in the layout ``kind`` (one of FORMATS)."""
    students = sorted({s for by_student in grades.values() for s in by_student})

    def score(a: Assignment, student: str) -> str:
        result = grades.get(a.id, {}).get(student)
        return "" if result is None else f"{result.score:g}"

    if kind == "canvas":
        table = [[*CANVAS_FIXED, *(f"{a.title} ({a.id})" for a in assignments)],
                 ["Points Possible", "", "", "", "", *(f"{a.max_score:g}" for a in assignments)]]
        table += [[s, "", "", s, "", *(score(a, s) for a in assignments)] for s in students]
        return table
    if kind == "moodle":
        stamp = str(int(time.time()))
        table = [[*MOODLE_FIXED, *(f"Assignment: {a.title} (Real)" for a in assignments),
                  MOODLE_LAST]]
        table += [["", "", s, "", "", "", *(score(a, s) for a in assignments), stamp]
                  for s in students]
        return table
    if kind == "csv":
        table = [["student", *(a.id for a in assignments), "total"],
                 ["points possible", *(f"{a.max_score:g}" for a in assignments),
                  f"{sum(a.max_score for a in assignments):g}"]]
        for s in students:
            cells = [score(a, s) for a in assignments]
            total = sum(float(c) for c in cells if c)
            table.append([s, *cells, f"{total:g}"])
        return table
    raise ValueError(f"unknown export format {kind!r}; known: {', '.join(FORMATS)}")


def write(kind: str, assignments: Sequence[Assignment], grades: Grades, path: Path) -> None:
    """Write the export to ``path`` (UTF-8, with a byte-order mark for spreadsheets)."""
    with open(path, "w", newline="", encoding="utf-8-sig") as fh:
        csv.writer(fh).writerows(rows(kind, assignments, grades))
