"""Checks for image folders (Week 4): generators, held-out images, answers about images.

The sandbox sends back the first batch of each generator or ``tf.data.Dataset`` as arrays
(``record: generators``); the grader measures them itself (``describe_batch``: shapes,
pixel range, labels) and judges those figures against the solution's. Accuracy on
held-out images and the truth about the prediction images are the grader's own: those
labels never enter the sandbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

import numpy as np

from autograder.checks import CheckSpec, Verdict, number, plural
from autograder.checks.allowed import (
    ClassLabel,
    DatasetName,
    Fraction,
    ParamContext,
    Range,
    SplitName,
    dataset_problems,
    unknown,
)
from autograder.checks.values import NEAR
from autograder.facts import ExerciseFacts

Aspect = Literal["count", "size", "batch", "mode", "labels", "samples", "pixels"]
ASPECTS: tuple[Aspect, ...] = get_args(Aspect)
NAMES = ("the training generator", "the validation generator")


@dataclass(frozen=True)
class GeneratorParams:
    """Which aspects of each generator's first batch must match the solution's.

    ``count`` how many generators; ``size`` the image size (target_size); ``batch`` the
    batch size; ``mode`` class_mode and the labels' shape; ``labels`` the label values;
    ``samples`` how many images it found; ``pixels`` the pixel range (rescaling).
    """

    compare: tuple[Aspect, ...] = ASPECTS

    def params_problems(self, context: ParamContext) -> list[tuple[str, str]]:
        """At least one aspect to compare."""
        return [] if self.compare else [("compare", "give at least one of "
                                                    + ", ".join(ASPECTS))]


@dataclass(frozen=True)
class HeldoutImagesParams:
    """Accuracy of the trained model on held-out image files, computed by the grader.

    Images are loaded at the model's own input size, divided by ``scale``.
    """

    dataset: Annotated[str, DatasetName()]
    split: Annotated[str, SplitName()]
    threshold: Annotated[float, Fraction()]
    limit: Annotated[int, Range(1)] | None = None
    scale: Annotated[float, Range(0, open_low=True)] = 255.0

    def params_problems(self, context: ParamContext) -> list[tuple[str, str]]:
        """A split of this dataset; a dataset of image files."""
        return dataset_problems(self.dataset, self.split, context, image_files=True)


@dataclass(frozen=True)
class AnswerParams:
    """Answers about image files (one per file, in order): each must be one of ``labels``.

    With ``dataset`` and ``split``, the grader compares them with the files' true labels
    (which it keeps) and wants at least ``threshold`` of them right.
    """

    labels: tuple[Annotated[str, ClassLabel()], ...] = ()
    dataset: Annotated[str, DatasetName()] | None = None
    split: Annotated[str, SplitName()] | None = None
    limit: Annotated[int, Range(1)] | None = None
    threshold: Annotated[float, Fraction()] = 0.75

    def params_problems(self, context: ParamContext) -> list[tuple[str, str]]:
        """Labels that are the dataset's own, in its order; a split of it."""
        problems = dataset_problems(self.dataset, self.split, context, image_files=True)
        if not self.labels:
            problems.append(("labels", "give the labels an answer may be"))
        classes = context.classes.get(self.dataset or "")
        if classes:
            for label in self.labels:
                if label not in classes:
                    problems.append(("labels", unknown(f"label of {self.dataset}", label,
                                                       classes)))
            if not problems and tuple(self.labels) != tuple(classes):
                problems.append(("labels", f"{self.dataset}'s labels, in its order, are "
                                           f"{list(classes)}"))
        return problems


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _pixels(got: dict[str, Any], want: dict[str, Any], name: str) -> str:
    top, want_top = _number(got.get("x_max")), _number(want.get("x_max"))
    low = _number(got.get("x_min"))
    if top is None or want_top is None:
        return f"{name}: its pixels could not be read"
    if top <= want_top * 1.5 and (low is None or low >= -0.01):
        return ""
    if 300 < top < 1100:
        return (f"{name}: pixels go up to {number(top)}, not 1: rescale=1/.255 divides by "
                "0.255 (it multiplies by about 3.9); write rescale=1/255 (or 1./255)")
    if top > 1.5 and top <= 255.5:
        return (f"{name}: pixels go up to {number(top)}: they are not rescaled; give the "
                "ImageDataGenerator rescale=1/255")
    return f"{name}: pixels range from {number(low or 0)} to {number(top)}, expected 0 to 1"


def _class_mode(y: np.ndarray | None) -> str | None:
    """What the labels' shape and values say the class mode is."""
    if y is None:
        return None
    if y.ndim >= 2 and y.shape[-1] > 1:
        return "categorical"
    values = np.unique(y.reshape(-1)[:4096]) if y.size else np.zeros(0)
    return "binary" if set(values.tolist()) <= {0, 1} else "sparse"


