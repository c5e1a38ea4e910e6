"""Checks on a Keras model, made from the layer table the grader read itself."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from autograder.checks import CheckSpec, Table, Verdict, plural
from autograder.checks.allowed import Range
from autograder.facts import ExerciseFacts, LayerRow, ModelFacts


@dataclass(frozen=True)
class LayerTableParams:
    """What to compare per layer besides type, output shape and parameter count."""

    compare_activation: bool = True


@dataclass(frozen=True)
class ParamCountParams:
    """``total`` pins the expected count, so a drift in the solution is caught too."""

    total: Annotated[int, Range(1)] | None = None


@dataclass(frozen=True)
class CompileParams:
    """Which compile settings must match the solution's."""

    optimizer: bool = True
    loss: bool = True
    metrics: bool = False
    learning_rate: bool = False


def _model(found: ExerciseFacts, expected: ExerciseFacts) -> tuple[ModelFacts, ModelFacts] | str:
    if found.model is None:
        return "did not return a Keras model"
    if expected.model is None:
        return "the reference solution did not produce a model (an instructor error)"
    return found.model, expected.model


def _shape(shape: tuple[int | None, ...]) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _row(r: LayerRow | None) -> tuple[str, str, str]:
    if r is None:
        return ("—", "—", "—")
    return (r.describe(), _shape(r.output_shape), f"{r.params:,}")


def layer_diff(got: tuple[LayerRow, ...], want: tuple[LayerRow, ...],
               compare_activation: bool) -> list[str]:
    """Per-layer differences, in words, between two layer tables."""
    problems = []
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        if g is None and w is not None:
            problems.append(f"layer {i + 1}: missing, expected {w.describe()}")
        elif w is None and g is not None:
            problems.append(f"layer {i + 1}: {g.describe()} is one layer too many")
        elif g is not None and w is not None:
            if g.type != w.type:
                problems.append(f"layer {i + 1}: found {g.type}, expected {w.type}")
                continue
            if g.units != w.units:
                problems.append(f"layer {i + 1}: {g.type} has {g.units} units, expected {w.units}")
            if compare_activation and (g.activation or "linear") != (w.activation or "linear"):
                problems.append(
                    f"layer {i + 1}: activation {g.activation}, expected {w.activation}"
                )
            if g.output_shape != w.output_shape:
                problems.append(
                    f"layer {i + 1}: output shape {_shape(g.output_shape)}, "
                    f"expected {_shape(w.output_shape)}"
                )
            elif g.params != w.params:
                problems.append(f"layer {i + 1}: {g.params:,} parameters, expected {w.params:,}")
    return problems


def layer_table(found: ExerciseFacts, expected: ExerciseFacts, p: LayerTableParams) -> Verdict:
    """The model's layers match the solution's, layer by layer."""
    pair = _model(found, expected)
    if isinstance(pair, str):
        return Verdict(False, pair)
    got, want = pair
    problems = layer_diff(got.layers, want.layers, p.compare_activation)
    if not problems:
        return Verdict(True, f"{plural(len(want.layers), 'layer')}, as expected: "
                             + ", ".join(r.describe() for r in want.layers))
    n = max(len(got.layers), len(want.layers))
    table = Table(
        header=("#", "expected layer", "expected shape", "expected params",
                "your layer", "your shape", "your params"),
        rows=tuple(
            (str(i + 1),
             *_row(want.layers[i] if i < len(want.layers) else None),
             *_row(got.layers[i] if i < len(got.layers) else None))
            for i in range(n)
        ),
    )
    head = ""
    if len(got.layers) != len(want.layers):
        head = (f"the model should have {plural(len(want.layers), 'layer')} "
                f"({', '.join(r.describe() for r in want.layers)}) but has "
                f"{len(got.layers)} ({', '.join(r.describe() for r in got.layers) or 'none'}). ")
    return Verdict(False, head + "; ".join(problems), table=table)


def param_count(found: ExerciseFacts, expected: ExerciseFacts, p: ParamCountParams) -> Verdict:
    """The model has as many parameters as the solution's (and as a pinned figure)."""
    pair = _model(found, expected)
    if isinstance(pair, str):
        return Verdict(False, pair)
    got, want = pair
    if p.total is not None and want.total_params != p.total:
        return Verdict(False, f"the reference solution has {want.total_params:,} parameters, "
                              f"course.yaml pins {p.total:,} (an instructor error)")
    if got.total_params != want.total_params:
        return Verdict(False, f"the model has {got.total_params:,} parameters, "
                              f"expected {want.total_params:,}")
    return Verdict(True, f"{want.total_params:,} parameters, as expected")


def compile_settings(found: ExerciseFacts, expected: ExerciseFacts, p: CompileParams) -> Verdict:
    """Optimizer, loss (and optionally metrics, learning rate) match the solution's."""
    pair = _model(found, expected)
    if isinstance(pair, str):
        return Verdict(False, pair)
    got, want = pair
    if got.optimizer is None:
        return Verdict(False, "the model is not compiled: call model.compile(optimizer=…, "
                              "loss=…) before returning it")
    problems = []
    if p.optimizer and got.optimizer != want.optimizer:
        problems.append(f"optimizer {got.optimizer}, expected {want.optimizer}")
    if p.loss and got.loss != want.loss:
        problems.append(f"loss {got.loss}, expected {want.loss}")
    if p.metrics and set(got.metrics) != set(want.metrics):
        problems.append(f"metrics {list(got.metrics)}, expected {list(want.metrics)}")
    if (p.learning_rate and got.learning_rate is not None and want.learning_rate is not None
            and abs(got.learning_rate - want.learning_rate) > 1e-6 * max(1.0, want.learning_rate)):
        problems.append(f"learning rate {got.learning_rate:g}, expected {want.learning_rate:g}")
    if problems:
        return Verdict(False, "compiled with " + "; ".join(problems))
    return Verdict(True, f"compiled with {want.optimizer} and {want.loss}")


CHECKS = {
    "layer_table": CheckSpec(layer_table, LayerTableParams, needs="model"),
    "param_count": CheckSpec(param_count, ParamCountParams, needs="model"),
    "compile_settings": CheckSpec(compile_settings, CompileParams, needs="model"),
}
