"""The ``autograder nbgrader …`` verbs (parser and dispatch), kept beside the adapter."""

from __future__ import annotations

import argparse
from typing import Any

from autograder.course import Course
from autograder.errors import GraderError


def add_parser(verbs: Any) -> None:
    """Add ``nbgrader export COURSE_DIR`` to the top-level sub-parsers."""
    nb = verbs.add_parser("nbgrader", help="use the course with nbgrader")
    sub = nb.add_subparsers(dest="nbgrader_verb", required=True)
    exp = sub.add_parser("export", help="write a complete nbgrader course")
    exp.add_argument("course_dir", help="where to write the nbgrader course")


def run(course: Course, args: argparse.Namespace) -> int:
    """Run one ``nbgrader`` sub-verb."""
    raise GraderError("autograder nbgrader export is not built yet")
