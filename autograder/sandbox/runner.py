"""Runs the harness in fresh, confined processes with limits, and watches its progress.

Each exercise has a wall-time budget: when one overruns (or the process dies inside it),
the process is killed and a new one runs the exercises still to do, so one infinite loop
costs its own exercise only. The whole run also has a budget. An exercise whose call uses
another one that did not finish (``train(house_model(), *house_data())``) is not run again.

The harness reports progress through a file in the outbox, which student code (in the same
process) can write to as well: the runner takes only events in the order the harness writes
them, gives every phase a budget (the time between two exercises too), and reads the file
through its own descriptor.

Layout of a run's private folder (``root``)::

    control/   grader-owned, read-only to the sandbox: harness.py, job-N.json, output.log
    outbox/    the sandbox's records and data files (read back defensively)
    work/      the student's working folder (cwd); tmp/ and .keras/ beside it
"""

from __future__ import annotations

import ast
import contextlib
import json
import math
import os
import resource
import secrets
import select
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from autograder.assemble import Program
from autograder.execution import Execution
from autograder.sandbox import cgroups
from autograder.sandbox.harness import RESTART_EXIT
from autograder.sandbox.isolation import confinement

HARNESS = Path(__file__).with_name("harness.py")
POLL_SECONDS = 0.05
SETUP_ALLOWANCE = 90.0  # seconds for the setup cells (imports, data) before any exercise
DEFINE_ALLOWANCE = 60.0  # seconds at most to run one exercise cell's top-level code
BETWEEN_ALLOWANCE = 15.0  # seconds from an exercise's end to the next event (none is slow)
MAX_PROGRESS_BYTES = 65_536  # read per poll
DISK_POLLS = 10  # check the run's disk use every this many polls
DISK_KILL = "killed: it wrote more than"


@dataclass(frozen=True)
class Limits:
    """Budgets for one submission's run."""

    total_seconds: float = 600.0
    memory_mb: int = 4096
    max_output_bytes: int = 2_000_000
    max_file_bytes: int = 200_000_000
    max_processes: int = 512  # processes and threads together, where cgroups allow
    max_disk_bytes: int = 1_000_000_000  # all files the run writes, together
    max_disk_files: int = 10_000


@dataclass(frozen=True)
class _Attempt:
    phase: str  # setup, define, start, between
    exercise: str | None
    reason: str  # "" when the harness finished
    restart: bool = False  # the harness asked for a fresh process for the exercises left


class _Progress:
    """The harness's progress as the runner believes it.

    Student code runs in the harness's process and may append to the progress file too,
    so an event counts only when it is the next one the harness itself would write:
    ``define`` for each exercise cell it runs, ``defined``, ``start``/``end`` for each call,
    then ``finished``. A forger can at most move on to the next phase, which has its own
    budget; a forged ``finished`` is never believed before the harness's own.
    """

    def __init__(self, fd: int, defines: list[str], calls: list[str]) -> None:
        self.fd = fd
        self.offset = 0
        self.partial = b""
        self.expected: list[tuple[str, str | None]] = [
            *(("define", ex) for ex in defines), ("defined", None),
            *((kind, ex) for ex in calls for kind in ("start", "end")), ("finished", None)]
        self.position = 0
        self.phase = "setup"  # setup, define, start, between
        self.exercise: str | None = None
        self.last: tuple[str, str] | None = None  # the last define/start: who ran last
        self.setup_failed = False
        self.since = time.monotonic()

    @property
    def finished(self) -> bool:
        return self.position == len(self.expected)

    def poll(self) -> None:
        """Take the new, well-ordered events from the file."""
        with contextlib.suppress(OSError):
            size = os.fstat(self.fd).st_size
            if size < self.offset:  # truncated behind our back: read it again
                self.offset, self.partial = 0, b""
            if size == self.offset:
                return
            chunk = os.pread(self.fd, MAX_PROGRESS_BYTES, self.offset)
            self.offset += len(chunk)
            lines = (self.partial + chunk).split(b"\n")
            self.partial = lines.pop()[-MAX_PROGRESS_BYTES:]
            for line in lines:
                self._take(line)

    def _take(self, line: bytes) -> None:
        if self.finished:
            return
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            return
        if not isinstance(item, dict):
            return
        event = (item.get("event"), item.get("exercise"))
        if event == ("finished", None) and self.position == 0:
            # the setup cells failed: the harness stops before any student code ran
            self.position = len(self.expected)
            self.setup_failed = True
            return
        if event != self.expected[self.position]:
            return
        self.position += 1
        kind, ex = event
        self.since = time.monotonic()
        if kind in ("define", "start") and isinstance(ex, str):
            self.phase, self.exercise = str(kind), ex
            self.last = (str(kind), ex)
        else:
            self.phase, self.exercise = "between", None


