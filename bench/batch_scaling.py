"""Benchmark: one batch of Week 1 and Week 2 submissions with 1 worker, 2 workers, and a
warm cache; the ratios, and the grader's overhead per submission.

    .venv/bin/python bench/batch_scaling.py                  # 8 students per week
    .venv/bin/python bench/batch_scaling.py --students 12 --weeks week1

Each run grades the same class (the bundled examples copied, each copy distinct, so the
cache cannot share grades between students) with a cold cache, except the last, which
runs again over the 2-worker run's cache. Overhead per submission = the grading time minus
the notebook's own setup and exercise time inside the sandbox. Writes
bench/results/batch_scaling.json and .md.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classroom import ROOT, copy_course, make_class, overheads, run_ours


def main() -> None:
    """Build the class, grade it three ways, print and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", nargs="+", default=["week1", "week2"])
    parser.add_argument("--students", type=int, default=8)
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    log = work / "log.txt"
    klass = work / "class"
    make_class(args.weeks, args.students, klass)
    print(f"{args.students} students per week, {', '.join(args.weeks)}; work folder {work}",
          flush=True)
    one = run_ours("1 worker (cold cache)", copy_course(work / "c1"), klass, args.weeks,
                   work / "out1", ["--jobs", "1"], log)
    print(f"  1 worker:   {one.wall:.1f} s", flush=True)
    course2 = copy_course(work / "c2")
    two = run_ours("2 workers (cold cache)", course2, klass, args.weeks, work / "out2",
                   ["--jobs", "2"], log)
    print(f"  2 workers:  {two.wall:.1f} s", flush=True)
    warm = run_ours("warm cache", course2, klass, args.weeks, work / "out-warm",
                    ["--jobs", "2"], log)
    print(f"  warm cache: {warm.wall:.2f} s", flush=True)

    submissions = args.students * len(args.weeks)
    same = one.scores == two.scores == warm.scores
    result = {
        "date": time.strftime("%Y-%m-%d"), "cores": os.cpu_count(), "weeks": args.weeks,
        "students": args.students, "runs": [asdict(r) for r in (one, two, warm)],
        "speedup_2_workers": round(one.wall / two.wall, 2),
        "speedup_warm_cache": round(one.wall / warm.wall, 1),
        "warm_ms_per_submission": round(1000 * warm.wall / submissions, 1),
        "overhead_1_worker": overheads(work / "out1", args.weeks),
        "same_scores": same,
    }
    o = result["overhead_1_worker"]
    text = "\n".join([
        f"# Batch grading: 1 worker, 2 workers, warm cache ({result['date']})", "",
        f"{args.students} students per week ({', '.join(args.weeks)}), {submissions} "
        f"submissions, {result['cores']} cores.", "",
        "| run | wall | CPU | peak memory | vs 1 worker |", "|---|---|---|---|---|",
        *[f"| {r.name} | {r.wall:.1f} s | {r.cpu:.1f} s | {r.peak_mb:.0f} MB "
          f"| {one.wall / r.wall:.2f}x |" for r in (one, two, warm)], "",
        f"Warm cache: {result['warm_ms_per_submission']} ms per submission, including the "
        "command's own start (Python imports).",
        f"Grader overhead per submission (1 worker): median {o['median']} s, mean "
        f"{o['mean']} s, max {o['max']} s.",
        f"Same scores in all three runs: **{'yes' if same else 'NO'}**.",
        "CPU counts the command and its workers but not the sandboxes (bubblewrap's PID "
        "namespace does not pass their time up), so it undercounts grading.", ""])
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "batch_scaling.json").write_text(json.dumps(result, indent=1) + "\n",
                                                     encoding="utf-8")
    (args.results / "batch_scaling.md").write_text(text, encoding="utf-8")
    print()
    print(text)


if __name__ == "__main__":
    main()
