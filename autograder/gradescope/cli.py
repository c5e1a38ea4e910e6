"""The ``autograder gradescope …`` verbs (parser and dispatch)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from autograder.course import Course


def add_parser(verbs: Any) -> None:
    """Add ``gradescope build ASSIGNMENT --out autograder.zip``."""
    gs = verbs.add_parser("gradescope", help="use the course with Gradescope")
    sub = gs.add_subparsers(dest="gradescope_verb", required=True)
    build = sub.add_parser("build", help="write a Gradescope autograder zip for one "
                                         "assignment (upload it as the autograder)")
    build.add_argument("assignment")
    build.add_argument("--out", type=Path, default=Path("autograder.zip"),
                       help="the zip to write (default: autograder.zip)")


def run(course: Course, args: argparse.Namespace) -> int:
    """Run one ``gradescope`` sub-verb."""
    from autograder.gradescope.build import build

    if args.gradescope_verb != "build":  # argparse allows no other verb
        raise AssertionError(args.gradescope_verb)
    built = build(course, args.assignment, args.out)
    print(f"{built.path}: {built.files} files; upload it as the autograder of "
          f"{args.assignment} (Gradescope: Configure Autograder → Zip file upload)")
    return 0
