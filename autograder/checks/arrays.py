"""Checks on arrays an exercise returned: how many, their shapes, types and values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Literal

import numpy as np

from autograder.checks import CheckSpec, Verdict, number, plural
from autograder.checks.allowed import Range
from autograder.facts import ExerciseFacts

#: Factors a beginner's values are often off by (unscaled prices, pixels not divided by 255).
COMMON_SCALES = (10.0, 100.0, 1000.0, 1e4, 1e5, 1e6, 255.0)


@dataclass(frozen=True)
class ShapeParams:
    """``labels`` names the returned arrays in messages, e.g. ["bedrooms", "prices"]."""

    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class DtypeParams:
    """``kind``: "float", "integer", or "same" (as the solution's arrays)."""

    kind: Literal["float", "integer", "same"] = "same"
    labels: tuple[str, ...] = ()


@dataclass(frozen=True)
class ValuesParams:
    """Tolerances for comparing values, and a hint for values off by a common factor."""

    rtol: Annotated[float, Range(0)] = 1e-5
    atol: Annotated[float, Range(0)] = 1e-6
    labels: tuple[str, ...] = ()
    scale_hint: str = ""


def _label(params_labels: tuple[str, ...], i: int, n: int) -> str:
    if i < len(params_labels):
        return params_labels[i]
    return "the array" if n == 1 else f"array {i + 1}"


Pairs = list[tuple[np.ndarray, np.ndarray]]


def _pairs(found: ExerciseFacts, expected: ExerciseFacts) -> Verdict | Pairs:
    """(found, expected) array pairs, or a failing verdict when their counts differ."""
    got = found.arrays or ()
    want = expected.arrays or ()
    if len(got) != len(want):
        return Verdict(False, f"expected {plural(len(want), 'array')} to be returned, "
                              f"found {len(got)}")
    return list(zip(got, want, strict=True))


def array_shapes(found: ExerciseFacts, expected: ExerciseFacts, p: ShapeParams) -> Verdict:
    """Same number of arrays as the solution, each of the same shape."""
    pairs = _pairs(found, expected)
    if isinstance(pairs, Verdict):
        return pairs
    n = len(pairs)
    problems = [
        f"{_label(p.labels, i, n)} has shape {g.shape}, expected {w.shape}"
        for i, (g, w) in enumerate(pairs)
        if g.shape != w.shape
    ]
    if problems:
        return Verdict(False, "; ".join(problems))
    shapes = ", ".join(str(w.shape) for _, w in pairs)
    return Verdict(True, f"{plural(n, 'array')} of the right shape {shapes}")


def _kind(a: np.ndarray) -> str:
    if np.issubdtype(a.dtype, np.floating):
        return "float"
    if np.issubdtype(a.dtype, np.integer) or a.dtype == np.bool_:
        return "integer"
    return str(a.dtype)


def array_dtype(found: ExerciseFacts, expected: ExerciseFacts, p: DtypeParams) -> Verdict:
    """Arrays hold the right kind of number (floating point, usually)."""
    pairs = _pairs(found, expected)
    if isinstance(pairs, Verdict):
        return pairs
    n = len(pairs)
    problems = []
    for i, (g, w) in enumerate(pairs):
        want = _kind(w) if p.kind == "same" else p.kind
        if _kind(g) != want:
            what = _label(p.labels, i, n)
            if want == "float" and _kind(g) == "integer":
                problems.append(
                    f"{what} holds whole numbers ({g.dtype}); a neural network learns with "
                    "floating-point numbers: write 1.0 rather than 1, or pass dtype=float"
                )
            else:
                problems.append(f"{what} holds {g.dtype} values, expected {want} numbers")
    if problems:
        return Verdict(False, "; ".join(problems))
    return Verdict(True, "the arrays hold the right kind of numbers")


def scale_factor(got: np.ndarray, want: np.ndarray, rtol: float = 1e-3) -> float | None:
    """The common factor (10, 100, 1/255…) that turns ``want`` into ``got``, if there is one."""
    if got.shape != want.shape or not np.any(want):
        return None
    g = got.astype(np.float64)
    w = want.astype(np.float64)
    for k in COMMON_SCALES:
        for factor in (k, 1.0 / k):
            if np.allclose(g, w * factor, rtol=rtol, atol=0):
                return factor
    return None


def array_values(found: ExerciseFacts, expected: ExerciseFacts, p: ValuesParams) -> Verdict:
    """Values equal the solution's within tolerance; names a common scaling mistake."""
    pairs = _pairs(found, expected)
    if isinstance(pairs, Verdict):
        return pairs
    n = len(pairs)
    problems = []
    for i, (g, w) in enumerate(pairs):
        what = _label(p.labels, i, n)
        if g.shape != w.shape:
            problems.append(f"{what} cannot be compared: shape {g.shape}, expected {w.shape}")
            continue
        if not (np.issubdtype(g.dtype, np.number) or g.dtype == np.bool_):
            problems.append(f"{what} does not hold numbers ({g.dtype})")
            continue
        if np.allclose(g, w, rtol=p.rtol, atol=p.atol, equal_nan=False):
            continue
        factor = scale_factor(g, w)
        if factor is not None:
            size = f"{number(factor)} times" if factor > 1 else f"1/{number(1 / factor)} of"
            problems.append(f"{what} is {size} what it should be. {p.scale_hint}".strip())
            continue
        diff = np.abs(g.astype(np.float64) - w.astype(np.float64))
        where = np.unravel_index(int(np.nanargmax(diff)), diff.shape) if diff.size else ()
        idx = where if len(where) > 1 else (where[0] if where else "")
        problems.append(
            f"{what} differs from the expected values: at index {idx} found "
            f"{number(float(g[where]))}, expected {number(float(w[where]))}"
        )
    if problems:
        return Verdict(False, "; ".join(problems))
    return Verdict(True, "the values are right")


CHECKS = {
    "array_shapes": CheckSpec(array_shapes, ShapeParams, needs="arrays"),
    "array_dtype": CheckSpec(array_dtype, DtypeParams, needs="arrays"),
    "array_values": CheckSpec(array_values, ValuesParams, needs="arrays"),
}
