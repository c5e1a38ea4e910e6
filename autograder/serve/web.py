"""The web side's plumbing: security headers, the body size cap, who is asking, uploads.

Pure ASGI middleware (no per-request thread or task), so it costs microseconds a page.
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request

from autograder.course import Course
from autograder.errors import GraderError, SubmissionError
from autograder.notebook import MAX_NOTEBOOK_BYTES, read_notebook
from autograder.serve import auth, policy
from autograder.serve.auth import Person, RateLimit
from autograder.serve.store import Job, Store

SESSION = "ag_session"
CSRF = "ag_csrf"
MULTIPART_SLACK = 64 * 1024  # a form's boundaries and other fields, beside the notebook

HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
     b"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"referrer-policy", b"same-origin"),  # no-referrer would make Origin "null"
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    (b"cache-control", b"no-store"),
]


@dataclass(frozen=True)
class Settings:
    """How the service runs (``autograder serve --help``)."""

    course: Course
    data: Path  # the service's folder: serve.db, uploads/, gradebook.db
    max_upload_bytes: int = MAX_NOTEBOOK_BYTES
    uploads_per_minute: int = 6  # per person, on top of the course's per-day limit
    logins_per_minute: int = 20  # per client address: tokens cannot be guessed by brute force
    secure_cookies: bool = False  # behind TLS: cookies only over HTTPS
    unconfined: bool = False
    use_cache: bool = True  # a notebook graded before (same content) takes its known result


class Guard:
    """ASGI middleware: security headers on every answer; a POST needs a Content-Length
    (411) within the cap (413), so no body larger than the cap is ever read."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                message = dict(message)
                message["headers"] = [*message.get("headers", []), *HEADERS]
            await send(message)

        if scope["method"] in ("POST", "PUT", "PATCH"):
            length = dict(scope["headers"]).get(b"content-length")
            problem = None
            if length is None or not length.isdigit():
                problem = (411, "send the request with a Content-Length header")
            elif int(length) > self.limit:
                problem = (413, f"the upload is larger than the limit of "
                                f"{(self.limit - MULTIPART_SLACK) / 2**20:.1f} MB; clear the "
                                "notebook's outputs (Kernel → Restart & Clear Output) and "
                                "save it again")
            if problem is not None:
                await _refuse(send_with_headers, receive, *problem)
                return
        await self.app(scope, receive, send_with_headers)


async def _refuse(send: Any, receive: Any, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


def client_key(request: Request) -> str:
    """The address a request came from (for rate limits)."""
    return request.client.host if request.client else "?"


def person_of(request: Request, store: Store, *, cookie: bool = True) -> Person | None:
    """Who is asking: a Bearer token, or (for pages and reads) the session cookie."""
    token = auth.bearer(request.headers.get("authorization"))
    if token is None and cookie:
        token = request.cookies.get(SESSION)
    return auth.authenticate(store, token)


def same_origin(request: Request) -> bool:
    """False when the browser says the request comes from another site."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return origin.split("://", 1)[-1] == request.headers.get("host", "")


class Uploads:
    """Accepting an upload: who, which assignment, when, how often, and whether it is a
    notebook; then stored and queued before the answer."""

    def __init__(self, settings: Settings, store: Store) -> None:
        self.settings = settings
        self.store = store
        self.limit = RateLimit(settings.uploads_per_minute, 60.0)

    def accept(self, person: Person, assignment_id: str, filename: str, data: bytes) -> Job:
        """Store and queue the upload, or raise HTTPException with the reason."""
        try:
            assignment = self.settings.course.assignment(assignment_id)
        except GraderError as exc:
            raise HTTPException(404, str(exc).split(" in /")[0]) from exc
        if len(data) > self.settings.max_upload_bytes:
            raise HTTPException(413, f"the notebook is {len(data) / 2**20:.1f} MB, over the "
                                     f"limit of {self.settings.max_upload_bytes / 2**20:.1f} "
                                     "MB; clear its outputs and save it again")
        self._check_notebook(filename, data)
        now = time.time()
        why = policy.refusal(assignment.policy, now, self.store.count_since(
            person.id, assignment.id, policy.day_start(now)))
        if why is not None:
            raise HTTPException(403 if "deadline" in why else 429, why)
        if not self.limit.allow(person.id):
            raise HTTPException(429, f"at most {self.settings.uploads_per_minute} uploads a "
                                     "minute; wait a moment and submit again")
        sha = self.store.put_upload(data)
        return self.store.add_job(person.id, assignment.id, sha, filename, now,
                                  policy.late_days(assignment.policy, now))

    def _check_notebook(self, filename: str, data: bytes) -> None:
        with tempfile.TemporaryDirectory(dir=self.store.folder) as tmp:
            path = Path(tmp) / "submission.ipynb"
            path.write_bytes(data)
            try:
                read_notebook(path)
            except SubmissionError as exc:
                shown = Path(filename.replace("\\", "/")).name or "the file"
                raise HTTPException(422, str(exc).replace("submission.ipynb", shown)) from exc
