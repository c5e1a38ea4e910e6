"""The command line: a thin layer that parses arguments and calls the library.

Exit codes: 0 when the verb ran (whatever the scores), 1 when ``release --check`` finds
a stale assignment, 2 when the grader itself cannot run (bad course.yaml, unknown
assignment, missing release).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from autograder import __version__
from autograder.errors import GraderError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"autograder {__version__}")
    parser.add_argument("--course", default="course.yaml", type=Path,
                        help="the course file (default: ./course.yaml)")
    verbs = parser.add_subparsers(dest="verb", required=True)

    rel = verbs.add_parser("release", help="derive assignments/ from solutions/")
    rel.add_argument("--check", action="store_true",
                     help="only check that the committed assignments are up to date")
    rel.add_argument("assignments", nargs="*", help="only these assignments")

    grade = verbs.add_parser("grade", help="grade submissions of one assignment")
    grade.add_argument("assignment")
    grade.add_argument("submissions", nargs="+", help="notebooks or folders of notebooks")
    grade.add_argument("--out", type=Path, default=Path("reports"),
                       help="folder for the JSON, HTML and CSV reports (default: reports/)")

    chk = verbs.add_parser("check", help="run the public checks on a saved notebook "
                                          "(what a student runs before submitting)")
    chk.add_argument("assignment")
    chk.add_argument("notebook", type=Path)

    ref = verbs.add_parser("reference", help="run the solutions and cache their facts")
    ref.add_argument("assignments", nargs="*")

    from autograder.nbgrader import cli as nbgrader_cli

    nbgrader_cli.add_parser(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``autograder`` command."""
    args = _parser().parse_args(argv)
    try:
        from autograder.course import load_course

        course = load_course(args.course)
        if args.verb == "release":
            return _release(course, args)
        if args.verb == "grade":
            return _grade(course, args)
        if args.verb == "reference":
            return _reference(course, args)
        if args.verb == "check":
            return _check(course, args)
        if args.verb == "nbgrader":
            from autograder.nbgrader import cli as nbgrader_cli

            return nbgrader_cli.run(course, args)
    except GraderError as exc:
        print(f"autograder: error: {exc}", file=sys.stderr)
        return 2
    return 0


def _release(course: object, args: argparse.Namespace) -> int:
    from autograder.course import Course
    from autograder.release import release

    assert isinstance(course, Course)
    outcomes = release(course, check_only=args.check, only=tuple(args.assignments))
    stale = [o for o in outcomes if o.changed]
    for o in outcomes:
        rel = o.path.relative_to(course.root) if o.path.is_relative_to(course.root) else o.path
        if args.check:
            state = "OUT OF DATE" if o.changed else "up to date"
            print(f"{rel}: {state}")
        else:
            print(f"{rel}: {'written' if o.changed else 'unchanged'}")
    if args.check and stale:
        print("run 'autograder release' and commit the result", file=sys.stderr)
        return 1
    return 0


def _grade(course: object, args: argparse.Namespace) -> int:
    from autograder.course import Course
    from autograder.grade import grade
    from autograder.reporters import console

    assert isinstance(course, Course)
    print(f"grading {args.assignment} (reference facts from the solution, cached)…",
          flush=True)
    report = grade(course, args.assignment, args.submissions, args.out,
                   on_result=lambda r: print(console.line(r), flush=True))
    print()
    print(console.table(report.results))
    print(f"\nreports: {report.out}/ (one .json and .html per submission), {report.csv}")
    return 0


def _check(course: object, args: argparse.Namespace) -> int:
    from autograder.course import Course
    from autograder.grade import context
    from autograder.pipeline import grade_submission
    from autograder.reporters import console

    assert isinstance(course, Course)
    result = grade_submission(args.notebook, context(course, args.assignment))
    print(console.feedback(result, public_only=True))
    return 0


def _reference(course: object, args: argparse.Namespace) -> int:
    from autograder.course import Course
    from autograder.reference import load_reference

    assert isinstance(course, Course)
    for a in course.assignments:
        if args.assignments and a.id not in args.assignments:
            continue
        ref = load_reference(course, a)
        print(f"{a.id}: reference facts {ref.digest[:16]} for "
              f"{', '.join(ref.facts)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
