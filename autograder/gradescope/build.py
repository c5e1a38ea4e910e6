"""Build a Gradescope autograder zip for one assignment of a course."""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import yaml

from autograder.course import Course
from autograder.reference import ensure_reference

PACKAGE = Path(__file__).resolve().parents[1]
#: Folders of a course that hold its own data (copied when present).
DATA_FOLDERS = ("data", "course_data")

SETUP = """#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv python3-pip bubblewrap \\
    >/dev/null || echo "could not install every system package; grading still works"
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --quiet --upgrade pip
/autograder/venv/bin/pip install --quiet /autograder/source/grader
"""

RUN = """#!/usr/bin/env bash
# Gradescope runs this for every submission. GRADESCOPE_ROOT and AUTOGRADER_PYTHON exist for
# testing it outside Gradescope (a folder laid out like /autograder, another Python).
set -uo pipefail
ROOT="${{GRADESCOPE_ROOT:-/autograder}}"
PY="${{AUTOGRADER_PYTHON:-$ROOT/venv/bin/python}}"
mkdir -p "$ROOT/results"
# the student's code runs in the sandbox as an unprivileged user: it can neither read the
# solutions and reference facts nor write the results
chmod 700 "$ROOT/source" "$ROOT/results"
export PYTHONPATH="$ROOT/source/grader${{PYTHONPATH:+:$PYTHONPATH}}"
cd "$ROOT/source/course" || exit 1
exec "$PY" -m autograder.gradescope.run --course course.yaml {assignment} \\
    "$ROOT/submission" "$ROOT/results/results.json"
"""


@dataclass(frozen=True)
class Built:
    """The zip that was written and what it holds."""

    path: Path
    files: int


def _ignore(_folder: str, names: list[str]) -> list[str]:
    return [n for n in names if n in ("__pycache__", ".ipynb_checkpoints")]


def stage_course(course: Course, assignment_id: str, dest: Path) -> None:
    """Copy one assignment's part of the course into ``dest``: course.yaml (this assignment
    only), its solution and release, the course's checks and data, its reference facts."""
    assignment = course.assignment(assignment_id)
    key = ensure_reference(course, assignment)
    raw = yaml.safe_load(course.course_file.read_text(encoding="utf-8"))
    raw["assignments"] = {assignment.id: raw["assignments"][assignment.id]}
    for folder_key in ("solutions", "assignments_dir", "cache"):
        raw.pop(folder_key, None)
    dest.mkdir(parents=True)
    if course.extra_checks is not None:
        raw["extra_checks"] = course.extra_checks.name
        shutil.copyfile(course.extra_checks, dest / course.extra_checks.name)
    (dest / "course.yaml").write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    for source, target in ((course.solution_path(assignment), "solutions"),
                           (course.release_path(assignment), "assignments")):
        folder = dest / target / assignment.id
        folder.mkdir(parents=True)
        shutil.copyfile(source, folder / source.name)
    for name in DATA_FOLDERS:
        if (course.root / name).is_dir():
            shutil.copytree(course.root / name, dest / name, ignore=_ignore)
    for item in assignment.data:  # files and folders of the course named in data:
        if item.mounted and item.source is not None and not (dest / item.path).exists():
            (dest / item.path).parent.mkdir(parents=True, exist_ok=True)
            if item.source.is_dir():
                shutil.copytree(item.source, dest / item.path, ignore=_ignore)
            else:
                shutil.copyfile(item.source, dest / item.path)
    reference = course.cache_dir / "reference" / f"{assignment.id}-{key[:16]}"
    shutil.copytree(reference, dest / ".autograder-cache" / "reference" / reference.name)


def stage_grader(dest: Path) -> None:
    """Copy the grader's source (the package, pyproject.toml with its pins, README)."""
    shutil.copytree(PACKAGE, dest / "autograder", ignore=_ignore)
    for name in ("pyproject.toml", "README.md"):
        if (PACKAGE.parent / name).is_file():
            shutil.copyfile(PACKAGE.parent / name, dest / name)


def build(course: Course, assignment_id: str, out: Path) -> Built:
    """Write the Gradescope autograder zip for one assignment to ``out``."""
    with tempfile.TemporaryDirectory(prefix="gradescope-") as tmp:
        stage = Path(tmp)
        stage_course(course, assignment_id, stage / "course")
        stage_grader(stage / "grader")
        for name, text in (("setup.sh", SETUP), ("run_autograder",
                                                 RUN.format(assignment=assignment_id))):
            (stage / name).write_text(text, encoding="utf-8")
            (stage / name).chmod(0o755)
        out.parent.mkdir(parents=True, exist_ok=True)
        files = sorted(p for p in stage.rglob("*") if p.is_file())
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in files:
                info = zipfile.ZipInfo.from_file(path, path.relative_to(stage))
                with open(path, "rb") as fh:
                    zf.writestr(info, fh.read(), zipfile.ZIP_DEFLATED)
    return Built(out, len(files))
