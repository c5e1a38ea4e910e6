"""Checks on training: a callback's behaviour, a History, accuracy on held-out data.

Callback behaviour is observed in the sandbox (synthetic ``logs`` fed to
``on_epoch_end``) and judged here; accuracy is computed here, by the grader, on data
that never entered the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np

from autograder.checks import CheckSpec, NoParams, Verdict, number
from autograder.checks.allowed import (
    DatasetName,
    Fraction,
    MetricName,
    ParamContext,
    Range,
    SplitName,
    dataset_problems,
)
from autograder.checks.values import NEAR
from autograder.facts import ExerciseFacts


@dataclass(frozen=True)
class CallbackParams:
    """``message``: a stopping callback must print something when it stops."""

    message: bool = True


@dataclass(frozen=True)
class HistoryParams:
    """``stopped_early``: training must end before its epoch limit (the callback fired)."""

    stopped_early: bool = True
    max_epochs: Annotated[int, Range(1)] | None = None
    metric: Annotated[str, MetricName()] | None = None
    below: float | None = None
    above: float | None = None

    def params_problems(self, context: ParamContext) -> list[tuple[str, str]]:
        """``below`` and ``above`` bound a metric: they need ``metric``."""
        return [(k, f"{k} bounds a metric's last value: add metric (e.g. val_accuracy)")
                for k in ("below", "above") if getattr(self, k) is not None and not self.metric]


@dataclass(frozen=True)
class AccuracyParams:
    """Accuracy of the trained model on held-out data, computed by the grader.

    Inputs are divided by ``scale`` and reshaped to ``reshape`` (per example) first, as the
    notebook prepares its own data.
    """

    dataset: Annotated[str, DatasetName()]
    split: Annotated[str, SplitName()]
    threshold: Annotated[float, Fraction()]
    limit: Annotated[int, Range(1)] | None = None
    scale: Annotated[float, Range(0, open_low=True)] = 1.0
    reshape: tuple[Annotated[int, Range(1)], ...] = ()

    def params_problems(self, context: ParamContext) -> list[tuple[str, str]]:
        """A split of this dataset; a dataset of arrays."""
        return dataset_problems(self.dataset, self.split, context, image_files=False)


def _logs(seq: Any, upto: int) -> str:
    shown = []
    for logs in list(seq)[: upto + 1]:
        shown.append("None" if logs is None else
                     "{" + ", ".join(f"'{k}': {v}" for k, v in logs.items()) + "}")
    return ", ".join(shown)


def _raised(g: dict[str, Any], seq: Any) -> str:
    where = g.get("error_in") or "on_epoch_end"
    at = max(len(g.get("printed") or []) - 1, 0)
    if where in ("set_model", "set_params", "on_train_begin"):
        return f"{where} raised {g['error']} (fit calls it before the first epoch)"
    return f"{where} raised {g['error']} when given logs {_logs(seq, at)}"


def _observed(found: ExerciseFacts, expected: ExerciseFacts
              ) -> list[tuple[dict[str, Any], dict[str, Any]]] | str:
    """Each observation with what a correct callback does (a reason when they do not pair)."""
    got, want = found.value, expected.value
    if not isinstance(got, list) or not isinstance(want, list) or len(got) != len(want):
        return "the callback could not be observed"
    pairs = [(g, w) for g, w in zip(got, want, strict=True)
             if isinstance(g, dict) and isinstance(w, dict)]
    if len(pairs) != len(want):
        return "the callback could not be observed"
    return pairs


def _kind(row: dict[str, Any]) -> str:
    """public (a notebook example), drawn (by the grader for this run) or robust."""
    return str(row.get("kind") or ("robust" if row.get("robust") else "public"))


def callback_stops(found: ExerciseFacts, expected: ExerciseFacts, p: CallbackParams) -> Verdict:
    """The callback stops where a correct one does on every logs sequence: the public
    examples (as the solution's callback) and the ones the grader drew for this run."""
    pairs = _observed(found, expected)
    if isinstance(pairs, str):
        return Verdict(False, pairs)
    judged = [(g, w) for g, w in pairs if _kind(w) != "robust"]
    for g, w in judged:
        seq = w.get("logs", [])  # the grader's own copy of what was fed
        drawn = (" (a sequence the grader drew for this run, not one of the notebook's "
                 "examples)") if w.get("kind") == "drawn" else ""
        if g.get("error"):
            return Verdict(False, _raised(g, seq) + drawn)
        g_at: Any = g.get("stopped_at")
        w_at: Any = w.get("stopped_at")
        if g_at is not None and (not isinstance(g_at, int) or not 0 <= g_at < len(seq)):
            return Verdict(False, "the callback could not be observed")
        if g_at != w_at:
            if w_at is None and g_at is not None:
                return Verdict(False, f"it stopped training at epoch {g_at + 1} "
                                      f"(logs {_logs(seq, g_at)}), which should not stop{drawn}")
            if g_at is None:
                return Verdict(False, f"it never stopped training, though epoch {w_at + 1} "
                                      f"crosses the threshold (logs {_logs(seq, w_at)}); "
                                      f"set self.model.stop_training = True there{drawn}")
            when = "too early" if g_at < w_at else "too late"
            return Verdict(False, f"it stopped {when}: at epoch {g_at + 1} instead of "
                                  f"{w_at + 1} (logs {_logs(seq, max(g_at, w_at))}){drawn}")
        if p.message and g_at is not None and not (g.get("printed") or [""])[g_at].strip():
            return Verdict(False, f"it stopped at epoch {g_at + 1} but printed nothing; print "
                                  "a message saying why training stops")
    drawn_n = sum(1 for _, w in judged if w.get("kind") == "drawn")
    extra = f" ({drawn_n} of them drawn by the grader for this run)" if drawn_n else ""
    return Verdict(True, f"stops at the right epoch on all {len(judged)} logs sequences{extra}")


ROBUST_CASES = ("logs=None at the first epoch",
                "the Keras 2 key 'acc' instead of 'accuracy'",
                "extra keys (val_loss, val_accuracy, learning_rate)")


def callback_robust(found: ExerciseFacts, expected: ExerciseFacts, p: NoParams) -> Verdict:
    """The callback survives what another Keras or caller may send: ``None`` logs, the old
    ``acc`` key, extra keys, after ``set_model``, ``set_params`` and ``on_train_begin``."""
    pairs = _observed(found, expected)
    if isinstance(pairs, str):
        return Verdict(False, pairs)
    robust = [(g, w) for g, w in pairs if _kind(w) == "robust"]
    if not robust:
        return Verdict(False, "the callback could not be probed for robustness")
    failures = [f"with {ROBUST_CASES[i] if i < len(ROBUST_CASES) else 'other logs'}, "
                f"{_raised(g, w.get('logs', []))}"
                for i, (g, w) in enumerate(robust) if g.get("error")]
    if failures:
        return Verdict(False, "; ".join(failures) + ". Write logs = logs or {} first and "
                                                    "check that a value is not None before "
                                                    "comparing it")
    return Verdict(True, "it survives " + "; ".join(ROBUST_CASES[: len(robust)]))


def history(found: ExerciseFacts, expected: ExerciseFacts, p: HistoryParams) -> Verdict:
    """The training function returned a History; it stopped early; a metric was reached."""
    h = found.value
    if not isinstance(h, dict) or "history" not in h:
        return Verdict(False, "no training history: return what model.fit(...) returns")
    run, planned = h.get("epochs_run"), h.get("epochs")
    forged = _unconfirmed(h, found)
    if forged:
        return Verdict(False, forged)
    if p.stopped_early and isinstance(planned, int) and isinstance(run, int) and run >= planned:
        return Verdict(False, f"training ran all {planned} epochs: the callback never stopped "
                              "it (is it passed to fit(callbacks=[…])?)")
    if p.max_epochs is not None and isinstance(run, int) and run > p.max_epochs:
        return Verdict(False, f"training ran {run} epochs; the budget is {p.max_epochs}")
    if p.metric is not None:
        values = h["history"].get(p.metric)
        if not values:
            known = ", ".join(h["history"]) or "none"
            return Verdict(False, f"the history has no {p.metric!r} (it has: {known}); "
                                  f"compile with metrics=['{p.metric}']")
        last = values[-1]
        if last is None or (p.below is not None and not last < p.below) or (
                p.above is not None and not last > p.above):
            bound = f"below {p.below}" if p.below is not None else f"above {p.above}"
            return Verdict(False, f"the last {p.metric} is {number(last or float('nan'))}, "
                                  f"expected {bound}")
    return Verdict(True, f"trained for {run} of {planned} epochs")


def _unconfirmed(h: dict[str, Any], found: ExerciseFacts) -> str:
    """Why the History's claims disagree with the model that came back ("" when they agree).

    The record was written in the student's process; the model's optimizer counts its own
    steps, restored by the grader from the model file: a model trained for the epochs the
    record claims has taken at least that many steps.
    """
    run, steps = h.get("epochs_run"), h.get("steps")
    model = found.model
    if model is None or model.iterations is None or not isinstance(run, int) or run <= 0:
        return ""
    per_epoch = steps if isinstance(steps, int) and steps > 0 else 1
    if model.iterations <= (run - 1) * per_epoch:  # the last epoch may end early
        return (f"the training record does not match the model: it claims {run} epochs "
                f"of {per_epoch} steps, but the model's optimizer took {model.iterations} "
                "steps. Return the History that model.fit(...) returned")
    return ""


def _prepare(x: np.ndarray, p: AccuracyParams) -> np.ndarray:
    x = x.astype(np.float32) / p.scale
    return x.reshape((len(x), *p.reshape)) if p.reshape else x


def heldout_accuracy(found: ExerciseFacts, expected: ExerciseFacts,
                     p: AccuracyParams) -> Verdict:
    """The grader evaluates the trained model on held-out data: accuracy ≥ threshold."""
    from autograder.datasets import load

    if found.model is None:
        return Verdict(False, "no trained model to evaluate")
    images, labels = load(p.dataset, p.split, p.limit)
    try:
        out = np.asarray(found.model.predict(_prepare(images, p)))
    except Exception as exc:
        return Verdict(False, f"the model could not predict on {p.dataset} {p.split} images "
                              f"shaped {(None, *(p.reshape or images.shape[1:]))}: {exc}")
    guesses = (out.reshape(-1) > 0.5).astype(int) if out.shape[-1:] == (1,) else out.argmax(-1)
    accuracy = float(np.mean(guesses == labels))
    near = abs(accuracy - p.threshold) < NEAR * (1 - p.threshold)
    note = " (close to the threshold: it may differ between runs)" if near else ""
    where = f"{len(labels):,} held-out {p.split} images"
    if p.scale != 1.0:
        where += f", pixels divided by {number(p.scale)} as in the notebook"
    if accuracy < p.threshold:
        return Verdict(False, f"accuracy {accuracy:.3f} on {where}, below the required "
                              f"{p.threshold:.2f}{note}", near_threshold=near)
    return Verdict(True, f"accuracy {accuracy:.3f} on {where} (required {p.threshold:.2f})"
                         f"{note}", near_threshold=near)


CHECKS = {
    "callback_stops": CheckSpec(callback_stops, CallbackParams, needs="value"),
    "callback_robust": CheckSpec(callback_robust, NoParams, needs="value"),
    "history": CheckSpec(history, HistoryParams, needs="none"),
    "heldout_accuracy": CheckSpec(heldout_accuracy, AccuracyParams, needs="none"),
}
