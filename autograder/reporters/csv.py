"""One CSV per batch: a row per submission, a column per exercise, and the total."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from autograder.course import Assignment
from autograder.results import SubmissionResult


def rows(results: Sequence[SubmissionResult], assignment: Assignment) -> list[list[str]]:
    """Header and rows of the batch table."""
    header = ["student", "submission", "status", *[e.id for e in assignment.exercises],
              "score", "max_score", "message", "sandbox"]
    table = [header]
    for r in results:
        by_id = {e.id: e.score for e in r.exercises}
        first_line = r.message.splitlines()[0] if r.message else ""
        table.append([r.student, r.submission, r.status,
                      *[f"{by_id.get(e.id, 0.0):g}" for e in assignment.exercises],
                      f"{r.score:g}", f"{r.max_score:g}", first_line,
                      "UNCONFINED" if r.unconfined else "confined"])
    return table


def write(results: Sequence[SubmissionResult], assignment: Assignment, path: Path) -> None:
    """Write the batch CSV to ``path``."""
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows(results, assignment))
