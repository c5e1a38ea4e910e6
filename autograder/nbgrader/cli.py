"""The ``autograder nbgrader …`` verbs (parser and dispatch), kept beside the adapter."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from autograder.course import Course


def add_parser(verbs: Any) -> None:
    """Add ``nbgrader export COURSE_DIR`` to the top-level sub-parsers."""
    nb = verbs.add_parser("nbgrader", help="use the course with nbgrader")
    sub = nb.add_subparsers(dest="nbgrader_verb", required=True)
    exp = sub.add_parser(
        "export", help="write a complete nbgrader course (config, source notebooks with "
                       "hidden tests that call the sandboxed grader)")
    exp.add_argument("course_dir", type=Path,
                     help="where to write the nbgrader course (new, empty, or an earlier "
                          "export to update)")
    exp.add_argument("--assignment", action="append", default=[], metavar="ID",
                     help="export only this assignment (repeatable; default: all)")
    exp.add_argument("--no-reference", dest="warm", action="store_false",
                     help="do not compute the reference facts now (the first autograde "
                          "then runs the solution inside a test cell)")


def run(course: Course, args: argparse.Namespace) -> int:
    """Run one ``nbgrader`` sub-verb."""
    from autograder.nbgrader.export import export

    if args.nbgrader_verb != "export":  # argparse allows no other verb
        raise AssertionError(args.nbgrader_verb)
    done = export(course, Path(args.course), args.course_dir, only=tuple(args.assignment),
                  warm=args.warm)
    print(f"{'updated' if done.updated else 'wrote'} the nbgrader course in {done.root}")
    for path in done.notebooks:
        print(f"  {path.relative_to(done.root)}")
    print(f"  {done.config.relative_to(done.root)}")
    names = " ".join(p.parent.name for p in done.notebooks)
    print(f"next, in {done.root}: nbgrader generate_assignment {names or 'ASSIGNMENT'}")
    return 0
