"""course.yaml: strict validation naming key and line, a course's own checks, CLI errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.course import load_course
from autograder.errors import CourseError
from autograder.grade import grade
from autograder.release import release

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "submissions" / "week1"

#: a small course over the repository's Week 1 solution (its house_data exercise only)
BASE = """\
version: 1
course: tiny
assignments:
  week1:
    notebook: week1.ipynb
    seed: 7
    time_limit: 120
    exercises:
      - id: house_data
        record: arrays
        time_limit: 30
        checks:
          - name: two arrays of six houses
            check: array_shapes
            params: {labels: [bedrooms, prices]}
"""


def write_course(folder: Path, text: str) -> Path:
    """course.yaml with ``text`` in ``folder``, next to a copy of the solutions."""
    folder.mkdir(parents=True, exist_ok=True)
    if not (folder / "solutions").exists():
        shutil.copytree(ROOT / "solutions", folder / "solutions")
    path = folder / "course.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def variant(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("old", "new", "needle", "expected"), [
    pytest.param("        record: arrays\n", "        record: arrays\n        colour: blue\n",
                 "colour: blue", "assignments.week1.exercises[0].colour: unknown key",
                 id="unknown-key"),
    pytest.param("time_limit: 30", 'time_limit: "ten"', '"ten"',
                 "exercises[0].time_limit: expected a number, found 'ten'", id="wrong-type"),
    pytest.param("notebook: week1.ipynb", "notebook: week0.ipynb", "week0.ipynb",
                 "assignments.week1.notebook:", id="missing-notebook"),
    pytest.param("check: array_shapes", "check: array_shape", "array_shape",
                 "checks[0].check: unknown check 'array_shape'", id="unknown-check"),
    pytest.param("[bedrooms, prices]}", "[bedrooms, prices], colour: 1}", "colour: 1",
                 "checks[0].params.colour: unknown key", id="unknown-param"),
    pytest.param("version: 1", "version: 2", "version: 2",
                 "course.version: this grader reads version 1, found 2", id="wrong-version"),
    pytest.param("prices]}\n", "prices]}\n      - house_model\n", "- house_model",
                 "exercises[1]",
                 id="not-a-mapping"),
])
def test_invalid_course_names_key_and_line(tmp_path: Path, old: str, new: str, needle: str,
                                           expected: str) -> None:
    load_course(write_course(tmp_path / "ok", BASE))  # the base itself is valid
    text = variant(old, new)
    path = write_course(tmp_path, text)
    with pytest.raises(CourseError) as info:
        load_course(path)
    message = str(info.value)
    assert f"course.yaml:{line_of(text, needle)}:" in message
    assert expected in message


CHECKS_MODULE = '''\
from dataclasses import dataclass

from autograder.checks import CheckSpec, Verdict


@dataclass(frozen=True)
class EvenParams:
    what: str = "arrays"


def always_even(found, expected, params):
    n = len(found.arrays or ())
    return Verdict(n % 2 == 0, f"custom check says: {n} {params.what}, an even number")


CHECKS = {"always_even": CheckSpec(always_even, EvenParams)}
'''

TINY_COURSE = variant("course: tiny\n", "course: tiny\nextra_checks: my_checks.py\n") + """\
          - name: an even number of arrays
            check: always_even
            points: 2
            params: {what: returned arrays}
