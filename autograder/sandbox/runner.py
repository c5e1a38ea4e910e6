"""Runs the harness in a fresh process with limits, and watches its progress.

Each exercise has a wall-time budget: when one overruns (or the process dies inside it),
the process is killed and a new one runs the exercises still to do, so one infinite loop
costs its own exercise only. The whole run also has a budget.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from autograder.assemble import Program

HARNESS = Path(__file__).with_name("harness.py")
POLL_SECONDS = 0.05
SETUP_ALLOWANCE = 60.0  # seconds for setup cells (imports) before the first exercise starts


@dataclass(frozen=True)
class Limits:
    """Budgets for one submission's run."""

    total_seconds: float = 600.0
    memory_mb: int = 4096
    max_output_bytes: int = 2_000_000
    max_file_bytes: int = 200_000_000


@dataclass(frozen=True)
class Execution:
    """What the execute stage hands to the check stage: untrusted records, and facts about
    the run itself (which the grader observed, not the sandbox)."""

    outbox: Path
    records: dict[str, dict[str, Any]]
    setup_error: dict[str, Any] | None
    protections: tuple[str, ...]
    speedups: tuple[str, ...]
    seconds: float
    restarts: int
    log_tail: str = field(default="", repr=False)


def _limits_preexec(limits: Limits) -> Any:
    def apply() -> None:
        os.setsid()
        mem = limits.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (mem, mem))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.max_file_bytes,) * 2)
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def _env(workdir: Path, seed: int) -> dict[str, str]:
    env = {
        "PATH": os.path.dirname(sys.executable) + ":/usr/bin:/bin",
        "HOME": str(workdir),
        "TMPDIR": str(workdir / "tmp"),
        "KERAS_HOME": str(workdir / ".keras"),
        "PYTHONHASHSEED": str(seed),
        "PYTHONDONTWRITEBYTECODE": "1",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "MPLBACKEND": "Agg",
        "LANG": "C.UTF-8",
    }
    for name in ("KERAS_BACKEND",):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def _read_events(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    events = []
    for line in lines[-1000:]:
        try:
            item = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(item, dict):
            events.append(item)
    return events


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def _tail(path: Path, limit: int = 4000) -> str:
    try:
        with open(path, "rb") as fh:
            fh.seek(max(0, path.stat().st_size - limit))
            return fh.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def execute(program: Program, limits: Limits, root: Path) -> Execution:
    """Run ``program`` in fresh processes under ``limits``, in the private folder ``root``.

    Returns the untrusted records the harness left in ``root/outbox`` (to be read by
    ``autograder.outbox``) and what the grader itself observed of the run.
    """
    return _execute(program, limits, root)


def _execute(program: Program, limits: Limits, root: Path) -> Execution:
    outbox = root / "outbox"
    work = root / "work"
    for d in (outbox, work, root / "tmp", root / ".keras"):
        d.mkdir(parents=True, exist_ok=True)
    harness = root / "harness.py"
    shutil.copyfile(HARNESS, harness)
    started = time.monotonic()
    deadline = started + limits.total_seconds
    records: dict[str, dict[str, Any]] = {}
    skip_define: set[str] = set()
    restarts = 0
    setup_error = None
    speedups: tuple[str, ...] = ()
    log = root / "output.log"
    budgets = {c.id: c.time_limit for c in program.calls}
    while True:
        progress = root / f"progress-{restarts}.jsonl"
        job = {
            "seed": program.seed,
            "pieces": [asdict(p) for p in program.pieces],
            "calls": [asdict(c) for c in program.calls],
            "outbox": str(outbox),
            "progress": str(progress),
            "skip_define": sorted(skip_define),
            "skip_call": sorted(records),
        }
        job_path = root / f"job-{restarts}.json"
        job_path.write_text(json.dumps(job), encoding="utf-8")
        with open(log, "ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-I", str(harness), str(job_path)],
                cwd=work, env=_env(root, program.seed), stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT, preexec_fn=_limits_preexec(limits),
            )
            verdict = _watch(proc, progress, budgets, deadline, log, limits)
        # collect what finished
        for call in program.calls:
            path = outbox / f"{call.id}.json"
            if call.id not in records and path.is_file():
                records[call.id] = {"file": path.name}
        run_summary = outbox / "_run.json"
        if run_summary.is_file():
            summary = _safe_json(run_summary)
            setup_error = summary.get("setup_error") if isinstance(summary, dict) else None
            speedups = tuple(str(s) for s in (summary.get("speedups") or ())
                             ) if isinstance(summary, dict) else ()
            break
        phase, current, reason = verdict
        if current is None:  # died or ran out of time outside any exercise
            if phase == "setup":
                setup_error = {"type": "SetupFailed", "text": reason, "traceback": ""}
            for call in program.calls:
                records.setdefault(call.id, {"status": "not_run", "reason": reason})
            break
        records[current] = {"status": reason.split(":")[0], "reason": reason}
        if phase == "define":
            skip_define.add(current)
        restarts += 1
        if time.monotonic() >= deadline or restarts > len(program.calls):
            for call in program.calls:
                records.setdefault(call.id, {"status": "not_run",
                                             "reason": "the run's time budget was used up"})
            break
    return Execution(
        outbox=outbox,
        records=records,
        setup_error=setup_error,
        protections=("separate process", "memory limit (RLIMIT_AS)", "file size limit",
                     "wall-time limits", "private working folder"),
        speedups=speedups,
        seconds=round(time.monotonic() - started, 3),
        restarts=restarts,
        log_tail=_tail(log),
    )


