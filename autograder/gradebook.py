"""The gradebook: one SQLite file holding the latest grade of every student.

Each finished submission is committed on its own (WAL journal, synchronous FULL), so a batch
killed at any moment (``kill -9``, power loss) keeps every grade it finished and nothing
half-written; ``--resume`` skips the students whose stored grade has the same content key.
One row per (assignment, student): a student can never be counted twice.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from autograder.results import SubmissionResult, from_dict

_SCHEMA = """
CREATE TABLE IF NOT EXISTS grades (
    assignment TEXT NOT NULL,
    student    TEXT NOT NULL,
    submission TEXT NOT NULL,
    key        TEXT NOT NULL,
    status     TEXT NOT NULL,
    score      REAL NOT NULL,
    max_score  REAL NOT NULL,
    seconds    REAL NOT NULL,
    graded_at  TEXT NOT NULL,
    result     TEXT NOT NULL,
    PRIMARY KEY (assignment, student)
)
"""


class Gradebook:
    """A SQLite gradebook. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def __enter__(self) -> Gradebook:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database (every grade is already committed)."""
        self._db.close()

    def record(self, result: SubmissionResult, key: str) -> None:
        """Store one student's grade and commit it at once (replacing an older one)."""
        with self._db:  # one transaction per submission
            self._db.execute(
                "INSERT OR REPLACE INTO grades VALUES (?,?,?,?,?,?,?,?,?,?)",
                (result.assignment, result.student, result.submission, key, result.status,
                 result.score, result.max_score, result.seconds,
                 time.strftime("%Y-%m-%dT%H:%M:%S%z"), json.dumps(result.to_dict())))

    def keys(self, assignment: str) -> dict[str, str]:
        """student → content key of the stored grade, for one assignment."""
        rows = self._db.execute("SELECT student, key FROM grades WHERE assignment=?",
                                (assignment,))
        return dict(rows.fetchall())

    def results(self, assignment: str) -> list[SubmissionResult]:
        """Every stored grade of one assignment, by student."""
        rows = self._db.execute(
            "SELECT result FROM grades WHERE assignment=? ORDER BY student", (assignment,))
        return [from_dict(SubmissionResult, json.loads(r)) for (r,) in rows.fetchall()]

    def result(self, assignment: str, student: str) -> SubmissionResult | None:
        """One student's stored grade, or None."""
        row = self._db.execute("SELECT result FROM grades WHERE assignment=? AND student=?",
                               (assignment, student)).fetchone()
        return None if row is None else from_dict(SubmissionResult, json.loads(row[0]))

