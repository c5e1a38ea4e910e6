"""The data a program is given, written where the sandbox reads it (read-only to it)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from autograder.assemble import Program

#: (a file or folder of the course, where the sandbox sees it)
Mount = tuple[Path, Path]
#: ``at: .keras/...`` places a file in the sandbox's Keras cache ($KERAS_HOME, and
#: ~/.keras, which Keras 2 may use), where ``keras.datasets.mnist.load_data()`` and
#: ``keras.utils.get_file`` find it offline
KERAS_CACHE = ".keras"


def write_data(program: Program, control: Path) -> list[dict[str, Any]]:
    """Write the data the program is given into the grader-owned (read-only) folder:
    arrays as ``.npy``, image files (a folder per class, or a list), constants as is.
    A file or folder of the course is not written here: it is mounted (``mounts``)."""
    if not any(not item.mounted for item in program.data):
        return []
    import numpy as np

    from autograder.datasets import load, write_files

    folder = control / "data"
    folder.mkdir(exist_ok=True)
    files: list[dict[str, Any]] = []
    for item in program.data:
        if item.mounted:
            continue
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


def _places(at: str, work: Path) -> tuple[Path, ...]:
    parts = Path(at).parts
    if parts and parts[0] == KERAS_CACHE:  # the run's $KERAS_HOME (beside work/) and ~/.keras
        return (work.parent / KERAS_CACHE / Path(*parts[1:]), work / at)
    return (work / at,)


def mounts(program: Program, work: Path) -> tuple[Mount, ...]:
    """The course's files and folders the program is given, each with the place in the
    working folder ``work`` where the sandbox sees it (``.keras/…``: in its Keras cache);
    course.yaml checked both to stay inside their folders."""
    return tuple((item.source, place) for item in program.data
                 if item.mounted and item.source is not None
                 for place in _places(item.at, work))


def _make_parents(dest: Path, work: Path, drop_uid: int | None) -> None:
    base = work if dest.is_relative_to(work) else work.parent / KERAS_CACHE
    missing = [p for p in reversed(dest.parents) if p.is_relative_to(base) and p != base
               and not p.exists()]
    for folder in missing:
        folder.mkdir()
        if drop_uid is not None:  # the student may still write beside the data
            os.chown(folder, drop_uid, drop_uid)


def place_mounts(found: tuple[Mount, ...], work: Path, drop_uid: int | None,
                 *, copy: bool) -> None:
    """Make each mount's place in ``work``: an empty file or folder that bubblewrap binds
    the course's read-only copy onto, or (``copy``: no bubblewrap here) a plain copy."""
    for source, dest in found:
        _make_parents(dest, work, drop_uid)
        if copy:
            if source.is_dir():
                shutil.copytree(source, dest, symlinks=True, dirs_exist_ok=True)
            else:
                shutil.copyfile(source, dest)
        elif source.is_dir():
            dest.mkdir(exist_ok=True)
        else:
            dest.touch()


def content_digest(program_data: Any) -> bytes:
    """Where every course file a program is given is seen, and its bytes (its reference
    depends on them), in a stable order; empty when there are none."""
    import hashlib

    h = hashlib.sha256()
    mounted = [item for item in program_data
               if getattr(item, "mounted", False) and item.source is not None]
    if not mounted:
        return b""
    for item in mounted:
        h.update(f"{item.name}\0{item.path}\0{item.at}\0".encode())
        paths = sorted(p for p in item.source.rglob("*") if p.is_file()) \
            if item.source.is_dir() else [item.source]
        for p in paths:
            h.update(str(p.relative_to(item.source) if item.source.is_dir() else "").encode())
            h.update(p.read_bytes())
    return h.digest()
