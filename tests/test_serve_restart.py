"""Nothing lost: ``kill -9`` the service mid-batch, start it again, and every queued and
running job is graded exactly once (a job finished before the kill is not graded again)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from serve_server import ROOT, Server, upload, wait_done

from autograder import integrity
from autograder.gradebook import Gradebook
from autograder.serve import auth
from autograder.serve.store import DONE, RUNNING, Store

NOTEBOOKS = ("correct.ipynb", "wrong_architecture.ipynb", "raises_exception.ipynb")


@pytest.mark.slow
def test_kill_9_mid_batch_loses_nothing_and_grades_once(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = Store(data)
    token = auth.add_person(store, "alice")
    server = Server(data, "--jobs", "1", "--no-cache").start()
    try:
        with server.client(token) as c:
            ids = [upload(c, name).json()["id"] for name in NOTEBOOKS]
        # every upload is stored and recorded before the answer
        assert [j.id for j in store.jobs()] == ids
        assert all(store.upload_path(j.sha256).is_file() for j in store.jobs())
        end = time.monotonic() + 600
        while time.monotonic() < end:  # mid-batch: one graded, the next one running
            states = [j.status for j in store.jobs()]
            if states[0] == DONE and RUNNING in states[1:]:
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"the batch did not get going: {states}")
        before = {j.id: j for j in store.jobs()}
        server.kill()
        assert store.counts()[RUNNING] == 1  # left running by the dead service

        server.start()
        with server.client(token) as c:
            views = [wait_done(c, job_id, timeout=600) for job_id in ids]
    finally:
        server.stop()

    after = {j.id: j for j in store.jobs()}
    assert len(after) == 3 and all(j.status == DONE and j.result for j in after.values())
    first = after[ids[0]]
    assert (first.finished_at, first.attempts) == (before[ids[0]].finished_at, 1)
    interrupted = [i for i in ids if before[i].status == RUNNING]
    assert [after[i].attempts for i in interrupted] == [2]  # graded again, from the start
    scores = [v["score"] for v in views]
    assert scores[0] == 11.0 and all(s is not None and s < 11.0 for s in scores[1:])
    key = integrity.grader_key(ROOT / ".autograder-cache")
    with Gradebook(data / "gradebook.db", key) as book:  # the grade that counts: the best
        counted = book.result("week1", "alice")
    assert counted is not None and counted.score == 11.0
