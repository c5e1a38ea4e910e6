"""The ``policy:`` key of course.yaml: which submission counts, deadlines, late rule, limits.

Given at the course level (every assignment's default) and per assignment (its keys win)::

    policy: {score: best, deadline: 2026-12-20T23:59:00+00:00,
             late: {penalty: 0.1}, per_day: 5}

``score`` is ``best`` (the default) or ``latest``; ``deadline`` an ISO date and time (UTC when
it names no zone); ``late`` is ``none`` (the default: nothing is accepted after the deadline)
or ``{penalty: F}``, the fraction of the score lost per day late or part of one; ``per_day``
caps a student's submissions of one assignment per (UTC) day, so that hidden checks cannot
be probed by hundreds of uploads. Only ``autograder serve`` applies a policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.course.reader import Reader

SCORES = ("best", "latest")
KEYS = ("score", "deadline", "late", "per_day")


@dataclass(frozen=True)
class Policy:
    """How the service counts an assignment's submissions (see the module's docstring)."""

    score: str = "best"
    deadline: dt.datetime | None = None  # timezone-aware
    late_penalty: float | None = None  # fraction lost per started day late; None: refused
    per_day: int | None = None  # submissions per student, assignment and UTC day


def read_policy(path: Path, node: Any, where: str, base: Policy | None = None) -> Policy:
    """A ``policy:`` mapping read strictly, on top of ``base`` (the course's policy)."""
    base = base or Policy()
    r = Reader(path, node, where)
    r.only(KEYS)
    score = r.get("score", str, base.score)
    if score not in SCORES:
        raise r.fail("score", f"must be one of {', '.join(SCORES)}, found {score!r}")
    deadline = base.deadline
    if "deadline" in r.node:
        deadline = _deadline(r, r.node["deadline"])
    penalty = base.late_penalty
    if "late" in r.node:
        penalty = _late(path, r, r.node["late"], where)
    per_day = base.per_day
    if "per_day" in r.node:
        per_day = r.get("per_day", int)
        if per_day < 1:
            raise r.fail("per_day", "must be at least 1")
    return Policy(score=score, deadline=deadline, late_penalty=penalty, per_day=per_day)


def _deadline(r: Reader, value: Any) -> dt.datetime:
    if isinstance(value, dt.datetime):
        when = value
    elif isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value)
        except ValueError as exc:
            raise r.fail("deadline", f"not an ISO date and time ({exc}); write it like "
                                     "2026-12-20T23:59:00+00:00") from exc
    elif isinstance(value, dt.date):
        when = dt.datetime.combine(value, dt.time(23, 59, 59))
    else:
        raise r.fail("deadline", f"expected an ISO date and time, found {value!r}")
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.timezone.utc)


def _late(path: Path, r: Reader, value: Any, where: str) -> float | None:
    if value is None or value == "none":
        return None
    late = Reader(path, value, f"{where}.late")
    late.only(["penalty"])
    penalty = float(late.get("penalty", float))
    if not 0.0 <= penalty <= 1.0:
        raise late.fail("penalty", "must be a fraction from 0 to 1 (lost per day late)")
    return penalty
