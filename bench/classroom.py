"""What the benchmarks share: a class of students made from the bundled examples, a copy of
the course per run, and measuring a command (wall, CPU of its whole process tree, peak
resident memory of that tree)."""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
EXCLUDED = {"not_a_notebook"}  # nbgrader cannot open it at all; both tools give it 0

# A student's own experiment, run by nbgrader (it executes every cell) but not by us.
SCRATCH = {
    "week1": "# my own experiment: train it again and look at 7 bedrooms\n"
             "experiment = train_house_model(house_model(), *house_data())\n"
             "print(experiment.predict(np.array([[7.0]]), verbose=0))\n",
    "week2": "# my own experiment: a model on a third of the data\n"
             "mine = train_model(normalize(train_images[:20000]), train_labels[:20000])\n"
             "print(mine.history)\n",
    "week3": "# my own experiment\n"
             "print(journey_of_an_image)\n",
    "week4": "# my own experiment\n"
             "print('checked my generators')\n",
}


@dataclass
class Run:
    """One timed run of one tool over the whole class."""

    name: str
    wall: float = 0.0
    cpu: float = 0.0
    peak_mb: float = 0.0
    per_week: dict[str, float] = field(default_factory=dict)
    scores: dict[str, dict[str, float]] = field(default_factory=dict)  # week → student → total
    exercises: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)


# --------------------------------------------------------------------------- measuring


def _tree_rss_mb(root: int) -> float:
    """Resident memory of ``root`` and every process under it (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as fh:
                stat = fh.read()
        except OSError:
            continue
        fields = stat[stat.rfind(")") + 2:].split()
        pid, ppid, pages = int(entry), int(fields[1]), int(fields[21])
        children.setdefault(ppid, []).append(pid)
        rss[pid] = pages
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total * os.sysconf("SC_PAGE_SIZE") / 2**20


def measure(cmd: list[str], cwd: Path, log: Path) -> tuple[float, float, float, str]:
    """Run ``cmd``; (wall s, CPU s of it and its descendants, peak tree RSS MB, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    with open(log, "ab") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=err,
                                env={**os.environ, "CI": "1"})
        peak = [0.0]

        def sample() -> None:
            while proc.poll() is None:
                peak[0] = max(peak[0], _tree_rss_mb(proc.pid))
                time.sleep(0.25)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        out, _ = proc.communicate()
        sampler.join()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}); see {log}")
    return wall, cpu, peak[0], out.decode()


# --------------------------------------------------------------------------- the class


def make_class(weeks: list[str], students: int, dest: Path) -> dict[str, list[str]]:
    """``dest/<week>/<student>.ipynb`` for each week; the student ids per week."""
    import nbformat

    ids = [f"s{n:02d}" for n in range(1, students + 1)]
    for week in weeks:
        examples = sorted(p for p in (ROOT / "examples" / "submissions" / week).glob("*.ipynb")
                          if p.stem not in EXCLUDED)
        (dest / week).mkdir(parents=True, exist_ok=True)
        for n, student in enumerate(ids):
            nb = nbformat.read(str(examples[n % len(examples)]), as_version=4)
            graded = [c for c in nb.cells if c.cell_type == "code"
                      and c.source.lstrip().startswith("# GRADED")]
            if graded:  # distinct content per student: the cache may not share grades
                graded[0].source += f"\n# {student}\n"
            if n % 2 == 1:
                nb.cells.append(nbformat.v4.new_code_cell(SCRATCH[week]))
            nbformat.write(nb, str(dest / week / f"{student}.ipynb"))
    return {w: ids for w in weeks}


def copy_course(dest: Path) -> Path:
    """A copy of the course with the reference facts but no cached grades."""
    dest.mkdir(parents=True)
    shutil.copy(ROOT / "course.yaml", dest / "course.yaml")
    for folder in ("solutions", "assignments"):
        shutil.copytree(ROOT / folder, dest / folder)
    reference = ROOT / ".autograder-cache" / "reference"
    if reference.is_dir():
        shutil.copytree(reference, dest / ".autograder-cache" / "reference")
    return dest


# --------------------------------------------------------------------------- the runs


def run_ours(name: str, course: Path, klass: Path, weeks: list[str], out: Path,
             extra: list[str], log: Path) -> Run:
    """``autograder grade`` over every week of the class."""
    run = Run(name)
    for week in weeks:
        cmd = [str(BIN / "autograder"), "--course", str(course / "course.yaml"), "grade", week,
               str(klass / week), "--out", str(out / week), "--json", *extra]
        wall, cpu, peak, stdout = measure(cmd, ROOT, log)
        run.wall += wall
        run.cpu += cpu
        run.peak_mb = max(run.peak_mb, peak)
        run.per_week[week] = round(wall, 1)
        summary = json.loads(stdout)
        run.scores[week] = {s["student"]: s["score"] for s in summary["submissions"]}
        run.exercises[week] = {s["student"]: s["exercises"] for s in summary["submissions"]}
    return run


def overheads(out: Path, weeks: list[str]) -> dict[str, Any]:
    """Per submission of our cold run: total minus the student's own compute."""
    rows = []
    for week in weeks:
        for report in sorted((out / week).glob("s*.json")):
            r = json.loads(report.read_text(encoding="utf-8"))
            own = r.get("setup_seconds", 0.0) + sum(e["seconds"] for e in r["exercises"])
            rows.append({"week": week, "student": r["student"], "total": r["seconds"],
                         "own": round(own, 3), "overhead": round(r["seconds"] - own, 3)})
    values = [row["overhead"] for row in rows]
    return {"median": round(statistics.median(values), 2) if values else None,
            "mean": round(statistics.mean(values), 2) if values else None,
            "max": round(max(values), 2) if values else None,
            "submissions": rows}


