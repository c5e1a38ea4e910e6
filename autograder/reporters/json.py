"""JSON: one file per submission, and one for a whole assignment's gradebook."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from autograder.course import Assignment
from autograder.results import SubmissionResult


def dumps(result: SubmissionResult) -> str:
    """The result as indented JSON text."""
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)


def write(result: SubmissionResult, path: Path) -> None:
    """Write the result's JSON to ``path``."""
    path.write_text(dumps(result) + "\n", encoding="utf-8")


def write_batch(results: Sequence[SubmissionResult], assignment: Assignment,
                path: Path) -> None:
    """Every student's grade of one assignment: totals, exercise scores and each check."""
    data: dict[str, Any] = {
        "assignment": assignment.id,
        "max_score": assignment.max_score,
        "exercises": [{"id": e.id, "title": e.title, "max_score": e.max_score}
                      for e in assignment.exercises],
        "students": [r.to_dict() for r in results],
    }
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
