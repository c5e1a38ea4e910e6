"""Checks on hand-written image operations (a 3x3 convolution, a 2x2 max-pool).

The exercise returns flat triplets ``image, kernel, output`` (or pairs ``image, output``
for pooling), so besides comparing with the solution's outputs the grader can recompute
the right answer itself and recognise the usual mistakes: a flipped filter, a kept
border, a transposed result.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import numpy as np

from autograder.checks import CheckSpec, Verdict, plural
from autograder.checks.allowed import Range
from autograder.facts import ExerciseFacts


@dataclass(frozen=True)
class ImageOpParams:
    """Tolerances for comparing outputs."""

    rtol: Annotated[float, Range(0)] = 1e-6
    atol: Annotated[float, Range(0)] = 1e-6


def correlate_valid(image: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """The course's convolution: each pixel with its 8 neighbours times the filter, summed,
    leaving the one-pixel margin (no flip, no clipping)."""
    h, w = image.shape
    kh, kw = kernel.shape
    out = np.zeros((h - kh + 1, w - kw + 1))
    for i in range(kh):
        for j in range(kw):
            out += kernel[i, j] * image[i:i + out.shape[0], j:j + out.shape[1]]
    return out


def max_pool_2x2(image: np.ndarray) -> np.ndarray:
    """2x2 max-pooling that halves each side (an odd last row or column is dropped)."""
    h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    return image[:h, :w].reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))


def _diagnose_conv(image: np.ndarray, kernel: np.ndarray, got: np.ndarray,
                   p: ImageOpParams) -> str:
    right = correlate_valid(image, kernel)
    if got.shape == (image.shape[0], image.shape[1]):
        inner = got[1:-1, 1:-1]
        if np.allclose(inner, right, rtol=p.rtol, atol=p.atol):
            return ("the output keeps the border: it should leave the one-pixel margin out, so "
                    f"a {image.shape} image gives {right.shape}")
        return (f"the output has the image's own shape {got.shape}; leave the one-pixel margin "
                f"out, so it is {right.shape}")
    if got.shape != right.shape:
        return f"the output has shape {got.shape}, expected {right.shape}"
    if np.allclose(got, correlate_valid(image, kernel[::-1, ::-1]), rtol=p.rtol, atol=p.atol):
        return ("the filter is flipped: multiply each neighbour by the filter value at the same "
                "position (top-left neighbour with filter[0][0])")
    if got.shape[::-1] == got.shape and np.allclose(got.T, right, rtol=p.rtol, atol=p.atol):
        return "rows and columns are swapped in the output"
    if np.allclose(got, np.clip(right, 0, 255), rtol=p.rtol, atol=p.atol):
        return "the output is clipped to 0..255; return the plain weighted sums"
    diff = np.abs(got - right)
    where = np.unravel_index(int(np.argmax(diff)), diff.shape)
    return (f"at output position {tuple(int(i) for i in where)} found {got[where]:.4g}, "
            f"expected {right[where]:.4g}")


def convolution(found: ExerciseFacts, expected: ExerciseFacts, p: ImageOpParams) -> Verdict:
    """Every (image, kernel) case gives the solution's output (recomputed by the grader)."""
    got, want = found.arrays or (), expected.arrays or ()
    if len(got) != len(want) or len(got) % 3:
        return Verdict(False, f"expected {len(want) // 3} outputs, found {len(got) // 3}")
    for n in range(0, len(got), 3):
        image, kernel, out = (np.asarray(a, dtype=np.float64) for a in got[n:n + 3])
        if out.shape == want[n + 2].shape and np.allclose(out, want[n + 2], rtol=p.rtol,
                                                          atol=p.atol):
            continue
        case = f"case {n // 3 + 1} (a {image.shape[0]}x{image.shape[1]} image)"
        return Verdict(False, f"{case}: {_diagnose_conv(image, kernel, out, p)}")
    return Verdict(True, f"right on all {plural(len(want) // 3, 'case')}")


def max_pooling(found: ExerciseFacts, expected: ExerciseFacts, p: ImageOpParams) -> Verdict:
    """Every image is pooled as the solution pools it (odd sizes included)."""
    got, want = found.arrays or (), expected.arrays or ()
    if len(got) != len(want) or len(got) % 2:
        return Verdict(False, f"expected {len(want) // 2} outputs, found {len(got) // 2}")
    for n in range(0, len(got), 2):
        image, out = (np.asarray(a, dtype=np.float64) for a in got[n:n + 2])
        if out.shape == want[n + 1].shape and np.allclose(out, want[n + 1], rtol=p.rtol,
                                                          atol=p.atol):
            continue
        right = max_pool_2x2(image)
        case = f"case {n // 2 + 1} (a {image.shape[0]}x{image.shape[1]} image)"
        if out.shape != right.shape:
            return Verdict(False, f"{case}: the output has shape {out.shape}, expected "
                                  f"{right.shape} (each side halved, rounding down)")
        return Verdict(False, f"{case}: the values differ; each output pixel is the largest "
                              "of a 2x2 block (not the average, not overlapping blocks)")
    return Verdict(True, f"right on all {plural(len(want) // 2, 'case')}")


CHECKS = {
    "convolution": CheckSpec(convolution, ImageOpParams, needs="arrays"),
    "max_pooling": CheckSpec(max_pooling, ImageOpParams, needs="arrays"),
}
