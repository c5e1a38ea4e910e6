"""The Gradescope autograder zip, run in a local stand-in of Gradescope's folders, gives the
same points per check as `autograder grade`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from autograder.cli import main
from autograder.reporters import gradescope
from autograder.results import SubmissionResult

ROOT = Path(__file__).resolve().parents[1]
WEEK1 = ROOT / "examples" / "submissions" / "week1"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gradescope") / "autograder.zip"
    assert main(["--course", str(ROOT / "course.yaml"), "gradescope", "build", "week1",
                 "--out", str(out)]) == 0
    return out


def run_autograder(zip_path: Path, notebook: Path | None, where: Path) -> dict[str, Any]:
    """Lay out /autograder as Gradescope does, in ``where``, and run run_autograder."""
    source = where / "source"
    with zipfile.ZipFile(zip_path) as zf:
        zf.extractall(source)
    (where / "submission").mkdir()
    if notebook is not None:
        shutil.copyfile(notebook, where / "submission" / notebook.name)
    script = source / "run_autograder"
    script.chmod(0o755)
    env = {**os.environ, "GRADESCOPE_ROOT": str(where), "AUTOGRADER_PYTHON": sys.executable}
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads((where / "results" / "results.json").read_text(encoding="utf-8"))


def test_the_zip_holds_what_gradescope_needs(autograder_zip: Path) -> None:
    with zipfile.ZipFile(autograder_zip) as zf:
        names = set(zf.namelist())
    assert {"setup.sh", "run_autograder", "course/course.yaml",
            "course/solutions/week1/week1.ipynb", "course/assignments/week1/week1.ipynb",
            "grader/pyproject.toml", "grader/autograder/pipeline.py"} <= names
    assert any(n.startswith("course/.autograder-cache/reference/week1-") for n in names)
    assert not any("week2" in n for n in names)


def points_per_test(shown: dict[str, Any]) -> dict[str, tuple[float, float, bool]]:
    """Gradescope's results.json as (score, max_score, hidden) per test name."""
    return {t["name"]: (t["score"], t["max_score"], t["visibility"] == "after_published")
            for t in shown["tests"]}


def points_per_check(result: SubmissionResult) -> dict[str, tuple[float, float, bool]]:
    """``autograder grade``'s result in the same shape."""
    return {f"{e.title}: {c.name}": (c.points, c.max_points, c.hidden)
            for e in result.exercises for c in e.checks}


# run end to end in the stand-in: a correct, a partly right, an untouched and a broken file
# (each run is a fresh process grading one notebook, ~30 s); every other example's grade
# goes through the same results.json writer below
END_TO_END = ("correct", "unscaled_prices", "untouched_release", "not_a_notebook")


@pytest.mark.parametrize("example", END_TO_END)
def test_points_per_check_equal_autograder_grade(example: str, autograder_zip: Path,
                                                 tmp_path: Path,
                                                 results: dict[str, SubmissionResult]) -> None:
    shown = run_autograder(autograder_zip, WEEK1 / f"{example}.ipynb", tmp_path)
    assert points_per_test(shown) == points_per_check(results[example])
    assert shown["score"] == results[example].score


def test_every_example_gets_the_points_of_grade(results: dict[str, SubmissionResult]) -> None:
    for example in sorted(p.stem for p in WEEK1.glob("*.ipynb")):
        shown = json.loads(json.dumps(gradescope.results(results[example])))
        assert points_per_test(shown) == points_per_check(results[example]), example
        assert shown["score"] == results[example].score


def test_no_notebook_uploaded(autograder_zip: Path, tmp_path: Path) -> None:
    shown = run_autograder(autograder_zip, None, tmp_path)
    assert shown["score"] == 0 and "upload week1.ipynb" in str(shown["output"])
