"""Every bundled Week 1 example gets its known score and feedback (one shared batch)."""

from __future__ import annotations

import pytest

from autograder.grade import BatchReport
from autograder.results import SubmissionResult

pytestmark = pytest.mark.slow

Results = dict[str, SubmissionResult]

#: per-exercise scores: house_data, house_model, train_house_model
EXPECTED = {
    "correct": (4, 3, 4),
    "correct_again": (4, 3, 4),
    "correct_stripped": (4, 3, 4),
    "integer_arrays": (3, 3, 4),
    "not_a_notebook": (0, 0, 0),
    "raises_exception": (4, 0, 0),
    "unscaled_prices": (2, 3, 0),
    "untouched_release": (0, 0, 0),
    "wrong_architecture": (4, 1, 4),
}


def failed(result: SubmissionResult) -> dict[str, str]:
    """The failing checks, by name, with their messages."""
    return {c.name: c.message for e in result.exercises for c in e.checks if not c.passed}


def test_scores_of_every_example(batch: BatchReport) -> None:
    got = {r.student: tuple(e.score for e in r.exercises) for r in batch.results}
    assert got == EXPECTED
    for r in batch.results:
        assert r.score == sum(EXPECTED[r.student]) and r.max_score == 11


def test_correct_passes_every_check(results: Results) -> None:
    for name in ("correct", "correct_stripped"):
        assert results[name].status == "graded"
        assert failed(results[name]) == {}
        assert results[name].notes == ()


def test_integer_arrays(results: Results) -> None:
    problems = failed(results["integer_arrays"])
    assert list(problems) == ["floating-point numbers"]
    assert "whole numbers (int64)" in problems["floating-point numbers"]


def test_not_a_notebook_is_ungradable_and_the_batch_goes_on(batch: BatchReport) -> None:
    names = [r.student for r in batch.results]
    r = batch.results[names.index("not_a_notebook")]
    assert r.status == "ungradable" and r.score == 0
    assert r.message.startswith("not_a_notebook.ipynb is not a Jupyter notebook")
    assert all(later.status == "graded" for later in batch.results[names.index(r.student) + 1:])
    assert len(batch.results) == len(EXPECTED)


def test_raises_exception(results: Results) -> None:
    model = results["raises_exception"].exercises[1]
    assert model.id == "house_model" and model.status == "error"
    assert model.message.startswith("raised AttributeError when called")
    assert "Dens" in model.message
    assert results["raises_exception"].exercises[0].message == ""


def test_unscaled_prices(results: Results) -> None:
    problems = failed(results["unscaled_prices"])
    assert set(problems) == {"bedrooms and prices", "predicts a 7-bedroom house at about 4.0",
                             "predicts other house sizes too"}
    assert problems["bedrooms and prices"].startswith("prices is 100 times what it should be")
    assert "about 100 times too large" in problems["predicts a 7-bedroom house at about 4.0"]


def test_untouched_release(results: Results) -> None:
    for exercise in results["untouched_release"].exercises:
        assert exercise.message.startswith("not written yet"), exercise.id
        assert all(c.message.startswith("not checked") for c in exercise.checks)


def test_wrong_architecture(results: Results) -> None:
    problems = failed(results["wrong_architecture"])
    assert list(problems) == ["one Dense layer of one unit"]
    assert "should have 1 layer" in problems["one Dense layer of one unit"]
    check = results["wrong_architecture"].exercises[1].checks[0]
    assert check.check == "layer_table" and check.table is not None
    assert len(check.table.rows) == 2


def test_same_submission_graded_twice_scores_the_same(results: Results) -> None:
    def scores(r: SubmissionResult) -> list[tuple[str, float, bool]]:
        return [(c.name, c.points, c.passed) for e in r.exercises for c in e.checks]

    assert scores(results["correct"]) == scores(results["correct_again"])
    assert results["correct"].score == results["correct_again"].score == 11
