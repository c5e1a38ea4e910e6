"""The gradebook: one SQLite file holding the latest grade of every student.

Each finished submission is committed on its own (WAL journal, synchronous FULL), so a batch
killed at any moment (``kill -9``, power loss) keeps every grade it finished and nothing
half-written; ``--resume`` skips the students whose stored grade has the same content key.
One row per (assignment, student): a student can never be counted twice. Each row carries an
integrity tag (``autograder.integrity``): a row changed by anyone but the grader is treated
as absent (with ``--resume`` that student is graded again) and left out of the exports.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

from autograder import integrity
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
    tag        TEXT,
    PRIMARY KEY (assignment, student)
)
"""


class Gradebook:
    """A SQLite gradebook. Use as a context manager, or call :meth:`close`."""

    def __init__(self, path: Path, key: bytes) -> None:
        self.path = path
        self._key = key
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=30)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(_SCHEMA)
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(grades)")}
        if "tag" not in columns:  # a gradebook of an older grader: its rows are untagged
            self._db.execute("ALTER TABLE grades ADD COLUMN tag TEXT")
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
        content = json.dumps(result.to_dict())
        with self._db:  # one transaction per submission
            self._db.execute(
                "INSERT OR REPLACE INTO grades VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (result.assignment, result.student, result.submission, key, result.status,
                 result.score, result.max_score, result.seconds,
                 time.strftime("%Y-%m-%dT%H:%M:%S%z"), content,
                 integrity.tag(self._key, result.assignment, result.student, key, content)))

    def _rows(self, assignment: str, student: str | None = None) -> list[tuple[str, str, str]]:
        """(student, content key, result JSON) of the rows whose tag verifies."""
        query = "SELECT student, key, result, tag FROM grades WHERE assignment=?"
        args: tuple[str, ...] = (assignment,)
        if student is not None:
            query, args = query + " AND student=?", (assignment, student)
        rows = self._db.execute(query + " ORDER BY student", args).fetchall()
        return [(s, k, r) for s, k, r, t in rows
                if isinstance(r, str) and integrity.verify(self._key, t, assignment, s, k, r)]

    def keys(self, assignment: str) -> dict[str, str]:
        """student → content key of the stored grade, for one assignment."""
        return {s: k for s, k, _ in self._rows(assignment)}

    def results(self, assignment: str) -> list[SubmissionResult]:
        """Every stored grade of one assignment, by student."""
        return [from_dict(SubmissionResult, json.loads(r)) for _, _, r in self._rows(assignment)]

    def result(self, assignment: str, student: str) -> SubmissionResult | None:
        """One student's stored grade, or None."""
        rows = self._rows(assignment, student)
        return from_dict(SubmissionResult, json.loads(rows[0][2])) if rows else None

