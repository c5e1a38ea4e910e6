"""Gradescope's results.json for one graded submission.

One test per check, worth its points; a hidden check is a test with visibility
``after_published`` (students see it once the instructor publishes grades), a public one
is ``visible``. The overall ``output`` is the same text feedback ``autograder check`` prints.
Format: Gradescope's autograder specification (``score``, ``output``, ``tests`` with
``name``, ``score``, ``max_score``, ``status``, ``output``, ``visibility``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder.reporters import console
from autograder.results import SubmissionResult

HIDDEN_VISIBILITY = "after_published"


def results(result: SubmissionResult) -> dict[str, Any]:
    """The results.json document for ``result``."""
    tests = []
    result = result.for_student()
    for n, ex in enumerate(result.exercises, start=1):
        for m, c in enumerate(ex.checks, start=1):
            output = c.message
            if ex.message and not c.passed:
                output = f"{ex.message}\n\n{output}".strip()
            tests.append({
                "name": f"{ex.title}: {c.name}",
                "number": f"{n}.{m}",
                "score": c.points,
                "max_score": c.max_points,
                "status": "passed" if c.passed else "failed",
                "output": output,
                "visibility": HIDDEN_VISIBILITY if c.hidden else "visible",
            })
    return {
        "score": result.score,
        "output": console.feedback(result, public_only=True),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
    }


def no_submission(message: str) -> dict[str, Any]:
    """results.json when there is nothing to grade (no notebook uploaded)."""
    return {"score": 0.0, "output": message, "visibility": "visible", "tests": []}


def write(document: dict[str, Any], path: Path) -> None:
    """Write a results.json document to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n",
                    encoding="utf-8")
