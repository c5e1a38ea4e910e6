"""The data a program is given, written where the sandbox reads it (read-only to it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograder.assemble import Program


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
