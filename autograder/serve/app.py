"""The ASGI application: the JSON API beside the pages, over one store and one dispatcher.

``POST /api/submissions`` (multipart ``assignment`` and ``notebook``, ``Authorization: Bearer
TOKEN``) stores and queues a notebook and answers 201 with its id; ``GET
/api/submissions/{id}`` gives its status and, once graded, the JSON that ``autograder
grade`` writes (for a student, hidden checks without what they compared). No valid token:
401; someone else's submission: 404. Handlers are plain functions, run by the server's
thread pool: the event loop never waits for the database, and never grades.
"""

from __future__ import annotations

import csv
import io
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from autograder.course import Assignment
from autograder.reporters import csv as csv_report
from autograder.reporters import json as json_report
from autograder.results import SubmissionResult, from_dict
from autograder.serve import policy
from autograder.serve.auth import Person
from autograder.serve.store import DONE, QUEUED, RUNNING, Job, Store
from autograder.serve.web import MULTIPART_SLACK, Guard, Settings, Uploads, person_of
from autograder.serve.worker import Dispatcher, Pool

STATIC = Path(__file__).parent / "static"


def create_app(settings: Settings, pool: Pool) -> Guard:
    """The service as an ASGI application (the dispatcher starts with it, on ``pool``)."""
    store = Store(settings.data)
    dispatcher = Dispatcher(settings.course, store, pool, unconfined=settings.unconfined,
                            use_cache=settings.use_cache)
    uploads = Uploads(settings, store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        dispatcher.start()
        yield
        dispatcher.stop()

    app = FastAPI(title="autograder", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.state.settings, app.state.store, app.state.dispatcher = settings, store, dispatcher
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def who(request: Request, *, cookie: bool = True) -> Person:
        person = person_of(request, store, cookie=cookie)
        if person is None:
            raise HTTPException(401, "a valid token is needed: Authorization: Bearer TOKEN",
                                headers={"WWW-Authenticate": "Bearer"})
        return person

    def instructor(request: Request) -> Person:
        person = who(request)
        if not person.instructor:
            raise HTTPException(403, "only an instructor may see this")
        return person

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        return {"ok": dispatcher.alive and dispatcher.error is None, "queue": store.counts(),
                "error": dispatcher.error}

    @app.post("/api/submissions", status_code=201)
    async def submit(request: Request) -> dict[str, Any]:
        # a cookie would need CSRF: the API takes tokens only
        person = await run_in_threadpool(who, request, cookie=False)
        assignment, filename, data = await upload_fields(request, settings.max_upload_bytes)
        job = await run_in_threadpool(uploads.accept, person, assignment, filename, data)
        dispatcher.wake()
        return {"id": job.id, "status": job.status, "url": f"/api/submissions/{job.id}",
                "page": f"/submissions/{job.id}"}

    @app.get("/api/submissions")
    def mine(request: Request, assignment: str | None = None) -> list[dict[str, Any]]:
        person = who(request)
        means: dict[str, float | None] = {}
        return [job_view(store, j, person, with_result=False, means=means)
                for j in store.jobs(student=person.id, assignment=assignment)]

    @app.get("/api/submissions/{job_id}")
    def one(request: Request, job_id: str) -> dict[str, Any]:
        person = who(request)
        return job_view(store, visible_job(store, person, job_id), person)

    @app.get("/api/queue")
    def queue(request: Request) -> dict[str, Any]:
        instructor(request)
        return {"counts": store.counts(), "where": pool.where, "workers": pool.workers,
                "error": dispatcher.error}

    @app.get("/api/assignments/{assignment_id}/grades.json")
    def grades_json(request: Request, assignment_id: str) -> Response:
        instructor(request)
        assignment = settings.course.assignment(assignment_id)
        with tempfile.TemporaryDirectory(dir=store.folder) as tmp:
            path = Path(tmp) / "grades.json"
            json_report.write_batch(counted_results(dispatcher, assignment), assignment, path)
            return Response(path.read_bytes(), media_type="application/json", headers={
                "content-disposition": f'attachment; filename="{assignment.id}.json"'})

    @app.get("/api/assignments/{assignment_id}/grades.csv")
    def grades_csv(request: Request, assignment_id: str) -> Response:
        instructor(request)
        assignment = settings.course.assignment(assignment_id)
        text = io.StringIO()
        csv.writer(text).writerows(csv_report.rows(counted_results(dispatcher, assignment),
                                                   assignment))
        return Response(text.getvalue(), media_type="text/csv", headers={
            "content-disposition": f'attachment; filename="{assignment.id}.csv"'})

    from autograder.serve import pages

    pages.add(app, settings, store, dispatcher, uploads)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if request.url.path.startswith("/api/") or "text/html" not in \
                request.headers.get("accept", ""):
            return JSONResponse({"detail": exc.detail}, exc.status_code, headers=exc.headers)
        return pages.error_page(request, exc.status_code, str(exc.detail))

    return Guard(app, settings.max_upload_bytes + MULTIPART_SLACK)


async def upload_fields(request: Request, limit: int) -> tuple[str, str, bytes]:
    """The multipart fields ``assignment`` and ``notebook``: (assignment, file name, bytes)."""
    form = await request.form(max_files=1, max_fields=10)
    assignment, notebook = form.get("assignment"), form.get("notebook")
    if not isinstance(assignment, str) or not isinstance(notebook, UploadFile):
        raise HTTPException(422, "send a multipart form with the fields 'assignment' (its "
                                 "id) and 'notebook' (the .ipynb file)")
    return assignment, notebook.filename or "", await notebook.read(limit + 1)


def visible_job(store: Store, person: Person, job_id: str) -> Job:
    """The job, when this person may see it (their own; any, for an instructor); else 404."""
    job = store.job(job_id) if len(job_id) < 64 else None
    if job is None or (job.student != person.id and not person.instructor):
        raise HTTPException(404, "no such submission")
    return job


def job_view(store: Store, job: Job, person: Person, *, with_result: bool = True,
             means: dict[str, float | None] | None = None) -> dict[str, Any]:
    """A job as JSON: status, place in the queue or time so far, and the result once done."""
    view: dict[str, Any] = {
        "id": job.id, "assignment": job.assignment, "student": job.student,
        "filename": job.filename, "status": job.status, "submitted_at": job.submitted_at,
        "late_days": job.late_days, "score": job.score, "max_score": job.max_score,
    }
    if job.status == QUEUED:
        view["position"] = store.position(job)
    if job.status == RUNNING and job.started_at is not None:
        view["seconds"] = round(time.time() - job.started_at, 1)
    if job.status != DONE:
        means = {} if means is None else means  # one query per assignment, not per job
        if job.assignment not in means:
            means[job.assignment] = store.mean_seconds(job.assignment)
        mean = means[job.assignment]
        view["estimate_seconds"] = None if mean is None else round(mean, 1)
    if with_result and job.status == DONE:
        data = job.result_data()
        view["result"] = data if person.instructor else student_view(data)
    return view


def student_view(data: dict[str, Any] | None) -> dict[str, Any] | None:
    """A result as its student sees it: a hidden check keeps its verdict and message only."""
    if data is None:
        return None
    for exercise in data.get("exercises", []):
        for check in exercise.get("checks", []):
            if check.get("hidden"):
                check["table"] = None
                check["near_threshold"] = False
    return data


def counted_results(dispatcher: Dispatcher, assignment: Assignment) -> list[SubmissionResult]:
    """Every student's grade that counts for an assignment (the course's policy applied)."""
    store = dispatcher.store
    by_student: dict[str, list[policy.Graded]] = {}
    for job in store.jobs(assignment=assignment.id, status=DONE):
        by_student.setdefault(job.student, []).append(policy.Graded(
            job.id, job.submitted_at, job.late_days,
            from_dict(SubmissionResult, job.result_data())))
    chosen = (policy.counted(assignment.policy, graded) for graded in by_student.values())
    return sorted((c.result for c in chosen if c is not None), key=lambda r: r.student)
