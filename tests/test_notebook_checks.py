"""check() inside released notebooks, run in a real Jupyter kernel with nbclient.

The notebook's verdicts must equal the grader's on the public checks, show the hints,
and nothing hidden (check parameters, solution code, hidden expectations) may be in
what students receive.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat import NotebookNode

from autograder import bundle
from autograder.course import Course
from autograder.notebook import cell_meta
from autograder.results import SubmissionResult

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "submissions"
REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)

pytestmark = pytest.mark.slow


def run_checks(path: Path, drop: tuple[str, ...] = ()) -> dict[str, str]:
    """Execute the notebook's checker, setup, exercise and check cells; the check outputs.

    Teaching code cells (demos that train for minutes) are left out; so are the check
    cells of the exercises in ``drop``.
    """
    nb: NotebookNode = nbformat.read(str(path), as_version=4)
    keep = []
    for cell in nb.cells:
        meta = cell_meta(cell)
        if cell.cell_type == "code" and meta.get("role") == "teaching":
            continue
        if meta.get("role") == "check" and meta.get("exercise") in drop:
            continue
        keep.append(cell)
    nb.cells = keep
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    shown = {}
    for cell in nb.cells:
        meta = cell_meta(cell)
        if meta.get("role") == "check":
            texts = [o["data"]["text/plain"] for o in cell.outputs if "data" in o]
            errors = [f"{o['ename']}: {o['evalue']}" for o in cell.outputs
                      if o.output_type == "error"]
            assert not errors, errors
            assert any("text/html" in o.get("data", {}) for o in cell.outputs)
            shown[meta["exercise"]] = "\n".join(texts)
    return shown


def verdicts(text: str) -> dict[str, bool | None]:
    found: dict[str, bool | None] = {}
    for line in text.splitlines():
        m = re.match(r"\s+([✓✗·]) (.+?): ", line)
        if m:
            found[m.group(2)] = {"✓": True, "✗": False, "·": None}[m.group(1)]
    return found


def grader_verdicts(result: SubmissionResult, exercise: str) -> dict[str, bool | None]:
    ex = next(e for e in result.exercises if e.id == exercise)
    return {c.name: None if c.hidden else c.passed for c in ex.checks}


@pytest.fixture(scope="module")
def week1_shown() -> dict[str, dict[str, str]]:
    return {name: run_checks(EXAMPLES / "week1" / f"{name}.ipynb")
            for name in ("correct", "unscaled_prices", "wrong_architecture")}


@pytest.mark.parametrize("name", ["correct", "unscaled_prices", "wrong_architecture"])
def test_notebook_verdicts_equal_the_graders(
    week1_shown: dict[str, dict[str, str]], results: dict[str, SubmissionResult], name: str,
) -> None:
    for exercise, text in week1_shown[name].items():
        assert verdicts(text) == grader_verdicts(results[name], exercise), text


def test_notebook_shows_messages_and_hints(week1_shown: dict[str, dict[str, str]]) -> None:
    unscaled = week1_shown["unscaled_prices"]
    assert "prices is 100 times what it should be" in unscaled["house_data"]
    assert "hint: line 5 (`ys = 50.0 + 50.0 * xs`)" in unscaled["house_data"]
    assert "about 100 times too large" in unscaled["train_house_model"]
    wrong = week1_shown["wrong_architecture"]
    assert "should have 1 layer" in wrong["house_model"]
    assert "single neuron" in wrong["house_model"]
    assert "public checks passed" in week1_shown["correct"]["house_model"]
    for text in week1_shown["correct"].values():
        assert "✗" not in text


def test_week2_callbacks_in_the_notebook() -> None:
    shown = run_checks(EXAMPLES / "week2" / "notes_callbacks.ipynb",
                       drop=("normalize", "train_model"))
    # the lecture's callbacks stop where they should: logs are what fit sends
    loss, accuracy = verdicts(shown["LossCallback"]), verdicts(shown["AccuracyCallback"])
    assert loss["stops at the first epoch with loss below 0.4"] is True
    assert accuracy["stops at the first epoch with accuracy above 0.9"] is True
    # only the optional robustness check (0 points) fails, with its hint
    optional = "survives logs=None and the old 'acc' key (optional)"
    assert loss[optional] is False and accuracy[optional] is False
    assert "logs = logs or {}" in shown["LossCallback"]
    assert "'acc'" in shown["AccuracyCallback"]
    assert "✗" not in shown["create_model"]


def test_the_checker_reports_a_missing_or_unwritten_exercise() -> None:
    shown = run_checks(EXAMPLES / "week1" / "untouched_release.ipynb")
    assert "not written yet" in shown["house_data"]


def _bundles(course: Course) -> dict[str, dict[str, object]]:
    specs = {}
    for a in course.assignments:
        nb = nbformat.read(str(course.release_path(a)), as_version=4)
        cell = next(c for c in nb.cells if cell_meta(c).get("role") == "checker")
        spec = bundle.embedded(cell.source)
        assert spec is not None
        specs[a.id] = spec
    return specs


def test_nothing_hidden_reaches_students(course: Course) -> None:
    for a in course.assignments:
        released = course.release_path(a).read_text(encoding="utf-8")
        spec = _bundles(course)[a.id]
        carried = released + repr(spec)
        solution = course.solution_path(a).read_text(encoding="utf-8")
        solution_nb = nbformat.reads(solution, as_version=4)
        # lines the solution also shows outside its solution regions are public anyway
        public = "\n".join([*(REGION.sub("", c.source) for c in solution_nb.cells),
                            *(h.say for e in a.exercises for h in e.hints)])
        for cell in solution_nb.cells:
            for region in REGION.findall(cell.source):
                for line in region.splitlines():
                    line = line.strip()
                    if len(line) > 12 and not line.startswith(("#", "return")) \
                            and line not in public:
                        assert line not in carried, f"{a.id}: solution line {line!r} released"
        assert "BEGIN SOLUTION" not in released
        by_id = {e["id"]: e for e in spec["exercises"]}  # type: ignore[index]
        for ex in a.exercises:
            for check, shipped in zip(ex.checks, by_id[ex.id]["checks"], strict=True):
                if check.hidden:
                    assert shipped["params"] == {} and shipped["check"] == ""
                    assert shipped["name"] == check.name  # the notebook says it exists
            shipped_facts = spec["facts"][ex.id]  # type: ignore[index]
            assert set(shipped_facts["checks"]) == {c.name for c in ex.checks if not c.hidden}
            for c in ex.checks:
                if c.hidden:
                    continue
                needs = course.checks[c.check].needs
                facts = shipped_facts["parts"][shipped_facts["checks"][c.name]]
                if needs not in ("arrays", "any"):
                    assert "arrays" not in facts
                if needs not in ("model", "any"):
                    assert "model" not in facts
