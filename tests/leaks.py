"""Searching a release for what the hidden checks compare with (tests' shared helper).

A released notebook is decoded (its checker cell's compressed spec and facts, and every
other cell) and searched for the hidden checks' parameters and the reference values behind
them (the solution's predictions at the hidden inputs, its answers, its arrays). Values the
course shows on purpose (public checks' parameters, numbers in the notebook's own text) are
not secrets.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass, field
from typing import Any

import nbformat
import numpy as np

from autograder import bundle
from autograder.course import Assignment, Course
from autograder.notebook import ROLE_CHECKER, cell_meta
from autograder.reference import load_reference

RTOL = 1e-4  # a float within this of a secret one counts as that secret
MIN_STRINGS = 3  # a sequence of this many labels in the solution's order is an answer key
NUMBER = re.compile(r"-?\d+\.\d+(?:[eE][-+]?\d+)?")


@dataclass
class Secrets:
    """What a student must not find: distinctive floats and ordered sequences."""

    floats: set[float] = field(default_factory=set)
    number_runs: list[tuple[float, ...]] = field(default_factory=list)
    string_runs: list[tuple[str, ...]] = field(default_factory=list)

    def add(self, value: Any, public: Leaves) -> None:
        """Add a value a hidden check compares with, less what the course shows anyway."""
        if isinstance(value, np.ndarray):
            value = value.reshape(-1)[:64].tolist()
        if isinstance(value, bool) or value is None:
            return
        if isinstance(value, (int, float)):
            x = float(value)
            if distinctive(x) and not public.has_float(x):
                self.floats.add(x)
        elif isinstance(value, dict):
            for v in value.values():
                self.add(v, public)
        elif isinstance(value, (list, tuple)):
            items = list(value)
            if len(items) >= 2 and all(_is_number(v) for v in items):
                run = tuple(float(v) for v in items)
                if not public.has_numbers(run) and any(distinctive(v) for v in run):
                    self.number_runs.append(run)
            elif (len(items) >= MIN_STRINGS and all(isinstance(v, str) for v in items)
                  and len(set(items)) > 1 and tuple(items) not in public.string_runs):
                self.string_runs.append(tuple(items))
            for v in items:
                self.add(v, public)

    def __bool__(self) -> bool:
        return bool(self.floats or self.number_runs or self.string_runs)


@dataclass
class Leaves:
    """Everything found in a document: its floats, number lists and string lists."""

    floats: list[float] = field(default_factory=list)
    number_runs: list[tuple[float, ...]] = field(default_factory=list)
    string_runs: set[tuple[str, ...]] = field(default_factory=set)
    text: str = ""

    def collect(self, value: Any) -> Leaves:
        if isinstance(value, bool) or value is None:
            return self
        if isinstance(value, (int, float)):
            self.floats.append(float(value))
        elif isinstance(value, str):
            self.text += "\n" + value
            self.floats.extend(float(m) for m in NUMBER.findall(value))
        elif isinstance(value, dict):
            for v in value.values():
                self.collect(v)
        elif isinstance(value, (list, tuple)):
            if value and all(_is_number(v) for v in value):
                self.number_runs.append(tuple(float(v) for v in value))
            if value and all(isinstance(v, str) for v in value):
                self.string_runs.add(tuple(value))
            for v in value:
                self.collect(v)
        return self

    def has_float(self, x: float) -> bool:
        return any(math.isclose(x, y, rel_tol=RTOL, abs_tol=RTOL) for y in self.floats)

    def has_numbers(self, run: tuple[float, ...]) -> bool:
        return any(len(r) == len(run) and np.allclose(r, run, rtol=RTOL, atol=RTOL)
                   for r in self.number_runs)

    def leaked(self, secrets: Secrets) -> list[str]:
        """The secrets found here, described."""
        found = [f"the number {x!r}" for x in secrets.floats if self.has_float(x)]
        found += [f"the numbers {list(r)}" for r in secrets.number_runs if self.has_numbers(r)]
        found += [f"the answers {list(r)}" for r in secrets.string_runs
                  if r in self.string_runs or ", ".join(map(repr, r)) in self.text]
        return found


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def distinctive(x: float) -> bool:
    """A number unlikely to appear by chance: not a round figure (1.0, 0.5, 12, 0.25)."""
    return math.isfinite(x) and abs(x * 100 - round(x * 100)) > 1e-3


def public_leaves(assignment: Assignment, release: nbformat.NotebookNode) -> Leaves:
    """What the course shows on purpose: public parameters and the notebook's own text."""
    leaves = Leaves()
    for ex in assignment.exercises:
        for c in ex.checks:
            if not c.hidden:
                leaves.collect(dataclasses.asdict(c.params))
    for cell in release.cells:
        if cell_meta(cell).get("role") != ROLE_CHECKER:
            leaves.collect(cell.source)
    return leaves


def hidden_secrets(course: Course, assignment: Assignment, public: Leaves) -> Secrets:
    """What each hidden check compares with: its parameters and the reference behind it."""
    hidden = [(ex, c) for ex in assignment.exercises for c in ex.checks if c.hidden]
    secrets = Secrets()
    if not hidden:
        return secrets
    reference = load_reference(course, assignment)
    for ex, c in hidden:
        secrets.add(dataclasses.asdict(c.params), public)
        facts = reference.facts[ex.id]
        spec = course.checks[c.check]
        inputs = getattr(c.params, "inputs", None)
        if facts.model is not None and spec.needs in ("model", "any") and inputs:
            x = np.asarray(inputs, dtype=np.float32).reshape(-1, 1)
            secrets.add(np.asarray(facts.model.predict(x), dtype=np.float64), public)
        if spec.needs in ("value", "any") and facts.value is not None:
            secrets.add(facts.value, public)
        if spec.needs in ("arrays", "any") and facts.arrays:
            for array in facts.arrays:
                secrets.add(array, public)
    return secrets


def checker_spec(release: nbformat.NotebookNode) -> dict[str, Any]:
    cell = next(c for c in release.cells if cell_meta(c).get("role") == ROLE_CHECKER)
    spec = bundle.embedded(cell.source)
    assert spec is not None, "the checker cell's bundle cannot be decoded"
    return spec




def release_leaks(course: Course, assignment: Assignment,
                  release: nbformat.NotebookNode) -> list[str]:
    """What of the hidden checks' expectations ``release`` gives away, described."""
    public = public_leaves(assignment, release)
    secrets = hidden_secrets(course, assignment, public)
    spec = checker_spec(release)
    found = [f"hidden check {c!r} travels with more than its name and points"
             for ex in spec["exercises"] for c in ex["checks"]
             if c["hidden"] and (c["params"] != {} or c["check"] != "")]
    text = Leaves().collect(spec).collect([cell.source for cell in release.cells])
    return found + text.leaked(secrets)
