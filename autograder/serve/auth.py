"""Who may do what: the roster (students and instructors), their tokens, and CSRF.

A token is 32 random bytes (URL-safe text) given once to its owner; only its SHA-256 is
stored, so a copy of the database lets no one log in. A token is found by its hash and
then compared in constant time. Pages keep the token in an HttpOnly, SameSite=Strict
cookie; every form carries a CSRF value that must equal the one in its own cookie (double
submit) and, when the browser sends one, the Origin must be this service.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from autograder.errors import GraderError
from autograder.serve.store import Store

STUDENT, INSTRUCTOR = "student", "instructor"
ROLES = (STUDENT, INSTRUCTOR)
PERSON_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")


@dataclass(frozen=True)
class Person:
    """Someone on the roster."""

    id: str
    name: str
    role: str

    @property
    def instructor(self) -> bool:
        """Whether this person sees the whole class."""
        return self.role == INSTRUCTOR


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    """A fresh token (256 bits)."""
    return secrets.token_urlsafe(32)


def add_person(store: Store, person_id: str, name: str = "", role: str = STUDENT,
               *, replace: bool = False) -> str:
    """Put someone on the roster (or give them a new token with ``replace``); their token."""
    if not PERSON_ID.match(person_id):
        raise GraderError(f"{person_id!r} is not a usable id: letters, digits and ._@- "
                          "(at most 64, starting with a letter or digit)")
    if role not in ROLES:
        raise GraderError(f"role {role!r}: must be one of {', '.join(ROLES)}")
    token = new_token()
    with store._tx() as db:
        known = db.execute("SELECT 1 FROM people WHERE id=?", (person_id,)).fetchone()
        if known and not replace:
            raise GraderError(f"{person_id} is already on the roster (use --new-token to "
                              "give them a new token)")
        db.execute("INSERT OR REPLACE INTO people VALUES (?,?,?,?,?)",
                   (person_id, name or person_id, role, hash_token(token), time.time()))
    return token


def import_roster(store: Store, path: Path, *, replace: bool = False) -> list[tuple[str, str]]:
    """Add everyone in a CSV (columns ``id``, optional ``name`` and ``role``); (id, token)
    for each person added."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as exc:
        raise GraderError(f"cannot read the roster {path}: {exc.strerror}") from exc
    if rows and "id" not in rows[0]:
        raise GraderError(f"{path}: the first line must name the columns: id,name,role")
    issued = []
    for row in rows:
        person_id = (row.get("id") or "").strip()
        if not person_id:
            continue
        role = (row.get("role") or STUDENT).strip() or STUDENT
        issued.append((person_id, add_person(store, person_id, (row.get("name") or "").strip(),
                                             role, replace=replace)))
    return issued


def people(store: Store) -> list[Person]:
    """The roster, by id."""
    return [Person(*row) for row in store.query("SELECT id, name, role FROM people ORDER BY id")]


def authenticate(store: Store, token: str | None) -> Person | None:
    """The person holding this token, or None."""
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    rows = store.query("SELECT id, name, role, token_hash FROM people WHERE token_hash=?",
                       (digest,))
    if not rows or not hmac.compare_digest(rows[0][3], digest):
        return None
    return Person(rows[0][0], rows[0][1], rows[0][2])


def bearer(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header."""
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def csrf_ok(cookie: str | None, field: str | None) -> bool:
    """Whether a form's CSRF value matches its cookie (constant time)."""
    if not cookie or not field:
        return False
    return hmac.compare_digest(cookie.encode(), field.encode())


class RateLimit:
    """At most ``limit`` events per ``window`` seconds for each key (in memory)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit = limit
        self.window = window
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count one event for ``key``; False when it is over the limit."""
        now = time.monotonic() if now is None else now
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            return True
