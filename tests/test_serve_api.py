"""The grading service over HTTP: a real ``autograder serve`` on 127.0.0.1, spoken to with
httpx. The module's server grades one Week 1 notebook (the slow test); the others check
what is refused and why without grading anything."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_server import WEEK1, Server, upload, wait_done, why

from autograder.serve import auth
from autograder.serve.store import Store


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    data = tmp_path_factory.mktemp("serve") / "data"
    store = Store(data)
    tokens = {"alice": auth.add_person(store, "alice", "Alice"),
              "bob": auth.add_person(store, "bob", "Bob"),
              "prof": auth.add_person(store, "prof", "Prof", auth.INSTRUCTOR)}
    srv = Server(data, "--jobs", "1", "--no-cache", "--max-upload-mb", "1",
                 "--uploads-per-minute", "20").start()
    try:
        yield srv, tokens
    finally:
        srv.stop()


def test_no_token_no_service(server: tuple[Server, dict[str, str]]) -> None:
    srv, _ = server
    with srv.client() as c:
        answer = upload(c, "correct.ipynb")
        assert answer.status_code == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert c.get("/api/submissions/whatever").status_code == 401
    with srv.client("not-a-token") as c:
        assert upload(c, "correct.ipynb").status_code == 401


def test_not_a_notebook_is_refused_with_why(server: tuple[Server, dict[str, str]]) -> None:
    srv, tokens = server
    with srv.client(tokens["alice"]) as c:
        answer = upload(c, "not_a_notebook.ipynb")
        assert answer.status_code == 422
        assert "not_a_notebook.ipynb is not a Jupyter notebook" in answer.json()["detail"]
        answer = upload(c, "../../etc/passwd", data=b"")
        assert answer.status_code == 422
        assert "passwd is empty" in answer.json()["detail"]
        assert c.get("/api/submissions").json() == []  # nothing was queued


def test_oversized_upload_is_refused_before_it_is_read(
        server: tuple[Server, dict[str, str]]) -> None:
    srv, tokens = server
    big = (WEEK1 / "correct.ipynb").read_bytes() + b" " * (2 * 2**20)
    with srv.client(tokens["alice"]) as c:
        answer = upload(c, "correct.ipynb", data=big)
        assert answer.status_code == 413
        assert "larger than the limit of 1.0 MB" in answer.json()["detail"]


def test_unknown_assignment_and_missing_fields(server: tuple[Server, dict[str, str]]) -> None:
    srv, tokens = server
    with srv.client(tokens["alice"]) as c:
        answer = upload(c, "correct.ipynb", assignment="week9")
        assert answer.status_code == 404
        assert "unknown assignment 'week9'" in answer.json()["detail"]
        answer = c.post("/api/submissions", data={"assignment": "week1"})
        assert answer.status_code == 422


def test_security_headers_and_csrf(server: tuple[Server, dict[str, str]]) -> None:
    srv, tokens = server
    with srv.client() as c:
        page = c.get("/login")
        assert page.status_code == 200
        assert "frame-ancestors 'self'" in page.headers["content-security-policy"]
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "same-origin"
        cookie = page.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        # a form without the CSRF value of its cookie is refused, even with a good token
        refused = c.post("/login", data={"token": tokens["alice"], "csrf": "forged"})
        assert refused.status_code == 403
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None
        other_site = c.post("/login", data={"token": tokens["alice"], "csrf": csrf[1]},
                            headers={"origin": "https://evil.example"})
        assert other_site.status_code == 403
        signed_in = c.post("/login", data={"token": tokens["alice"], "csrf": csrf[1]})
        assert signed_in.status_code == 303
        assert c.get("/me").status_code == 200
        assert c.get("/instructor").status_code == 403  # a student is not an instructor


@pytest.mark.slow
def test_upload_poll_feedback_and_privacy(server: tuple[Server, dict[str, str]],
                                          tmp_path: Path) -> None:
    srv, tokens = server
    with srv.client(tokens["alice"]) as alice, srv.client(tokens["bob"]) as bob, \
            srv.client(tokens["prof"]) as prof:
        created = upload(alice, "correct.ipynb")
        assert created.status_code == 201, created.text
        job_id = created.json()["id"]
        first = alice.get(f"/api/submissions/{job_id}").json()
        assert first["status"] in ("queued", "running", "done")
        # another student cannot read it, nor learn that it exists
        assert bob.get(f"/api/submissions/{job_id}").status_code == 404
        assert bob.get("/api/submissions").json() == []

        view = wait_done(alice, job_id)
        result = view["result"]
        assert isinstance(result, dict)
        assert (result["score"], result["max_score"]) == (11.0, 11.0), why(result)
        assert result["status"] == "graded" and result["student"] == "alice"
        assert {e["id"] for e in result["exercises"]} >= {"house_model"}
        assert bob.get(f"/api/submissions/{job_id}").status_code == 404

        page = alice.get(f"/submissions/{job_id}", headers={"accept": "text/html"})
        assert page.status_code == 200
        assert "feedback for alice" in page.text and "<strong>11</strong> / 11" in page.text

        # the instructor sees it, and downloads grades in grade's own layouts
        assert prof.get(f"/api/submissions/{job_id}").status_code == 200
        csv_text = prof.get("/api/assignments/week1/grades.csv").text
        assert csv_text.splitlines()[0].startswith("student,submission,status")
        assert csv_text.splitlines()[1].startswith("alice,correct.ipynb,graded")
        grades = prof.get("/api/assignments/week1/grades.json").json()
        assert [s["student"] for s in grades["students"]] == ["alice"]
        overview = prof.get("/instructor/a/week1")
        assert overview.status_code == 200 and "bob" in overview.text  # not submitted
        assert alice.get("/api/assignments/week1/grades.csv").status_code == 403
