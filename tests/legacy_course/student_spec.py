"""A student notebook, described as what the student changed in the released notebook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Verdict = Any  # "full" | "zero" | "half" | a number of points

#: A cell a student added: ("md" | "code", source).
Added = tuple[str, str]


@dataclass(frozen=True)
class Student:
    """One student notebook of one week.

    ``graded`` maps an exercise id to the student's cell source (``None``: the student
    deleted that cell); exercises not named keep the released stub. ``setup`` replaces the
    setup cell's source. ``before`` / ``after`` add cells around a cell, named by its role
    in course_content (``setup``, ``provided``, ``ex:<id>``). ``expect`` maps a flavour
    (an assignment id of course.yaml) to the verdict per exercise, plus ``total`` when the
    whole assignment's score is fixed (a gate).
    """

    name: str
    week: str
    graded: dict[str, str | None]
    expect: dict[str, dict[str, Verdict]]
    why: str
    needs: list[str]
    setup: str | None = None
    before: dict[str, list[Added]] = field(default_factory=dict)
    after: dict[str, list[Added]] = field(default_factory=dict)
