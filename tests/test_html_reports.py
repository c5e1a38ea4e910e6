"""HTML reports: the feedback page (training curves, layer diff, hidden checks) and the
instructor's overview of a batch. Hand-built results, and the session's graded Week 1 batch.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from small_course import ROOT, write_small_course

from autograder.check import check_exercise, training_curves
from autograder.checks import Table
from autograder.course import Assignment, Course, load_course
from autograder.facts import OK, ExerciseFacts
from autograder.grade import grade
from autograder.reporters import html, overview, svg
from autograder.results import (
    WITHHELD,
    CheckResult,
    Curve,
    ExerciseResult,
    SubmissionResult,
    from_dict,
)

Results = dict[str, SubmissionResult]
EVIL = "<script>alert('x')</script>"
ESCAPED = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"
HISTORY = {"history": {"loss": [0.62, 0.45, 0.39], "accuracy": [0.78, 0.84, 0.86],
                       "val_loss": [0.65, 0.5, 0.47], "val_accuracy": [0.76, 0.8, 0.83]},
           "epochs": 10, "epochs_run": 3}
REPORTS_OF = "{}.html"


class _Balance(HTMLParser):
    """Checks that every element opened is closed, in order (void elements aside)."""

    VOID = frozenset({"meta", "br", "hr", "img", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes <{self.open[-1:]}>"
        self.open.pop()


def well_formed(page: str) -> None:
    """The page is an HTML document whose elements all nest and close."""
    assert page.startswith("<!doctype html>")
    parser = _Balance()
    parser.feed(page)
    parser.close()
    assert parser.open == []


def polylines(page: str) -> list[list[tuple[float, float]]]:
    """The points of every line drawn in the page's SVG charts."""
    return [[(float(x), float(y)) for x, y in (p.split(",") for p in points.split())]
            for points in re.findall(r'<polyline [^>]*points="([^"]*)"', page)]


def trained(curves: tuple[Curve, ...], *checks: CheckResult) -> SubmissionResult:
    exercise = ExerciseResult("train_model", "Exercise 5: training", 2.0, 5.0, OK, "",
                              checks, curves=curves)
    return SubmissionResult("alice.ipynb", "alice", "week2", "graded", 2.0, 5.0, "",
                            (exercise,))


def test_a_history_exercise_gets_its_finite_curves(course: Course) -> None:
    week2 = course.assignment("week2")
    value = {**HISTORY, "history": {"loss": [0.5, 0.3, float("nan"), 0.2], "accuracy": [0.8],
                                    "lr": [None, 0.1], "<odd>": "not a list"}}
    found = ExerciseFacts(OK, value=value)
    result = check_exercise(week2.exercise("train_model"), found, ExerciseFacts(OK, value=HISTORY),
                            course.checks)
    assert result.curves == (Curve("loss", (0.5, 0.3)), Curve("accuracy", (0.8,)))
    # a callback's synthetic logs, or a model exercise, are no training run
    callback = check_exercise(week2.exercise("LossCallback"), ExerciseFacts(OK, value=[]),
                              ExerciseFacts(OK, value=[]), course.checks)
    assert callback.curves == ()
    assert training_curves([1.0]) == training_curves({"history": [0.1]}) == ()


def test_curves_survive_json() -> None:
    result = trained(training_curves(HISTORY))
    assert from_dict(SubmissionResult, json.loads(json.dumps(result.to_dict()))) == result


@pytest.mark.slow
def test_a_real_week2_training_run_is_plotted(tmp_path: Path) -> None:
    course = load_course(write_small_course(tmp_path, ("week2",)))
    submission = ROOT / "examples" / "submissions" / "week2" / "correct.ipynb"
    (result,) = grade(course, "week2", [submission], tmp_path / "reports").results
    training = next(e for e in result.exercises if e.id == "train_model")
    assert [c.metric for c in training.curves] == ["accuracy", "loss"]
    epochs = len(training.curves[0].values)
    assert 1 <= epochs < 10 and all(len(c.values) == epochs for c in training.curves)
    assert all(e.curves == () for e in result.exercises if e.id != "train_model")
    page = (tmp_path / "reports" / "correct.html").read_text(encoding="utf-8")
    well_formed(page)
    assert [len(line) for line in polylines(page)] == [epochs, epochs]
    assert f"epoch (of {epochs})" in page


def test_feedback_page_plots_each_metric_with_its_validation_curve() -> None:
    curves = training_curves(HISTORY)
    page = html.render(trained(curves, CheckResult("stops early", "history", True, 2.0, 2.0,
                                                   "trained for 3 of 10 epochs")))
    well_formed(page)
    assert page.count("<svg") == 2  # loss and accuracy, each training and validation
    lines = polylines(page)
    assert [len(line) for line in lines] == [3, 3, 3, 3]
    loss = lines[0]
    assert [x for x, _ in loss] == sorted(x for x, _ in loss)  # epochs left to right
    assert loss[0][1] < loss[1][1] < loss[2][1]  # a falling loss goes down the chart
    for legend in ("training loss: 0.39 at epoch 3", "validation loss: 0.47 at epoch 3",
                   "training accuracy: 0.86 at epoch 3", "epoch (of 3)"):
        assert legend in page


def test_charts_escape_a_students_metric_names() -> None:
    page = html.render(trained((Curve(EVIL, (1.0, 0.5)), Curve("val_" + EVIL, (2.0,)))))
    well_formed(page)
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    long = svg.line_chart([("loss", [1.0 / (i + 1) for i in range(5000)])], title="loss")
    assert len(polylines(long)[0]) == svg.MAX_POINTS and "at epoch 5000" in long


