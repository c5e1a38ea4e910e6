"""Hints for the course's known mistakes, recognised from what the student's code did.

Each exercise declares its hints in course.yaml beside its checks::

    hints:
      - when: {failed: floating-point numbers, source: 'np\\.array\\(\\s*\\[\\s*\\d+\\s*,'}
        say: Write the numbers as 1.0, 2.0, … or pass dtype=float.

Conditions (all must hold):

- ``source``: a regular expression found in the exercise cell (the hint names its line);
- ``source_missing``: a regular expression *not* found in the cell;
- ``error``: a regular expression found in the exercise's error message;
- ``failed`` / ``passed``: the name of one of the exercise's checks, and its verdict;
- ``message``: a regular expression found in a failed check's message.

``at`` (not a condition) is a regular expression for the line the hint points at when
``source`` does not already name one.

Pure functions; the grader and the notebook's ``check()`` use the same code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

CONDITIONS = ("source", "source_missing", "error", "failed", "passed", "message")
POINTER = "at"


@dataclass(frozen=True)
class HintRule:
    """One declared hint: its conditions and what to say."""

    say: str
    source: str | None = None
    source_missing: str | None = None
    error: str | None = None
    failed: str | None = None
    passed: str | None = None
    message: str | None = None
    at: str | None = None


@dataclass(frozen=True)
class Hint:
    """A hint that applies to one submission, with the line it points at (1-based)."""

    text: str
    line: int | None = None
    code: str | None = None

    def render(self) -> str:
        """The hint as one line of text."""
        if self.line is None:
            return self.text
        return f"line {self.line} (`{self.code}`): {self.text}"


@dataclass(frozen=True)
class Outcome:
    """What a hint looks at: one check's name, verdict and message."""

    name: str
    passed: bool
    message: str


def _line_of(pattern: str, source: str) -> tuple[int, str] | None:
    rx = re.compile(pattern)
    for number, line in enumerate(source.splitlines(), start=1):
        if rx.search(line):
            return number, line.strip()
    m = rx.search(source)  # a pattern spanning lines
    if m:
        number = source.count("\n", 0, m.start()) + 1
        return number, source.splitlines()[number - 1].strip()
    return None


def applies(rule: HintRule, source: str, error: str,
            outcomes: Sequence[Outcome]) -> Hint | None:
    """The hint when every condition of ``rule`` holds, else None."""
    by_name = {o.name: o for o in outcomes}
    where = None
    if rule.source is not None:
        where = _line_of(rule.source, source)
        if where is None:
            return None
    if rule.source_missing is not None and re.search(rule.source_missing, source):
        return None
    if rule.error is not None and not re.search(rule.error, error):
        return None
    if rule.failed is not None:
        o = by_name.get(rule.failed)
        if o is None or o.passed:
            return None
    if rule.passed is not None:
        o = by_name.get(rule.passed)
        if o is None or not o.passed:
            return None
    if rule.message is not None and not any(
        not o.passed and re.search(rule.message, o.message) for o in outcomes
    ):
        return None
    if where is None and rule.at is not None:
        where = _line_of(rule.at, source)
    if where is None:
        return Hint(rule.say)
    return Hint(rule.say, where[0], where[1][:120])


def hints_for(rules: Sequence[HintRule], source: str, error: str,
              outcomes: Sequence[Outcome]) -> tuple[Hint, ...]:
    """Every declared hint that applies, in declaration order, without repeats."""
    found: list[Hint] = []
    for rule in rules:
        hint = applies(rule, source, error, outcomes)
        if hint is not None and hint not in found:
            found.append(hint)
    return tuple(found)
