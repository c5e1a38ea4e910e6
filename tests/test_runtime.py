"""The runtime of older and newer notebooks: losses, metrics and optimizers given as objects
or functions, generators of the older API, tf.data, the last model fit trained, gates and
value_close. Tiny courses graded through the real sandbox."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml
from small_course import ROOT

from autograder.course import load_course
from autograder.grade import grade
from autograder.results import SubmissionResult

sys.path.insert(0, str(ROOT / "examples"))

from make_week4 import COMPILE
from test_week4 import write_week4_course

# ------------------------------------------------------------------ losses as functions

SPELLINGS = {
    "loss_function": COMPILE.replace("loss='binary_crossentropy'",
                                     "loss=tf.keras.losses.binary_crossentropy"),
    "loss_object": COMPILE.replace("loss='binary_crossentropy'",
                                   "loss=tf.keras.losses.BinaryCrossentropy()"),
    "losses_module": COMPILE.replace(
        "    model.compile(", "    from tensorflow.keras import losses\n    model.compile(")
    .replace("loss='binary_crossentropy'", "loss=losses.binary_crossentropy"),
    "metric_object": COMPILE.replace("metrics=['accuracy']",
                                     "metrics=[tf.keras.metrics.BinaryAccuracy()]"),
}


def week4_variants(folder: Path, variants: dict[str, str], exercise: str) -> list[Path]:
    """The bundled correct week 4 example with one exercise cell replaced per variant."""
    correct = ROOT / "examples" / "submissions" / "week4" / "correct.ipynb"
    paths = []
    for name, source in variants.items():
        nb = nbformat.read(str(correct), as_version=4)
        cells = [c for c in nb.cells
                 if c.metadata.get("autograder", {}).get("exercise") == exercise
                 and c.metadata["autograder"].get("role") == "exercise"]
        assert len(cells) == 1
        cells[0].source = source
        path = folder / f"{name}.ipynb"
        nbformat.write(nb, str(path))
        paths.append(path)
    return paths


def only_exercises(course_yaml: Path, assignment: str, keep: tuple[str, ...]) -> Path:
    """Run only the named exercises of an assignment: the others' calls become ``None``
    (their cells stay, as the release has them; their checks fail cheaply)."""
    data = yaml.safe_load(course_yaml.read_text(encoding="utf-8"))
    for exercise in data["assignments"][assignment]["exercises"]:
        if exercise["id"] not in keep:
            exercise["call"] = "None"
            exercise["record"] = "value"
            exercise["checks"] = [{"name": "not run here", "check": "value_close",
                                   "params": {"expected": 1.0}}]
            exercise.pop("hints", None)
    course_yaml.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return course_yaml


def kept_scores(result: SubmissionResult, keep: tuple[str, ...]) -> dict[str, float]:
    return {e.id: e.score for e in result.exercises if e.id in keep}


def graded_by_name(results: list[SubmissionResult]) -> dict[str, SubmissionResult]:
    return {r.student: r for r in results}


def failures(result: SubmissionResult) -> dict[str, list[str]]:
    return {e.id: [c.message for c in e.checks if not c.passed] or [e.message]
            for e in result.exercises if e.score < e.points}


@pytest.mark.slow
def test_week4_compiles_with_a_loss_function_or_object(tmp_path: Path) -> None:
    keep = ("create_model", "compile_model")
    course = load_course(only_exercises(write_week4_course(tmp_path), "week4", keep))
    report = grade(course, "week4", week4_variants(tmp_path, SPELLINGS, "compile_model"),
                   tmp_path / "reports")
    results = graded_by_name(report.results)
    assert set(results) == set(SPELLINGS)
    for name, result in results.items():
        assert kept_scores(result, keep) == {"create_model": 4, "compile_model": 2}, (
            name, failures(result))


# ------------------------------------------------------------------ the harness, for real

SETUP = '''
import os
import numpy as np
import tensorflow as tf
from PIL import Image
from tensorflow.keras.preprocessing.image import ImageDataGenerator
FOLDER = "/tmp/happy-or-sad"  # a fixed temporary folder, as older notebooks write
rng = np.random.default_rng(0)
for label in ("happy", "sad"):
    os.makedirs(f"{FOLDER}/{label}", exist_ok=True)
    for i in range(16):
        pixels = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(f"{FOLDER}/{label}/{i}.png")
'''

OLD_STYLE = '''
def small_model():
    model = tf.keras.Sequential([tf.keras.Input((8, 8, 3)), tf.keras.layers.Flatten(),
                                 tf.keras.layers.Dense(1, activation="sigmoid")])
    model.compile(loss=tf.keras.losses.binary_crossentropy,
                  optimizer=tf.keras.optimizers.RMSprop(learning_rate=0.001),
                  metrics=["accuracy"])
    return model

def train_happy_sad():
    gen = ImageDataGenerator(rescale=1/255).flow_from_directory(
        FOLDER, target_size=(8, 8), batch_size=16, class_mode="binary")
    model = small_model()
    return model.fit_generator(gen, steps_per_epoch=5, epochs=2, verbose=0,
                               workers=1, use_multiprocessing=False)

def train_returns_accuracy():
    gen = ImageDataGenerator(rescale=1/255).flow_from_directory(
        FOLDER, target_size=(8, 8), batch_size=16, class_mode="binary")
    history = small_model().fit(gen, steps_per_epoch=3, epochs=2, verbose=0)
    return history.history["accuracy"][-1]

def no_fit():
    return 0.5

def generators():
    keras_gen = ImageDataGenerator(rescale=1/255).flow_from_directory(
        FOLDER, target_size=(8, 8), batch_size=8, class_mode="binary")
    dataset = tf.keras.utils.image_dataset_from_directory(
        FOLDER, image_size=(8, 8), batch_size=8, label_mode="binary")
    return keras_gen, dataset.map(lambda x, y: (x / 255.0, y))

class Liar(tf.keras.utils.PyDataset):
    batch_size = 128  # what it says; it gives batches of 4
    samples = 256
    class_mode = "binary"
    def __len__(self):
        return 2
    def __getitem__(self, i):
        return np.full((4, 8, 8, 3), 0.5, np.float32), np.array([0.0, 1.0, 0.0, 1.0])

def lying():
    return Liar()
'''

CALLS = {"train_happy_sad": "history", "train_returns_accuracy": "last_fit", "no_fit": "last_fit",
         "generators": "generators", "lying": "generators"}


@pytest.fixture(scope="module")
def old_style_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One sandbox run of the older-style exercises; their facts by exercise."""
    from autograder.assemble import ExerciseCall, Piece, Program
    from autograder.outbox import exercise_facts
    from autograder.sandbox import Limits, execute

    program = Program(
        seed=3,
        pieces=(Piece("setup", "setup cell 1", SETUP),
                Piece("exercise", "exercise cell", OLD_STYLE, "train_happy_sad")),
        calls=tuple(ExerciseCall(name, (name,), f"{name}()", record, 120.0)
                    for name, record in CALLS.items()),
        notes=(),
    )
    run = execute(program, Limits(total_seconds=300.0, memory_mb=4096),
                  tmp_path_factory.mktemp("run"))
    return {name: exercise_facts(run, name, record) for name, record in CALLS.items()}


