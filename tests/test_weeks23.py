"""Weeks 2 and 3 graded end to end on small slices of Fashion-MNIST (real Keras training)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pytest
from small_course import ROOT, write_small_course
from test_gradescope import points_per_check, points_per_test, run_autograder

from autograder.cli import main
from autograder.course import load_course
from autograder.grade import grade
from autograder.reporters import gradescope
from autograder.results import SubmissionResult

pytestmark = pytest.mark.slow
WEEK2 = ROOT / "examples" / "submissions" / "week2"


#: A train_model that trains nothing and returns a History it built itself, claiming that
#: the callback stopped a 10-epoch run after 2 epochs.
FORGED_HISTORY = """# GRADED FUNCTION: train_model
def train_model(images, labels):
    model = create_model()
    history = tf.keras.callbacks.History()
    history.set_model(model)
    history.epoch = [0, 1]
    history.params = {"epochs": 10, "steps": 125, "verbose": 0}
    history.history = {"loss": [0.5, 0.35], "accuracy": [0.85, 0.9]}
    return history
"""


def forged_history(folder: Path) -> Path:
    """The correct Week 2 example with a hand-built History instead of training."""
    nb = nbformat.read(str(ROOT / "examples" / "submissions" / "week2" / "correct.ipynb"),
                       as_version=4)
    cell = next(c for c in nb.cells if c.source.startswith("# GRADED FUNCTION: train_model"))
    cell.source = FORGED_HISTORY
    path = folder / "forged_history.ipynb"
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small course's folder (weeks 2 and 3 on slices of Fashion-MNIST)."""
    folder = tmp_path_factory.mktemp("small-course")
    write_small_course(folder, ("week2", "week3"))
    return folder


@pytest.fixture(scope="module")
def graded(small: Path) -> dict[str, dict[str, SubmissionResult]]:
    folder = small
    course = load_course(folder / "course.yaml")
    out: dict[str, dict[str, SubmissionResult]] = {}
    extra = {"week2": [forged_history(folder)], "week3": []}
    for week in ("week2", "week3"):
        report = grade(course, week, [ROOT / "examples" / "submissions" / week, *extra[week]],
                       folder / week)
        out[week] = {r.student: r for r in report.results}
    return out


def scores(result: SubmissionResult) -> dict[str, float]:
    return {e.id: e.score for e in result.exercises}


def failed(result: SubmissionResult, exercise: str) -> dict[str, str]:
    ex = next(e for e in result.exercises if e.id == exercise)
    return {c.name: c.message for c in ex.checks if not c.passed}


def hints(result: SubmissionResult, exercise: str) -> list[Any]:
    return list(next(e for e in result.exercises if e.id == exercise).hints)


def test_week2_scores(graded: dict[str, dict[str, SubmissionResult]]) -> None:
    w2 = graded["week2"]
    assert scores(w2["correct"]) == {"normalize": 4, "create_model": 4, "LossCallback": 3,
                                     "AccuracyCallback": 3, "train_model": 5}
    # the lecture's callbacks (logs={}, logs.get('loss') < 0.4) get full marks: the probe
    # sends what fit sends; only the optional robustness check (0 points) fails
    assert scores(w2["notes_callbacks"]) == {"normalize": 4, "create_model": 4,
                                             "LossCallback": 3, "AccuracyCallback": 3,
                                             "train_model": 5}
    assert scores(w2["not_normalized"])["normalize"] == 1
    assert scores(w2["not_normalized"])["LossCallback"] == 0
    assert scores(w2["wrong_output_layer"])["create_model"] == 1
    assert w2["untouched_release"].score == 0


def test_week2_callback_messages_and_hints(graded: dict[str, dict[str, SubmissionResult]]) -> None:
    notes = graded["week2"]["notes_callbacks"]
    optional = "survives logs=None and the old 'acc' key (optional)"
    loss = failed(notes, "LossCallback")
    assert list(loss) == [optional]
    assert "raised AttributeError" in loss[optional] and "logs=None" in loss[optional]
    assert any("logs = logs or {}" in h.text for h in hints(notes, "LossCallback"))
    accuracy = failed(notes, "AccuracyCallback")
    assert list(accuracy) == [optional] and "'acc'" in accuracy[optional]
    assert any("'acc'" in h.text for h in hints(notes, "AccuracyCallback"))
    correct = graded["week2"]["correct"]
    assert failed(correct, "LossCallback") == failed(correct, "AccuracyCallback") == {}
    stops = next(c for e in correct.exercises if e.id == "LossCallback" for c in e.checks
                 if c.check == "callback_stops")
    assert "drawn by the grader for this run" in stops.message
    printing = graded["week2"]["not_normalized"]
    assert "never stopped training" in next(iter(failed(printing, "LossCallback").values()))
    assert any("stop_training" in h.text for h in hints(printing, "LossCallback"))


