"""The course's own additions to the grader (``extra_checks: course_checks.py``).

Week 4's dataset, horses or humans: the real images when present, else a generated
stand-in (``course_data/horses_humans.py``, a course-level script that also writes the
stand-in for students: ``python course_data/horses_humans.py DEST``). It is registered as
``horses_or_humans`` for course.yaml's ``data:`` and the checks' ``dataset:`` params.

This file is also carried, as text, by every released notebook's checker cell (for the
course's own checks, of which there are none yet): so the data script is imported only
when the grader loads data, never at import.
"""

from __future__ import annotations

import functools
import importlib.util
import sys
import types
from pathlib import Path
from typing import Any

from autograder.datasets import DatasetSource

SPLITS = ("train", "validation", "predict", "heldout")
LABELS = ("horse", "human")  # label order: flow_from_directory's, horses 0, humans 1


@functools.cache
def _horses_humans() -> types.ModuleType:
    """course_data/horses_humans.py, imported by path (grader side only)."""
    path = Path(__file__).resolve().parent / "course_data" / "horses_humans.py"
    spec = importlib.util.spec_from_file_location("course_horses_humans", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _load(split: str, limit: int | None) -> Any:
    return _horses_humans().load(split, limit)


def _write_part(split: str, limit: int | None, part: str, dest: Path) -> dict[str, Any]:
    return dict(_horses_humans().write_part(split, limit, part, dest))


def _describe() -> str:
    return str(_horses_humans().source())


DATASETS = [DatasetSource("horses_or_humans", splits=SPLITS, labels=LABELS, load=_load,
                          write_part=_write_part, describe=_describe)]
CHECKS: dict[str, Any] = {}
