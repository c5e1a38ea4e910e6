"""The pages: log in with a token, submit and follow a submission, the instructor's views.

Templates extend the CLI's own (``reporters/templates``), so a graded submission's page is
the feedback page ``grade`` writes, and an assignment's page is its overview page. Every
form carries the CSRF value of its cookie; the session is an HttpOnly, SameSite=Strict
cookie holding the token.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool

from autograder.reporters import html as html_report
from autograder.reporters import overview, svg
from autograder.results import SubmissionResult, from_dict
from autograder.sandbox import isolation
from autograder.serve import auth, policy
from autograder.serve.auth import Person, RateLimit
from autograder.serve.store import DONE, Store
from autograder.serve.web import CSRF, SESSION, Settings, Uploads, person_of, same_origin
from autograder.serve.worker import Dispatcher

ENV = jinja2.Environment(
    loader=jinja2.ChoiceLoader([jinja2.PackageLoader("autograder.serve", "templates"),
                                jinja2.PackageLoader("autograder.reporters", "templates")]),
    autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
ENV.filters.update(html_report.ENV.filters)
ENV.filters["when"] = lambda t: time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(t))


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    """A page, with the CSRF value its forms need (and its cookie, when new)."""
    token = request.cookies.get(CSRF)
    fresh = token is None
    if token is None:
        token = secrets.token_urlsafe(24)
    settings = request.app.state.settings
    context.setdefault("person", None)
    page = ENV.get_template(name).render(csrf=token, course=settings.course, **context)
    response = HTMLResponse(page, status)
    if fresh:
        response.set_cookie(CSRF, token, httponly=True, samesite="strict",
                            secure=settings.secure_cookies)
    return response


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    """An error as a page."""
    person = person_of(request, request.app.state.store)
    return render(request, "error.html.j2", status, message=message, status_code=status,
                  person=person)


async def check_form(request: Request) -> None:
    """A form post must come from this site with the CSRF value of its cookie."""
    form = await request.form()
    field = form.get("csrf")
    if not same_origin(request) or not auth.csrf_ok(request.cookies.get(CSRF),
                                                     field if isinstance(field, str) else None):
        raise HTTPException(403, "this form has expired or came from another site; "
                                 "reload the page and try again")


def add(app: FastAPI, settings: Settings, store: Store, dispatcher: Dispatcher,
        uploads: Uploads) -> None:
    """Add the pages to the application."""
    logins = RateLimit(settings.logins_per_minute, 60.0)
    course = settings.course

    def signed_in(request: Request, *, staff: bool = False) -> Person:
        person = person_of(request, store)
        if person is None:
            raise HTTPException(401, "sign in with your token first")
        if staff and not person.instructor:
            raise HTTPException(403, "only an instructor may see this page")
        return person

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> Response:
        person = person_of(request, store)
        if person is None:
            return RedirectResponse("/login", 303)
        return RedirectResponse("/instructor" if person.instructor else "/me", 303)

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, token: str = "") -> Response:
        return render(request, "login.html.j2", token=token[:200], message="")

    @app.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        await check_form(request)
        form = await request.form()
        token = form.get("token")
        if not logins.allow(request.client.host if request.client else "?"):
            return render(request, "login.html.j2", 429, token="",
                          message="too many attempts; wait a minute")
        person = auth.authenticate(store, token if isinstance(token, str) else None)
        if person is None:
            return render(request, "login.html.j2", 401, token="",
                          message="this token is not on the roster")
        response = RedirectResponse("/", 303)
        response.set_cookie(SESSION, str(token), httponly=True, samesite="strict",
                            secure=settings.secure_cookies, max_age=14 * 86400)
        return response

    @app.post("/logout")
    async def logout(request: Request) -> Response:
        await check_form(request)
        response = RedirectResponse("/login", 303)
        response.delete_cookie(SESSION)
        return response

    def student_home(request: Request, person: Person, status: int = 200,
                     message: str = "") -> Response:
        jobs = list(reversed(store.jobs(student=person.id)))
        counted = {}
        for a in course.assignments:  # (scores only: no result is decoded for this page)
            graded = [policy.Graded(j.id, j.submitted_at, j.late_days, SubmissionResult(
                j.filename, j.student, j.assignment, "", j.score or 0.0, j.max_score or 0.0,
                "", ())) for j in jobs if j.assignment == a.id and j.status == DONE]
            best = policy.counted(a.policy, graded)
            if best is not None:
                counted[a.id] = best
        now = time.time()
        today = {a.id: store.count_since(person.id, a.id, policy.day_start(now))
                 for a in course.assignments}
        return render(request, "student.html.j2", status, person=person, jobs=jobs,
                      counted=counted, today=today, message=message,
                      max_mb=settings.max_upload_bytes / 2**20)

    @app.get("/me", response_class=HTMLResponse)
    def me(request: Request) -> Response:
        return student_home(request, signed_in(request))

    @app.post("/me/submit", response_class=HTMLResponse)
    async def submit_form(request: Request) -> Response:
        from autograder.serve.app import upload_fields

        await check_form(request)
        person = await run_in_threadpool(signed_in, request)
        try:
            assignment, filename, data = await upload_fields(request,
                                                             settings.max_upload_bytes)
            job = await run_in_threadpool(uploads.accept, person, assignment, filename, data)
        except HTTPException as exc:
            return await run_in_threadpool(student_home, request, person, exc.status_code,
                                           str(exc.detail))
        dispatcher.wake()
        return RedirectResponse(f"/submissions/{job.id}", 303)

    @app.get("/submissions/{job_id}", response_class=HTMLResponse)
    def submission(request: Request, job_id: str) -> Response:
        from autograder.serve.app import visible_job

        person = signed_in(request)
        job = visible_job(store, person, job_id)
        assignment = course.assignment(job.assignment)
        if job.status != DONE:
            return render(request, "waiting.html.j2", person=person, job=job, a=assignment)
        result = from_dict(SubmissionResult, job.result_data())
        counts = policy.with_penalty(assignment.policy, result, job.late_days)
        return render(request, "submission.html.j2", person=person, job=job, a=assignment,
                      r=result, counts=counts)

    @app.get("/instructor", response_class=HTMLResponse)
    def instructor_home(request: Request) -> Response:
        from autograder.serve.app import counted_results

        person = signed_in(request, staff=True)
        roster = [p for p in auth.people(store) if not p.instructor]
        rows = []
        for a in course.assignments:
            results = counted_results(dispatcher, a)
            scores = [r.score for r in results]
            rows.append((a, len(results), sum(scores) / len(scores) if scores else None))
        return render(request, "instructor.html.j2", person=person, rows=rows, roster=roster,
                      counts=store.counts(), pool=dispatcher.pool, error=dispatcher.error,
                      protections=protections(settings))

    @app.get("/instructor/a/{assignment_id}", response_class=HTMLResponse)
    def assignment_page(request: Request, assignment_id: str) -> Response:
        from autograder.serve.app import counted_results

        person = signed_in(request, staff=True)
        a = course.assignment(assignment_id)
        results = counted_results(dispatcher, a)
        submitted = {r.student for r in results} | {j.student for j in
                                                    store.jobs(assignment=a.id)}
        missing = [p for p in auth.people(store) if not p.instructor and p.id not in submitted]
        summary = overview.summarise(results, a)
        histogram = Markup(svg.histogram(summary.bins, title="Score distribution",
                                         x_label=f"score (of {a.max_score:g})"))
        return render(request, "assignment.html.j2", person=person, a=a, o=summary,
                      histogram=histogram, everyone=results, missing=missing,
                      reports={r.student: f"/instructor/people/{r.student}" for r in results},
                      counts=store.counts())

    @app.post("/instructor/a/{assignment_id}/regrade")
    async def regrade(request: Request, assignment_id: str) -> Response:
        await check_form(request)
        signed_in(request, staff=True)
        course.assignment(assignment_id)
        store.requeue_assignment(assignment_id)
        dispatcher.reload()
        return RedirectResponse(f"/instructor/a/{assignment_id}", 303)

    @app.get("/instructor/people/{person_id}", response_class=HTMLResponse)
    def person_page(request: Request, person_id: str) -> Response:
        person = signed_in(request, staff=True)
        known = {p.id: p for p in auth.people(store)}
        if person_id not in known:
            raise HTTPException(404, "no such person on the roster")
        return render(request, "person.html.j2", person=person, who=known[person_id],
                      jobs=list(reversed(store.jobs(student=person_id))))


def protections(settings: Settings) -> dict[str, Any]:
    """What the sandbox has in force on this machine (for the instructor's banner)."""
    return {"available": sorted(isolation.available()),
            "missing": isolation.essentials_missing(), "unconfined": settings.unconfined}