def _safe_json(path: Path, limit: int = 1_000_000) -> Any:
    try:
        if path.is_symlink() or path.stat().st_size > limit:
            return None
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _watch(proc: subprocess.Popen[bytes], progress: Path, budgets: dict[str, float],
           deadline: float, log: Path, limits: Limits) -> tuple[str, str | None, str]:
    """Wait for the process; kill it on a budget overrun. Returns (phase, exercise, reason)."""
    phase, current = "setup", None
    phase_started = time.monotonic()
    seen = 0
    while True:
        code = proc.poll()
        events = _read_events(progress)
        for ev in events[seen:]:
            kind = ev.get("event")
            ex = ev.get("exercise")
            if kind in ("define", "start") and isinstance(ex, str) and ex in budgets:
                phase, current, phase_started = kind, ex, time.monotonic()
            elif kind in ("end", "defined", "finished"):
                phase, current, phase_started = "between", None, time.monotonic()
        seen = len(events)
        if code is not None:
            return phase, current, f"killed: {_death(code)}"
        now = time.monotonic()
        if log.stat().st_size > limits.max_output_bytes:
            _kill(proc)
            return phase, current, "killed: printed more than the output limit " \
                                   f"({limits.max_output_bytes // 1000:,} kB)"
        if now > deadline:
            _kill(proc)
            return phase, current, "timeout: the whole run went over its time budget"
        if current is not None:
            limit = budgets[current] if phase == "start" else min(budgets[current], 60.0)
            if now - phase_started > limit:
                _kill(proc)
                what = "defining it" if phase == "define" else "running it"
                return phase, current, f"timeout: {what} took longer than {limit:g} s"
        elif phase == "setup" and now - phase_started > SETUP_ALLOWANCE:
            _kill(proc)
            return phase, None, "timeout: the setup cells took too long"
        time.sleep(POLL_SECONDS)


def _death(code: int) -> str:
    if code < 0:
        sig = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else -code
        if sig == "SIGKILL":
            return "the process was killed (most often: it ran out of memory)"
        if sig == "SIGSEGV":
            return "the process crashed (segmentation fault)"
        if sig == "SIGXFSZ":
            return "a file grew over the size limit"
        return f"the process died from signal {sig}"
    return f"the process ended early with exit code {code} (os._exit, or a crash)"
