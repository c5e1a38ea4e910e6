"""A real ``autograder serve`` on 127.0.0.1 in a subprocess, for the service's tests."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
WEEK1 = ROOT / "examples" / "submissions" / "week1"


SLOWDOWN = float(os.environ.get("AUTOGRADER_TEST_SLOWDOWN", "4"))


def roomy_course(folder: Path) -> Path:
    """The repository's course with every time limit ``SLOWDOWN`` times longer (its
    solutions, releases and reference facts used where they are: limits are not part of the
    facts' key), for a machine shared with other work, where a 15-second training can take
    minutes. The grades are the course's own."""
    text = (ROOT / "course.yaml").read_text(encoding="utf-8")
    text = re.sub(r"time_limit: (\d+)", lambda m: f"time_limit: {int(m[1]) * SLOWDOWN:g}", text)
    text = text.replace("extra_checks: course_checks.py",
                        f"extra_checks: {ROOT / 'course_checks.py'}", 1)
    where = (f"solutions: {ROOT / 'solutions'}\nassignments_dir: {ROOT / 'assignments'}\n"
             f"cache: {ROOT / '.autograder-cache'}\n")
    text = text.replace("\nassignments:\n", f"\n{where}assignments:\n", 1)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "course.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """``autograder serve`` started as a subprocess; ``stop()`` or ``kill()`` it."""

    def __init__(self, data: Path, *args: str, port: int | None = None) -> None:
        self.data = data
        self.course = roomy_course(data.parent / "course")
        self.args = args
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = data.parent / f"serve-{self.port}.log"

    def start(self, timeout: float = 60.0) -> Server:
        """Start and wait until it answers."""
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "autograder.cli", "--course", str(self.course),
                 "serve", "--data", str(self.data), "--port", str(self.port), *self.args],
                cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()}")
            try:
                if httpx.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the server did not answer: {self.log.read_text()}")

    def kill(self) -> None:
        """``kill -9`` the server (its worker processes die with it)."""
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        """Stop the server and everything it started."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
        # whatever is left of its session (workers, sandboxes)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)

    def client(self, token: str | None = None) -> httpx.Client:
        """An HTTP client, with the token as a Bearer header when given."""
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30)


def upload(client: httpx.Client, name: str, assignment: str = "week1",
           data: bytes | None = None) -> httpx.Response:
    """POST a notebook to /api/submissions."""
    content = data if data is not None else (WEEK1 / name).read_bytes()
    return client.post("/api/submissions", data={"assignment": assignment},
                       files={"notebook": (name, content, "application/x-ipynb+json")})


def wait_done(client: httpx.Client, job_id: str, timeout: float = 300.0) -> dict[str, Any]:
    """Poll a submission until it is graded; its JSON."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        view = client.get(f"/api/submissions/{job_id}").json()
        if view["status"] == "done":
            return dict(view)
        time.sleep(0.5)
    raise TimeoutError(f"submission {job_id} was not graded in {timeout} s")


def why(result: dict[str, Any]) -> str:
    """The failed checks of a result, for an assertion's message."""
    return "; ".join(f"{e['id']}: {e['status']} {e['message'][:200]} / {c['name']}: "
                     f"{c['message'][:200]}"
                     for e in result["exercises"] for c in e["checks"] if not c["passed"])
