"""Callback exercises graded end to end in the real sandbox, on a tiny course.

The lecture's callbacks get full marks; a callback that hard-codes the answers of the
notebook's public examples fails the sequences the grader draws at grading time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tiny_course import submission, tiny_course

from autograder.course import Course
from autograder.grade import grade
from autograder.results import SubmissionResult

pytestmark = pytest.mark.slow

SOLUTION = '''# GRADED CLASS: LossCallback
class LossCallback(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        ### BEGIN SOLUTION
        logs = logs or {}
        if logs.get("loss") is not None and logs["loss"] < 0.4:
            print("loss below 0.4: stopping")
            self.model.stop_training = True
        ### END SOLUTION
'''
#: copied from the course notes (week 2, "Using Callbacks to control training")
NOTES = '''# GRADED CLASS: LossCallback
class LossCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self,epoch,logs={}):
        if (logs.get('loss')<0.4):
            print("\\nLoss is low so cancelling training!")
            self.model.stop_training = True
'''
#: stops on exactly the notebook's example values
HARD_CODED = '''# GRADED CLASS: LossCallback
class LossCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if logs["loss"] in (0.39, 0.3999, 0.35):
            print("stopping")
            self.model.stop_training = True
'''
EXERCISE = {
    "id": "LossCallback", "call": "LossCallback()", "record": "callback", "time_limit": 30,
    "probe": {"stop": {"metric": "loss", "below": 0.4}, "draw": 6, "sequences": [
        [{"loss": 0.62, "accuracy": 0.7}, {"loss": 0.45, "accuracy": 0.8},
         {"loss": 0.39, "accuracy": 0.84}],
        [{"loss": 0.41, "accuracy": 0.8}, {"loss": 0.40, "accuracy": 0.8},
         {"loss": 0.3999, "accuracy": 0.8}],
        [{"loss": 0.35, "accuracy": 0.9}]]},
    "checks": [{"name": "stops below 0.4", "check": "callback_stops", "points": 3},
               {"name": "robust", "check": "callback_robust", "points": 0}],
}


@pytest.fixture(scope="module")
def subs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Course, Path]:
    folder = tmp_path_factory.mktemp("tiny")
    course: Course = tiny_course(folder, {"exercises": [EXERCISE]}, {"LossCallback": SOLUTION})
    subs = folder / "subs"
    for name, source in (("notes", NOTES), ("hard_coded", HARD_CODED),
                         ("solution", SOLUTION)):
        submission(course, subs / f"{name}.ipynb", {"LossCallback": source})
    return course, subs


@pytest.fixture(scope="module")
def graded(subs: tuple[Course, Path]) -> dict[str, SubmissionResult]:
    course, folder = subs
    report = grade(course, "tiny", [folder], folder.parent / "out")
    return {r.student: r for r in report.results}


def checks(result: SubmissionResult) -> dict[str, tuple[bool, str]]:
    return {c.name: (c.passed, c.message) for e in result.exercises for c in e.checks}


def test_the_notes_callback_gets_full_marks(graded: dict[str, SubmissionResult]) -> None:
    notes = checks(graded["notes"])
    assert graded["notes"].score == 3
    assert notes["stops below 0.4"][0], notes
    assert "6 of them drawn by the grader" in notes["stops below 0.4"][1]
    assert not notes["robust"][0] and "logs=None" in notes["robust"][1]
    assert checks(graded["solution"])["robust"][0]


def test_hard_coded_public_answers_fail_the_drawn_sequences(
        graded: dict[str, SubmissionResult]) -> None:
    passed, message = checks(graded["hard_coded"])["stops below 0.4"]
    assert not passed and "the grader drew for this run" in message
    assert graded["hard_coded"].score == 0


def test_the_notebook_check_agrees_on_the_public_examples(
        subs: tuple[Course, Path], graded: dict[str, SubmissionResult]) -> None:
    from test_notebook_checks import run_checks, verdicts

    _, folder = subs
    shown = verdicts(run_checks(folder / "notes.ipynb")["LossCallback"])
    assert shown == {"stops below 0.4": True, "robust": False}
    # hard-coding the examples passes them in the notebook; only the grader's draws catch it
    hard = verdicts(run_checks(folder / "hard_coded.ipynb")["LossCallback"])
    assert hard["stops below 0.4"] is True
    assert graded["hard_coded"].score == 0
