"""How the sandbox process is confined, and an honest list of the protections in force.

Best available, in order:
- **bubblewrap** (``bwrap``): a private view of the filesystem holding only the system's
  read-only libraries, Python, the virtual environment and the run's own folder (so
  solutions/, the reference facts, reports and other students' files do not exist for
  the student), no network, own PID namespace (a fork bomb dies with it);
- as root: the student's process runs as ``nobody`` (uid 65534) with no capabilities;
- ``unshare --net`` for the network where bubblewrap is missing;
- always: resource limits (memory, file size, no core dumps) set by the runner, and
  cgroups (memory and process count for the whole run) where the grader may create them.

Every fallback is reported in the result, so a grade says what protected it.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NOBODY = 65534
#: the uids concurrent sandboxes run as, one each: RLIMIT_NPROC counts per uid, and a
#: process may signal only processes of its own uid
SANDBOX_UIDS = range(2_000_000, 2_000_256)
SHM_BYTES = 64 * 2**20  # the run's own /dev/shm (semaphores need a few bytes)
TMP_BYTES = 1024 * 2**20  # the private /tmp: a tmpfs, counted in the run's memory


#: How to get the essential protections, said when they are missing.
HOW_TO_CONFINE = ("install bubblewrap ('apt-get install bubblewrap') and run the grader as "
                  "root, or as a user where unprivileged user namespaces are allowed "
                  "('sysctl kernel.unprivileged_userns_clone=1')")


@dataclass(frozen=True)
class Confinement:
    """A command prefix that confines what follows it, and what it protects against.

    ``unconfined`` is true when an essential protection is missing (see ``essentials_missing``):
    student code could then reach the grader's files, other runs or the network.
    """

    prefix: tuple[str, ...]
    protections: tuple[str, ...]
    missing: tuple[str, ...]
    drop_uid: int | None  # the uid the student's code runs as, when the grader drops to it
    unconfined: bool = False
    binds_readonly: bool = False  # the course's data files are bound read-only (bubblewrap)


def _works(cmd: list[str]) -> bool:
    try:
        return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10).returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False


@functools.lru_cache(maxsize=1)
def available() -> frozenset[str]:
    """What this machine lets the grader use (probed once per process)."""
    found = set()
    if shutil.which("bwrap") and _works(["bwrap", "--ro-bind", "/", "/", "--unshare-net",
                                         "--unshare-pid", "--die-with-parent", "--perms",
                                         "1777", "--size", "4096", "--tmpfs", "/dev/shm",
                                         "true"]):
        found.add("bwrap")
    if os.geteuid() == 0 and shutil.which("setpriv"):
        found.add("setpriv")
    if shutil.which("unshare"):
        if os.geteuid() == 0 and _works(["unshare", "--net", "true"]):
            found.add("unshare-net")
        elif _works(["unshare", "--user", "--map-root-user", "--net", "true"]):
            found.add("unshare-user-net")
    return frozenset(found)


def essentials_missing() -> tuple[str, ...]:
    """The protections without which untrusted code must not run here, that this machine
    cannot give: a private filesystem view with its own process and network namespaces
    (bubblewrap), and, for a grader running as root, dropping root."""
    have = available()
    missing = []
    if "bwrap" not in have:
        missing.append("a private filesystem view with its own process and network "
                       "namespaces (bubblewrap is missing or cannot run here)")
    if os.geteuid() == 0 and "setpriv" not in have:
        missing.append("dropping root for student code (util-linux setpriv is missing)")
    return tuple(missing)


def _ancestors(path: Path) -> list[Path]:
    return [p for p in reversed(path.parents) if p != Path("/")]


def _bwrap_args(run_root: Path, writable: tuple[Path, ...],
                readonly_binds: tuple[tuple[Path, Path], ...] = ()) -> list[str]:
    """A bwrap command line with a minimal, mostly read-only view of the filesystem;
    ``readonly_binds`` (source, place) show the course's data files read-only."""
    args = ["bwrap", "--unshare-net", "--unshare-pid", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try", "--die-with-parent", "--new-session",
            "--dev", "/dev", "--proc", "/proc",
            # /tmp: private, writable by the student's uid, bounded (older notebooks unzip
            # their images to a fixed /tmp/horse-or-human or /tmp/happy-or-sad)
            "--perms", "1777", "--size", str(TMP_BYTES), "--tmpfs", "/tmp",
            # POSIX semaphores (multiprocessing's ThreadPool, used by Keras'
            # flow_from_directory) live in /dev/shm: writable, small, private to the run
            "--perms", "1777", "--size", str(SHM_BYTES), "--tmpfs", "/dev/shm"]
    for name in ("bin", "lib", "lib64", "lib32", "sbin"):
        p = Path("/") / name
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            args += ["--ro-bind", str(p), str(p)]
    readonly = [Path("/usr"), Path("/etc"), Path(sys.base_prefix), Path(sys.prefix)]
    cpu = Path("/sys/devices/system/cpu")
    if cpu.is_dir():
        readonly.append(cpu)
    made: set[Path] = {Path("/tmp"), Path("/dev"), Path("/proc")}
    for path in [*readonly, run_root]:
        for parent in _ancestors(path):
            if parent not in made and not any(parent == r or parent.is_relative_to(r)
                                               for r in readonly if r != path):
                args += ["--perms", "0755", "--dir", str(parent)]
                made.add(parent)
    seen: set[Path] = set()
    for path in readonly:
        if path.exists() and path not in seen:
            args += ["--ro-bind", str(path), str(path)]
            seen.add(path)
    args += ["--ro-bind", str(run_root), str(run_root)]
    for path in writable:
        args += ["--bind", str(path), str(path)]
    for source, place in readonly_binds:  # after the writable binds: on top of them
        args += ["--ro-bind", str(source), str(place)]
    return args


