"""Keras' warnings about a student's model go into that student's feedback, not the console."""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.check import check_exercise
from autograder.checks import builtin_checks
from autograder.checks.values import PredictionParams
from autograder.course import Exercise, ExerciseCheck
from autograder.facts import OK, ExerciseFacts
from autograder.modelfile import keras_module, load_model
from autograder.reporters import console


def test_a_softmax_over_one_unit_is_explained_in_the_feedback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keras = keras_module()
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, activation="softmax")])
    model.compile(optimizer="sgd", loss="mse")
    model.save(tmp_path / "m.keras")
    facts = ExerciseFacts(OK, model=load_model(tmp_path / "m.keras"))
    exercise = Exercise("ex", "Exercise", "ex", (), "ex()", "model", 10.0, (
        ExerciseCheck("predicts", "prediction", 1.0,
                      PredictionParams(inputs=(7.0,), expected=4.0, tolerance=0.3)),))
    result = check_exercise(exercise, facts, facts, builtin_checks())
    assert any("softmax" in w and "sigmoid" in w for w in result.warnings)
    captured = capsys.readouterr()
    assert "softmax" not in captured.err and "softmax" not in captured.out
    assert "keras warned:" in console.feedback(
        _submission(result), public_only=True)


def _submission(exercise_result: object) -> object:
    from autograder.results import SubmissionResult

    return SubmissionResult("s.ipynb", "s", "a", "graded", 0.0, 1.0, "",
                            (exercise_result,))  # type: ignore[arg-type]


def test_loading_a_compiled_tf_keras_model_logs_nothing(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """tf_keras logs "Skipping variable loading for optimizer …" through absl when it loads
    a compiled, untrained model (its saved optimizer has no slots yet); the grader's console
    (a batch of hundreds of Keras 2 models) stays free of it."""
    k2 = keras_module(2)
    model = k2.Sequential([k2.layers.Conv2D(4, 3, activation="relu", input_shape=(6, 6, 1)),
                           k2.layers.Flatten(), k2.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=k2.optimizers.Adam(learning_rate=0.001),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.save(tmp_path / "m.keras")
    with caplog.at_level("INFO"):
        facts = load_model(tmp_path / "m.keras")
    assert facts.optimizer == "Adam"
    assert not [r for r in caplog.records if "Skipping variable loading" in r.getMessage()]
