"""Runs the harness in fresh, confined processes with limits (``watch`` watches each one).

Each exercise has a wall-time budget: when one overruns (or the process dies inside it),
the process is killed and a new one runs the exercises still to do, so one infinite loop
costs its own exercise only. The whole run also has a budget. An exercise whose call uses
another one that did not finish (``train(house_model(), *house_data())``) is not run again.

The harness reports progress through a file in the outbox, which student code (in the same
process) can write to as well: the runner takes only events in the order the harness writes
them, gives every phase a budget (the time between two exercises too), and reads the file
through its own descriptor (``sandbox/watch.py``).

Layout of a run's private folder (``root``)::

    control/   grader-owned, read-only to the sandbox: harness.py, recording.py, legacy.py,
               job-N.json, output.log
    outbox/    the sandbox's records and data files (read back defensively)
    work/      the student's working folder (cwd); tmp/ and .keras/ beside it
"""

from __future__ import annotations

import ast
import json
import math
import os
import secrets
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from autograder.assemble import Program
from autograder.execution import Execution
from autograder.sandbox import cgroups
from autograder.sandbox.datafiles import mounts, place_mounts, write_data
from autograder.sandbox.events import Attempt, Progress
from autograder.sandbox.files import empty, open_progress, read_capped
from autograder.sandbox.isolation import confinement, sandbox_uid
from autograder.sandbox.launch import Limits, launcher, nproc_cap, preexec, sandbox_env
from autograder.sandbox.watch import DEFINE_ALLOWANCE, DISK_KILL, system_kill, watch

#: the sandbox-side files, copied into each run's control folder (harness.py is run)
SANDBOX_FILES = tuple(Path(__file__).with_name(name)
                      for name in ("harness.py", "recording.py", "legacy.py", "compat.py"))



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


def _prepare(root: Path, drop_uid: int | None) -> tuple[Path, Path, Path]:
    control, outbox, work = root / "control", root / "outbox", root / "work"
    for d in (control, outbox, work, root / "tmp", root / ".keras"):
        d.mkdir(parents=True, exist_ok=True)
    root.chmod(0o755)
    control.chmod(0o755)
    for source in SANDBOX_FILES:
        shutil.copyfile(source, control / source.name)
    if drop_uid is not None:
        for d in (outbox, work, root / "tmp", root / ".keras"):
            os.chown(d, drop_uid, drop_uid)
    return control, outbox, work


def execute(program: Program, limits: Limits, root: Path) -> Execution:
    """Run ``program`` in fresh, confined processes under ``limits``, in the folder ``root``.

    Returns the untrusted records the harness left in ``root/outbox`` (to be read by
    ``autograder.outbox``) and what the grader itself observed of the run. Student code
    runs as a uid no concurrent sandbox uses (where the grader may switch users).
    """
    try:
        lease = sandbox_uid()
        uid = lease.__enter__()
    except OSError as exc:  # no uid free: the machine's failure, not the student's
        return Execution(outbox=root / "outbox", records={}, setup_error=None, protections=(),
                         speedups=(), seconds=0.0, restarts=0,
                         system_failure=f"the sandbox could not start: {exc}")
    try:
        return _execute(program, limits, root, uid)
    finally:
        lease.__exit__(None, None, None)


def _execute(program: Program, limits: Limits, root: Path, uid: int | None) -> Execution:
    begun = time.monotonic()
    writable = (root / "outbox", root / "work", root / "tmp", root / ".keras")
    course_data = mounts(program, root / "work")
    confine = confinement(root, writable, root / "work", uid, course_data)
    control, outbox, work = _prepare(root, confine.drop_uid)
    place_mounts(course_data, work, confine.drop_uid, copy=not confine.binds_readonly)
    started = time.monotonic()
    deadline = started + limits.total_seconds
    records: dict[str, dict[str, Any]] = {}
    skip_define: set[str] = set()
    restarts = 0
    setup_error = None
    system_failure = ""  # why the run failed for reasons that are not the student's
    speedups: tuple[str, ...] = ()
    timings: dict[str, float] = {}
    log = control / "output.log"
    budgets = {c.id: c.time_limit for c in program.calls}
    defines = {c.id: c.define_limit or min(c.time_limit, DEFINE_ALLOWANCE)
               for c in program.calls}
    data_files = write_data(program, control)
    timings["prepare"] = time.monotonic() - begun
    uses = _dependencies(program)
    protections = [*confine.protections, "separate process", "wall-time limits",
                   f"memory limit {limits.memory_mb} MB per process", "file size limit"]
    missing = list(confine.missing)
    while True:
        progress = outbox / f"_progress-{restarts}-{secrets.token_hex(8)}.jsonl"
        fd = open_progress(progress, confine.drop_uid)
        tracker = Progress(
            fd,
            [p.exercise for p in program.pieces
             if p.kind == "exercise" and p.exercise and p.exercise not in skip_define],
            [c.id for c in program.calls if c.id not in records])
        job = {
            "seed": program.seed,
            "keras": program.keras,
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
        nproc = nproc_cap(limits, confine.drop_uid)
        prefix = launcher(limits, group, nproc)
        before = None if prefix else preexec(limits, group, nproc)
        launched = time.monotonic()
        try:
            with open(log, "ab") as out:
                proc = subprocess.Popen(
                    [*(prefix or ()), *cmd], cwd=work,
                    env=sandbox_env(root, program.seed, program.keras),
                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                    start_new_session=True, preexec_fn=before,
                )
                attempt = watch(proc, group, tracker, (budgets, defines), deadline, log,
                                 limits, writable)
            outside = system_kill(attempt, group)
            if outside:
                system_failure = system_failure or outside
            elif group is not None and group.oom_killed() and attempt.reason.startswith(
                    "killed"):
                attempt = Attempt(attempt.phase, attempt.exercise,
                                   f"killed: it ran out of memory (limit {limits.memory_mb} MB)")
        finally:
            os.close(fd)
            if group is not None:
                group.kill_all()
        ended = time.monotonic()
        if attempt.reason.startswith(DISK_KILL):  # free the disk before going on
            for folder in writable[1:]:
                empty(folder)
            place_mounts(course_data, work, confine.drop_uid, copy=not confine.binds_readonly)
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
                # no student code had run: the sandbox failed to start, or the machine
                # failed it (the course's setup cells failing report it themselves)
                system_failure = system_failure or (
                    f"the sandbox died before any student code ran ({attempt.reason})")
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
        empty(folder)
    empty(outbox, folders_only=True)  # the harness makes no folders there
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
        unconfined=confine.unconfined,
        system_failure=system_failure,
    )



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
