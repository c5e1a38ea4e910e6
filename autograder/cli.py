"""The command line: a thin layer that parses arguments and calls the library.

Exit codes: 0 when the verb ran (whatever the scores), 1 when ``release --check`` finds
a stale assignment or ``check`` finds a public check that fails, 2 when the grader itself
cannot run (bad course.yaml, unknown assignment, missing release).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from autograder import __version__
from autograder.errors import GraderError

DESCRIPTION = """\
Auto-grading for TensorFlow/Keras course notebooks: student code runs in a sandbox it
cannot escape or fool; the grader checks outputs, model layers, parameter counts,
training and accuracy against the instructor's solutions."""

EPILOG = """\
typical use:
  autograder new mycourse                 a working one-assignment course to start from
  autograder release                      solutions/ → assignments/ (what students get)
  autograder check week1 my.ipynb         the public checks, as a student sees them
                                          (exit 0 only when all of them pass)
  autograder grade week1 submissions/     grade a class: reports, CSV, gradebook
  autograder serve                        a web service: students upload, read feedback
run 'autograder VERB --help' for a verb's options; exit codes: 0 done, 1 check/release
--check found a problem, 2 the grader could not run (bad course.yaml, missing release)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="autograder", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter)
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
    grade.add_argument("submissions", nargs="+", metavar="PATH",
                       help="notebooks, folders of notebooks, quoted glob patterns, or "
                            "nbgrader's submitted/ folder")
    grade.add_argument("--out", type=Path, default=Path("reports"),
                       help="folder for the reports and the gradebook (default: reports/)")
    grade.add_argument("-j", "--jobs", type=int, default=None,
                       help="submissions graded at once on this machine, or workers of "
                            "--cluster local (default: one per core, as memory allows)")
    grade.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                       help="grade on a running Dask cluster")
    grade.add_argument("--cluster", choices=["local"],
                       help="start a Dask cluster of --jobs workers on this machine")
    grade.add_argument("--resume", action="store_true",
                       help="keep the grades already in the gradebook; grade the rest")
    grade.add_argument("--no-cache", dest="use_cache", action="store_false",
                       help="grade every submission again, even one graded before")
    grade.add_argument("--gradebook", type=Path,
                       help="the SQLite gradebook (default: OUT/gradebook.db)")
    grade.add_argument("--student-pattern", metavar="REGEX",
                       help="regular expression with a 'student' group, searched in each "
                            "path, for the student id (default: nbgrader's layout, or the "
                            "file name)")
    grade.add_argument("--json", action="store_true",
                       help="print one JSON document for machines instead of the table")
    grade.add_argument("--unconfined", action="store_true",
                       help="grade even where the sandbox's essential protections are "
                            "missing (no bubblewrap): only for notebooks you trust; every "
                            "result is marked UNCONFINED")

    chk = verbs.add_parser("check", help="run the public checks on a saved notebook "
                                          "(what a student runs before submitting)")
    chk.add_argument("assignment")
    chk.add_argument("notebook", type=Path)
    chk.add_argument("--json", action="store_true",
                     help="print the public checks' verdicts as JSON (for CI and scripts)")

    exp = verbs.add_parser("export", help="write a gradebook in the layout an LMS imports "
                                          "(Canvas, Moodle) or as a plain CSV")
    exp.add_argument("assignments", nargs="*", help="only these assignments (default: all)")
    exp.add_argument("--to", choices=["canvas", "moodle", "csv"], default="csv",
                     help="the column layout (default: csv)")
    exp.add_argument("--gradebook", type=Path, default=Path("reports") / "gradebook.db",
                     help="the SQLite gradebook that grade wrote (default: "
                          "reports/gradebook.db)")
    exp.add_argument("--out", type=Path, required=True, help="the CSV file to write")

    new = verbs.add_parser("new", help="write a working one-assignment course to start from")
    new.add_argument("folder", type=Path, help="a new (or empty) folder for the course")
    new.add_argument("--name", help="the course's name (default: the folder's name)")

    ref = verbs.add_parser("reference", help="run the solutions and cache their facts")
    ref.add_argument("assignments", nargs="*")

    from autograder.gradescope import cli as gradescope_cli
    from autograder.nbgrader import cli as nbgrader_cli

    nbgrader_cli.add_parser(verbs)
    gradescope_cli.add_parser(verbs)
    from autograder.serve import cli as serve_cli

    serve_cli.add_parsers(verbs)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``autograder`` command."""
    args = _parser().parse_args(argv)
    try:
        if args.verb == "new":
            return _new(args)
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
        if args.verb == "export":
            return _export(course, args)
        if args.verb == "nbgrader":
            from autograder.nbgrader import cli as nbgrader_cli

            return nbgrader_cli.run(course, args)
        if args.verb in ("serve", "roster"):
            from autograder.serve import cli as serve_cli

            return serve_cli.run(course, args)
        if args.verb == "gradescope":
            from autograder.gradescope import cli as gradescope_cli

            return gradescope_cli.run(course, args)
    except GraderError as exc:
        print(f"autograder: error: {exc}", file=sys.stderr)
        return 2
    return 0


