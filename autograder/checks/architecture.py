"""Architecture rules looser than a layer-by-layer match.

A course that accepts several models (an extra Dense layer, 128 or 256 filters, a Dropout)
states what it really requires: the input shape, the output layer (units and activation),
the kinds of layers present, a range of parameter counts. Each rule compares with the
solution's model unless course.yaml pins the value.
"""

from __future__ import annotations

from dataclasses import dataclass

from autograder.checks import CheckSpec, Verdict, plural
from autograder.facts import ExerciseFacts, LayerRow

#: Layers that carry no computation of their own and are not the model's "output layer".
PASSIVE = ("Dropout", "Activation", "Flatten", "Reshape", "InputLayer", "BatchNormalization")


@dataclass(frozen=True)
class ArchitectureParams:
    """What the model must have; ``None`` leaves a rule out, ``true`` compares with the
    solution's model.

    ``input``: the same input shape as the solution's; ``output``: the same output layer
    (last computing layer: type, units, activation) as the solution's; ``kinds``: layer
    types that must each appear at least once (``[Conv2D, MaxPooling2D, Dense]``);
    ``min_layers``/``max_layers``: how many layers; ``min_params``/``max_params``: the total
    parameter count.
    """

    input: bool = True
    output: bool = True
    kinds: tuple[str, ...] = ()
    min_layers: int | None = None
    max_layers: int | None = None
    min_params: int | None = None
    max_params: int | None = None


def _output_layer(layers: tuple[LayerRow, ...]) -> LayerRow | None:
    computing = [r for r in layers if r.type not in PASSIVE]
    return computing[-1] if computing else (layers[-1] if layers else None)


def _shape(shape: tuple[int | None, ...] | None) -> str:
    if shape is None:
        return "unknown"
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def _activation(row: LayerRow) -> str:
    return row.activation or "linear"


def architecture(found: ExerciseFacts, expected: ExerciseFacts,
                 p: ArchitectureParams) -> Verdict:
    """The model meets the course's architecture rules (see ``ArchitectureParams``)."""
    if found.model is None:
        return Verdict(False, "did not return a Keras model")
    want = expected.model
    if want is None and (p.input or p.output):
        return Verdict(False, "the reference solution did not produce a model "
                              "(an instructor error)")
    got = found.model
    problems: list[str] = []
    if p.input and want is not None and got.input_shape != want.input_shape:
        problems.append(f"input shape {_shape(got.input_shape)}, expected "
                        f"{_shape(want.input_shape)}")
    if p.output and want is not None:
        mine, theirs = _output_layer(got.layers), _output_layer(want.layers)
        if theirs is not None and mine is None:
            problems.append(f"no output layer, expected {theirs.describe()}")
        elif mine is not None and theirs is not None and (
                mine.type != theirs.type or mine.units != theirs.units
                or _activation(mine) != _activation(theirs)):
            problems.append(f"output layer {mine.describe()}, expected {theirs.describe()}")
    types = {r.type for r in got.layers}
    missing = [k for k in p.kinds if k not in types]
    if missing:
        problems.append(f"no {' or '.join(missing)} layer")
    n = len(got.layers)
    if p.min_layers is not None and n < p.min_layers:
        problems.append(f"{plural(n, 'layer')}, at least {p.min_layers} expected")
    if p.max_layers is not None and n > p.max_layers:
        problems.append(f"{plural(n, 'layer')}, at most {p.max_layers} expected")
    total = got.total_params
    if p.min_params is not None and total < p.min_params:
        problems.append(f"{total:,} parameters, at least {p.min_params:,} expected")
    if p.max_params is not None and total > p.max_params:
        problems.append(f"{total:,} parameters, at most {p.max_params:,} expected")
    if problems:
        return Verdict(False, "the model has " + "; ".join(problems))
    return Verdict(True, f"{plural(n, 'layer')} ({', '.join(r.describe() for r in got.layers)}),"
                         f" {total:,} parameters: as the course requires")


CHECKS = {"architecture": CheckSpec(architecture, ArchitectureParams, needs="model")}
