"""Watching one attempt of a run: its budgets, its output and disk use, and why it died.

The runner starts the harness's process and hands it here: ``watch`` polls the harness's
progress (wakened at once when the process ends) and kills the process on an overrun of the
exercise's call or cell budget, the time between exercises, the setup budget, the whole
run's deadline, the output limit or the disk limit; it returns the attempt's account
(``Attempt``), with the exercise to blame. ``system_kill`` tells a kill that was the
machine's doing from the student's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import select
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from autograder.sandbox import cgroups
from autograder.sandbox.events import Attempt, Progress, between_allowance, blame
from autograder.sandbox.files import disk_use
from autograder.sandbox.harness import RESTART_EXIT
from autograder.sandbox.launch import Limits

POLL_SECONDS = 0.05
DEFINE_ALLOWANCE = 60.0  # seconds at most for one exercise cell's top-level code (default)
DISK_POLLS = 10  # check the run's disk use every this many polls
DISK_KILL = "killed: it wrote more than"


def kill(proc: subprocess.Popen[bytes], group: cgroups.RunGroup | None) -> None:
    """Kill the run's process group (and, with a cgroup, every process of the run)."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    if group is not None:
        group.kill_all()


def watch(proc: subprocess.Popen[bytes], group: cgroups.RunGroup | None,
           progress: Progress, phases: tuple[dict[str, float], dict[str, float]],
           deadline: float, log: Path, limits: Limits, writable: tuple[Path, ...]) -> Attempt:
    """Wait for the process; kill it on a budget overrun (``phases``: each exercise's call
    and cell budgets)."""
    budgets, defines = phases
    log_start = log.stat().st_size  # the log is shared by every attempt of the run
    disk_start = disk_use(writable, limits.max_disk_files)  # and so are the folders
    with _exit_watch(proc.pid) as wait:
        polls = 0
        while True:
            code = proc.poll()
            progress.poll()
            phase, current = progress.phase, progress.exercise
            if code is not None:
                if progress.finished and code == 0:
                    return Attempt(phase, current, "")
                if (code == RESTART_EXIT and phase == "between" and progress.last is not None
                        and progress.last[0] == "start"):
                    return Attempt(phase, current, "", restart=True)
                return dataclasses.replace(blame(progress, f"killed: {_death(code)}"),
                                           code=code)
            now = time.monotonic()
            reason = ""
            if log.stat().st_size - log_start > limits.max_output_bytes:
                reason = ("killed: it printed more than the output limit "
                          f"({limits.max_output_bytes // 1000:,} kB)")
            elif now > deadline:
                reason = "timeout: the whole run went over its time budget"
            elif polls % DISK_POLLS == 0:
                used, files = disk_use(writable, limits.max_disk_files)
                if used - disk_start[0] > limits.max_disk_bytes:
                    reason = (f"{DISK_KILL} the disk limit "
                              f"({limits.max_disk_bytes // 1_000_000:,} MB in all)")
                elif files - disk_start[1] > limits.max_disk_files:
                    reason = (f"{DISK_KILL} {limits.max_disk_files:,} files and folders")
            if reason:
                kill(proc, group)
                return blame(progress, reason)
            if current is not None:
                # a cell defined but not called (a regrade calls only some exercises)
                # has the default budget for its top-level code
                limit = (budgets[current] if phase == "start"
                         else defines.get(current, DEFINE_ALLOWANCE))
                if now - progress.since > limit:
                    kill(proc, group)
                    what = "running the cell" if phase == "define" else "the call"
                    return Attempt(phase, current, f"timeout: {what} took longer than {limit:g} s "
                                                    "(an endless loop, or far too much work?)")
            elif phase == "setup" and now - progress.since > limits.setup_seconds:
                kill(proc, group)
                return Attempt(phase, None, "timeout: the setup cells took too long")
            elif phase == "between" and now - progress.since > (limit := between_allowance(
                    progress, budgets, limits.between_seconds)):
                kill(proc, group)
                return blame(progress, "timeout: its code kept running after the exercise had "
                                        f"ended (for more than {limit:g} s)")
            polls += 1
            wait(POLL_SECONDS)


@contextlib.contextmanager
def _exit_watch(pid: int) -> Iterator[Callable[[float], object]]:
    """A ``sleep(seconds)`` that returns as soon as process ``pid`` ends (through a pidfd,
    on Linux), so the runner learns of a finished run at once rather than at its next
    poll; elsewhere a plain sleep."""
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        yield time.sleep
        return
    try:
        yield lambda seconds: select.select([fd], [], [], seconds)
    finally:
        os.close(fd)


def system_kill(attempt: Attempt, group: cgroups.RunGroup | None) -> str:
    """Why a run killed by SIGKILL was not the student's doing ("" when it may have been).

    Only with a cgroup (v2) can the grader tell: the kernel's OOM killer killed a process
    of the run while the run stayed within its own memory limit (the machine ran out of
    memory, not the run). A student's memory bomb reaches the run's own limit first
    (``oom`` in memory.events) and stays the student's.
    """
    if group is None or attempt.code not in (-signal.SIGKILL, 128 + signal.SIGKILL):
        return ""
    events = group.memory_events()
    if events.get("oom_kill", 0) > 0 and events.get("oom", 0) == 0 and "oom" in events:
        return "the machine ran out of memory (the run stayed within its own limit)"
    return ""


def _death(code: int) -> str:
    if code > 128 and code - 128 in {s.value for s in signal.Signals}:
        code = 128 - code  # bwrap reports a child killed by signal N as 128 + N
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return {
            "SIGKILL": "the process was killed (most often: it ran out of memory)",
            "SIGSEGV": "the process crashed (segmentation fault)",
            "SIGXFSZ": "a file grew over the size limit",
            "SIGABRT": "the process aborted (often: out of memory inside TensorFlow)",
        }.get(name, f"the process died from signal {name}")
    return f"the process ended early with exit code {code} (os._exit, sys.exit or a crash)"
