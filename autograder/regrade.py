"""Keras 2 → 3 drift in feedback, and the regrade of such exercises under Keras 2.

When an exercise of a Keras 3 assignment fails with a known drift error
(``autograder.drift``), its feedback names the line and the Keras 3 spelling. With the
assignment's ``drift: {regrade: true}`` (the default), the exercises with a drift note,
and the later ones that lost points too (they may have failed only because of it), are run
again, in a second sandbox run of the same program under Keras 2 (tf_keras), checked
against the assignment's Keras 2 reference (the solution run under Keras 2, cached apart),
and score the Keras 2 points times ``drift.credit`` when that is more than they had.
An assignment that is Keras 2 already is never regraded.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
from collections.abc import Mapping
from pathlib import Path

from autograder.assemble import Program
from autograder.check import check_exercise
from autograder.course import Assignment, Course
from autograder.drift import DriftNote, find_drift
from autograder.facts import ExerciseFacts
from autograder.outbox import exercise_facts
from autograder.reference import Reference, digest, limits_for, load_reference
from autograder.results import CheckResult, ExerciseResult
from autograder.sandbox import execute

log = logging.getLogger(__name__)
_REFERENCES: dict[tuple[str, str], Reference | str] = {}  # Keras 2 references (or why
# not: a solution that fails under Keras 2 is not run again for every submission), by digest


def failure_text(found: ExerciseFacts, result: ExerciseResult) -> str:
    """Everything an exercise's failure said: the error, its traceback, failed checks."""
    parts = [found.message, result.message]
    parts += [c.message for c in result.checks if not c.passed]
    return "\n".join(p for p in parts if p)


def drift_notes(assignment: Assignment, program: Program,
                facts: Mapping[str, ExerciseFacts],
                results: tuple[ExerciseResult, ...]) -> dict[str, DriftNote]:
    """The drift note of each exercise that lost points to a known Keras 2 → 3 drift."""
    if assignment.keras != 3:
        return {}
    notes = {}
    cells = {ex.id: program.source_of(ex.id) for ex in assignment.exercises}
    for result in results:
        if result.score >= result.max_score or result.id not in facts:
            continue
        others = {k: v for k, v in cells.items() if k != result.id}
        note = find_drift(failure_text(facts[result.id], result), cells[result.id], others)
        if note is not None:
            notes[result.id] = note
    return notes


def with_drift(course: Course, assignment: Assignment, program: Program,
               facts: Mapping[str, ExerciseFacts],
               results: tuple[ExerciseResult, ...]) -> tuple[ExerciseResult, ...]:
    """The results with drift notes, regraded under Keras 2 where the course says so."""
    notes = drift_notes(assignment, program, facts, results)
    if not notes:
        return results
    noted = {r.id: dataclasses.replace(r, drift=notes[r.id]) if r.id in notes else r
             for r in results}
    if assignment.drift.regrade:
        again = [noted[i] for i in regrade_ids(results, notes)]
        try:
            noted.update(regrade(course, assignment, program, again))
        except Exception as exc:  # the regrade is a favour: its failure keeps the grade
            log.exception("regrading under Keras 2 failed")
            for ex_id in (r.id for r in again):
                noted[ex_id] = dataclasses.replace(
                    noted[ex_id], regrade=f"could not be graded again under Keras 2 "
                                          f"(grader error: {exc}); the Keras 3 grade stands")
    return tuple(noted[r.id] for r in results)


def regrade_ids(results: tuple[ExerciseResult, ...], notes: Mapping[str, DriftNote]) -> list[str]:
    """The exercises to grade again: those with a drift note, and every exercise after the
    first of them that lost points too (it may have failed only because an earlier one did:
    ``predict(history.model, ...)`` after a ``train_model`` that stopped at ``lr=``)."""
    first = min(i for i, r in enumerate(results) if r.id in notes)
    return [r.id for i, r in enumerate(results)
            if r.id in notes or (i > first and r.score < r.max_score)]


def regrade(course: Course, assignment: Assignment, program: Program,
            results: list[ExerciseResult]) -> dict[str, ExerciseResult]:
    """Grade ``results``' exercises again under Keras 2: the better of the two grades,
    the Keras 2 one with its points times the course's credit."""
    legacy = dataclasses.replace(assignment, keras=2)
    key = (str(course.cache_dir), digest(course, legacy))
    if key not in _REFERENCES:  # a batch's worker loads it once
        try:
            _REFERENCES[key] = load_reference(course, legacy)
        except Exception as exc:
            _REFERENCES[key] = f"the solution's Keras 2 reference failed: {exc}"[:1000]
    reference = _REFERENCES[key]
    if isinstance(reference, str):
        raise RuntimeError(reference)
    ids = {r.id for r in results}
    # every exercise's cell is defined (calls use each other), only these are called; a
    # callback probe feeds the logs Keras 2's fit gives (``acc`` beside ``accuracy``)
    calls = tuple(c if c.probe is None else dataclasses.replace(c, probe={**c.probe, "keras": 2})
                  for c in program.calls if c.id in ids)
    again = dataclasses.replace(program, keras=2, calls=calls)
    with tempfile.TemporaryDirectory(prefix="autograder-keras2-") as tmp:
        run = execute(again, limits_for(legacy), Path(tmp))
        facts = {i: exercise_facts(run, i, legacy.exercise(i).record) for i in ids}
    credit = assignment.drift.credit
    out = {}
    for old in results:
        ex = legacy.exercise(old.id)
        new = check_exercise(ex, facts[old.id], reference.facts[old.id], course.checks,
                             again.source_of(old.id))
        scaled = round(new.score * credit, 6)
        said = (f"graded again under Keras 2 (tf_keras), as the course allows for Keras 2 "
                f"code: {new.score:g}/{new.max_score:g}")
        if credit != 1.0:
            said += f" times credit {credit:g} = {scaled:g}"
        if scaled > old.score:
            checks = tuple(_credited(c, credit) for c in new.checks)
            out[old.id] = dataclasses.replace(new, score=scaled, checks=checks, drift=old.drift,
                                              regrade=said + f" (instead of {old.score:g} "
                                                             "under Keras 3)")
        else:
            out[old.id] = dataclasses.replace(old, regrade=said + "; the Keras 3 grade "
                                                                  f"({old.score:g}) stands")
    return out


def _credited(check: CheckResult, credit: float) -> CheckResult:
    return dataclasses.replace(check, points=round(check.points * credit, 6))