@pytest.mark.slow
def test_fit_generator_cycles_like_keras_2(old_style_run: dict[str, Any]) -> None:
    facts = old_style_run["train_happy_sad"]
    assert facts.ok, facts.message
    assert facts.value["epochs_run"] == 2 and facts.value["steps"] == 5
    assert facts.model.iterations == 10  # 32 images in batches of 16, cycled to 5 steps
    assert facts.model.loss == "binary_crossentropy"  # a loss function, saved and read
    assert "fit_generator is a Keras 2 spelling" in facts.stdout
    assert "cycled the generator" in facts.stdout


@pytest.mark.slow
def test_last_fit_keeps_the_trained_model(old_style_run: dict[str, Any]) -> None:
    from autograder.checks.training import HistoryParams, history
    from autograder.checks.values import ValueCloseParams, value_close
    from autograder.facts import ExerciseFacts

    facts = old_style_run["train_returns_accuracy"]
    assert facts.ok, facts.message
    assert facts.model is not None and facts.model.iterations == 6
    assert facts.value["epochs_run"] == 2
    assert isinstance(facts.value["returned"], float)
    assert history(facts, facts, HistoryParams(stopped_early=False, max_epochs=2)).passed
    same = ExerciseFacts("ok", value=facts.value["returned"])
    assert value_close(facts, same, ValueCloseParams()).passed
    missing = old_style_run["no_fit"]
    assert not missing.ok and "ran no model.fit" in missing.message


