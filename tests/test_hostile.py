"""The hostile corpus: submissions that attack the grader, graded in one batch.

tests/hostile/cases/ holds one notebook per attack (written by tests/hostile/make_cases.py),
tests/hostile/expected.yaml the exact grade of each. They are graded together with the
bundled correct example, last, which must still score full marks: an attack costs its own
submission's points only. Beside the grades, the host is checked: no file a case tried to
create outside the sandbox exists, the TCP server the test runs was never reached, nothing
a run started is still running, and the grader's own process is the same.

The course is tests/hostile/course.yaml (short time budgets); its reference facts are cached
in tests/hostile/.autograder-cache.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from autograder.course import load_course
from autograder.grade import Options, grade
from autograder.results import SubmissionResult

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "tests" / "hostile"
CASES = HOSTILE / "cases"
CORRECT = ROOT / "examples" / "submissions" / "week1" / "correct.ipynb"


def _make_cases() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hostile_make_cases",
                                                  HOSTILE / "make_cases.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAKE = _make_cases()
EXPECTED: dict[str, dict[str, Any]] = {
    name: spec for name, spec in
    yaml.safe_load((HOSTILE / "expected.yaml").read_text(encoding="utf-8")).items()
    if not name.startswith("x-")  # YAML anchors
}
GENERATED = ("huge_50mb", "magic_flood")  # made by the test, not committed


def host_sentinels() -> list[Path]:
    """Every file a case tries to create on the host."""
    return [*(Path(p) for p in MAKE.TMP_SENTINELS), *(ROOT / p for p in MAKE.REPO_SENTINELS),
            Path(MAKE.PICKLE_SENTINEL), Path(MAKE.FORGED_SENTINEL), Path(MAKE.LAMBDA_SENTINEL)]


class Listener:
    """A TCP server on 127.0.0.1 (and ::1 where there is IPv6) counting connections."""

    def __init__(self, port: int) -> None:
        self.connections: list[str] = []
        self.sockets: list[socket.socket] = []
        for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
            sock = socket.socket(family, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((host, port))
            except OSError as exc:
                sock.close()
                if family == socket.AF_INET:
                    pytest.fail(f"cannot listen on 127.0.0.1:{port} for the network case: {exc}")
                continue
            sock.listen(16)
            sock.settimeout(0.2)
            self.sockets.append(sock)
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._serve, args=(s,), daemon=True)
                        for s in self.sockets]
        for t in self.threads:
            t.start()

    def _serve(self, sock: socket.socket) -> None:
        while not self.stopping.is_set():
            try:
                conn, peer = sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections.append(str(peer))
            conn.close()

    def stop(self) -> None:
        self.stopping.set()
        for t in self.threads:
            t.join()
        for s in self.sockets:
            s.close()


def _processes_under(folder: Path) -> list[str]:
    """Processes whose command line or working folder lies under ``folder``."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            cmdline = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = ""
            with contextlib.suppress(OSError):
                cwd = os.readlink(Path(entry.path, "cwd"))
            if str(folder) in cmdline or cwd.startswith(str(folder)):
                found.append(f"{entry.name}: {cmdline[:200]}")
    return found


@dataclass(frozen=True)
class HostileBatch:
    results: dict[str, SubmissionResult]
    order: list[str]
    submitted: int
    connections: list[str]
    runs: Path
    pids: tuple[int, int]


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileBatch]:
    """Every case, the generated 50 MB notebook and the correct example, graded once."""
    for path in host_sentinels():
        path.unlink(missing_ok=True)
    extra = tmp_path_factory.mktemp("hostile-generated")
    generated = [MAKE.huge_notebook(extra / "huge_50mb.ipynb"),
                 MAKE.magic_flood(extra / "magic_flood.ipynb")]
    paths = [*sorted(CASES.glob("*.ipynb")), *generated, CORRECT]
    runs = tmp_path_factory.mktemp("hostile-runs")  # every sandbox's folder goes here
    pids = (os.getpid(), os.getppid())
    listener = Listener(MAKE.PORT)
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(tempfile, "tempdir", str(runs))
            patch.setenv("TMPDIR", str(runs))  # the grader's workers inherit it
            # two workers, as a grader would run it: an attack must not reach its neighbour
            report = grade(load_course(HOSTILE / "course.yaml"), "week1", paths,
                           tmp_path_factory.mktemp("hostile-reports"),
                           options=Options(jobs=2, use_cache=False))
    finally:
        listener.stop()
    yield HostileBatch({r.student: r for r in report.results},
                       [r.student for r in report.results], len(paths),
                       listener.connections, runs, pids)


