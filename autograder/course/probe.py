"""course.yaml's ``probe:`` of a callback exercise → a CallbackProbe, strictly; and the
phase budgets (``setup_limit``, ``define_limit``, ``between_limit``).

Every logs mapping holds what ``model.fit`` sends: ``loss`` and each metric the probe's
model is compiled with (``metrics``, default ``[accuracy]``), optionally their ``val_``
twins; null logs or other keys are errors (Keras never sends them during ``fit``;
robustness to them is the optional ``callback_robust`` check).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograder.course.model import CallbackProbe, StopRule
from autograder.course.reader import Reader, positive

#: metric names a probe's model may be compiled with (the keys they give in logs)
KNOWN_METRICS = ("accuracy", "acc", "binary_accuracy", "categorical_accuracy",
                 "sparse_categorical_accuracy", "top_k_categorical_accuracy", "mae", "mse",
                 "mean_absolute_error", "mean_squared_error", "precision", "recall", "auc")
DEFAULT_DRAW = 4  # sequences the grader draws per grading run when a stop rule is given


def probe(path: Path, where: str, node: Any, record: str) -> CallbackProbe:
    """Read a ``probe:`` mapping (``sequences``, ``metrics``, ``stop``, ``draw``)."""
    r = Reader(path, node, where)
    r.only(["sequences", "metrics", "stop", "draw"])
    if record != "callback":
        raise r.fail(None, "a probe goes with record: callback")
    metrics = probe_metrics(r)
    sequences = probe_sequences(r, metrics)
    stop = stop_rule(path, f"{where}.stop", r.node["stop"], metrics) if "stop" in r.node \
        else None
    draw = r.get("draw", int, DEFAULT_DRAW if stop is not None else 0,
                 check=lambda n: None if 0 <= n <= 50 else "must be between 0 and 50")
    if draw and stop is None:
        raise r.fail("draw", "drawing sequences needs a stop rule (stop: {metric: loss, "
                             "below: 0.4}) to know when a correct callback stops")
    return CallbackProbe(sequences, metrics, stop, draw)


def probe_metrics(r: Reader) -> tuple[str, ...]:
    """``metrics``: the metric keys besides ``loss`` (default ``[accuracy]``)."""
    metrics = r.get("metrics", list, ["accuracy"])
    for m in metrics:
        if m not in KNOWN_METRICS:
            raise r.fail("metrics", f"unknown metric {m!r}; known: {', '.join(KNOWN_METRICS)}")
    if len(set(metrics)) != len(metrics):
        raise r.fail("metrics", "each metric once")
    return tuple(metrics)


def probe_sequences(r: Reader, metrics: tuple[str, ...]
                    ) -> tuple[tuple[dict[str, float], ...], ...]:
    """``sequences``: lists of logs mappings, each with ``loss`` and every metric."""
    sequences = r.get("sequences", list)
    if not sequences:
        raise r.fail("sequences", "give at least one sequence of logs")
    required = ("loss", *metrics)
    allowed = {*required, *(f"val_{k}" for k in required)}
    out = []
    for i, seq in enumerate(sequences):
        if not isinstance(seq, list) or not seq:
            raise r.fail("sequences", f"sequence {i + 1} must be a non-empty list of logs "
                                      "mappings")
        for j, logs in enumerate(seq):
            at = f"sequence {i + 1}, epoch {j + 1}"
            if logs is None:
                raise r.fail("sequences", f"{at}: null logs; Keras never calls on_epoch_end "
                                          "without logs during fit. Give the logs (loss and "
                                          f"{', '.join(metrics) or 'no metrics'}); robustness"
                                          " to None is the callback_robust check")
            if not isinstance(logs, dict):
                raise r.fail("sequences", f"{at}: expected a mapping such as {{loss: 0.5}}, "
                                          f"found {logs!r}")
            missing = [k for k in required if k not in logs]
            odd = sorted(set(logs) - allowed)
            if missing or odd:
                what = (f"lacks {', '.join(missing)}" if missing else
                        f"has {', '.join(map(str, odd))}, which fit does not send")
                raise r.fail("sequences", f"{at}: the logs {what}; fit sends loss and the "
                                          f"metrics {list(metrics)} (set metrics: to change "
                                          "them)")
            for k, v in logs.items():
                if isinstance(v, bool) or not isinstance(v, (int, float)):
                    raise r.fail("sequences", f"{at}: {k} must be a number, found {v!r}")
        out.append(tuple({str(k): float(v) for k, v in logs.items()} for logs in seq))
    return tuple(out)


def stop_rule(path: Path, where: str, node: Any, metrics: tuple[str, ...]) -> StopRule:
    """``stop: {metric: loss, below: 0.4}`` or ``{metric: accuracy, above: 0.9}``."""
    r = Reader(path, node, where)
    r.only(["metric", "below", "above"])
    known = ("loss", *metrics)
    metric = r.get("metric", str)
    if metric not in known:
        raise r.fail("metric", f"must be one of {', '.join(known)} (the probe's logs keys)")
    below, above = r.get("below", float, None), r.get("above", float, None)
    if (below is None) == (above is None):
        raise r.fail(None, "give exactly one of below: and above:")
    return StopRule(metric, below, above)


#: an assignment's phase budgets (seconds); an exercise may set its own ``define_limit``
PHASE_LIMITS = ("setup_limit", "define_limit", "between_limit")


def phase_limits(r: Reader, keys: tuple[str, ...]) -> dict[str, float | None]:
    """The phase budgets ``keys`` given in this mapping (None where not given)."""
    return {k: r.get(k, float, None, check=positive) for k in keys}