@pytest.mark.slow
def test_a_dataset_is_recorded_like_a_generator(old_style_run: dict[str, Any]) -> None:
    from autograder.checks.generators import GeneratorParams, generators
    from autograder.facts import ExerciseFacts

    facts = old_style_run["generators"]
    assert facts.ok, facts.message
    keras_gen, dataset = facts.value
    for seen in (keras_gen, dataset):
        assert seen["x_shape"] == [8, 8, 8, 3] and seen["batch_size"] == 8
        assert seen["x_min"] >= 0.0 and seen["x_max"] <= 1.0
        assert set(seen["y_values"]) <= {0.0, 1.0} and seen["class_mode"] == "binary"
    assert keras_gen["samples"] == 32  # a mapped dataset no longer knows its files
    as_one = GeneratorParams(compare=("size", "batch", "mode", "labels", "pixels"))
    assert generators(ExerciseFacts("ok", value=[dataset]),
                      ExerciseFacts("ok", value=[keras_gen]), as_one).passed


@pytest.mark.slow
def test_the_grader_measures_the_batch_not_the_claim(old_style_run: dict[str, Any]) -> None:
    facts = old_style_run["lying"]
    assert facts.ok, facts.message
    (seen,) = facts.value
    assert seen["batch_size"] == 4 and seen["x_shape"] == [4, 8, 8, 3]  # not the 128 claimed


# ------------------------------------------------------------------ gates and value_close

GATED = """\
version: 1
course: tiny
assignments:
  week1:
    notebook: week1.ipynb
    seed: 7
    time_limit: 200
    exercises:
      - id: house_data
        gate: true
        record: arrays
        time_limit: 30
        checks:
          - name: two arrays of six houses
            check: array_shapes
            params: {labels: [bedrooms, prices]}
          - name: floating-point numbers
            check: array_dtype
            params: {kind: float, labels: [bedrooms, prices]}
      - id: house_model
        record: model
        time_limit: 60
        checks:
          - name: one Dense layer of one unit
            check: layer_table
      - id: train_house_model
        call: float(house_data()[1][0])
        record: value
        time_limit: 30
        checks:
          - name: the first price
            check: value_close
            params: {rtol: 0.01}
"""


def _tiny_course(folder: Path, text: str) -> Path:
    from test_course import write_course

    return write_course(folder, text)


def test_value_close_tolerances_must_not_be_negative(tmp_path: Path) -> None:
    from autograder.errors import CourseError

    bad = GATED.replace("{rtol: 0.01}", "{rtol: -0.01}")
    with pytest.raises(CourseError,
                       match=r"params\.rtol: -0.01 is not allowed here: it must be ≥ 0"):
        load_course(_tiny_course(tmp_path, bad))
    with pytest.raises(CourseError, match=r"gate: expected"):
        load_course(_tiny_course(tmp_path, GATED.replace("gate: true", "gate: yes please")))
    course = load_course(_tiny_course(tmp_path, GATED))
    gates = {e.id: e.gate for e in course.assignment("week1").exercises}
    assert gates == {"house_data": True, "house_model": False, "train_house_model": False}


