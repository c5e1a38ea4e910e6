"""Facts ↔ plain JSON data, for the public reference facts a released notebook carries.

A model's facts travel without the model: its predictions for the inputs the public
checks use are stored beside them, and ``predict`` answers from that table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograder.facts import OK, ExerciseFacts, LayerRow, ModelFacts


def _array(a: np.ndarray) -> dict[str, Any]:
    return {"dtype": str(a.dtype), "shape": list(a.shape), "data": a.reshape(-1).tolist()}


def _from_array(d: dict[str, Any]) -> np.ndarray:
    return np.asarray(d["data"], dtype=np.dtype(d["dtype"])).reshape(d["shape"])


def dump(facts: ExerciseFacts, *, arrays: bool, model: bool, value: bool = False,
         inputs: Sequence[Sequence[float]] = ()) -> dict[str, Any]:
    """The parts of ``facts`` that are asked for, as JSON-ready data."""
    out: dict[str, Any] = {"status": facts.status}
    if value and facts.value is not None:
        out["value"] = facts.value
    if arrays and facts.arrays is not None:
        out["arrays"] = [_array(a) for a in facts.arrays]
    if model and facts.model is not None:
        m = facts.model
        out["model"] = {
            "layers": [[r.type, r.name, list(r.output_shape), r.params, r.activation, r.units]
                       for r in m.layers],
            "total_params": m.total_params,
            "input_shape": None if m.input_shape is None else list(m.input_shape),
            "optimizer": m.optimizer,
            "learning_rate": m.learning_rate,
            "loss": m.loss,
            "metrics": list(m.metrics),
            "predictions": [
                [list(x), np.asarray(m.predict(np.asarray(x, dtype=np.float32).reshape(-1, 1)),
                                     dtype=np.float64).reshape(-1).tolist()]
                for x in inputs
            ],
        }
    return out


def load(data: dict[str, Any]) -> ExerciseFacts:
    """ExerciseFacts from ``dump``'s output."""
    arrays = tuple(_from_array(a) for a in data["arrays"]) if "arrays" in data else None
    model = None
    if "model" in data:
        m = data["model"]
        table = {tuple(x): y for x, y in m["predictions"]}

        def predict(x: np.ndarray) -> np.ndarray:
            key = tuple(float(v) for v in np.asarray(x).reshape(-1))
            if key not in table:
                raise KeyError(f"no stored prediction for {list(key)}")
            return np.asarray(table[key]).reshape(-1, 1)

        model = ModelFacts(
            layers=tuple(LayerRow(t, n, tuple(s), p, a, u) for t, n, s, p, a, u in m["layers"]),
            total_params=m["total_params"],
            input_shape=None if m["input_shape"] is None else tuple(m["input_shape"]),
            optimizer=m["optimizer"],
            learning_rate=m["learning_rate"],
            loss=m["loss"],
            metrics=tuple(m["metrics"]),
            predict=predict,
        )
    return ExerciseFacts(data.get("status", OK), arrays=arrays, model=model,
                         value=data.get("value"))
