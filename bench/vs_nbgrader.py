"""Benchmark: nbgrader's autograde against ``autograder grade`` on the same class.

Builds a class of students from the bundled examples of each week (each copy made distinct,
every other one with a scratch training cell of its own, as real students' notebooks
have), then times, in one run:

1. ``nbgrader autograde`` on the course exported with ``autograder nbgrader export``, twice:
   as plain nbgrader runs a notebook (every cell, scratch cells included) and with the
   export's default (only the cells our grader runs, and the test cells);
2. ``autograder grade`` with the local pool, cold cache;
3. ``autograder grade`` again, warm cache;
4. ``autograder grade`` on a local Dask cluster of two workers, cold cache.

For each: wall time, CPU time (the command and every process under it) and peak memory
(the resident memory of the whole process tree, sampled), the ratio to nbgrader, and
whether every run gave every student the same score. For our cold run, the grader's
overhead per submission: its total time minus the student's own compute (the notebook's
setup cells and exercise calls, as timed inside the sandbox).

    .venv/bin/python bench/vs_nbgrader.py                      # week1 and week2, 20 students
    .venv/bin/python bench/vs_nbgrader.py --weeks week1 --students 24 --jobs 2

Writes bench/results/vs_nbgrader.json and .md (linked from the README).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from classroom import (
    BIN,
    ROOT,
    Run,
    copy_course,
    make_class,
    measure,
    overheads,
    run_ours,
)

NBGRADER_MODES = {
    # nbgrader as instructors run it today: every cell of the notebook runs in the kernel.
    "plain": ("nbgrader autograde, every cell runs (plain nbgrader)",
              "c.ExecuteGraded.run_ungraded_cells = True\n"),
    # our export's default: only the cells our grader runs, and the test cells.
    "export": ("nbgrader autograde, graded cells only (our export's default)", ""),
}


def run_nbgrader(mode: str, course: Path, klass: Path, weeks: list[str], work: Path,
                 log: Path) -> Run:
    """Export the course for nbgrader, then time ``nbgrader autograde`` of every week."""
    name, config = NBGRADER_MODES[mode]
    nbcourse = work / f"nbgrader-{mode}"
    subprocess.run([str(BIN / "autograder"), "--course", str(course / "course.yaml"),
                    "nbgrader", "export", str(nbcourse)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL, stderr=open(log, "ab"))  # noqa: SIM115
    with open(nbcourse / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write(config)
    run = Run(name)
    for week in weeks:
        subprocess.run([str(BIN / "nbgrader"), "generate_assignment", week, "--force"],
                       cwd=nbcourse, check=True, stdout=subprocess.DEVNULL,
                       stderr=open(log, "ab"))  # noqa: SIM115
        source = next((nbcourse / "source" / week).glob("*.ipynb"))
        for nb in sorted((klass / week).glob("*.ipynb")):
            folder = nbcourse / "submitted" / nb.stem / week
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy(nb, folder / source.name)
        wall, cpu, peak, _ = measure([str(BIN / "nbgrader"), "autograde", week], nbcourse, log)
        run.wall += wall
        run.cpu += cpu
        run.peak_mb = max(run.peak_mb, peak)
        run.per_week[week] = round(wall, 1)
    run.scores = _nbgrader_scores(nbcourse, weeks)
    return run


def _nbgrader_scores(nbcourse: Path, weeks: list[str]) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook

    scores: dict[str, dict[str, float]] = {}
    with Gradebook(f"sqlite:///{nbcourse / 'gradebook.db'}") as gb:
        for week in weeks:
            scores[week] = {s.student.id: round(float(s.score), 6)
                            for s in gb.find_assignment(week).submissions}
    return scores


# --------------------------------------------------------------------------- report


def markdown(runs: list[Run], result: dict[str, Any]) -> str:
    """The results table, as the README links it."""
    baselines = [r for r in runs if r.name.startswith("nbgrader")]
    lines = [f"# Grading benchmark: nbgrader vs autograder ({result['date']})", "",
             f"{result['students']} students per week ({', '.join(result['weeks'])}), "
             f"every other one with a scratch training cell of their own; "
             f"{result['machine']}.", "",
             "| run | wall | CPU | peak memory | "
             + " | ".join(f"vs {b.name.split(',')[1].strip()}" for b in baselines)
             + " | per week (wall) |",
             "|---|---|---|---|" + "---|" * len(baselines) + "---|"]
    for r in runs:
        ratios = " | ".join("-" if r is b else f"{b.wall / r.wall:.1f}x" for b in baselines)
        weeks = ", ".join(f"{w} {s:.0f} s" for w, s in r.per_week.items())
        lines.append(f"| {r.name} | {r.wall:.1f} s | {r.cpu:.0f} s | {r.peak_mb:.0f} MB "
                     f"| {ratios} | {weeks} |" if baselines else
                     f"| {r.name} | {r.wall:.1f} s | {r.cpu:.0f} s | {r.peak_mb:.0f} MB "
                     f"| {weeks} |")
    o = result["overhead"]
    lines += ["", "Wall: the whole command, start to end. CPU: the command and the processes "
              "under it that report their time to it (kernels, workers); it leaves out the "
              "sandboxes (bubblewrap's PID namespace does not pass their time up), so it "
              "undercounts both tools' grading and is not comparable across rows. Peak "
              "memory: the largest resident memory of that whole process tree, sampled "
              "every 0.25 s.", "",
              f"Grader overhead per submission (cold run: total minus the notebook's own "
              f"setup and exercise time, inside the sandbox): median {o['median']} s, "
              f"mean {o['mean']} s, max {o['max']} s.", "",
              f"Same scores in every run: **{'yes' if result['same_scores'] else 'NO'}**."]
    lines += [f"- {m}" for m in result["mismatches"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Build the class, run the four graders, print and write the results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", nargs="+", default=["week1", "week2"])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--nbgrader", nargs="*", choices=sorted(NBGRADER_MODES),
                        default=["plain", "export"],
                        help="which nbgrader runs (none: skip nbgrader)")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-vs-nbgrader-"))
    log = work / "log.txt"
    print(f"work folder {work} (logs in {log.name})", flush=True)
    klass = work / "class"
    make_class(args.weeks, args.students, klass)
    # The reference facts exist before any timing (each tool would otherwise build them).
    subprocess.run([str(BIN / "autograder"), "reference", *args.weeks], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    runs: list[Run] = []
    steps = len(args.nbgrader) + 3
    for n, mode in enumerate(args.nbgrader, 1):
        print(f"{n}/{steps} {NBGRADER_MODES[mode][0]} …", flush=True)
        runs.append(run_nbgrader(mode, copy_course(work / f"c-nbgrader-{mode}"), klass,
                                 args.weeks, work, log))
        print(f"    {runs[-1].wall:.0f} s", flush=True)
    step = len(args.nbgrader)
    print(f"{step + 1}/{steps} autograder grade --jobs {args.jobs}, cold cache …", flush=True)
    ours = copy_course(work / "c-pool")
    runs.append(run_ours(f"autograder --jobs {args.jobs} (cold cache)", ours, klass,
                         args.weeks, work / "out-pool", ["--jobs", str(args.jobs)], log))
    print(f"    {runs[-1].wall:.0f} s", flush=True)
    print(f"{step + 2}/{steps} autograder grade, warm cache …", flush=True)
    runs.append(run_ours("autograder (warm cache)", ours, klass, args.weeks,
                         work / "out-pool", ["--jobs", str(args.jobs)], log))
    print(f"    {runs[-1].wall:.1f} s", flush=True)
    print(f"{step + 3}/{steps} autograder grade --cluster local (2 Dask workers), cold cache …",
          flush=True)
    runs.append(run_ours("autograder on a local Dask cluster, 2 workers (cold cache)",
                         copy_course(work / "c-dask"), klass, args.weeks, work / "out-dask",
                         ["--cluster", "local", "--jobs", "2"], log))
    print(f"    {runs[-1].wall:.0f} s", flush=True)

    reference = runs[-1].scores
    ours_runs = runs[len(args.nbgrader):]
    mismatches = [f"{r.name}, {week}, {student}: {score} (Dask run: "
                  f"{reference[week].get(student)})"
                  for r in runs for week, by in r.scores.items()
                  for student, score in by.items() if reference[week].get(student) != score]
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{os.cpu_count()} cores, {platform.machine()}, Python "
                   f"{platform.python_version()}",
        "weeks": args.weeks, "students": args.students, "jobs": args.jobs,
        "runs": [asdict(r) for r in runs],
        "ratios_to_nbgrader": {
            nb.name: {r.name: round(nb.wall / r.wall, 2) for r in ours_runs}
            for nb in runs if nb not in ours_runs},
        "overhead": overheads(work / "out-pool", args.weeks),
        "same_scores": not mismatches, "mismatches": mismatches,
    }
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "vs_nbgrader.json").write_text(json.dumps(result, indent=1) + "\n",
                                                   encoding="utf-8")
    text = markdown(runs, result)
    (args.results / "vs_nbgrader.md").write_text(text, encoding="utf-8")
    print()
    print(text)
    print(f"written: {args.results / 'vs_nbgrader.json'}, {args.results / 'vs_nbgrader.md'}")


if __name__ == "__main__":
    main()
