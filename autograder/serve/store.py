"""What the service keeps: uploads by content hash, and the job table in SQLite (WAL).

Every upload is written (fsynced, then renamed into place) under ``uploads/`` by its SHA-256
and its job committed to ``serve.db`` before the service answers; no part of a student's file
name ever reaches the disk. A job is ``queued``, then ``running`` once the dispatcher claims
it, then ``done`` with its result. The result is written only where the job is still
``running`` (one transaction), so a job finishes once; a service killed mid-batch puts its
``running`` jobs back in the queue when it starts again (:meth:`Store.requeue_running`).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

QUEUED, RUNNING, DONE = "queued", "running", "done"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS people (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    student      TEXT NOT NULL,
    assignment   TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    filename     TEXT NOT NULL,
    submitted_at REAL NOT NULL,
    late_days    INTEGER NOT NULL,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    started_at   REAL,
    finished_at  REAL,
    score        REAL,
    max_score    REAL,
    result       TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status, seq);
CREATE INDEX IF NOT EXISTS jobs_student ON jobs (student, assignment);
"""

_COLUMNS = ("seq, id, student, assignment, sha256, filename, submitted_at, late_days, status, "
            "attempts, started_at, finished_at, score, max_score, result")


@dataclass(frozen=True)
class Job:
    """One submission and the state of its grading."""

    seq: int
    id: str  # random and unguessable: the id the API and pages use
    student: str
    assignment: str
    sha256: str
    filename: str  # as the student named it: shown, never used as a path
    submitted_at: float
    late_days: int
    status: str
    attempts: int
    started_at: float | None
    finished_at: float | None
    score: float | None
    max_score: float | None
    result: str | None  # the result's JSON, once done

    def result_data(self) -> dict[str, Any] | None:
        """The result as plain data (what ``grade`` writes as JSON), once done."""
        return json.loads(self.result) if self.result else None