def describe_batch(claims: dict[str, Any], x: np.ndarray, y: np.ndarray | None) -> dict[str, Any]:
    """A generator's first batch as the checks judge it, measured by the grader on the
    arrays it received (at most a few images, every label); what only the generator can
    say of itself (its sample count, its class folders) stays as it claimed."""
    batch = int(y.shape[0]) if y is not None and y.ndim else int(claims.get("batch") or 0)
    finite = x[np.isfinite(x)] if x.size and np.issubdtype(x.dtype, np.number) else x[:0]
    mode = _class_mode(y) if y is not None else claims.get("class_mode")
    claimed = claims.get("class_mode")
    if claimed in ("binary", "sparse") and mode in ("binary", "sparse"):
        mode = claimed  # two classes as 0/1: the labels cannot tell binary from sparse
    return {
        "type": str(claims.get("type") or "")[:80],
        "x_shape": [batch, *(int(d) for d in x.shape[1:])],
        "x_min": float(finite.min()) if finite.size else None,
        "x_max": float(finite.max()) if finite.size else None,
        "y_shape": None if y is None else [batch, *(int(d) for d in y.shape[1:])],
        "y_values": None if y is None else sorted(
            {float(v) for v in np.unique(y.reshape(-1)[:4096])})[:10],
        "batch_size": batch,
        "samples": claims.get("samples"),
        "class_mode": mode,
        "target_size": list(x.shape[1:3]) if x.ndim >= 3 else claims.get("target_size"),
        "class_indices": claims.get("class_indices"),
    }


def _label_shape(shape: Any) -> list[Any]:
    """A batch's label shape without its batch size; (n,) and (n, 1) are the same."""
    rest = _as_list(shape)[1:]
    return [] if rest == [1] else rest


def _compare(got: dict[str, Any], want: dict[str, Any], name: str,
             aspects: tuple[str, ...]) -> str:
    """The first difference between one generator's observations and the solution's."""
    shape, want_shape = _as_list(got.get("x_shape")), _as_list(want.get("x_shape"))
    mode, want_mode = got.get("class_mode"), want.get("class_mode")
    if "size" in aspects and shape[1:] != want_shape[1:]:
        size = "x".join(str(d) for d in shape[1:3]) or "?"
        want_size = "x".join(str(d) for d in want_shape[1:3])
        if shape[1:3] != want_shape[1:3]:
            return (f"{name} gives {size} images, expected {want_size}: "
                    f"target_size=({', '.join(str(d) for d in want_shape[1:3])})")
        return (f"{name} gives images shaped {tuple(shape[1:])}, expected "
                f"{tuple(want_shape[1:])} (colour images have 3 channels)")
    if "mode" in aspects:
        if mode != want_mode:
            extra = (": class_mode='categorical' gives each label as a pair like [1, 0], "
                     "which a single sigmoid unit cannot match"
                     if mode == "categorical" else "")
            return f"{name} has class_mode={mode!r}, expected {want_mode!r}{extra}"
        if got.get("y_shape") is not None and want.get("y_shape") is not None and \
                _label_shape(got.get("y_shape")) != _label_shape(want.get("y_shape")):
            return (f"{name} gives labels shaped {tuple(_as_list(got.get('y_shape')))}, "
                    f"expected {tuple(_as_list(want.get('y_shape')))}")
    if "batch" in aspects and got.get("batch_size") != want.get("batch_size"):
        return (f"{name} has batches of {got.get('batch_size')}, expected "
                f"{want.get('batch_size')} (batch_size=)")
    if "samples" in aspects and got.get("samples") != want.get("samples"):
        return (f"{name} found {got.get('samples')} images, expected {want.get('samples')}: "
                "point flow_from_directory at the folder that holds one sub-folder per class")
    allowed = {str(v) for v in _as_list(want.get("y_values"))} | {"0.0", "1.0"}
    if "labels" in aspects and not {str(v) for v in _as_list(got.get("y_values"))} <= allowed:
        return f"{name} gives labels {got.get('y_values')}, expected 0 and 1"
    if "pixels" in aspects:
        return _pixels(got, want, name)
    return ""


