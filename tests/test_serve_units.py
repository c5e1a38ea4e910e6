"""The service's parts without a server: policy, course.yaml's policy key, roster, job table."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from autograder.course import load_course
from autograder.course.policy import Policy
from autograder.errors import CourseError, GraderError
from autograder.results import SubmissionResult
from autograder.serve import auth, policy
from autograder.serve.store import DONE, QUEUED, RUNNING, Store, safe_filename

ROOT = Path(__file__).resolve().parents[1]
DEADLINE = dt.datetime(2026, 12, 20, 23, 59, tzinfo=dt.timezone.utc)


def result(score: float) -> SubmissionResult:
    return SubmissionResult("s.ipynb", "alice", "week1", "graded", score, 11.0, "", ())


def test_late_days_and_refusals() -> None:
    on_time = DEADLINE.timestamp() - 60
    strict = Policy(deadline=DEADLINE, per_day=2)
    assert policy.late_days(strict, on_time) == 0
    assert policy.late_days(strict, DEADLINE.timestamp() + 60) == 1  # a started day counts
    assert policy.late_days(strict, DEADLINE.timestamp() + 86400 + 1) == 2
    assert policy.refusal(strict, on_time, today=1) is None
    assert "most allowed per day (2)" in (policy.refusal(strict, on_time, today=2) or "")
    assert "no late submissions" in (policy.refusal(strict, DEADLINE.timestamp() + 1, 0) or "")
    lenient = Policy(deadline=DEADLINE, late_penalty=0.1)
    assert policy.refusal(lenient, DEADLINE.timestamp() + 1, today=0) is None


def test_which_submission_counts() -> None:
    lenient = Policy(deadline=DEADLINE, late_penalty=0.25)
    graded = [policy.Graded("a", 1.0, 0, result(7.0)), policy.Graded("b", 2.0, 0, result(9.0)),
              policy.Graded("c", 3.0, 1, result(11.0)), policy.Graded("d", 4.0, 0, result(5.0))]
    best = policy.counted(lenient, graded)
    assert best is not None and best.id == "b"  # 11 late by a day counts 8.25 < 9
    late = policy.counted(lenient, graded[2:3])
    assert late is not None and late.result.score == 8.25
    assert "1 day late" in late.result.message
    latest = policy.counted(Policy(score="latest"), graded)
    assert latest is not None and latest.id == "d"
    assert policy.counted(Policy(), []) is None


def test_course_policy_key(tmp_path: Path) -> None:
    folder = tmp_path / "course"
    shutil.copytree(ROOT / "solutions", folder / "solutions")
    shutil.copy(ROOT / "course_checks.py", folder / "course_checks.py")  # extra_checks
    text = (ROOT / "course.yaml").read_text(encoding="utf-8")
    head, rest = text.split("assignments:\n", 1)
    week1 = "  week1:\n"
    assert week1 in rest
    course_yaml = folder / "course.yaml"
    course_yaml.write_text(
        head + "policy: {score: latest, per_day: 5}\nassignments:\n" + rest.replace(
            week1, week1 + "    policy: {score: best, deadline: '2026-12-20T23:59:00',\n"
                           "             late: {penalty: 0.1}}\n", 1), encoding="utf-8")
    course = load_course(course_yaml)
    week1_policy = course.assignment("week1").policy
    assert week1_policy == Policy(score="best", deadline=DEADLINE, late_penalty=0.1, per_day=5)
    others = [a.policy for a in course.assignments if a.id != "week1"]
    assert all(p == Policy(score="latest", per_day=5) for p in others)
    course_yaml.write_text(head + "policy: {score: highest}\nassignments:\n" + rest,
                           encoding="utf-8")
    with pytest.raises(CourseError, match=r"course.policy.score: must be one of best, latest"):
        load_course(course_yaml)


def test_roster_tokens_are_hashed(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    token = auth.add_person(store, "alice", "Alice")
    assert auth.authenticate(store, token) == auth.Person("alice", "Alice", auth.STUDENT)
    assert auth.authenticate(store, token + "x") is None
    assert auth.authenticate(store, None) is None
    assert token.encode() not in (tmp_path / "data" / "serve.db").read_bytes()
    with pytest.raises(GraderError, match="already on the roster"):
        auth.add_person(store, "alice")
    new = auth.add_person(store, "alice", replace=True)
    assert auth.authenticate(store, token) is None and auth.authenticate(store, new)
    with pytest.raises(GraderError, match="not a usable id"):
        auth.add_person(store, "../etc")
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,role\nbob,Bob,\nprof,Prof,instructor\n", encoding="utf-8")
    issued = dict(auth.import_roster(store, roster))
    assert auth.authenticate(store, issued["prof"]) == auth.Person("prof", "Prof",
                                                                   auth.INSTRUCTOR)
    assert auth.csrf_ok("abc", "abc") and not auth.csrf_ok("abc", "abd")
    assert not auth.csrf_ok(None, "abc")
    limit = auth.RateLimit(2, 60)
    assert limit.allow("k", 0) and limit.allow("k", 1) and not limit.allow("k", 2)
    assert limit.allow("k", 61)


def test_jobs_finish_once_and_survive_a_restart(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    sha = store.put_upload(b'{"cells": []}')
    assert store.upload_path(sha).read_bytes() == b'{"cells": []}'
    with pytest.raises(ValueError):
        store.upload_path("../../etc/passwd")
    jobs = [store.add_job("alice", "week1", sha, f"a{i}.ipynb", float(i), 0) for i in range(3)]
    assert [store.position(j) for j in jobs] == [0, 1, 2]
    first = store.claim(2)
    assert [j.id for j in first] == [jobs[0].id, jobs[1].id]
    assert all(j.status == RUNNING and j.attempts == 1 for j in first)
    data = {"score": 1.0, "max_score": 11.0}
    assert store.finish(jobs[0].id, data)
    assert not store.finish(jobs[0].id, data)  # a second result is refused
    # the service stops (kill -9): a new Store on the same folder, as at the next start
    again = Store(tmp_path / "data")
    assert again.requeue_running() == 1
    assert again.counts() == {QUEUED: 2, RUNNING: 0, DONE: 1}
    second = again.claim(5)
    assert [j.id for j in second] == [jobs[1].id, jobs[2].id]
    assert second[0].attempts == 2
    assert safe_filename("../../x/evil\x00.ipynb") == "evil.ipynb"
    assert safe_filename("") == "notebook.ipynb"
