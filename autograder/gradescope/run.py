"""What ``run_autograder`` calls on Gradescope: grade the uploaded notebook, write results.json.

Usage: python -m autograder.gradescope.run --course course.yaml ASSIGNMENT SUBMISSION_DIR OUT
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from autograder.reporters import gradescope


def pick_notebook(folder: Path, notebook_name: str) -> Path | None:
    """The uploaded notebook: the one named as the assignment's, else the only/first one."""
    found = sorted(p for p in folder.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
    named = [p for p in found if p.name == notebook_name]
    return next(iter(named or found), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Grade one Gradescope submission; results.json is written whatever happens."""
    parser = argparse.ArgumentParser(prog="autograder.gradescope.run")
    parser.add_argument("--course", type=Path, required=True)
    parser.add_argument("assignment")
    parser.add_argument("submission", type=Path)
    parser.add_argument("out", type=Path)
    args = parser.parse_args(argv)
    from autograder.course import load_course
    from autograder.grade import context
    from autograder.pipeline import grade_submission

    course = load_course(args.course)
    ctx = context(course, args.assignment)
    notebook = pick_notebook(args.submission, ctx.assignment.notebook)
    if notebook is None:
        gradescope.write(gradescope.no_submission(
            f"no notebook was uploaded: upload {ctx.assignment.notebook}"), args.out)
        return 0
    result = grade_submission(notebook, ctx, student="submission")
    gradescope.write(gradescope.results(result), args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
