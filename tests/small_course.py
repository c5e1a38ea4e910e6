"""A copy of the course on small slices of the data, for fast tests of weeks 2 and 3.

Same solutions, releases and checks; fewer training images, a smaller held-out set, a
lower accuracy bar (a few thousand images do not reach the full course's), and its own
reference cache.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TRAIN_IMAGES = 4000
TEST_IMAGES = 1000


def _shrink(assignment: dict[str, Any]) -> None:
    for item in assignment.get("data", {}).values():
        item["limit"] = TRAIN_IMAGES
    for exercise in assignment["exercises"]:
        for check in exercise["checks"]:
            params = check.get("params", {})
            if check["check"] == "heldout_accuracy":
                params["limit"] = TEST_IMAGES
                params["threshold"] = 0.6


def write_small_course(folder: Path, weeks: tuple[str, ...]) -> Path:
    """Write course.yaml for ``weeks`` into ``folder``; return its path."""
    data = yaml.safe_load((ROOT / "course.yaml").read_text(encoding="utf-8"))
    data["solutions"] = str(ROOT / "solutions")
    data["assignments_dir"] = str(ROOT / "assignments")
    data["cache"] = str(folder / "cache")
    data["extra_checks"] = str(ROOT / "course_checks.py")
    data["assignments"] = {k: v for k, v in data["assignments"].items() if k in weeks}
    for assignment in data["assignments"].values():
        _shrink(assignment)
    path = folder / "course.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path
