"""Checks on what a trained model predicts, computed by the grader itself."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

import numpy as np

from autograder.checks import CheckSpec, Verdict, number
from autograder.checks.allowed import ParamContext, Range
from autograder.checks.arrays import COMMON_SCALES
from autograder.facts import ExerciseFacts

#: A result within this fraction of its tolerance from the edge is flagged as near threshold.
NEAR = 0.1


@dataclass(frozen=True)
class PredictionParams:
    """Predict ``inputs`` (one sample each) and compare with the solution's prediction.

    ``expected`` pins the target instead of the solution's own prediction; ``tolerance``
    is absolute; ``scale_hint`` is said when the prediction is off by a common factor.
    """

    inputs: tuple[float, ...]
    tolerance: Annotated[float, Range(0)]
    expected: float | None = None
    scale_hint: str = ""

    def params_problems(self, context: ParamContext) -> list[tuple[str, str]]:
        """At least one input to predict."""
        return [] if self.inputs else [("inputs", "give at least one input, e.g. [7.0]")]


def _scale_of(got: float, want: float) -> float | None:
    if want == 0 or not math.isfinite(got) or got == 0 or (got > 0) != (want > 0):
        return None
    ratio = got / want
    for k in COMMON_SCALES:
        if abs(ratio / k - 1) < 0.25:
            return k
    return None


def prediction(found: ExerciseFacts, expected: ExerciseFacts, p: PredictionParams) -> Verdict:
    """The trained model's prediction lies within ``tolerance`` of the expected value."""
    if found.model is None:
        return Verdict(False, "did not return a Keras model")
    x = np.asarray(p.inputs, dtype=np.float32).reshape(-1, 1)
    try:
        got = np.asarray(found.model.predict(x), dtype=np.float64).reshape(-1)
    except Exception as exc:  # the grader's own predict on the student's model
        return Verdict(False, f"the model could not predict for input {list(p.inputs)}: {exc}")
    if p.expected is not None:
        want = np.full(got.shape, p.expected)
    elif expected.model is not None:
        want = np.asarray(expected.model.predict(x), dtype=np.float64).reshape(-1)
    else:
        return Verdict(False, "no expected value: the solution has no model (instructor error)")
    worst = 0.0
    for xi, g, w in zip(p.inputs, got, want, strict=True):
        if not math.isfinite(g):
            return Verdict(False, f"the prediction for {number(xi)} is {number(g)}: training "
                                  "diverged; check that inputs and targets are small numbers")
        err = abs(g - w)
        if err > p.tolerance:
            msg = f"the prediction for {number(xi)} is {number(g)}, expected {number(w)} " \
                  f"± {number(p.tolerance)}"
            k = _scale_of(g, w)
            if k is not None:
                msg += f": about {number(k)} times too large. {p.scale_hint}".rstrip()
            return Verdict(False, msg, near_threshold=err < p.tolerance * (1 + NEAR))
        worst = max(worst, err)
    near = worst > p.tolerance * (1 - NEAR)
    shown = ", ".join(f"{number(xi)} → {number(g)}" for xi, g in zip(p.inputs, got, strict=True))
    note = " (close to the tolerance: it may differ between runs)" if near else ""
    return Verdict(True, f"predicts {shown}, within ± {number(p.tolerance)}{note}",
                   near_threshold=near)


def _probes(p: PredictionParams) -> tuple[tuple[float, ...], ...]:
    return () if p.expected is not None else (p.inputs,)


@dataclass(frozen=True)
class ValueCloseParams:
    """A returned number is within ``atol + rtol * |expected|`` of ``expected`` or, when
    that is absent, of the number the solution returned (both tolerances ≥ 0)."""

    expected: float | None = None
    rtol: Annotated[float, Range(0)] = 1e-5
    atol: Annotated[float, Range(0)] = 1e-8


def _single_number(value: object) -> float | None:
    """A plain number, or the one number of a one-item list (as JSON brings it back)."""
    if isinstance(value, dict) and "returned" in value:  # record: last_fit
        value = value["returned"]
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return None


def value_close(found: ExerciseFacts, expected: ExerciseFacts, p: ValueCloseParams) -> Verdict:
    """The returned number is close to the expected one (given, or the solution's)."""
    got = _single_number(found.value)
    if got is None:
        shown = repr(found.value)[:80]
        return Verdict(False, f"expected a number to be returned, found {shown}")
    want = p.expected if p.expected is not None else _single_number(expected.value)
    if want is None:
        return Verdict(False, "no expected value: the solution returned no number "
                              "(instructor error)")
    if not math.isfinite(got):
        return Verdict(False, f"returned {number(got)}, expected {number(want)}")
    tolerance = p.atol + p.rtol * abs(want)
    err = abs(got - want)
    if err > tolerance:
        return Verdict(False, f"returned {number(got)}, expected {number(want)} "
                              f"± {number(tolerance)}",
                       near_threshold=err <= tolerance * (1 + NEAR))
    near = tolerance > 0 and err > tolerance * (1 - NEAR)
    return Verdict(True, f"returned {number(got)}, within ± {number(tolerance)} of "
                         f"{number(want)}", near_threshold=near)


CHECKS = {"prediction": CheckSpec(prediction, PredictionParams, needs="model", probes=_probes),
          "value_close": CheckSpec(value_close, ValueCloseParams, needs="value")}
