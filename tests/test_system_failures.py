"""Failures that are not the student's: each concurrent sandbox has a uid of its own, and a
run the machine failed is retried once, then reported as a grader error, never cached.

Real sandboxes; the machine's failure is real too (every sandbox uid taken).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from tiny_course import submission, tiny_course

from autograder import reference
from autograder.assemble import ExerciseCall, Piece, Program
from autograder.execution import Execution
from autograder.grade import grade
from autograder.outbox import exercise_facts
from autograder.results import GRADED, GRADER_ERROR
from autograder.sandbox import Limits, execute, isolation

ROOT_ONLY = pytest.mark.skipif("setpriv" not in isolation.available(),
                               reason="switching uids needs root and setpriv")

VICTIM = """import os, time
def victim():
    time.sleep(20)
    return os.getuid()
"""
#: signals every process it may: all at once (kill -1), then pid by pid
KILLER = """import os, signal, time
def killer():
    time.sleep(3)
    hit = []
    try:
        os.kill(-1, signal.SIGKILL)
    except OSError:
        pass
    for pid in range(2, 1 << 16):
        if pid == os.getpid():
            continue
        try:
            os.kill(pid, signal.SIGKILL)
            hit.append(pid)
        except OSError:
            pass
    return {"uid": os.getuid(), "hit": len(hit)}
"""


def program(name: str, source: str) -> Program:
    return Program(seed=1, pieces=(Piece("exercise", f"exercise {name}", source, name),),
                   calls=(ExerciseCall(name, (name,), f"{name}()", "value", 60.0),), notes=())


@ROOT_ONLY
@pytest.mark.slow
def test_two_sandboxes_at_once_cannot_signal_each_other(tmp_path: Path) -> None:
    runs: dict[str, Execution] = {}

    def run(name: str, source: str) -> None:
        runs[name] = execute(program(name, source), Limits(total_seconds=120, memory_mb=1024),
                             tmp_path / name)

    threads = [threading.Thread(target=run, args=("victim", VICTIM)),
               threading.Thread(target=run, args=("killer", KILLER))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    victim = exercise_facts(runs["victim"], "victim", "value")
    killer = exercise_facts(runs["killer"], "killer", "value")
    assert victim.status == "ok", victim.message  # untouched by its neighbour
    assert killer.status == "ok", killer.message
    assert victim.value in isolation.SANDBOX_UIDS
    assert killer.value["uid"] in isolation.SANDBOX_UIDS
    assert killer.value["uid"] != victim.value


QUICK = {"a": "# GRADED FUNCTION: a\ndef a():\n    ### BEGIN SOLUTION\n    return np.ones(2)\n"
              "    ### END SOLUTION\n"}


@ROOT_ONLY
def test_a_run_the_machine_failed_is_a_grader_error_and_graded_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a private lock folder and uids no other sandbox on this machine uses: the test takes
    # them all, and must not take (or clean up) the uids of other graders' runs
    locks = tmp_path / "uids"
    locks.mkdir(mode=0o700)
    monkeypatch.setattr(isolation, "_lease_folder", lambda: locks)
    monkeypatch.setattr(isolation, "SANDBOX_UIDS", range(2_100_000, 2_100_004))
    course = tiny_course(tmp_path, {"exercises": [
        {"id": "a", "record": "arrays", "time_limit": 30,
         "checks": [{"name": "right", "check": "array_values", "points": 1}]}]}, QUICK,
        setup="# SETUP\nimport numpy as np\n")
    sub = submission(course, tmp_path / "subs" / "s.ipynb", QUICK)
    held: list[int] = []
    for uid in isolation.SANDBOX_UIDS:  # the machine is full: no sandbox can start
        fd = os.open(locks / str(uid), os.O_CREAT | os.O_RDWR, 0o600)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.append(fd)
    try:
        first = grade(course, "tiny", [sub], tmp_path / "out1").results[0]
    finally:
        for fd in held:
            os.close(fd)
    assert first.status == GRADER_ERROR and first.score == 0
    assert "2 times" in first.message and "not your doing" in first.message
    assert not list((course.cache_dir / "results").rglob("*.json"))  # never cached
    again = grade(course, "tiny", [sub], tmp_path / "out2").results[0]
    assert again.status == GRADED and not again.cached and again.score == 1
    third: Any = grade(course, "tiny", [sub], tmp_path / "out3").results[0]
    assert third.cached  # a real grade is cached as before


def test_graders_needing_one_reference_at_once_run_the_solution_once(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    course = tiny_course(tmp_path, {"exercises": [
        {"id": "a", "record": "arrays", "time_limit": 30,
         "checks": [{"name": "right", "check": "array_values", "points": 1}]}]}, QUICK,
        setup="# SETUP\nimport numpy as np\n")
    assignment = course.assignments[0]
    shutil.rmtree(course.cache_dir / "reference")  # as on a fresh clone
    builds: list[int] = []
    build = reference._build

    def counted(*args: Any) -> None:
        builds.append(threading.get_ident())
        build(*args)

    monkeypatch.setattr(reference, "_build", counted)
    keys: list[str] = []
    graders = [threading.Thread(target=lambda: keys.append(
        reference.ensure_reference(course, assignment))) for _ in range(3)]
    for t in graders:
        t.start()
    for t in graders:
        t.join()
    assert len(builds) == 1 and len(keys) == 3 and len(set(keys)) == 1
    assert reference.load_reference(course, assignment).facts["a"].ok
