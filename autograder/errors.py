"""Errors, and the one place that turns them into messages for people.

Two families:
- ``GraderError``: the grader itself cannot run (bad course.yaml, unknown assignment).
  The CLI reports it and exits non-zero.
- ``SubmissionError``: one submission cannot be graded as it stands (not a notebook,
  corrupt JSON). It becomes that submission's message; the batch goes on.
"""

from __future__ import annotations


class GraderError(Exception):
    """The grader cannot run at all; the message says what to fix."""


class CourseError(GraderError):
    """course.yaml (or a file it names) is invalid."""


class SubmissionError(Exception):
    """One submission cannot be graded; the message is shown to its student."""


def describe(exc: BaseException) -> str:
    """A one-paragraph message for an exception, fit to show to a user."""
    if isinstance(exc, (GraderError, SubmissionError)):
        return str(exc)
    if isinstance(exc, MemoryError):
        return "the grader ran out of memory while reading this submission"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
