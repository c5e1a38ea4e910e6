"""What a check's parameter allows, said in its type and enforced when the course loads.

A check's frozen parameter dataclass states what each field accepts:

- ``typing.Literal["float", "integer", "same"]``: one of these words (also inside a
  tuple: ``tuple[Literal[...], ...]`` for a list of them);
- ``Annotated[float, Range(0)]``: a number in a range (``Fraction`` for 0…1, which also
  says "did you mean 0.85?" to ``85``);
- ``Annotated[str, DatasetName()]``, ``Annotated[str, MetricName()]``,
  ``Annotated[str, ClassLabel()]``: a dataset the grader knows, a metric name Keras
  records, a class label of the assignment's data.

Cross-field rules (a split that belongs to the dataset named beside it) go in an optional
method ``params_problems(self, context) -> list[(key, problem)]`` of the dataclass.
``autograder.course.params`` applies all of it and turns each problem into an error naming
the course.yaml line and key. Every "unknown" message lists what is allowed and suggests
the close matches (``difflib``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ParamContext:
    """What the course knows where a check is declared: dataset names (the grader's and
    the course's own), and the class labels of the datasets the assignment uses."""

    datasets: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    splits: dict[str, tuple[str, ...]] = field(default_factory=dict)
    classes: dict[str, tuple[str, ...]] = field(default_factory=dict)


def suggest(value: object, allowed: Iterable[object]) -> str:
    """`` (did you mean 'x'?)`` for close matches of ``value`` among ``allowed``, or ""."""
    words = [str(a) for a in allowed]
    close = difflib.get_close_matches(str(value), words, n=3, cutoff=0.6)
    if not close:
        return ""
    best = difflib.SequenceMatcher(None, str(value), close[0]).ratio()
    close = [c for c in close if difflib.SequenceMatcher(None, str(value), c).ratio()
             >= best - 0.05]
    return " (did you mean " + " or ".join(repr(c) for c in close) + "?)"


def unknown(what: str, value: object, allowed: Iterable[object]) -> str:
    """The message for a value that is not one of ``allowed``: lists them, suggests."""
    allowed = list(allowed)
    return (f"unknown {what} {value!r}; allowed: {', '.join(str(a) for a in allowed)}"
            + suggest(value, allowed))


class Constraint:
    """One rule for a parameter's value (after its type is checked)."""

    def problem(self, value: Any, context: ParamContext) -> str | None:
        """Why ``value`` is not allowed, or None."""
        raise NotImplementedError

    def describe(self) -> str:
        """The rule in words, for the course author's reference."""
        raise NotImplementedError


@dataclass(frozen=True)
class Range(Constraint):
    """A number between ``low`` and ``high`` (either may be None: unbounded);
    ``open_low`` excludes ``low`` itself (``Range(0, open_low=True)``: greater than 0)."""

    low: float | None = None
    high: float | None = None
    open_low: bool = False

    def problem(self, value: Any, context: ParamContext) -> str | None:
        if self.low is not None and (value < self.low or (self.open_low and value == self.low)):
            return f"{value!r} is not allowed here: it must be {self.describe()}"
        if self.high is not None and value > self.high:
            return f"{value!r} is not allowed here: it must be {self.describe()}"
        return None

    def describe(self) -> str:
        low = None if self.low is None else f"{'>' if self.open_low else '≥'} {self.low:g}"
        high = None if self.high is None else f"≤ {self.high:g}"
        if low and high:
            return f"{low} and {high}"
        return low or high or "any number"


@dataclass(frozen=True)
class Fraction(Range):
    """A share between 0 and 1 (accuracy, the part of answers right)."""

    low: float | None = 0.0
    high: float | None = 1.0

    def problem(self, value: Any, context: ParamContext) -> str | None:
        found = super().problem(value, context)
        if found and 1 < value <= 100:
            return f"{found} (a fraction: did you mean {value / 100:g}?)"
        return found

    def describe(self) -> str:
        return "a fraction between 0 and 1"


@dataclass(frozen=True)
class DatasetName(Constraint):
    """The name of a dataset the grader knows (its own, or one the course adds)."""

    def problem(self, value: Any, context: ParamContext) -> str | None:
        if context.datasets and value not in context.datasets:
            return unknown("dataset", value, context.datasets)
        return None

    def describe(self) -> str:
        return "a known dataset"


#: Names Keras records in a History (and their ``val_`` forms), for ``MetricName``.
KERAS_METRICS = (
    "loss", "accuracy", "acc", "binary_accuracy", "categorical_accuracy",
    "sparse_categorical_accuracy", "top_k_categorical_accuracy",
    "sparse_top_k_categorical_accuracy", "mse", "mae", "mape", "msle",
    "mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
    "mean_squared_logarithmic_error", "root_mean_squared_error", "precision", "recall",
    "auc", "f1_score", "binary_crossentropy", "categorical_crossentropy",
    "sparse_categorical_crossentropy", "learning_rate", "lr",
)


@dataclass(frozen=True)
class MetricName(Constraint):
    """A metric name as Keras records it (``loss``, ``val_accuracy``…).

    A name close to a known one but not equal (``val_acuracy``) is an error; a name far
    from all of them is taken as the course's own metric (release then checks that the
    solution records it).
    """

    def problem(self, value: Any, context: ParamContext) -> str | None:
        known = [*KERAS_METRICS, *(f"val_{m}" for m in KERAS_METRICS)]
        if value in known:
            return None
        hint = suggest(value, known)
        if hint:
            return f"unknown metric {value!r}{hint}"
        return None

    def describe(self) -> str:
        return "a metric name as Keras records it (loss, accuracy, val_accuracy…)"


@dataclass(frozen=True)
class ClassLabel(Constraint):
    """A class label of the datasets the assignment uses (when it uses any with labels)."""

    def problem(self, value: Any, context: ParamContext) -> str | None:
        if context.labels and value not in context.labels:
            return unknown("label", value, context.labels)
        return None

    def describe(self) -> str:
        return "a class label of the assignment's data"


@dataclass(frozen=True)
class SplitName(Constraint):
    """A split of the dataset named beside it (checked with it: ``dataset_problems``)."""

    def problem(self, value: Any, context: ParamContext) -> str | None:
        return None

    def describe(self) -> str:
        return "a split of that dataset"


def allowed_words(values: Iterable[object]) -> str:
    """``a, b or c``."""
    words = [str(v) for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def dataset_problems(dataset: str | None, split: str | None, context: ParamContext,
                     *, image_files: bool | None = None) -> list[tuple[str, str]]:
    """Problems of a ``dataset``/``split`` pair in a check's params: a split the dataset
    does not have, a split without a dataset, a dataset of the wrong kind."""
    problems: list[tuple[str, str]] = []
    if dataset is None:
        if split is not None:
            problems.append(("split", "a split goes with a dataset: add dataset"))
        return problems
    if split is None:
        problems.append(("split", f"missing: which split of {dataset}?"))
    splits = context.splits.get(dataset)
    if splits and split is not None and split not in splits:
        problems.append(("split", unknown(f"split of {dataset}", split, splits)))
    if image_files is not None and dataset in context.datasets:
        from autograder.datasets import IMAGE_FILES

        if (dataset in IMAGE_FILES) != image_files:
            kind = "a dataset of image files" if image_files else "a dataset of arrays"
            fits = [d for d in context.datasets if (d in IMAGE_FILES) == image_files]
            problems.append(("dataset", f"this check needs {kind}: {', '.join(fits)}"))
    return problems
