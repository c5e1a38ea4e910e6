"""One JSON file per submission."""

from __future__ import annotations

import json
from pathlib import Path

from autograder.results import SubmissionResult


def dumps(result: SubmissionResult) -> str:
    """The result as indented JSON text."""
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False)


def write(result: SubmissionResult, path: Path) -> None:
    """Write the result's JSON to ``path``."""
    path.write_text(dumps(result) + "\n", encoding="utf-8")