def test_every_case_has_an_expected_grade() -> None:
    cases = {p.stem for p in CASES.glob("*.ipynb")} | set(GENERATED)
    assert cases == set(EXPECTED), (
        f"cases without an expectation: {sorted(cases - set(EXPECTED))}; "
        f"expectations without a case: {sorted(set(EXPECTED) - cases)}")
    assert len(cases) >= 25


def test_cases_are_up_to_date() -> None:
    """The committed cases and course are what make_cases.py writes from the current
    release and course.yaml."""
    stale = [name for name, data in MAKE.render().items()
             if not (CASES / name).is_file() or (CASES / name).read_bytes() != data]
    if MAKE.COURSE.read_text(encoding="utf-8") != MAKE.render_course():
        stale.append("course.yaml")
    assert not stale, f"rerun .venv/bin/python tests/hostile/make_cases.py (stale: {stale})"


def _matches(found: str, wanted: str | list[str]) -> bool:
    if isinstance(wanted, list):
        return any(_matches(found, w) for w in wanted)
    return found == "" if wanted == "" else wanted in found


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_case(name: str, hostile: HostileBatch) -> None:
    want = EXPECTED[name]
    problems = _problems(hostile.results[name], want)
    if "xfail" in want:  # a known problem outside the sandbox, described in expected.yaml
        if problems:
            pytest.xfail(want["xfail"])
        pytest.fail(f"{name} now grades as expected: remove its xfail from expected.yaml")
    assert not problems, f"{name}:\n  " + "\n  ".join(problems)


def _problems(result: SubmissionResult, want: dict[str, Any]) -> list[str]:
    """Every way ``result`` differs from the expectation (empty when it matches)."""
    problems = []
    if result.score != want["score"]:
        problems.append(f"score {result.score}, expected {want['score']}")
    if result.status != want.get("status", "graded"):
        problems.append(f"status {result.status}, expected {want.get('status', 'graded')}")
    if not _matches(result.message, want.get("message", "")):
        problems.append(f"message {result.message!r}, expected {want.get('message', '')!r}")
    notes = want.get("notes", [])
    for note in notes:
        if not any(note in n for n in result.notes):
            problems.append(f"no note with {note!r} in {list(result.notes)}")
    if not notes and result.notes:
        problems.append(f"unexpected notes {list(result.notes)}")
    for ex in result.exercises:
        spec = want.get(ex.id)
        if spec is None:
            problems.append(f"{ex.id}: no expectation")
            continue
        if ex.score != spec["score"]:
            problems.append(f"{ex.id}: score {ex.score}, expected {spec['score']} "
                            f"(status {ex.status}, message {ex.message[:300]!r})")
        if "status" in spec and ex.status != spec["status"]:
            problems.append(f"{ex.id}: status {ex.status}, expected {spec['status']} "
                            f"(message {ex.message[:300]!r})")
        if "message" in spec and not _matches(ex.message, spec["message"]):
            problems.append(f"{ex.id}: message {ex.message[:500]!r}, "
                            f"expected {spec['message']!r}")
        if "stdout" in spec and spec["stdout"] not in ex.stdout:
            problems.append(f"{ex.id}: output {ex.stdout[:300]!r} lacks {spec['stdout']!r}")
    return problems


@pytest.mark.slow
def test_the_batch_went_on_and_the_correct_example_kept_full_marks(
        hostile: HostileBatch) -> None:
    assert len(hostile.order) == hostile.submitted
    assert hostile.order[-1] == "correct"
    correct = hostile.results["correct"]
    assert correct.status == "graded"
    assert correct.score == correct.max_score >= 10, [
        (e.id, e.score, e.message) for e in correct.exercises]
    assert not correct.notes


@pytest.mark.slow
def test_no_file_was_created_outside_the_sandbox(hostile: HostileBatch) -> None:
    created = [str(p) for p in host_sentinels() if p.exists() or p.is_symlink()]
    assert not created, f"a submission wrote on the host: {created}"


@pytest.mark.slow
def test_the_network_was_never_reached(hostile: HostileBatch) -> None:
    assert hostile.connections == [], f"the sandbox reached the test's server: " \
                                      f"{hostile.connections}"


@pytest.mark.slow
def test_nothing_a_run_started_is_still_running(hostile: HostileBatch) -> None:
    assert _processes_under(hostile.runs) == []


@pytest.mark.slow
def test_every_run_folder_was_removed(hostile: HostileBatch) -> None:
    assert sorted(p.name for p in hostile.runs.iterdir()) == []


@pytest.mark.slow
def test_the_grader_survived(hostile: HostileBatch) -> None:
    assert (os.getpid(), os.getppid()) == hostile.pids
    assert hostile.results  # and it returned its results