def _user_processes(uid: int) -> int:
    """How many processes (threads included) ``uid`` runs now: RLIMIT_NPROC counts them all."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError):
                status = Path(entry.path, "status").read_text()
                uid_line = next(x for x in status.splitlines() if x.startswith("Uid:"))
                if int(uid_line.split()[1]) == uid:
                    threads = next(x for x in status.splitlines() if x.startswith("Threads:"))
                    count += int(threads.split()[1])
    return count


def _nproc_cap(limits: Limits, drop_uid: int | None) -> int | None:
    """RLIMIT_NPROC for the student's uid: its current count plus the run's allowance.

    Root ignores the limit, so it only applies once the run has dropped to ``nobody``,
    or when the grader itself is not root.
    """
    uid = drop_uid if drop_uid is not None else os.getuid()
    if uid == 0:
        return None
    return _user_processes(uid) + limits.max_processes


#: joins the cgroups named before "--", then runs what follows (as the same process)
JOIN_CGROUPS = ('while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; '
                'shift; exec "$@"')


def _launcher(limits: Limits, group: cgroups.RunGroup | None,
              nproc: int | None) -> list[str] | None:
    """A command prefix that puts the run in its cgroup and sets its resource limits before
    it execs the confinement; the process starts in its own session.

    Python's ``preexec_fn`` would do the same, but it makes the grader fork itself, which
    copies its page tables (TensorFlow, datasets, models: tens of milliseconds per run);
    without it, subprocess uses vfork. None where ``sh`` or util-linux's ``prlimit`` is
    missing (then ``_preexec`` does it).
    """
    prlimit = shutil.which("prlimit")
    if prlimit is None or not os.access("/bin/sh", os.X_OK):
        return None
    join = [] if group is None else [
        "/bin/sh", "-c", JOIN_CGROUPS, "sh", *(str(d / "cgroup.procs") for d in group.dirs),
        "--"]
    mem, size = limits.memory_mb * 2**20, limits.max_file_bytes
    caps = [f"--as={mem}:{mem}", f"--fsize={size}:{size}", "--core=0:0"]
    if nproc is not None:
        caps.append(f"--nproc={nproc}:{nproc}")
    return [*join, prlimit, *caps, "--"]


def _preexec(limits: Limits, group: cgroups.RunGroup | None,
             nproc: int | None) -> Callable[[], None]:
    def apply() -> None:
        if group is not None:
            group.join()
        mem = limits.memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_file_bytes,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if nproc is not None:
            resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))

    return apply


def _env(root: Path, seed: int) -> dict[str, str]:
    env = {
        "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
        "HOME": str(root / "work"),
        "TMPDIR": str(root / "tmp"),
        "KERAS_HOME": str(root / ".keras"),
        "PYTHONHASHSEED": str(seed),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "MPLBACKEND": "Agg",
        "LANG": "C.UTF-8",
    }
    if "KERAS_BACKEND" in os.environ:
        env["KERAS_BACKEND"] = os.environ["KERAS_BACKEND"]
    return env


def read_capped(path: Path, limit: int) -> str:
    """The last ``limit`` bytes of a file the sandbox may have tampered with (no symlinks)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ""
    try:
        import stat

        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return ""
        os.lseek(fd, max(0, info.st_size - limit), os.SEEK_SET)
        return os.read(fd, limit).decode("utf-8", errors="replace")
    finally:
        os.close(fd)


