"""Agreement of the grader with the legacy course's expected verdicts, per week and flavour.

    .venv/bin/python bench/legacy_agreement.py [FLAVOUR ...] [--jobs N]

Grades the student notebooks of tests/legacy_course/ (all flavours, or those named:
week1, week1_k3, …) with the real grader, in a scratch copy of the course, and prints one
line per flavour (notebooks whose every verdict agrees with expected.yaml) followed by
each disagreement, the grader's message and the features the verdict depends on.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from legacy_course import agreement  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Grade, compare, print; exit 1 when any verdict disagrees."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("flavours", nargs="*", help="assignment ids (default: all)")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args(argv)
    wanted = args.flavours or agreement.flavours()
    unknown = sorted(set(wanted) - set(agreement.flavours()))
    if unknown:
        parser.error(f"unknown flavour(s) {', '.join(unknown)}; "
                     f"known: {', '.join(agreement.flavours())}")
    with tempfile.TemporaryDirectory(prefix="legacy-agreement-") as tmp:
        course = agreement.copy_course(Path(tmp))
        agreement.release_flavours(course, wanted)
        total = agreeing = 0
        for flavour in wanted:
            started = time.monotonic()
            report = agreement.grade_flavour(course, flavour, Path(tmp) / "out", args.jobs)
            print(agreement.describe(report), f"  [{time.monotonic() - started:.0f} s]")
            total += report.notebooks
            agreeing += report.agreeing
    print(f"overall: {agreeing}/{total} notebooks agree ({agreeing / max(total, 1):.0%})")
    return 0 if agreeing == total else 1


if __name__ == "__main__":
    sys.exit(main())