def safe_filename(name: str) -> str:
    """A file name fit to show: its last path part, printable, at most 100 characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(c for c in base if c.isprintable()).strip()
    return clean[:100] or "notebook.ipynb"


class Store:
    """The service's folder: ``serve.db`` and ``uploads/``. Safe to use from many threads."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.uploads = folder / "uploads"
        self.uploads.mkdir(parents=True, exist_ok=True)
        self.path = folder / "serve.db"
        self._local = threading.local()
        self._db().executescript(_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            self._local.db = db
        return db

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taken at once (BEGIN IMMEDIATE), committed on success."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read-only query."""
        return self._db().execute(sql, args).fetchall()

    # uploads -------------------------------------------------------------------------
    def put_upload(self, data: bytes) -> str:
        """Store a file by content (written durably before this returns); its SHA-256."""
        sha = hashlib.sha256(data).hexdigest()
        path = self.upload_path(sha)
        if path.is_file():
            return sha
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return sha

    def upload_path(self, sha: str) -> Path:
        """Where an upload lives (``sha`` is checked to be a hex digest: no path from input)."""
        if len(sha) != 64 or any(c not in "0123456789abcdef" for c in sha):
            raise ValueError("not a SHA-256 digest")
        return self.uploads / sha[:2] / f"{sha}.ipynb"

    def read_upload(self, sha: str) -> bytes:
        """The bytes of a stored upload."""
        return self.upload_path(sha).read_bytes()

    # jobs ----------------------------------------------------------------------------
    def add_job(self, student: str, assignment: str, sha: str, filename: str,
                submitted_at: float, late_days: int) -> Job:
        """Record a queued job for a stored upload (committed when this returns)."""
        job_id = secrets.token_urlsafe(12)
        with self._tx() as db:
            db.execute("INSERT INTO jobs (id, student, assignment, sha256, filename, "
                       "submitted_at, late_days, status) VALUES (?,?,?,?,?,?,?,?)",
                       (job_id, student, assignment, sha, safe_filename(filename),
                        submitted_at, late_days, QUEUED))
        job = self.job(job_id)
        assert job is not None
        return job

    def job(self, job_id: str) -> Job | None:
        """A job by its id, or None."""
        rows = self.query(f"SELECT {_COLUMNS} FROM jobs WHERE id=?", (job_id,))
        return Job(*rows[0]) if rows else None

    def jobs(self, *, student: str | None = None, assignment: str | None = None,
             status: str | None = None) -> list[Job]:
        """Jobs, oldest first, filtered by any of student, assignment and status."""
        where, args = [], []
        for column, value in (("student", student), ("assignment", assignment),
                              ("status", status)):
            if value is not None:
                where.append(f"{column}=?")
                args.append(value)
        sql = f"SELECT {_COLUMNS} FROM jobs"
        if where:
            sql += " WHERE " + " AND ".join(where)
        return [Job(*row) for row in self.query(sql + " ORDER BY seq", tuple(args))]

    def count_since(self, student: str, assignment: str, since: float) -> int:
        """A student's submissions of an assignment since a moment."""
        rows = self.query("SELECT COUNT(*) FROM jobs WHERE student=? AND assignment=? "
                          "AND submitted_at>=?", (student, assignment, since))
        return int(rows[0][0])

    def position(self, job: Job) -> int:
        """Queued jobs ahead of this one (0: next)."""
        rows = self.query("SELECT COUNT(*) FROM jobs WHERE status=? AND seq<?",
                          (QUEUED, job.seq))
        return int(rows[0][0])

    def claim(self, limit: int) -> list[Job]:
        """Take up to ``limit`` queued jobs, oldest first, and mark them running."""
        if limit <= 0:
            return []
        with self._tx() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE status=? ORDER BY seq "
                              "LIMIT ?", (QUEUED, limit)).fetchall()
            now = time.time()
            for row in rows:
                db.execute("UPDATE jobs SET status=?, attempts=attempts+1, started_at=? "
                           "WHERE seq=?", (RUNNING, now, row[0]))
        return [j for j in (self.job(row[1]) for row in rows) if j is not None]

    def finish(self, job_id: str, result: dict[str, Any]) -> bool:
        """Store a running job's result and mark it done; False when it was not running
        (already finished, or put back in the queue by a regrade)."""
        with self._tx() as db:
            cur = db.execute(
                "UPDATE jobs SET status=?, finished_at=?, score=?, max_score=?, result=? "
                "WHERE id=? AND status=?",
                (DONE, time.time(), float(result["score"]), float(result["max_score"]),
                 json.dumps(result), job_id, RUNNING))
            return cur.rowcount == 1

    def requeue_running(self) -> int:
        """Put jobs left running by a service that stopped back in the queue; how many."""
        with self._tx() as db:
            return db.execute("UPDATE jobs SET status=? WHERE status=?",
                              (QUEUED, RUNNING)).rowcount

    def requeue_assignment(self, assignment: str) -> int:
        """Queue every finished job of an assignment again (a regrade); how many."""
        with self._tx() as db:
            return db.execute("UPDATE jobs SET status=?, attempts=0 WHERE assignment=? "
                              "AND status=?", (QUEUED, assignment, DONE)).rowcount

    def counts(self) -> dict[str, int]:
        """Jobs per status."""
        found = dict(self.query("SELECT status, COUNT(*) FROM jobs GROUP BY status"))
        return {s: int(found.get(s, 0)) for s in (QUEUED, RUNNING, DONE)}

    def mean_seconds(self, assignment: str) -> float | None:
        """The mean grading time of an assignment's last 20 graded jobs (for estimates)."""
        rows = self.query("SELECT AVG(finished_at-started_at) FROM (SELECT finished_at, "
                          "started_at FROM jobs WHERE assignment=? AND status=? "
                          "ORDER BY seq DESC LIMIT 20)", (assignment, DONE))
        return float(rows[0][0]) if rows and rows[0][0] is not None else None


def requeue(store: Store, job_id: str) -> bool:
    """Put one running job back in the queue (its worker was lost); whether it was running."""
    with store._tx() as db:
        return db.execute("UPDATE jobs SET status=? WHERE id=? AND status=?",
                          (QUEUED, job_id, RUNNING)).rowcount == 1