def test_a_gate_regraded_at_partial_drift_credit_stays_open(tmp_path: Path) -> None:
    """Every check of the gate passed under Keras 2, at credit 0.5: the code is right, only
    its spelling is old, so the rest of the assignment counts; a failed check shuts it."""
    from autograder.gates import gated_total
    from autograder.results import CheckResult, ExerciseResult

    course = load_course(_tiny_course(tmp_path, GATED))
    week1 = course.assignment("week1")

    def data(*passed: bool) -> ExerciseResult:
        checks = tuple(CheckResult(f"c{i}", "value_close", ok, 0.5 if ok else 0.0, 1.0, "")
                       for i, ok in enumerate(passed))
        return ExerciseResult("house_data", "The data", sum(c.points for c in checks),
                              float(len(checks)), "ok", "", checks)

    rest = ExerciseResult("house_model", "The model", 3.0, 3.0, "ok", "", ())
    assert gated_total(week1, [data(True, True), rest]) == (4.0, "")
    total, why = gated_total(week1, [data(True, False), rest])
    assert total == 0.0 and why.startswith("The data (0.5/2) must pass fully")


def test_value_close_judges_a_number() -> None:
    from autograder.checks.values import ValueCloseParams, value_close
    from autograder.facts import ExerciseFacts

    def verdict(got: Any, want: Any, **params: Any) -> Any:
        return value_close(ExerciseFacts("ok", value=got), ExerciseFacts("ok", value=want),
                           ValueCloseParams(**params))

    assert verdict(0.985, 0.99, atol=0.01).passed
    assert not verdict(0.9, 0.99, atol=0.01).passed
    assert verdict(5.0, None, expected=5.0).passed
    assert "expected a number" in verdict("0.99", 0.99).message
    assert verdict({"returned": 2.0, "history": {}}, 2.0).passed  # record: last_fit


def test_only_keras_functions_pass_the_model_scan() -> None:
    from autograder.modelfile import canonical_metric, keras_function

    assert keras_function("binary_crossentropy") and keras_function("binary_accuracy")
    assert not keras_function("eval") and not keras_function("os.system")
    assert not keras_function("get") and not keras_function("deserialize")
    assert {canonical_metric(m) for m in ("acc", "accuracy", "binary_accuracy")} == {"accuracy"}
    assert canonical_metric({"module": "keras.metrics", "class_name": "BinaryAccuracy",
                             "config": {"name": "my_accuracy"}}) == "accuracy"
    assert canonical_metric("mse") == "mean_squared_error"


@pytest.mark.slow
def test_a_failed_gate_scores_zero_everywhere(tmp_path: Path) -> None:
    from test_course import EXAMPLES

    from autograder.release import release

    course = load_course(_tiny_course(tmp_path / "course", GATED))
    release(course)  # the tiny course's own release (its reference run included)
    paths = [EXAMPLES / "correct.ipynb", EXAMPLES / "integer_arrays.ipynb",
             EXAMPLES / "unscaled_prices.ipynb"]
    out = tmp_path / "reports"
    report = grade(course, "week1", paths, out)
    results = graded_by_name(report.results)
    assert results["correct"].score == results["correct"].max_score == 4
    assert not results["correct"].message
    integer = results["integer_arrays"]  # floating-point check of the gate fails
    assert {e.id: e.score for e in integer.exercises}["house_model"] == 1
    assert integer.score == 0 and "must pass fully" in integer.message
    unscaled = results["unscaled_prices"]  # the gate passes; value_close does not
    assert unscaled.score == 3 and not unscaled.message
    value = next(e for e in unscaled.exercises if e.id == "train_house_model")
    assert "returned 100, expected 1" in value.checks[0].message
    saved = json.loads((out / "integer_arrays.json").read_text(encoding="utf-8"))
    assert saved["score"] == 0 and "must pass fully" in saved["message"]
    assert "must pass fully" in (out / "week1.csv").read_text(encoding="utf-8")
    assert "must pass fully" in (out / "integer_arrays.html").read_text(encoding="utf-8")
    from autograder.reporters.console import feedback, table

    assert "must pass fully" in feedback(integer)
    assert "must pass fully" in table([integer])