"""


def tiny_course(folder: Path, checks_module: str = CHECKS_MODULE) -> Path:
    """BASE with a course check; its solution keeps only house_data (no training)."""
    path = write_course(folder, TINY_COURSE)
    (folder / "my_checks.py").write_text(checks_module, encoding="utf-8")
    solution = folder / "solutions" / "week1" / "week1.ipynb"
    nb = json.loads(solution.read_text(encoding="utf-8"))
    nb["cells"] = [c for c in nb["cells"] if not "".join(c["source"]).startswith("# GRADED")
                   or "def house_data(" in "".join(c["source"])]
    solution.write_text(json.dumps(nb), encoding="utf-8")
    return path


def test_course_adds_its_own_check(tmp_path: Path) -> None:
    course = load_course(tiny_course(tmp_path / "course"))
    assert "always_even" in course.checks
    release(course)
    # raises_exception gets house_data right; its other exercises are not in this course
    report = grade(course, "week1", [EXAMPLES / "raises_exception.ipynb"], tmp_path / "out")
    (result,) = report.results
    assert (result.score, result.max_score) == (3, 3)
    checks = {c.name: c for c in result.exercises[0].checks}
    assert checks["an even number of arrays"].passed
    assert checks["an even number of arrays"].message == (
        "custom check says: 2 returned arrays, an even number")


def test_own_check_parameters_are_validated(tmp_path: Path) -> None:
    text = variant("{what: returned arrays}", "{wat: arrays}", TINY_COURSE)
    tiny_course(tmp_path).write_text(text, encoding="utf-8")
    with pytest.raises(CourseError, match=rf"course.yaml:{line_of(text, 'wat:')}: "
                                          r".*checks\[1\]\.params\.wat: unknown key"):
        load_course(tmp_path / "course.yaml")


def test_own_checks_may_use_future_annotations(tmp_path: Path) -> None:
    path = tiny_course(tmp_path, "from __future__ import annotations\n\n" + CHECKS_MODULE)
    assert "always_even" in load_course(path).checks


def test_cli_unknown_assignment(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["--course", str(ROOT / "course.yaml"), "grade", "week9",
            str(EXAMPLES / "untouched_release.ipynb"), "--out", str(tmp_path)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("autograder: error: unknown assignment 'week9'")
    assert "known assignments: week1" in err
    assert "Traceback" not in err


def test_cli_missing_course_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere" / "course.yaml"
    assert main(["--course", str(missing), "release", "--check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"autograder: error: no course file at {missing}")
    assert "--course" in err


def repo_course_variant(folder: Path, old: str, new: str) -> tuple[Path, str]:
    """The repository's course.yaml with one edit, reading the repository's solutions."""
    text = (ROOT / "course.yaml").read_text(encoding="utf-8")
    text = variant("extra_checks: course_checks.py",
                   f"extra_checks: {ROOT / 'course_checks.py'}\nsolutions: {ROOT / 'solutions'}",
                   text)
    text = variant(old, new, text)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "course.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


#: the instructor typos of issue 14, each caught when the course loads
TYPOS = [
    pytest.param("{compare: [count, pixels]}", "{compare: [count, pixles]}", "pixles",
                 ["params.compare: unknown item 'pixles'", "allowed: count, size,",
                  "did you mean 'pixels'?"], id="compare-pixles"),
    pytest.param("rtol: 1.0e-5", "rtol: -1", "rtol: -1",
                 ["params.rtol: -1.0 is not allowed here: it must be ≥ 0"], id="rtol-negative"),
    pytest.param("{kind: float, labels", "{kind: flaot, labels", "flaot",
                 ["params.kind: unknown value 'flaot'; allowed: float, integer, same",
                  "did you mean 'float'?"], id="kind-flaot"),
    pytest.param("tolerance: 0.3\n", "tolerance: -0.3\n", "tolerance: -0.3",
                 ["params.tolerance: -0.3 is not allowed here: it must be ≥ 0"],
                 id="tolerance-negative"),
    pytest.param("threshold: 0.85}", "threshold: 85}", "threshold: 85}",
                 ["params.threshold: 85.0 is not allowed here", "did you mean 0.85?"],
                 id="threshold-85"),
    pytest.param("metric: val_accuracy,", "metric: val_acuracy,", "val_acuracy",
                 ["params.metric: unknown metric 'val_acuracy'",
                  "did you mean 'val_accuracy'?"], id="metric-val_acuracy"),
    pytest.param("{labels: [horse, human], dataset: horses_or_humans, split: predict,",
                 "{labels: [horse, humna], dataset: horses_or_humans, split: predict,",
                 "humna", ["params.labels: unknown label 'humna'; allowed: horse, human",
                           "did you mean 'human'?"], id="labels-humna"),
    pytest.param("{dataset: fashion_mnist, split: test, scale: 255.0, threshold: 0.85}",
                 "{dataset: fashion_mnsit, split: test, scale: 255.0, threshold: 0.85}",
                 "fashion_mnsit", ["params.dataset: unknown dataset 'fashion_mnsit'",
                                   "did you mean 'fashion_mnist'?"], id="dataset-misspelled"),
    pytest.param("{dataset: fashion_mnist, split: test, scale: 255.0, threshold: 0.85}",
                 "{dataset: fashion_mnist, split: tset, scale: 255.0, threshold: 0.85}",
                 "split: tset", ["params.split: unknown split of fashion_mnist 'tset'",
                                 "allowed: train, test"], id="split-misspelled"),
    pytest.param("{dataset: horses_or_humans, split: heldout, threshold: 0.8}",
                 "{dataset: fashion_mnist, split: test, threshold: 0.8}",
                 "{dataset: fashion_mnist, split: test, threshold: 0.8}",
                 ["params.dataset: this check needs a dataset of image files"],
                 id="dataset-wrong-kind"),
    pytest.param("check: layer_table\n            points: 3\n          - name: 40",
                 "check: layer_tabel\n            points: 3\n          - name: 40",
                 "layer_tabel", ["unknown check 'layer_tabel'", "did you mean 'layer_table'?"],
                 id="check-misspelled"),
]


@pytest.mark.parametrize(("old", "new", "needle", "expected"), TYPOS)
def test_instructor_typos_are_caught_at_load(tmp_path: Path, old: str, new: str, needle: str,
                                             expected: list[str]) -> None:
    path, text = repo_course_variant(tmp_path, old, new)
    with pytest.raises(CourseError) as info:
        load_course(path)
    message = str(info.value)
    assert f"course.yaml:{line_of(text, needle)}:" in message, message
    for part in expected:
        assert part in message, message


def test_typos_exit_2_naming_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path, text = repo_course_variant(tmp_path, "{kind: float, labels", "{kind: flaot, labels")
    assert main(["--course", str(path), "release", "--check"]) == 2
    err = capsys.readouterr().err
    assert f"course.yaml:{line_of(text, 'flaot')}:" in err
    assert "did you mean 'float'?" in err


def test_repository_course_is_strictly_valid() -> None:
    course = load_course(ROOT / "course.yaml")
    (answers,) = [c for c in course.assignment("week4").exercise("predict_image").checks
                  if c.hidden]
    assert answers.params.labels == ("horse", "human")


def test_release_fails_when_the_solution_fails_a_check(tmp_path: Path) -> None:
    """A check the reference solution itself fails is an error at release, naming the line."""
    text = variant("            params: {what: returned arrays}\n",
                   "            params: {what: returned arrays}\n"
                   "          - name: whole numbers\n"
                   "            check: array_dtype\n"
                   "            params: {kind: integer}\n", TINY_COURSE)
    path = tiny_course(tmp_path / "course")
    path.write_text(text, encoding="utf-8")
    course = load_course(path)
    with pytest.raises(CourseError) as info:
        release(course)
    message = str(info.value)
    assert "the solution of week1 fails 1 of its own checks" in message
    assert f"course.yaml:{line_of(text, '- name: whole numbers')}: week1.house_data: " \
           "check 'whole numbers' (array_dtype) fails on the solution" in message
    assert not course.release_path(course.assignment("week1")).exists()


def test_a_metric_the_solution_never_records_fails_its_check() -> None:
    """``metric: val_accuracy`` on a solution that trains without validation."""
    from autograder.checks import builtin_checks, judge
    from autograder.checks.training import HistoryParams
    from autograder.facts import ExerciseFacts

    solution = ExerciseFacts("ok", value={"history": {"loss": [0.5, 0.4], "accuracy": [.8, .9]},
                                          "epochs": 2, "epochs_run": 2})
    spec = builtin_checks()["history"]
    verdict = judge(spec, HistoryParams(stopped_early=False, metric="val_accuracy", above=0.0),
                    solution, solution)
    assert not verdict.passed
    assert "has no 'val_accuracy'" in verdict.message


@pytest.mark.parametrize(("old", "new", "needle", "expected"), [
    pytest.param("time_limit: 30", "time_limt: 30", "time_limt",
                 "unknown key; allowed keys here: id, title", id="exercise-key"),
    pytest.param("{labels: [bedrooms, prices]}", "{lables: [bedrooms, prices]}", "lables",
                 "params.lables: unknown key; allowed keys here: labels", id="params-key"),
])
def test_unknown_keys_suggest_the_close_ones(tmp_path: Path, old: str, new: str, needle: str,
                                             expected: str) -> None:
    text = variant(old, new)
    with pytest.raises(CourseError) as info:
        load_course(write_course(tmp_path, text))
    message = str(info.value)
    assert f"course.yaml:{line_of(text, needle)}:" in message
    assert expected in message
    assert f"did you mean '{needle.replace('limt', 'limit').replace('lables', 'labels')}'?" \
        in message