def _new(args: argparse.Namespace) -> int:
    from autograder.scaffold import new_course

    for path in new_course(args.folder, args.name):
        print(f"wrote {path}")
    print(f"next: cd {args.folder} && autograder release (see README.md there)")
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
    from autograder.grade import Options, grade
    from autograder.progress import Progress
    from autograder.reporters import console

    assert isinstance(course, Course)
    if args.jobs is not None and args.jobs < 1:
        raise GraderError("--jobs must be at least 1")
    options = Options(jobs=args.jobs, scheduler=args.scheduler, cluster=args.cluster,
                      use_cache=args.use_cache, resume=args.resume, gradebook=args.gradebook,
                      student_pattern=args.student_pattern, unconfined=args.unconfined)
    progress: list[Progress] = []

    def start(total: int, to_grade: int, where: str, workers: int) -> None:
        if not args.json:
            known = total - to_grade
            settled = (f", {known} settled without one (cached, duplicates, not notebooks)"
                       if known else "")
            print(f"{args.assignment}: {total} submissions, {to_grade} to grade on {where}"
                  f"{settled}", flush=True)
        progress.append(Progress(total, workers))
        progress[0].queued(to_grade)

    try:
        report = grade(course, args.assignment, args.submissions, args.out, options=options,
                       on_start=start,
                       on_result=lambda r: progress[0].finished(r) if progress else None)
    finally:
        if progress:
            progress[0].close()
    if args.json:
        print(console.batch_json(report))
        return 0
    print()
    print(console.table(report.results))
    print(f"\n{report.graded} graded, {report.reused} from the cache or gradebook.")
    warning = console.unconfined_warning(report.results)
    if warning:
        print(warning)
    print(f"reports: {report.out}/ (per student .html and .json; overview {report.overview.name})")
    print(f"exports: {report.csv}, {report.json}; gradebook {report.gradebook}")
    return 0


def _check(course: object, args: argparse.Namespace) -> int:
    from autograder.course import Course
    from autograder.grade import context
    from autograder.pipeline import grade_submission
    from autograder.reporters import console

    assert isinstance(course, Course)
    result = grade_submission(args.notebook, context(course, args.assignment))
    if args.json:
        print(console.public_json(result))
    else:
        print(console.feedback(result, public_only=True))
    return 0 if console.public_passed(result) else 1


def _export(course: object, args: argparse.Namespace) -> int:
    from autograder import integrity
    from autograder.course import Course
    from autograder.gradebook import Gradebook
    from autograder.reporters import lms

    assert isinstance(course, Course)
    if not args.gradebook.is_file():
        raise GraderError(f"no gradebook at {args.gradebook}; grade first, or pass "
                          "--gradebook PATH")
    chosen = [course.assignment(a) for a in args.assignments] or list(course.assignments)
    with Gradebook(args.gradebook, integrity.grader_key(course.cache_dir)) as book:
        grades = {a.id: {r.student: r for r in book.results(a.id)} for a in chosen}
    lms.write(args.to, chosen, grades, args.out)
    count = len({s for by_student in grades.values() for s in by_student})
    print(f"{args.out}: {count} students, {len(chosen)} assignments ({args.to} layout)")
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
