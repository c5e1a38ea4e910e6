"""Callback probes behave like ``model.fit``; the grader draws sequences of its own.

Real Keras callbacks and models, in this process (the probe's code is the sandbox's
``recording.py``); the sandbox end to end is in test_callback_sandbox.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import keras
import numpy as np
import pytest
import yaml

from autograder.checks import NoParams
from autograder.checks.training import CallbackParams, callback_robust, callback_stops
from autograder.course import load_course
from autograder.course.model import CallbackProbe, StopRule
from autograder.errors import CourseError
from autograder.facts import OK, ExerciseFacts
from autograder.probes import draw_sequences, robust_sequences, stops_at
from autograder.sandbox.recording import probe_callback

ROOT = Path(__file__).resolve().parents[1]

#: the week-2 lecture's callback, as the course notes print it
NOTES_LOSS = '''
class MyCallback(keras.callbacks.Callback):
    def on_epoch_end(self,epoch,logs={}):
        if (logs.get('loss')<0.4):
            print("\\nLoss is low so cancelling training!")
            self.model.stop_training = True
'''
#: the same, on the accuracy, in the lecture's style
NOTES_ACCURACY = '''
class MyCallback(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs={}):
        if(logs.get('accuracy')>0.9):
            print("\\nReached 90% accuracy so cancelling training!")
            self.model.stop_training = True
'''


def callback_class(source: str) -> Any:
    ns: dict[str, Any] = {"keras": keras}
    exec(source, ns)
    return ns["MyCallback"]


LOSS_PROBE = CallbackProbe(
    sequences=(({"loss": 0.62, "accuracy": 0.7}, {"loss": 0.45, "accuracy": 0.8},
                {"loss": 0.39, "accuracy": 0.84}, {"loss": 0.3, "accuracy": 0.9}),
               ({"loss": 0.41, "accuracy": 0.8}, {"loss": 0.40, "accuracy": 0.8},
                {"loss": 0.3999, "accuracy": 0.8})),
    stop=StopRule("loss", below=0.4), draw=6)


def observe(source: str, probe: CallbackProbe, drawn: list[Any] | None = None,
            keras_version: int = 3) -> list[dict[str, Any]]:
    cls = callback_class(source)
    seqs = [list(s) for s in probe.sequences] + [list(s) for s in drawn or []]
    return probe_callback(cls, seqs, list(probe.metrics), keras_version,
                          robust_sequences(probe))


def expected(probe: CallbackProbe, drawn: list[Any]) -> ExerciseFacts:
    assert probe.stop is not None
    rows = [{"stopped_at": stops_at(probe.stop, s), "logs": [dict(x) for x in s],
             "kind": kind} for kind, s in [*(("public", s) for s in probe.sequences),
                                            *(("drawn", s) for s in drawn)]]
    rows += [{"stopped_at": None, "logs": s, "kind": "robust"} for s in robust_sequences(probe)]
    return ExerciseFacts(OK, value=rows)


def test_the_lecture_callback_stops_where_it_should() -> None:
    drawn = draw_sequences(LOSS_PROBE, seed=7)
    seen = observe(NOTES_LOSS, LOSS_PROBE, drawn)
    verdict = callback_stops(ExerciseFacts(OK, value=seen), expected(LOSS_PROBE, drawn),
                             CallbackParams())
    assert verdict.passed, verdict.message
    assert seen[0]["stopped_at"] == 2 and "cancelling" in seen[0]["printed"][2]
    assert seen[1]["stopped_at"] == 2  # 0.40 is not below 0.4
    robust = callback_robust(ExerciseFacts(OK, value=seen), expected(LOSS_PROBE, drawn),
                             NoParams())
    assert not robust.passed and "logs=None" in robust.message
    assert "'acc'" not in robust.message  # the loss callback survives the old key


def test_the_lecture_accuracy_callback_under_both_keras_generations() -> None:
    probe = CallbackProbe(sequences=(({"loss": 0.5, "accuracy": 0.8},
                                      {"loss": 0.4, "accuracy": 0.9},
                                      {"loss": 0.3, "accuracy": 0.91}),),
                          stop=StopRule("accuracy", above=0.9), draw=4)
    drawn = draw_sequences(probe, seed=3)
    for version in (3, 2):
        seen = observe(NOTES_ACCURACY, probe, drawn, keras_version=version)
        verdict = callback_stops(ExerciseFacts(OK, value=seen), expected(probe, drawn),
                                 CallbackParams())
        assert verdict.passed, (version, verdict.message)
        robust = callback_robust(ExerciseFacts(OK, value=seen), expected(probe, drawn),
                                 NoParams())
        assert "logs=None" in robust.message and "'acc' instead of" in robust.message


def test_the_probe_calls_what_fit_calls_in_the_same_order() -> None:
    calls: list[tuple[str, Any]] = []

    class Recorder(keras.callbacks.Callback):  # type: ignore[misc]
        def set_params(self, params: Any) -> None:
            calls.append(("set_params", sorted(params)))
            super().set_params(params)

        def on_train_begin(self, logs: Any = None) -> None:
            calls.append(("on_train_begin", type(logs).__name__))

        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            calls.append(("on_epoch_begin", epoch))

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            calls.append(("on_epoch_end", sorted(logs)))
            if epoch == 1:
                self.model.stop_training = True

        def on_train_end(self, logs: Any = None) -> None:
            calls.append(("on_train_end", type(logs).__name__))

    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["accuracy"])
    model.fit(np.zeros((4, 1)), np.zeros((4, 1)), epochs=5, verbose=0, callbacks=[Recorder()])
    by_fit = list(calls)
    calls.clear()
    seen = probe_callback(Recorder, [[{"loss": 0.5, "accuracy": 0.5}] * 5], ["accuracy"])
    assert calls == by_fit
    assert seen[0]["stopped_at"] == 1 and seen[0]["error"] is None


def test_the_probe_hands_a_compiled_model_and_params() -> None:
    class Inspect(keras.callbacks.Callback):  # type: ignore[misc]
        def on_train_begin(self, logs: Any = None) -> None:
            assert self.model.optimizer is not None and self.model.compiled
            assert self.params["epochs"] == 2

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            assert logs is not None and set(logs) == {"loss", "accuracy", "acc"}

    seen = probe_callback(Inspect, [[{"loss": 0.5, "accuracy": 0.5}] * 2], ["accuracy"], 2)
    assert seen[0]["error"] is None, seen[0]["error"]


def test_a_callback_that_knows_the_public_answers_fails_the_drawn_sequences() -> None:
    hard_coded = '''
class MyCallback(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if logs["loss"] in (0.39, 0.3999):  # the notebook's examples
            print("stop")
            self.model.stop_training = True
'''
    public = expected(LOSS_PROBE, [])
    alone = observe(hard_coded, LOSS_PROBE)
    assert callback_stops(ExerciseFacts(OK, value=alone), public, CallbackParams()).passed
    drawn = draw_sequences(LOSS_PROBE, seed=11)
    seen = observe(hard_coded, LOSS_PROBE, drawn)
    verdict = callback_stops(ExerciseFacts(OK, value=seen), expected(LOSS_PROBE, drawn),
                             CallbackParams())
    assert not verdict.passed and "the grader drew for this run" in verdict.message


def test_draws_depend_on_the_seed_and_straddle_the_threshold() -> None:
    assert LOSS_PROBE.stop is not None
    a, b = draw_sequences(LOSS_PROBE, 1), draw_sequences(LOSS_PROBE, 2)
    assert a == draw_sequences(LOSS_PROBE, 1) and a != b
    many = draw_sequences(LOSS_PROBE, 5, count=200)
    stops = [stops_at(LOSS_PROBE.stop, s) for s in many]
    assert any(s is None for s in stops) and {1, 2, 3} <= set(stops)
    values = [logs["loss"] for s in many for logs in s]
    assert 0.4 in values and min(values) > 0 and all(set(x) == {"loss", "accuracy"}
                                                     for s in many for x in s)
    for s, at in zip(many, stops, strict=True):  # a drawn sequence ends where it stops
        assert at is None or at == len(s) - 1


def _course_with_probe(tmp_path: Path, probe: dict[str, Any]) -> Path:
    data = yaml.safe_load((ROOT / "course.yaml").read_text(encoding="utf-8"))
    data["solutions"] = str(ROOT / "solutions")
    data["extra_checks"] = str(ROOT / "course_checks.py")
    data["assignments"] = {"week2": data["assignments"]["week2"]}
    ex = next(e for e in data["assignments"]["week2"]["exercises"] if e["id"] == "LossCallback")
    ex["probe"] = probe
    path = tmp_path / "course.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(("probe", "words"), [
    ({"sequences": [[None, {"loss": 0.3, "accuracy": 0.9}]]}, "null logs"),
    ({"sequences": [[{"loss": 0.3, "acc": 0.9}]]}, "lacks accuracy"),
    ({"sequences": [[{"loss": 0.3}]], "metrics": []}, ""),
    ({"sequences": [[{"loss": 0.3, "accuracy": 0.9, "lr": 0.1}]]}, "has lr"),
    ({"sequences": [[{"loss": 0.3, "accuracy": 0.9}]], "metrics": ["acuracy"]},
     "unknown metric"),
    ({"sequences": [[{"loss": 0.3, "accuracy": 0.9}]], "draw": 3}, "needs a stop rule"),
    ({"sequences": [[{"loss": 0.3, "accuracy": 0.9}]], "stop": {"metric": "val_loss",
                                                                "below": 0.4}}, "must be one of"),
    ({"sequences": [[{"loss": 0.3, "accuracy": 0.9}]], "stop": {"metric": "loss"}},
     "exactly one of"),
])
def test_probe_keys_are_checked_when_the_course_loads(tmp_path: Path, probe: dict[str, Any],
                                                      words: str) -> None:
    path = _course_with_probe(tmp_path, probe)
    if not words:
        assert load_course(path).assignment("week2").exercise("LossCallback").probe
        return
    with pytest.raises(CourseError, match=words) as info:
        load_course(path)
    assert "probe" in str(info.value) and ":" in str(info.value)


def test_the_job_carries_sequences_never_the_rule_or_the_answers() -> None:
    from autograder.probes import job_probe

    drawn = draw_sequences(LOSS_PROBE, 4)
    job = job_probe(LOSS_PROBE, 3, drawn, robust=True)
    assert set(job) == {"sequences", "metrics", "keras", "robust"}
    assert len(job["sequences"]) == len(LOSS_PROBE.sequences) + len(drawn)
    assert "stopped_at" not in repr(job) and "below" not in repr(job)
