"""How the runner starts a sandbox process: its limits, cgroups, environment.

The process starts in its own session, inside its cgroup, under resource limits, with an
environment that points every writable location into the run's own folder.
"""

from __future__ import annotations

import contextlib
import os
import resource
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from autograder.sandbox import cgroups


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
    setup_seconds: float = 90.0  # the setup cells (imports, data) before any exercise
    #: from an exercise's end to the next event; None: at most 15 s and the exercise's budget
    between_seconds: float | None = None



def user_processes(uid: int) -> int:
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


def nproc_cap(limits: Limits, drop_uid: int | None) -> int | None:
    """RLIMIT_NPROC for the student's uid: its current count plus the run's allowance.

    Root ignores the limit, so it only applies once the run has dropped to ``nobody``,
    or when the grader itself is not root.
    """
    uid = drop_uid if drop_uid is not None else os.getuid()
    if uid == 0:
        return None
    return user_processes(uid) + limits.max_processes


#: joins the cgroups named before "--", then runs what follows (as the same process)
JOIN_CGROUPS = ('while [ "$1" != -- ]; do echo $$ > "$1" || exit 125; shift; done; '
                'shift; exec "$@"')


def launcher(limits: Limits, group: cgroups.RunGroup | None,
              nproc: int | None) -> list[str] | None:
    """A command prefix that puts the run in its cgroup and sets its resource limits before
    it execs the confinement; the process starts in its own session.

    Python's ``preexec_fn`` would do the same, but it makes the grader fork itself, which
    copies its page tables (TensorFlow, datasets, models: tens of milliseconds per run);
    without it, subprocess uses vfork. None where ``sh`` or util-linux's ``prlimit`` is
    missing (then ``preexec`` does it).
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


def preexec(limits: Limits, group: cgroups.RunGroup | None,
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


def sandbox_env(root: Path, seed: int, keras: int = 3) -> dict[str, str]:
    """The sandbox's environment; under Keras 2, ``tf.keras`` is tf_keras."""
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
    if keras == 2:
        env["TF_USE_LEGACY_KERAS"] = "1"
    return env
