"""Profile: where one submission's grading time goes, stage by stage.

Grades a few Week 1 and Week 2 example submissions N times each, in one process with the
assignment's context loaded once (as a pool worker does), and prints the median of each
stage:

  prepare   runner: the run's folders, the harness copied, the data arrays handed over
  start     sandbox process start until the harness runs (bwrap, Python, harness import)
  data      the harness binding the data arrays
  setup     the notebook's setup cells (its TensorFlow import, its data): its own code
  define    the exercise cells' top-level code
  calls     the exercise calls: the student's computation (Σ exercise seconds)
  save      the harness saving what the calls returned (.npy, .keras)
  exit      from the harness's end until the runner saw the process gone
  cleanup   runner: emptying the run's folders
  read      grader: reading the outbox, loading the models
  checks    grader: the checks (held-out evaluation included)
  other     the rest (load, locate, assemble, temporary folders)
  total     grade_submission, end to end
  overhead  total - setup - calls: what is not the notebook's own computation

Sandbox-side figures come from the runner's ``Execution.timings``; grader-side ones from
timing the pipeline's stage functions (wrapped here, production code untouched).

Usage: .venv/bin/python bench/profile_submission.py [--repeat N] [--label NAME]
Writes bench/results/profile_submission.json (results under ``--label``, merged).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder import pipeline  # noqa: E402
from autograder.check import check_exercise  # noqa: E402
from autograder.course import load_course  # noqa: E402
from autograder.execution import Execution  # noqa: E402
from autograder.grade import context  # noqa: E402
from autograder.outbox import exercise_facts  # noqa: E402
from autograder.sandbox import execute  # noqa: E402

EXAMPLES = ROOT / "examples" / "submissions"
SUBMISSIONS = {"week1": ("correct", "raises_exception", "untouched_release"),
               "week2": ("correct", "wrong_output_layer", "untouched_release")}
SANDBOX = ("prepare", "start", "data", "setup", "define", "calls", "save", "exit", "cleanup")
GRADER = ("read", "checks")
ROWS = (*SANDBOX, *GRADER, "other", "total", "overhead")
OUT = ROOT / "bench" / "results" / "profile_submission.json"

F = TypeVar("F", bound=Callable[..., Any])


class Stopwatch:
    """Seconds spent in wrapped functions, and the last Execution, for one grading."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self.execution: Execution | None = None

    def wrap(self, stage: str, fn: F) -> F:
        """``fn``, adding the time each call takes to ``stage``."""
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.spent[stage] = self.spent.get(stage, 0.0) + time.perf_counter() - started

        return timed  # type: ignore[return-value]

    def keep(self, execute: F) -> F:
        """``execute``, keeping the Execution it returns (its ``timings``)."""
        def kept(*args: Any, **kwargs: Any) -> Any:
            self.execution = execute(*args, **kwargs)
            return self.execution

        return kept  # type: ignore[return-value]


def profile(path: Path, ctx: pipeline.Context, watch: Stopwatch) -> dict[str, float]:
    """Grade ``path`` once; the seconds of each stage in ``ROWS``, and its score."""
    watch.spent, watch.execution = {}, None
    started = time.perf_counter()
    result = pipeline.grade_submission(path, ctx)
    total = time.perf_counter() - started
    timings: dict[str, float] = dict(watch.execution.timings) if watch.execution else {}
    row = {stage: timings.get(stage, 0.0) for stage in SANDBOX}
    row.update({stage: watch.spent.get(stage, 0.0) for stage in GRADER})
    calls = sum(e.seconds for e in result.exercises)
    row["other"] = total - sum(row.values())
    row["total"] = total
    row["overhead"] = total - result.setup_seconds - calls
    row["score"] = result.score
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="gradings per submission")
    parser.add_argument("--label", default="current", help="key of these results in the JSON")
    parser.add_argument("--weeks", nargs="*", default=sorted(SUBMISSIONS))
    parser.add_argument("--cache", type=Path, help="another cache folder for the course")
    args = parser.parse_args()
    course = load_course(ROOT / "course.yaml")
    if args.cache:
        course = dataclasses.replace(course, cache_dir=args.cache)
    watch = Stopwatch()
    patches = {"execute": watch.keep(execute),
               "exercise_facts": watch.wrap("read", exercise_facts),
               "check_exercise": watch.wrap("checks", check_exercise)}
    for name, timed in patches.items():
        setattr(pipeline, name, timed)  # the pipeline looks them up at each grading
    results: dict[str, Any] = {}
    load = [os.getloadavg()[0]]  # the machine's load: others' work makes figures noisy
    for week in args.weeks:
        ctx = context(course, week)  # reference facts built (or cached) before timing
        for name in SUBMISSIONS[week]:
            runs = [profile(EXAMPLES / week / f"{name}.ipynb", ctx, watch)
                    for _ in range(args.repeat)]
            key = f"{week}/{name}"
            results[key] = {
                "median": {r: round(statistics.median(x[r] for x in runs), 3) for r in ROWS},
                "runs": [{k: round(v, 3) for k, v in x.items()} for x in runs],
            }
            scores = {x["score"] for x in runs}
            print(f"{key}: total {results[key]['median']['total']:.2f} s, "
                  f"overhead {results[key]['median']['overhead']:.2f} s, scores {scores}",
                  flush=True)
    load.append(os.getloadavg()[0])
    print_table(results)
    print(f"load average (1 min) at the start and the end: {load[0]:.1f}, {load[1]:.1f} "
          f"on {os.cpu_count()} cores")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    stored = json.loads(OUT.read_text(encoding="utf-8")) if OUT.is_file() else {}
    stored[args.label] = {"repeat": args.repeat, "load_average": load, "submissions": results}
    OUT.write_text(json.dumps(stored, indent=1) + "\n", encoding="utf-8")
    print(f"\nwritten to {OUT.relative_to(ROOT)} under {args.label!r}")


def print_table(results: dict[str, Any]) -> None:
    """Stages down, submissions across: medians in seconds; spread = max - min of total."""
    names = list(results)
    width = max(len(n) for n in names) + 1
    print(f"\n{'median s':<9}" + "".join(f"{n:>{width}}" for n in names))
    for stage in ROWS:
        print(f"{stage:<9}" + "".join(f"{results[n]['median'][stage]:>{width}.3f}"
                                     for n in names))
    spreads = [max(r["total"] for r in results[n]["runs"])
               - min(r["total"] for r in results[n]["runs"]) for n in names]
    print(f"{'spread':<9}" + "".join(f"{s:>{width}.3f}" for s in spreads))


if __name__ == "__main__":
    main()