def test_diff_rows_marks_only_rows_that_differ() -> None:
    table = Table(("#", "expected layer", "your layer"),
                  (("1", "Flatten", "Flatten"), ("2", "Dense(10, softmax)", "Dense(1)")))
    assert [row.differs for row in html.diff_rows(table)] == [False, True]
    assert [row.differs for row in html.diff_rows(Table(("found",), (("x",),)))] == [False]


def test_hidden_check_shows_its_name_and_verdict_only() -> None:
    hidden = CheckResult("other house sizes", "prediction", False, 0.0, 1.0,
                         "the prediction for 10 is 9.1, expected SECRET-EXPECTED", hidden=True,
                         near_threshold=True,
                         table=Table(("input", "expected price", "your price"),
                                     (("SECRET-INPUT", "SECRET-EXPECTED", "5.0"),)))
    result = trained((), hidden)
    page = html.render(result.for_student())
    well_formed(page)
    assert "other house sizes" in page and "hidden</span>" in page and WITHHELD in page
    assert "SECRET" not in page and "near the threshold" not in page
    assert "expected price" not in page and "9.1" not in page
    # the instructor's record keeps what the check said
    assert "SECRET-EXPECTED" in json.dumps(result.to_dict())


@pytest.mark.slow
def test_layer_diff_highlights_the_wrong_architecture(results: Results) -> None:
    result = results["wrong_architecture"]
    check = next(c for e in result.exercises for c in e.checks if c.check == "layer_table")
    assert check.table is not None
    page = html.render(result)
    well_formed(page)
    header = check.table.header
    expected = [i for i, h in enumerate(header) if h.startswith("expected ")]
    found = [header.index("your " + header[i].removeprefix("expected ")) for i in expected]
    for row in check.table.rows:
        differs = [row[i] for i in expected] != [row[j] for j in found]
        cells = "".join(f"<td>{cell}</td>" for cell in row)
        assert (f'<tr class="differs">{cells}</tr>' in page) is differs
        assert (f"<tr>{cells}</tr>" in page) is not differs
    assert "Dense(8, relu)" in page and "highlighted: yours differs" in page


@pytest.mark.slow
def test_overview_of_the_week1_batch(results: Results, week1: Assignment) -> None:
    everyone = list(results.values())
    reports = {r.student: REPORTS_OF.format(r.student) for r in everyone}
    page = overview.render(everyone, week1, reports)
    well_formed(page)
    summary = overview.summarise(everyone, week1)
    assert (summary.submissions, summary.ungradable) == (len(everyone), 1)
    assert summary.graded == len(everyone) - 1
    # the ungradable notebook, linked, with its reason
    reason = results["not_a_notebook"].message
    assert '<a href="not_a_notebook.html">not_a_notebook</a>' in page
    assert f"<pre>{reason}</pre>" in page.replace("&#39;", "'")
    # an exercise that raised, with the first line of its message
    raised = next(e for e in results["raises_exception"].exercises if e.status == "error")
    assert raised.message.splitlines()[0] in page.replace("&#39;", "'")
    # pass rates, hidden checks included
    hidden = week1.exercise("train_house_model").checks[1]
    rate = next(c for ex in summary.rates for c in ex.checks if c.name == hidden.name)
    passed = sum(c.passed for r in everyone if r.status == "graded"
                 for e in r.exercises for c in e.checks if c.name == hidden.name)
    assert (rate.passed, rate.total, rate.hidden) == (passed, summary.graded, True)
    assert f"<td class=\"num\">{passed} / {summary.graded}</td>" in page
    # the slowest first, at most ten, each linked
    slowest = page[page.index('id="slowest"'):page.index('id="everyone"')]
    names = re.findall(r'<a href="([^"]+)\.html">', slowest)
    by_time = sorted(everyone, key=lambda r: (-r.seconds, r.student))
    assert names == [r.student for r in by_time][:overview.SLOWEST]
    assert all(f'href="{REPORTS_OF.format(r.student)}"' in page for r in everyone)
    assert page.count("<svg") == 1  # the score histogram


def test_overview_escapes_student_text(week1: Assignment) -> None:
    check = CheckResult(EVIL, "array_values", False, 0.0, 2.0, EVIL)
    exercise = ExerciseResult("house_data", EVIL, 0.0, 4.0, "error", f"{EVIL}\nSECOND-LINE",
                              (check,))
    graded = SubmissionResult(f"{EVIL}.ipynb", EVIL, "week1", "graded", 0.0, 11.0, "",
                              (exercise,), seconds=3.0)
    broken = SubmissionResult("b.ipynb", "bob", "week1", "ungradable", 0.0, 11.0, EVIL, ())
    page = overview.render([graded, broken], week1, {EVIL: f"{EVIL}.html"})
    well_formed(page)
    assert "<script>" not in page and ESCAPED in page
    assert "SECOND-LINE" not in page  # only an exercise's first message line


def test_score_bins() -> None:
    assert overview.score_bins([0.0, 4.0, 4.0, 11.0], 11.0) == (
        ("0", 1), ("1", 0), ("2", 0), ("3", 0), ("4", 2), *((str(k), 0) for k in range(5, 11)),
        ("11", 1))
    bins = overview.score_bins([0.5, 2.5, 2.6, 5.0], 5.0)
    assert len(bins) == overview.BINS and bins[0] == ("0-0.5", 0) and bins[-1] == ("4.5-5", 1)
    assert sum(count for _, count in bins) == 4
    assert overview.score_bins([], 3.0) == (("0", 0), ("1", 0), ("2", 0), ("3", 0))