def _lease_folder() -> Path:
    """The grader's own folder of uid locks (private to the grader's user); one place for
    every grader on the machine, whatever its TMPDIR, since leases exclude each other."""
    folder = Path("/tmp") / f"autograder-uids-{os.geteuid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    st = os.lstat(folder)
    if st.st_uid != os.geteuid() or folder.is_symlink() or st.st_mode & 0o077:
        raise OSError(f"{folder} is not the grader's own private folder")
    return folder


@contextlib.contextmanager
def sandbox_uid() -> Iterator[int | None]:
    """A uid of SANDBOX_UIDS no other sandbox on this machine uses while the block runs
    (an exclusive lock on a file per uid, released when the block ends or the grader dies);
    None where the grader cannot switch users (not root, or no setpriv).

    Raises OSError when all of them are in use.
    """
    if "setpriv" not in available():
        yield None
        return
    folder = _lease_folder()
    uids = list(SANDBOX_UIDS)
    start = random.randrange(len(uids))
    for uid in uids[start:] + uids[:start]:
        fd = os.open(folder / str(uid), os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        try:
            end_leftovers(uid)  # of an earlier run that had this uid: not this run's
            yield uid
        finally:
            os.close(fd)  # releases the lock
        return
    raise OSError(f"all {len(uids)} sandbox uids are in use")


def end_leftovers(uid: int) -> None:
    """Kill every process still running as ``uid`` (the lease holder's own, from before)."""
    import signal

    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, StopIteration):
            status = Path(entry.path, "status").read_text()
            line = next(x for x in status.splitlines() if x.startswith("Uid:"))
            if int(line.split()[1]) == uid:
                os.kill(int(entry.name), signal.SIGKILL)


def confinement(run_root: Path, writable: tuple[Path, ...], workdir: Path,
                uid: int | None = None,
                readonly_binds: tuple[tuple[Path, Path], ...] = ()) -> Confinement:
    """The best confinement this machine offers for a run in ``run_root``; student code
    runs as ``uid`` where the grader can switch users (``nobody`` when None). With
    bubblewrap, each of ``readonly_binds`` (source, place) is bound read-only at its place
    (without it, the caller copies them: ``binds_readonly`` is False)."""
    have = available()
    prefix: list[str] = []
    protections: list[str] = []
    missing: list[str] = []
    if "bwrap" in have:
        prefix += [*_bwrap_args(run_root, writable, readonly_binds), "--chdir", str(workdir)]
        protections += ["private filesystem view (course files, references and reports "
                        "invisible)", "no network", "own process namespace"]
    elif "unshare-net" in have:
        prefix += ["unshare", "--net", "--"]
        protections.append("no network")
        missing.append("private filesystem view (install bubblewrap)")
    elif "unshare-user-net" in have:
        prefix += ["unshare", "--user", "--map-root-user", "--net", "--"]
        protections.append("no network")
        missing.append("private filesystem view (install bubblewrap)")
    else:
        missing += ["network isolation", "private filesystem view (install bubblewrap)"]
    drop = None
    if "setpriv" in have:
        drop = NOBODY if uid is None else uid
        prefix += ["setpriv", f"--reuid={drop}", f"--regid={drop}", "--clear-groups",
                   "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]
        protections.append("unprivileged user (nobody)" if uid is None else
                           "unprivileged user of its own (one uid per concurrent sandbox)")
    elif os.geteuid() == 0:
        missing.append("dropping root (setpriv not found)")
    return Confinement(tuple(prefix), tuple(protections), tuple(missing), drop,
                       unconfined=bool(essentials_missing()), binds_readonly="bwrap" in have)
