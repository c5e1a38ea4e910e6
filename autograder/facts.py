"""Facts about one exercise, as the trusted grader sees them.

The sandbox leaves data files in its outbox; ``autograder.outbox`` reads them and builds
these records. Checks compare a student's facts with the reference facts taken from the
solution the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: Exercise statuses, as the harness reports them.
OK = "ok"
ERROR = "error"  # the exercise raised
MISSING = "missing"  # no cell / no definition found
TIMEOUT = "timeout"  # over its time budget
KILLED = "killed"  # the sandbox process died (memory, crash, exit)
NOT_RUN = "not_run"  # never reached (setup failed, or the run ended early)


@dataclass(frozen=True)
class LayerRow:
    """One row of a model's layer table, as ``model.summary()`` would show it."""

    type: str
    name: str
    output_shape: tuple[int | None, ...]
    params: int
    activation: str | None = None
    units: int | None = None

    def describe(self) -> str:
        """Short text for messages: ``Dense(1)``, ``Conv2D(64, relu)``."""
        bits = [str(self.units)] if self.units is not None else []
        if self.activation and self.activation != "linear":
            bits.append(self.activation)
        return f"{self.type}({', '.join(bits)})" if bits else self.type


@dataclass(frozen=True)
class ModelFacts:
    """What the grader found in a model it loaded itself (safe mode, no student code)."""

    layers: tuple[LayerRow, ...]
    total_params: int
    input_shape: tuple[int | None, ...] | None
    optimizer: str | None
    learning_rate: float | None
    loss: str | None
    metrics: tuple[str, ...]
    predict: Callable[[np.ndarray], np.ndarray] = field(compare=False, repr=False)
    #: the optimizer's own step count, restored from the model file (None: not compiled)
    iterations: int | None = None


@dataclass(frozen=True)
class ExerciseFacts:
    """Everything the checks may look at for one exercise of one notebook."""

    status: str
    message: str = ""
    stdout: str = ""
    seconds: float = 0.0
    arrays: tuple[np.ndarray, ...] | None = field(default=None, compare=False)
    value: Any = None
    model: ModelFacts | None = None

    @property
    def ok(self) -> bool:
        """True when the exercise ran and returned something the grader could read."""
        return self.status == OK
