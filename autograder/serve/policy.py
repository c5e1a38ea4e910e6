"""A course's submission policy applied: who may submit now, and which submission counts.

Pure functions over plain records; the course.yaml side is ``autograder.course.policy``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

from autograder.course.policy import Policy
from autograder.results import SubmissionResult

DAY = 86400.0


@dataclass(frozen=True)
class Graded:
    """One graded submission of a student, as the policy sees it."""

    id: str
    submitted_at: float  # seconds since the epoch
    late_days: int
    result: SubmissionResult


def late_days(policy: Policy, submitted_at: float) -> int:
    """Days (each started day counts) after the deadline; 0 when on time or without one."""
    if policy.deadline is None:
        return 0
    late = submitted_at - policy.deadline.timestamp()
    return max(0, math.ceil(late / DAY))


def refusal(policy: Policy, submitted_at: float, today: int) -> str | None:
    """Why a new submission is refused now (``today``: the student's submissions of this
    assignment so far this UTC day), or None when it is accepted."""
    if policy.deadline is not None and policy.late_penalty is None \
            and late_days(policy, submitted_at) > 0:
        return (f"the deadline passed at {policy.deadline.isoformat()}; this assignment takes "
                "no late submissions")
    if policy.per_day is not None and today >= policy.per_day:
        return (f"you have made {today} submissions of this assignment today, the most allowed "
                f"per day ({policy.per_day}); the limit resets at midnight UTC")
    return None


def day_start(now: float) -> float:
    """The start of the UTC day holding ``now`` (seconds since the epoch)."""
    day = dt.datetime.fromtimestamp(now, dt.timezone.utc).date()
    return dt.datetime.combine(day, dt.time(), dt.timezone.utc).timestamp()


def with_penalty(policy: Policy, result: SubmissionResult, days: int) -> SubmissionResult:
    """The result as it counts: its score reduced by the late rule, the reason in its message."""
    if days <= 0 or not policy.late_penalty:
        return result
    factor = max(0.0, 1.0 - policy.late_penalty * days)
    note = (f"submitted {days} day{'s' if days != 1 else ''} late: the score counts "
            f"{factor:.0%} ({result.score:g} → {result.score * factor:g})")
    message = f"{note}. {result.message}" if result.message else note
    return dataclasses.replace(result, score=round(result.score * factor, 6), message=message)


def counted(policy: Policy, graded: Sequence[Graded]) -> Graded | None:
    """The submission that counts (``best``: highest score after penalties, the earlier one
    on a tie; ``latest``: the last one), its result with the penalty applied."""
    if not graded:
        return None
    scored = [dataclasses.replace(g, result=with_penalty(policy, g.result, g.late_days))
              for g in sorted(graded, key=lambda g: g.submitted_at)]
    if policy.score == "latest":
        return scored[-1]
    return max(scored, key=lambda g: (g.result.score, -g.submitted_at))
