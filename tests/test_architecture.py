"""The architecture check: looser rules than a layer-by-layer match, on real Keras models
saved and read back by the grader."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import pytest

from autograder.checks.architecture import ArchitectureParams, architecture
from autograder.facts import OK, ExerciseFacts
from autograder.modelfile import load_model


def facts(tmp_path: Path, name: str, build: Callable[[], list[Any]],
          shape: tuple[int, ...] = (28, 28, 1)) -> ExerciseFacts:
    model = keras.Sequential([keras.Input(shape), *build()])
    model.compile(optimizer="rmsprop", loss="binary_crossentropy")
    path = tmp_path / f"{name}.keras"
    model.save(path)
    return ExerciseFacts(status=OK, model=load_model(path))


def reference_layers() -> list[Any]:
    return [keras.layers.Conv2D(16, 3, activation="relu"), keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(), keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid")]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ExerciseFacts]:
    tmp = tmp_path_factory.mktemp("models")
    return {
        "reference": facts(tmp, "reference", reference_layers),
        # a student's variant the course accepts: more filters, a second block, a Dropout
        "variant": facts(tmp, "variant", lambda: [
            keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(2),
            keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(), keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(1, activation="sigmoid"), keras.layers.Dropout(0.0)]),
        "softmax": facts(tmp, "softmax", lambda: [
            *reference_layers()[:-1], keras.layers.Dense(2, activation="softmax")]),
        "no_conv": facts(tmp, "no_conv", lambda: [
            keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")]),
        "colour": facts(tmp, "colour", reference_layers, shape=(28, 28, 3)),
    }


RULES = ArchitectureParams(kinds=("Conv2D", "MaxPooling2D", "Dense"), max_params=1_000_000)


def test_an_accepted_variant_passes_where_the_layer_table_would_not(
        models: dict[str, ExerciseFacts]) -> None:
    verdict = architecture(models["variant"], models["reference"], RULES)
    assert verdict.passed, verdict.message
    assert "as the course requires" in verdict.message


def test_the_output_layer_must_match_the_solutions(models: dict[str, ExerciseFacts]) -> None:
    verdict = architecture(models["softmax"], models["reference"], RULES)
    assert not verdict.passed
    assert "output layer Dense(2, softmax), expected Dense(1, sigmoid)" in verdict.message


def test_missing_kinds_and_input_shape_are_named(models: dict[str, ExerciseFacts]) -> None:
    verdict = architecture(models["no_conv"], models["reference"], RULES)
    assert not verdict.passed and "no Conv2D or MaxPooling2D layer" in verdict.message
    colour = architecture(models["colour"], models["reference"], RULES)
    assert "input shape (None, 28, 28, 3), expected (None, 28, 28, 1)" in colour.message


def test_parameter_and_layer_ranges(models: dict[str, ExerciseFacts]) -> None:
    small = ArchitectureParams(max_params=1_000, min_layers=2, max_layers=4)
    verdict = architecture(models["reference"], models["reference"], small)
    assert not verdict.passed
    assert "parameters, at most 1,000 expected" in verdict.message
    assert "5 layers, at most 4 expected" in verdict.message
    loose = ArchitectureParams(input=False, output=False)
    assert architecture(models["colour"], models["reference"], loose).passed


def test_no_model_is_a_clear_failure(models: dict[str, ExerciseFacts]) -> None:
    verdict = architecture(ExerciseFacts(status=OK, value=0.9), models["reference"], RULES)
    assert not verdict.passed and verdict.message == "did not return a Keras model"