def _open_progress(path: Path, drop_uid: int | None) -> int:
    """A new progress file the harness appends to; the runner reads it by this descriptor.

    Its name is random, so an earlier attempt cannot have put anything there (a file with
    forged events, a symlink, a FIFO).
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    if drop_uid is not None:
        os.fchown(fd, drop_uid, drop_uid)
    return fd


def _disk_use(folders: tuple[Path, ...], max_files: int) -> tuple[int, int]:
    """Bytes stored and entries in ``folders`` (symlinks not followed; stops past max_files)."""
    used = entries = 0
    todo = [str(f) for f in folders]
    while todo and entries <= max_files:
        with contextlib.suppress(OSError), os.scandir(todo.pop()) as it:
            for entry in it:
                entries += 1
                with contextlib.suppress(OSError):
                    info = entry.stat(follow_symlinks=False)
                    used += info.st_blocks * 512
                    if stat.S_ISDIR(info.st_mode):
                        todo.append(entry.path)
                if entries > max_files:
                    break
    return used, entries


def _empty(folder: Path, folders_only: bool = False) -> None:
    """Remove what the sandbox left in one of its folders (symlinks are not followed).

    Without recursion or long paths: the sandbox may nest folders thousands deep, which
    shutil.rmtree (recursive, in TemporaryDirectory's cleanup too) cannot remove. Each
    sub-folder's own sub-folders are moved up into ``folder`` until none is left.
    """
    moved = 0
    changed = True
    while changed:  # each round removes or flattens every folder it can
        changed = False
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            return
        for entry in entries:
            with contextlib.suppress(OSError):
                if not entry.is_dir(follow_symlinks=False):
                    if not folders_only:
                        os.unlink(entry.path)
                    continue
                with contextlib.suppress(OSError):
                    os.chmod(entry.path, 0o700)  # in case the sandbox locked it
                with os.scandir(entry.path) as it:
                    children = list(it)
                for child in children:
                    if child.is_dir(follow_symlinks=False):
                        moved += 1
                        os.rename(child.path, folder / f".flattened-{moved}-{child.name[:50]}")
                    else:
                        os.unlink(child.path)
                    changed = True
                os.rmdir(entry.path)  # fails while it still holds a folder: next round
                changed = True


def _dependencies(program: Program) -> dict[str, set[str]]:
    """For each exercise, the other exercises its call expression uses."""
    uses: dict[str, set[str]] = {}
    for call in program.calls:
        try:
            names = {n.id for n in ast.walk(ast.parse(call.call, mode="eval"))
                     if isinstance(n, ast.Name)}
        except SyntaxError:
            names = set()
        uses[call.id] = {other.id for other in program.calls
                         if other.id != call.id and names & set(other.names)}
    return uses


def _kill(proc: subprocess.Popen[bytes], group: cgroups.RunGroup | None) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    if group is not None:
        group.kill_all()


def _prepare(root: Path, drop_uid: int | None) -> tuple[Path, Path, Path]:
    control, outbox, work = root / "control", root / "outbox", root / "work"
    for d in (control, outbox, work, root / "tmp", root / ".keras"):
        d.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    control.chmod(0o755)
    shutil.copyfile(HARNESS, control / "harness.py")
    if drop_uid is not None:
        for d in (outbox, work, root / "tmp", root / ".keras"):
            os.chown(d, drop_uid, drop_uid)
    return control, outbox, work


def execute(program: Program, limits: Limits, root: Path) -> Execution:
    """Run ``program`` in fresh, confined processes under ``limits``, in the folder ``root``.

    Returns the untrusted records the harness left in ``root/outbox`` (to be read by
    ``autograder.outbox``) and what the grader itself observed of the run.
    """
    begun = time.monotonic()
    writable = (root / "outbox", root / "work", root / "tmp", root / ".keras")
    confine = confinement(root, writable, root / "work")
    control, outbox, work = _prepare(root, confine.drop_uid)
    started = time.monotonic()
    deadline = started + limits.total_seconds
    records: dict[str, dict[str, Any]] = {}
    skip_define: set[str] = set()
    restarts = 0
    setup_error = None
    speedups: tuple[str, ...] = ()
    timings: dict[str, float] = {}
    log = control / "output.log"
    budgets = {c.id: c.time_limit for c in program.calls}
    data_files = write_data(program, control)
    timings["prepare"] = time.monotonic() - begun
    uses = _dependencies(program)
    protections = [*confine.protections, "separate process", "wall-time limits",
                   f"memory limit {limits.memory_mb} MB per process", "file size limit"]
    missing = list(confine.missing)
    while True:
        progress = outbox / f"_progress-{restarts}-{secrets.token_hex(8)}.jsonl"
        fd = _open_progress(progress, confine.drop_uid)
        tracker = _Progress(
            fd,
            [p.exercise for p in program.pieces
             if p.kind == "exercise" and p.exercise and p.exercise not in skip_define],
            [c.id for c in program.calls if c.id not in records])
        job = {
            "seed": program.seed,
            "data": data_files,
            "pieces": [asdict(p) for p in program.pieces],
            "calls": [asdict(c) for c in program.calls],
            "outbox": str(outbox),
            "progress": str(progress),
            "skip_define": sorted(skip_define),
            "skip_call": sorted(records),
            "own_pid_namespace": "--unshare-pid" in confine.prefix,
        }
        job_path = control / f"job-{restarts}.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        group = cgroups.create(limits.memory_mb, limits.max_processes)
        if restarts == 0:
            if group is not None:
                protections.append(f"cgroup caps: {limits.memory_mb} MB and "
                                   f"{limits.max_processes} processes for the whole run")
            else:
                missing.append("cgroup caps on total memory and processes")
        cmd = [*confine.prefix, sys.executable, "-I", str(control / "harness.py"),
               str(job_path)]
        nproc = _nproc_cap(limits, confine.drop_uid)
        launcher = _launcher(limits, group, nproc)
        preexec = None if launcher else _preexec(limits, group, nproc)
        launched = time.monotonic()
        try:
            with open(log, "ab") as out:
                proc = subprocess.Popen(
                    [*(launcher or ()), *cmd], cwd=work, env=_env(root, program.seed),
                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True, preexec_fn=preexec,
                )
                attempt = _watch(proc, group, tracker, budgets, deadline, log, limits,
                                 writable)
            if group is not None and group.oom_killed() and attempt.reason.startswith("killed"):
                attempt = _Attempt(attempt.phase, attempt.exercise,
                                   f"killed: it ran out of memory (limit {limits.memory_mb} MB)")
        finally:
            os.close(fd)
            if group is not None:
                group.kill_all()
        ended = time.monotonic()
        if attempt.reason.startswith(DISK_KILL):  # free the disk before going on
            for folder in writable[1:]:
                _empty(folder)
        for call in program.calls:
            if call.id not in records and (outbox / f"{call.id}.json").is_file():
                records[call.id] = {"file": f"{call.id}.json"}
        if attempt.restart:  # an exercise left threads or processes behind: start afresh
            pass
        elif not attempt.reason:  # the harness finished its job
            summary = _summary(outbox)
            # only before any student code ran can the summary report a setup error
            setup_error = summary.get("setup_error") if tracker.setup_failed else None
            speedups = tuple(str(s) for s in summary.get("speedups") or ())
            timings.update(_stages(summary, launched, ended))
            break
        elif attempt.exercise is None:  # died or ran out of time outside any exercise
            if attempt.phase == "setup":
                setup_error = {"type": "SetupFailed", "text": attempt.reason, "traceback": ""}
            for call in program.calls:
                records.setdefault(call.id, {"status": "not_run", "reason": attempt.reason})
            break
        else:
            records[attempt.exercise] = {"status": attempt.reason.split(":")[0],
                                         "reason": attempt.reason}
            if attempt.phase == "define":
                skip_define.add(attempt.exercise)
            for call in program.calls:  # running them again would hang or crash again
                if call.id not in records and attempt.exercise in uses[call.id]:
                    records[call.id] = {"status": "not_run", "reason": (
                        f"not run: it is called as {call.call}, and {attempt.exercise} did "
                        f"not finish ({attempt.reason})")}
        if all(c.id in records for c in program.calls):
            break
        restarts += 1
        if time.monotonic() >= deadline or restarts > len(program.calls):
            for call in program.calls:
                records.setdefault(call.id, {"status": "timeout", "reason":
                                             "timeout: the run's time budget was used up"})
            break
    cleanup = time.monotonic()
    for folder in writable[1:]:  # nothing reads these again; the outbox keeps its files
        _empty(folder)
    _empty(outbox, folders_only=True)  # the harness makes no folders there
    timings["cleanup"] = time.monotonic() - cleanup
    return Execution(
        outbox=outbox,
        records=records,
        setup_error=setup_error if isinstance(setup_error, dict) else None,
        protections=tuple(protections),
        missing_protections=tuple(missing),
        speedups=speedups,
        seconds=round(time.monotonic() - started, 3),
        restarts=restarts,
        log_tail=read_capped(log, 4000),
        timings={k: round(v, 4) for k, v in timings.items()},
    )


def write_data(program: Program, control: Path) -> list[dict[str, Any]]:
    """Write the data the program is given into the grader-owned (read-only) folder:
    arrays as ``.npy``, image files (a folder per class, or a list), constants as is."""
    if not program.data:
        return []
    import numpy as np

    from autograder.datasets import load, write_files

    folder = control / "data"
    folder.mkdir(exist_ok=True)
    files: list[dict[str, Any]] = []
    for item in program.data:
        if item.part == "value":
            files.append({"name": item.name, "value": item.value})
            continue
        if item.part in ("folder", "files"):
            files.append({"name": item.name, **write_files(
                item.dataset, item.split, item.limit, item.part, folder / item.name)})
            continue
        images, labels = load(item.dataset, item.split, item.limit)
        path = folder / f"{item.name}.npy"
        np.save(path, images if item.part == "images" else labels, allow_pickle=False)
        files.append({"name": item.name, "file": str(path)})
    return files


HARNESS_STAGES = ("data", "setup", "define", "calls", "save")


def _stages(summary: dict[str, Any], launched: float, ended: float) -> dict[str, float]:
    """Where the finished attempt's time went, by the harness's account: ``start`` (the
    process, Python and the harness starting), its ``HARNESS_STAGES``, and ``exit`` (from
    the harness's end until the runner saw the process gone).

    Student code could have rewritten these figures, so they are only kept when they are
    consistent with the runner's own clock; they inform profiles and never a score.
    """
    raw = summary.get("timings")
    if not isinstance(raw, dict):
        return {}
    numbers = {k: v for k, v in raw.items() if isinstance(v, (int, float))
               and not isinstance(v, bool) and math.isfinite(v)}
    begun, done = numbers.get("started"), numbers.get("finished")
    if begun is None or done is None or not launched <= begun <= done <= ended:
        return {}
    stages = {"start": begun - launched, "exit": ended - done}
    for key in HARNESS_STAGES:
        value = numbers.get(key)
        if value is None or not 0 <= value <= done - begun:
            return {}
        stages[key] = value
    return stages


def _summary(outbox: Path) -> dict[str, Any]:
    try:
        data = json.loads(read_capped(outbox / "_run.json", 1_000_000) or "{}")
    except (ValueError, RecursionError):  # the sandbox may have written anything there
        return {}
    return data if isinstance(data, dict) else {}


def _watch(proc: subprocess.Popen[bytes], group: cgroups.RunGroup | None,
           progress: _Progress, budgets: dict[str, float], deadline: float, log: Path,
           limits: Limits, writable: tuple[Path, ...]) -> _Attempt:
    """Wait for the process; kill it on a budget overrun."""
    log_start = log.stat().st_size  # the log is shared by every attempt of the run
    disk_start = _disk_use(writable, limits.max_disk_files)  # and so are the folders
    with _exit_watch(proc.pid) as wait:
        polls = 0
        while True:
            code = proc.poll()
            progress.poll()
            phase, current = progress.phase, progress.exercise
            if code is not None:
                if progress.finished and code == 0:
                    return _Attempt(phase, current, "")
                if (code == RESTART_EXIT and phase == "between" and progress.last is not None
                        and progress.last[0] == "start"):
                    return _Attempt(phase, current, "", restart=True)
                return _blame(progress, f"killed: {_death(code)}")
            now = time.monotonic()
            reason = ""
            if log.stat().st_size - log_start > limits.max_output_bytes:
                reason = ("killed: it printed more than the output limit "
                          f"({limits.max_output_bytes // 1000:,} kB)")
            elif now > deadline:
                reason = "timeout: the whole run went over its time budget"
            elif polls % DISK_POLLS == 0:
                used, files = _disk_use(writable, limits.max_disk_files)
                if used - disk_start[0] > limits.max_disk_bytes:
                    reason = (f"{DISK_KILL} the disk limit "
                              f"({limits.max_disk_bytes // 1_000_000:,} MB in all)")
                elif files - disk_start[1] > limits.max_disk_files:
                    reason = (f"{DISK_KILL} {limits.max_disk_files:,} files and folders")
            if reason:
                _kill(proc, group)
                return _blame(progress, reason)
            if current is not None:
                limit = budgets[current] if phase == "start" else min(budgets[current],
                                                                      DEFINE_ALLOWANCE)
                if now - progress.since > limit:
                    _kill(proc, group)
                    what = "running the cell" if phase == "define" else "the call"
                    return _Attempt(phase, current, f"timeout: {what} took longer than {limit:g} s "
                                                    "(an endless loop, or far too much work?)")
            elif phase == "setup" and now - progress.since > SETUP_ALLOWANCE:
                _kill(proc, group)
                return _Attempt(phase, None, "timeout: the setup cells took too long")
            elif phase == "between" and now - progress.since > (limit := _between(progress,
                                                                                  budgets)):
                _kill(proc, group)
                return _blame(progress, "timeout: its code kept running after the exercise had "
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


def _between(progress: _Progress, budgets: dict[str, float]) -> float:
    """Seconds allowed between two events (the harness needs none): at most the budget of
    the exercise that ran last, since its code is what would still be running."""
    last = progress.last[1] if progress.last is not None else ""
    return min(BETWEEN_ALLOWANCE, budgets.get(last, BETWEEN_ALLOWANCE))


def _blame(progress: _Progress, reason: str) -> _Attempt:
    """The attempt ended in ``reason``; between two exercises, the last one that ran is
    blamed (its code, a thread or process it started, is what is still running)."""
    if progress.phase == "between" and progress.last is not None and not progress.finished:
        return _Attempt(*progress.last, reason)
    return _Attempt(progress.phase, progress.exercise, reason)


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
