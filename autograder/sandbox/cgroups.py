"""Per-run cgroups: a memory cap and a process/thread cap for everything a run starts.

Works with cgroup v2 (one unified tree) and v1 (``memory`` and ``pids`` controllers), when
the grader may create groups (as root, usually). Without them the runner's resource
limits still apply per process, and the result says the cgroup caps were missing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PARENT = "autograder"


@dataclass(frozen=True)
class RunGroup:
    """The cgroup directories of one run (one per controller on v1, one on v2)."""

    dirs: tuple[Path, ...]

    def join(self) -> None:
        """Move the calling process into the group (called in the child before exec)."""
        pid = str(os.getpid()).encode()
        for d in self.dirs:
            fd = os.open(d / "cgroup.procs", os.O_WRONLY)
            try:
                os.write(fd, pid)
            finally:
                os.close(fd)

    def pids(self) -> set[int]:
        """Every process still in the group."""
        found: set[int] = set()
        for d in self.dirs:
            with contextlib.suppress(OSError):
                found.update(int(x) for x in (d / "cgroup.procs").read_text().split())
        return found

    def kill_all(self) -> None:
        """SIGKILL everything in the group (a fork bomb included), then remove the group."""
        for _ in range(50):
            left = self.pids()
            if not left:
                break
            for pid in left:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            time.sleep(0.02)
        for d in self.dirs:
            with contextlib.suppress(OSError):
                d.rmdir()

    def memory_events(self) -> dict[str, int]:
        """The counters of memory.events (cgroup v2), summed over the run's groups."""
        out: dict[str, int] = {}
        for d in self.dirs:
            with contextlib.suppress(OSError, ValueError):
                for line in (d / "memory.events").read_text().splitlines():
                    k, _, v = line.partition(" ")
                    out[k] = out.get(k, 0) + int(v)
        return out

    def oom_killed(self) -> bool:
        """True when the kernel killed something in the group for lack of memory."""
        for d in self.dirs:
            for name, key in (("memory.events", "oom_kill"), ("memory.oom_control", "oom_kill")):
                with contextlib.suppress(OSError, ValueError):
                    for line in (d / name).read_text().splitlines():
                        k, _, v = line.partition(" ")
                        if k == key and int(v) > 0:
                            return True
        return False


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def create(memory_mb: int, max_pids: int) -> RunGroup | None:
    """A new group capping memory and process count, or None where that is not allowed."""
    name = f"run-{uuid.uuid4().hex[:12]}"
    try:
        if (ROOT / "cgroup.controllers").is_file():  # v2
            parent = ROOT / PARENT
            parent.mkdir(exist_ok=True)
            with contextlib.suppress(OSError):
                _write(ROOT / "cgroup.subtree_control", "+memory +pids")
                _write(parent / "cgroup.subtree_control", "+memory +pids")
            d = parent / name
            d.mkdir()
            _write(d / "memory.max", str(memory_mb * 2**20))
            with contextlib.suppress(OSError):
                _write(d / "memory.swap.max", "0")
            _write(d / "pids.max", str(max_pids))
            return RunGroup((d,))
    except OSError:
        return None
    mem, pids = ROOT / "memory" / PARENT / name, ROOT / "pids" / PARENT / name
    if not (ROOT / "memory").is_dir() or not (ROOT / "pids").is_dir():
        return None
    group = RunGroup((mem, pids))
    try:
        mem.mkdir(parents=True)
        pids.mkdir(parents=True)
        _write(mem / "memory.limit_in_bytes", str(memory_mb * 2**20))
        with contextlib.suppress(OSError):
            _write(mem / "memory.memsw.limit_in_bytes", str(memory_mb * 2**20))
        _write(pids / "pids.max", str(max_pids))
    except OSError:
        group.kill_all()  # removes whatever was created
        return None
    return group
