"""The course.yaml keys of Keras generations: ``keras: 2|3`` and ``drift: {regrade, credit}``.

``keras`` may be given at the course level and per assignment (the assignment wins);
``drift`` says what happens when an exercise fails under Keras 3 with a known Keras 2→3
drift error (see ``autograder.drift`` and ``autograder.regrade``).
"""

from __future__ import annotations

from typing import Any

from autograder.course.model import DriftPolicy
from autograder.course.reader import Reader

KERAS_GENERATIONS = (2, 3)
DEFAULT_KERAS = 3


def keras_generation(r: Reader, default: int = DEFAULT_KERAS) -> int:
    """The ``keras:`` key of a course or an assignment (2 or 3), or ``default``."""
    value = r.get("keras", int, default)
    if value not in KERAS_GENERATIONS:
        raise r.fail("keras", f"must be 2 (tf_keras, the Keras of TensorFlow 2.x before "
                              f"2.16) or 3 (today's Keras), found {value!r}")
    return int(value)


def drift_policy(r: Reader) -> DriftPolicy:
    """The ``drift:`` key of an assignment: ``{regrade: true|false, credit: 0.0 to 1.0}``."""
    if "drift" not in r.node:
        return DriftPolicy()
    node: Any = r.node["drift"]
    d = Reader(r.path, node, f"{r.where}.drift", r.line("drift"))
    d.only(["regrade", "credit"])
    credit = d.get("credit", float, 1.0,
                   check=lambda v: None if 0.0 <= v <= 1.0 else "must be between 0.0 and 1.0")
    return DriftPolicy(regrade=d.get("regrade", bool, True), credit=credit)
