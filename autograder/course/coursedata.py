"""``data:`` entries that name a file or folder of the course (``{file: data/mnist.npz}``,
``{folder: data/happy-or-sad, at: data/faces}``): checked to stay inside the course
folder, and seen read-only by the sandbox at ``at`` in its working folder."""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Any

from autograder.course.model import DataInput
from autograder.course.reader import Reader


def _relative(r: Reader, key: str, text: str) -> PurePosixPath:
    """A plain relative path (no absolute path, no '..', no empty part)."""
    pure = PurePosixPath(text)
    if not text.strip() or pure.is_absolute() or text.startswith("~"):
        raise r.fail(key, f"{text!r} must be a path relative to the course folder, "
                          "such as data/mnist.npz")
    if ".." in pure.parts:
        raise r.fail(key, f"{text!r} goes out of the course folder ('..'); keep the data "
                          "inside it")
    if pure == PurePosixPath("."):
        raise r.fail(key, "name a file or folder, not the course folder itself")
    return pure


def _inside(root: Path, target: Path) -> bool:
    return target == root or target.is_relative_to(root)


def _escapes(root: Path, folder: Path) -> Path | None:
    """A symbolic link under ``folder`` that leads out of ``root``, if there is one."""
    for here, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            p = Path(here) / name
            if p.is_symlink() and not _inside(root, p.resolve()):
                return p
    return None


def course_data_input(path: Path, where: str, name: str, node: Any) -> DataInput:
    """A ``{file:|folder:, at:}`` entry of ``data:``, validated against the course folder
    (``path`` is course.yaml's)."""
    r = Reader(path, node, where)
    kind = "file" if "file" in node else "folder"
    r.only([kind, "at"])
    root = path.parent.resolve()
    relative = _relative(r, kind, r.get(kind, str))
    source = (root / relative).resolve()
    if not _inside(root, source):
        raise r.fail(kind, f"{relative} leads out of the course folder {root} (a symbolic "
                           "link?); keep the data inside it")
    if kind == "file" and not source.is_file():
        raise r.fail(kind, f"no file {root / relative}" + (
            " (it is a folder: write folder: instead)" if source.is_dir() else ""))
    if kind == "folder":
        if not source.is_dir():
            raise r.fail(kind, f"no folder {root / relative}" + (
                " (it is a file: write file: instead)" if source.is_file() else ""))
        link = _escapes(root, source)
        if link is not None:
            raise r.fail(kind, f"{link} is a symbolic link out of the course folder; copy "
                               "the data in instead")
    at = _relative(r, "at", r.get("at", str, str(relative)))
    return DataInput(name=str(name), dataset="", split="", part=f"course_{kind}",
                     path=str(relative), at=str(at), source=source)


def overlapping(items: tuple[DataInput, ...]) -> tuple[DataInput, DataInput] | None:
    """Two course data entries seen at the same place, or one inside the other."""
    mounted = [d for d in items if d.mounted]
    for i, a in enumerate(mounted):
        for b in mounted[i + 1:]:
            pa, pb = PurePosixPath(a.at), PurePosixPath(b.at)
            if pa == pb or pa.is_relative_to(pb) or pb.is_relative_to(pa):
                return a, b
    return None
