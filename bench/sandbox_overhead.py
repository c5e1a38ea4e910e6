"""Benchmark: what the sandbox costs per submission, and what the harness's Keras fix gains.

For each Week 1 example that runs, it times
  1. grading it (load, locate, assemble, sandboxed execute, trusted checks), and
  2. the same code run directly: one plain `python` process that executes the setup and
     exercise cells and calls the entry points, with no sandbox and no checks;
and prints the overhead (1 − 2) per submission. Then it runs the correct submission's
code directly twice more, with and without the end-of-fit fix (tf.data autotune off for
array inputs), and prints the ratio.

Usage: .venv/bin/python bench/sandbox_overhead.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.course import load_course  # noqa: E402
from autograder.grade import context  # noqa: E402
from autograder.notebook import locate, read_notebook  # noqa: E402
from autograder.assemble import assemble  # noqa: E402
from autograder.pipeline import grade_submission  # noqa: E402

EXAMPLES = ROOT / "examples" / "submissions" / "week1"
NAMES = ("correct", "unscaled_prices", "wrong_architecture", "raises_exception",
         "untouched_release")

DIRECT = r'''
import json, sys, time
job = json.load(open(sys.argv[1]))
ns = {"__name__": "__main__"}
for p in job["pieces"]:
    try:
        exec(compile(p["source"], p["label"], "exec"), ns)
    except BaseException:
        pass
if job["speedups"]:
    sys.path.insert(0, job["sandbox_dir"])
    from harness import apply_speedups
    apply_speedups()
for c in job["calls"]:
    t = time.monotonic()
    try:
        eval(c["call"], ns)
    except BaseException:
        pass
    print(json.dumps({"call": c["id"], "seconds": time.monotonic() - t}), flush=True)
'''


def direct(program: object, speedups: bool) -> tuple[float, dict[str, float]]:
    """Run the program's code in one plain process; wall time and per-call times."""
    from dataclasses import asdict

    with tempfile.TemporaryDirectory() as tmp:
        job = {"pieces": [asdict(p) for p in program.pieces],  # type: ignore[attr-defined]
               "calls": [asdict(c) for c in program.calls],  # type: ignore[attr-defined]
               "speedups": speedups,
               "sandbox_dir": str(ROOT / "autograder" / "sandbox")}
        (Path(tmp) / "job.json").write_text(json.dumps(job))
        (Path(tmp) / "direct.py").write_text(DIRECT)
        t = time.monotonic()
        out = subprocess.run([sys.executable, "direct.py", "job.json"], cwd=tmp,
                             capture_output=True, text=True, check=True,
                             env={"TF_CPP_MIN_LOG_LEVEL": "2", "PATH": "/usr/bin:/bin"})
        wall = time.monotonic() - t
    calls = {}
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            item = json.loads(line)
            calls[item["call"]] = item["seconds"]
    return wall, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    course = load_course(ROOT / "course.yaml")
    ctx = context(course, "week1")  # reference facts built (or cached) before timing
    print(f"{'submission':<20} {'graded s':>9} {'direct s':>9} {'overhead s':>11}")
    overheads = []
    programs = {}
    for name in NAMES:
        path = EXAMPLES / f"{name}.ipynb"
        nb = read_notebook(path)
        programs[name] = assemble(ctx.assignment, ctx.release,
                                  locate(nb, ctx.assignment, ctx.release))
        graded, plain = [], []
        for _ in range(args.repeat):
            t = time.monotonic()
            grade_submission(path, ctx)
            graded.append(time.monotonic() - t)
            plain.append(direct(programs[name], speedups=True)[0])
        g, d = statistics.median(graded), statistics.median(plain)
        overheads.append(g - d)
        print(f"{name:<20} {g:9.2f} {d:9.2f} {g - d:11.2f}")
    print(f"\nmedian overhead per submission: {statistics.median(overheads):.2f} s "
          f"(grading time minus the same code run directly; target < 1.5 s)")
    off = [direct(programs["correct"], speedups=False) for _ in range(args.repeat)]
    on = [direct(programs["correct"], speedups=True) for _ in range(args.repeat)]
    t_off = statistics.median(o[1]["train_house_model"] for o in off)
    t_on = statistics.median(o[1]["train_house_model"] for o in on)
    print(f"\nend-of-fit fix on the Week 1 training (500 epochs, numpy input): "
          f"{t_off:.2f} s without, {t_on:.2f} s with: {t_off / t_on:.2f}x faster")


if __name__ == "__main__":
    main()