def test_a_forged_history_earns_nothing(
    graded: dict[str, dict[str, SubmissionResult]],
) -> None:
    forged = graded["week2"]["forged_history"]
    assert scores(forged)["train_model"] == 0
    message = failed(forged, "train_model")["the callback stopped training early"]
    assert "the training record does not match the model" in message
    assert "optimizer took 0 steps" in message


def test_week2_training_is_judged_by_the_grader(
    graded: dict[str, dict[str, SubmissionResult]],
) -> None:
    correct = graded["week2"]["correct"]
    train = next(e for e in correct.exercises if e.id == "train_model")
    checks = {c.name: c for c in train.checks}
    assert "held-out test images" in checks["accuracy on the 10,000 test images ≥ 0.85"].message
    early = graded["week2"]["not_normalized"]
    assert "ran all 2 epochs" in failed(early, "train_model")["the callback stopped training early"]
    wrong = graded["week2"]["wrong_output_layer"]
    ex = next(e for e in wrong.exercises if e.id == "train_model")
    assert "outside the valid range" in ex.message
    assert any("10 units" in h.text for h in ex.hints)


def test_week3_scores(graded: dict[str, dict[str, SubmissionResult]]) -> None:
    w3 = graded["week3"]
    assert scores(w3["correct"]) == {"convolve": 4, "max_pool": 3, "create_cnn": 5,
                                     "layer_activations": 3, "train_cnn": 5}
    assert scores(w3["flipped_filter"])["convolve"] == 0
    assert scores(w3["flipped_filter"])["max_pool"] == 0
    assert scores(w3["keeps_border"])["convolve"] == 0
    assert scores(w3["missing_channel"])["create_cnn"] == 0
    assert w3["untouched_release"].score == 0


def test_week3_diagnoses(graded: dict[str, dict[str, SubmissionResult]]) -> None:
    w3 = graded["week3"]
    assert "the filter is flipped" in next(iter(failed(w3["flipped_filter"], "convolve").values()))
    assert "not the average" in next(iter(failed(w3["flipped_filter"], "max_pool").values()))
    assert "keeps the border" in next(iter(failed(w3["keeps_border"], "convolve").values()))
    channel = next(e for e in w3["missing_channel"].exercises if e.id == "create_cnn")
    assert "expected min_ndim=4" in channel.message
    assert any("(28, 28, 1)" in h.text for h in channel.hints)


def test_week3_model_facts_come_from_the_grader(
    graded: dict[str, dict[str, SubmissionResult]],
) -> None:
    cnn = next(e for e in graded["week3"]["correct"].exercises if e.id == "create_cnn")
    assert {c.name: c.message for c in cnn.checks}["243,786 parameters"] == \
        "243,786 parameters, as expected"


def test_small_course_really_is_small(tmp_path: Path) -> None:
    course = load_course(write_small_course(tmp_path, ("week2",)))
    assert all(d.limit == 4000 for d in course.assignment("week2").data)


def test_a_missing_dataset_says_how_to_get_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    from autograder import datasets
    from autograder.errors import GraderError

    monkeypatch.setattr(datasets, "DEBIAN", tmp_path / "none")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setenv("AUTOGRADER_DATA", str(tmp_path / "data"))
    # the loader caches what it read; test the uncached function
    monkeypatch.setattr(datasets, "fashion_mnist", datasets.fashion_mnist.__wrapped__)

    def offline() -> None:  # what Keras' download does with no network
        raise Exception("URL fetch failure: Temporary failure in name resolution")

    import keras

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", offline)
    with pytest.raises(GraderError, match="apt-get install dataset-fashion-mnist"):
        datasets.load("fashion_mnist", "train")


@pytest.mark.parametrize("example", ["correct", "notes_callbacks"])
def test_gradescope_gives_week2_the_points_of_grade(
    example: str, small: Path, graded: dict[str, dict[str, SubmissionResult]],
    tmp_path: Path,
) -> None:
    """The Gradescope zip of week 2, run in a stand-in of Gradescope's folders, gives the
    bundled examples the points per check that ``autograder grade`` gave them (every
    example's results.json: test_every_week2_example_gets_the_points_of_grade)."""
    zip_path = small / "gradescope-week2.zip"
    if not zip_path.exists():
        assert main(["--course", str(small / "course.yaml"), "gradescope", "build", "week2",
                     "--out", str(zip_path)]) == 0
    shown = run_autograder(zip_path, WEEK2 / f"{example}.ipynb", tmp_path)
    expected = graded["week2"][example]
    assert points_per_test(shown) == points_per_check(expected)


def test_every_week2_example_gets_the_points_of_grade(
    graded: dict[str, dict[str, SubmissionResult]],
) -> None:
    for example, result in graded["week2"].items():
        shown = json.loads(json.dumps(gradescope.results(result)))
        assert points_per_test(shown) == points_per_check(result), example
