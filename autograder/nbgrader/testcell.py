"""The runtime of the hidden test cells, and the grader process they call.

Two halves, on both sides of the trust boundary:

- ``exercise_score`` runs **in the student's kernel** (nbgrader executes the test cells
  there). It uses only the standard library, so it works whatever Python the kernel is:
  the hidden test loads this file with ``runpy.run_path`` from the exported course's
  ``.autograder/`` folder. It finds the notebook the student submitted, and asks the
  grader for its result, once per notebook: the result is memoised under
  ``.autograder/results/``, keyed by the notebook's bytes and the files the grade depends
  on (course.yaml, the solution, the release). It prints the exercise's checks and returns
  the exercise's score, which nbgrader records as the test cell's partial credit.
- ``main`` is **the grader**: a separate process (``python -I -m
  autograder.nbgrader.testcell``, the Python that ran the export, with a short list of
  environment variables) that grades the submitted file with the sandboxed pipeline, as
  ``autograder grade`` does, and writes the result as JSON. Student code never runs in it.

Which notebook is graded: while ``nbgrader autograde`` runs, the kernel's working folder
is ``autograded/<student>/<assignment>/`` and the file as submitted is
``submitted/<student>/<assignment>/<notebook>``; that file is graded, exactly what
``autograder grade`` grades. Elsewhere (``nbgrader validate``, the instructor running the
source notebook) the notebook of that name in the working folder is graded.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SETTINGS = "settings.json"
RESULTS = "results"
#: environment variables passed to the grader (the rest of the kernel's is left behind)
ENV_KEEP = ("PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "AUTOGRADER_DATA",
            "KERAS_HOME", "XDG_CACHE_HOME")


def _settings(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RuntimeError(f"cannot read the autograder settings {path} ({exc}); "
                           "run 'autograder nbgrader export' again") from exc
    return data


def find_notebook(settings: dict[str, Any], assignment_id: str, cwd: Path) -> Path:
    """The notebook to grade: as submitted when nbgrader autogrades, else the one in cwd."""
    root = Path(settings["nbgrader_root"])
    name = settings["assignments"][assignment_id]["notebook"]
    if cwd.parent.parent == root / "autograded" and cwd.name == assignment_id:
        submitted = root / "submitted" / cwd.parent.name / assignment_id / name
        if submitted.is_file():
            return submitted
    local = cwd / name
    if local.is_file():
        return local
    raise RuntimeError(f"cannot find the notebook to grade: neither nbgrader's submitted/ "
                       f"copy nor {local} exists")


def result_key(settings: dict[str, Any], assignment_id: str, notebook: bytes) -> str:
    """What a memoised result is keyed by: the notebook and every input of its grade."""
    h = hashlib.sha256()
    h.update(f"{settings['autograder_version']}\0{assignment_id}\0".encode())
    h.update(hashlib.sha256(notebook).digest())
    for name in settings["assignments"][assignment_id]["inputs"]:
        path = Path(name)
        h.update(hashlib.sha256(path.read_bytes() if path.is_file() else b"").digest())
    return h.hexdigest()


def _grade(settings: dict[str, Any], settings_path: Path, assignment_id: str,
           notebook: Path, memo: Path) -> None:
    env = {k: os.environ[k] for k in ENV_KEEP if k in os.environ}
    cmd = [settings["python"], "-I", "-m", "autograder.nbgrader.testcell",
           str(settings_path), assignment_id, str(notebook), str(memo)]
    timeout = settings["assignments"][assignment_id]["grade_timeout"]
    try:
        done = subprocess.run(cmd, cwd=settings["course_root"], env=env, timeout=timeout,
                              capture_output=True, text=True, check=False)
    except subprocess.TimeoutExpired as exc:
        raise RuntimeError(f"the autograder took over {timeout} s to grade "
                           f"{notebook.name}") from exc
    if done.returncode != 0 or not memo.is_file():
        tail = (done.stderr or done.stdout).strip()[-1500:]
        raise RuntimeError(f"the autograder could not grade {notebook.name} (exit "
                           f"{done.returncode}): {tail}")


def feedback(result: dict[str, Any], exercise: dict[str, Any], first: bool) -> str:
    """What the test cell prints: the exercise's checks (hidden ones by name only)."""
    lines = []
    if first:
        if result.get("message"):
            lines.append(f"✗ {result['message']}")
        lines.extend(f"note: {n}" for n in result.get("notes", ()))
    lines.append(f"{exercise['title']} ({exercise['id']}): "
                 f"{exercise['score']:g}/{exercise['max_score']:g}")
    if exercise.get("message") and result.get("status") == "graded":
        lines.extend(f"  {line}" for line in str(exercise["message"]).splitlines())
    for c in exercise.get("checks", ()):
        mark = "✓" if c["passed"] else "✗"
        if c.get("hidden"):
            lines.append(f"  {mark} {c['name']} (hidden check)")
        else:
            lines.append(f"  {mark} {c['name']}: {c['message']}")
    for hint in exercise.get("hints", ()):  # as autograder.hints.Hint.render
        where = f"line {hint['line']} (`{hint['code']}`): " if hint.get("line") else ""
        lines.append(f"  hint: {where}{hint['text']}")
    return "\n".join(lines)


def exercise_score(assignment_id: str, exercise_id: str,
                   settings_path: str | Path | None = None) -> float:
    """The exercise's score for the notebook being autograded (runs in the kernel)."""
    path = Path(settings_path) if settings_path else Path(__file__).with_name(SETTINGS)
    settings = _settings(path)
    notebook = find_notebook(settings, assignment_id, Path.cwd().resolve())
    key = result_key(settings, assignment_id, notebook.read_bytes())
    memo = path.parent / RESULTS / f"{key}.json"
    if not memo.is_file():
        _grade(settings, path, assignment_id, notebook, memo)
    result = json.loads(memo.read_text(encoding="utf-8"))
    exercises = result["exercises"]
    for i, ex in enumerate(exercises):
        if ex["id"] == exercise_id:
            print(feedback(result, ex, first=i == 0))
            return float(ex["score"])
    raise RuntimeError(f"the grade of {notebook.name} has no exercise {exercise_id!r}")


# --------------------------------------------------------------------------- the grader


def main(argv: list[str] | None = None) -> int:
    """Grade one notebook in the sandbox; write the result's JSON (the grader's side)."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 4:
        print("usage: python -m autograder.nbgrader.testcell SETTINGS ASSIGNMENT NOTEBOOK OUT",
              file=sys.stderr)
        return 2
    settings_path, assignment_id, notebook, out = args
    from autograder.course import load_course
    from autograder.errors import GraderError
    from autograder.grade import context
    from autograder.pipeline import grade_submission

    settings = _settings(Path(settings_path))
    try:
        course = load_course(settings["course_yaml"])
        ctx = context(course, assignment_id)
    except GraderError as exc:
        print(f"autograder: error: {exc}", file=sys.stderr)
        return 2
    path = Path(notebook)
    student = path.parent.parent.name if path.parent.name == assignment_id else None
    result = grade_submission(path, ctx, student=student)
    target = Path(out)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=target.parent, suffix=".tmp", delete=False,
                                     encoding="utf-8") as tmp:
        json.dump(result.to_dict(), tmp, ensure_ascii=False)
    os.replace(tmp.name, target)  # atomic: a reader sees the whole result or none
    return 0


if __name__ == "__main__":
    sys.exit(main())
