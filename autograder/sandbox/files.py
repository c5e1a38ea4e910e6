"""Files the sandbox can reach, handled defensively by the grader: read capped, never
following symlinks; counted; emptied without recursion."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path


def read_capped(path: Path, limit: int) -> str:
    """The last ``limit`` bytes of a file the sandbox may have tampered with (no symlinks)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return ""
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return ""
        os.lseek(fd, max(0, info.st_size - limit), os.SEEK_SET)
        return os.read(fd, limit).decode("utf-8", errors="replace")
    finally:
        os.close(fd)


def open_progress(path: Path, drop_uid: int | None) -> int:
    """A new progress file the harness appends to; the runner reads it by this descriptor.

    Its name is random, so an earlier attempt cannot have put anything there (a file with
    forged events, a symlink, a FIFO).
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    if drop_uid is not None:
        os.fchown(fd, drop_uid, drop_uid)
    return fd


def disk_use(folders: tuple[Path, ...], max_files: int) -> tuple[int, int]:
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


def empty(folder: Path, folders_only: bool = False) -> None:
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
