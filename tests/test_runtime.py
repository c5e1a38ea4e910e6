"""The runtime of older and newer notebooks: losses, metrics and optimizers given as objects
or functions, generators of the older API, tf.data, the last model fit trained, gates and
value_close. Tiny courses graded through the real sandbox."""

from __future__ import annotations

import sys
from pathlib import Path

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


@pytest.mark.slow
def test_week4_trains_with_a_loss_function_full_marks(tmp_path: Path) -> None:
    course = load_course(write_week4_course(tmp_path))
    variants = {k: SPELLINGS[k] for k in ("loss_function", "loss_object")}
    report = grade(course, "week4", week4_variants(tmp_path, variants, "compile_model"),
                   tmp_path / "reports")
    for name, result in graded_by_name(report.results).items():
        assert result.score == result.max_score, (name, failures(result))