def generators(found: ExerciseFacts, expected: ExerciseFacts, p: GeneratorParams) -> Verdict:
    """Each returned generator gives batches like the solution's (size, labels, pixels…)."""
    got, want = _as_list(found.value), _as_list(expected.value)
    if not want:
        return Verdict(False, "the solution's generators were not observed (an instructor error)")
    if len(got) != len(want):
        return Verdict(False, f"returned {plural(len(got), 'generator')}, expected {len(want)} "
                              "(the training one, then the validation one)")
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        name = NAMES[i] if i < len(NAMES) and len(want) == len(NAMES) else f"generator {i + 1}"
        if not isinstance(g, dict) or not isinstance(w, dict):
            return Verdict(False, f"{name} could not be observed")
        problem = _compare(g, w, name, tuple(p.compare))
        if problem:
            return Verdict(False, problem)
    said = {"size": "image size", "batch": "batch sizes", "mode": "class mode",
            "labels": "labels", "samples": "image counts", "pixels": "pixels between 0 and 1"}
    return Verdict(True, "as expected: " + ", ".join(said[a] for a in p.compare if a in said))


def heldout_images(found: ExerciseFacts, expected: ExerciseFacts,
                   p: HeldoutImagesParams) -> Verdict:
    """The grader evaluates the trained model on image files it never gave the sandbox."""
    from autograder.datasets import describe, load, load_images

    if found.model is None:
        return Verdict(False, "no trained model to evaluate")
    shape = found.model.input_shape or ()
    if len(shape) != 4 or shape[-1] != 3 or not all(isinstance(d, int) for d in shape[1:3]):
        return Verdict(False, f"the model's input shape is {shape}; it needs colour images "
                              "(height, width, 3)")
    paths, labels = load(p.dataset, p.split, p.limit)
    images = load_images(p.dataset, paths, (int(shape[1]), int(shape[2])))  # type: ignore[arg-type]
    images *= 255.0 / p.scale
    try:
        out = np.asarray(found.model.predict(images))
    except Exception as exc:
        return Verdict(False, f"the model could not predict on the held-out images: {exc}")
    if out.shape[-1:] != (1,):
        return Verdict(False, f"the model gives {out.shape[-1]} numbers per image; a yes/no "
                              "question needs one sigmoid unit")
    accuracy = float(np.mean((out.reshape(-1) > 0.5).astype(int) == labels))
    near = abs(accuracy - p.threshold) < NEAR * (1 - p.threshold)
    note = " (close to the threshold: it may differ between runs)" if near else ""
    source = describe(p.dataset).split(" is ", 1)[-1]
    where = f"{len(labels):,} held-out images ({source})"
    if accuracy < p.threshold:
        return Verdict(False, f"accuracy {accuracy:.3f} on {where}, below the required "
                              f"{p.threshold:.2f}{note}", near_threshold=near)
    return Verdict(True, f"accuracy {accuracy:.3f} on {where} (required {p.threshold:.2f})"
                         f"{note}", near_threshold=near)


def answers(found: ExerciseFacts, expected: ExerciseFacts, p: AnswerParams) -> Verdict:
    """One answer per image, each a label; with a dataset, enough of them right."""
    got, want = found.value, _as_list(expected.value)
    if not isinstance(got, list):
        return Verdict(False, f"expected a list of answers, one per image, found "
                              f"{type(got).__name__}")
    if len(got) != len(want):
        return Verdict(False, f"{plural(len(got), 'answer')} for {len(want)} images")
    wrong = [a for a in got if a not in p.labels]
    if wrong:
        allowed = " or ".join(repr(x) for x in p.labels)
        return Verdict(False, f"answered {wrong[0]!r}; each answer must be {allowed}")
    if p.dataset is None or p.split is None:
        return Verdict(True, f"{plural(len(got), 'answer')}, each {' or '.join(p.labels)}")
    from autograder.datasets import load

    _, labels = load(p.dataset, p.split, p.limit)
    truth = [p.labels[int(i)] for i in labels]
    right = sum(a == t for a, t in zip(got, truth, strict=False))
    share = right / max(1, len(truth))
    same = len(set(got)) == 1 and len(set(truth)) > 1
    note = (f"; every answer is {got[0]!r}: is the image divided by 255 before predicting, "
            "as the generators did in training?" if same else "")
    if share < p.threshold:
        return Verdict(False, f"{right} of {len(truth)} images right, below the required "
                              f"{p.threshold:.0%}{note}")
    return Verdict(True, f"{right} of {len(truth)} images right (required {p.threshold:.0%})")


def answer_count(facts: ExerciseFacts, params: AnswerParams) -> ExerciseFacts:
    """What a notebook needs to check answers: how many there are, not what they are
    (the solution's answers would be an answer key for a hidden check)."""
    return ExerciseFacts(facts.status, value=[None] * len(_as_list(facts.value)))


CHECKS = {
    "generators": CheckSpec(generators, GeneratorParams, needs="value"),
    "heldout_images": CheckSpec(heldout_images, HeldoutImagesParams, needs="none"),
    "answers": CheckSpec(answers, AnswerParams, needs="value", public=answer_count),
}
