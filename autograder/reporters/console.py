"""Text for the terminal: progress lines, feedback, the end-of-batch table and --json."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from autograder.results import SubmissionResult

if TYPE_CHECKING:
    from autograder.grade import BatchReport


def line(result: SubmissionResult) -> str:
    """One line per finished submission, for progress output."""
    mark = "✗" if result.status != "graded" else "✓"
    return (f"{mark} {result.student}: {result.score:g}/{result.max_score:g}"
            f"  ({result.seconds:.1f} s)")


def feedback(result: SubmissionResult, *, public_only: bool = True) -> str:
    """A student's feedback as text: per exercise the checks, messages and hints.

    With ``public_only``, hidden checks show only that they exist.
    """
    lines = [f"{result.assignment}: {result.submission}"]
    if result.message:
        lines.append(f"  ✗ {result.message}")
    lines.extend(f"  note: {n}" for n in result.notes)
    for ex in result.exercises:
        lines.append(f"\n{ex.title} ({ex.id})")
        if ex.message:
            lines.extend(f"  {line}" for line in ex.message.splitlines())
        for c in ex.checks:
            if c.hidden and public_only:
                lines.append(f"  · {c.name}: hidden, graded when you submit")
            else:
                lines.append(f"  {'✓' if c.passed else '✗'} {c.name}: {c.message}")
        lines.extend(f"  hint: {h.render()}" for h in ex.hints)
        lines.extend(f"  keras warned: {w}" for w in ex.warnings)
        if ex.drift is not None:
            lines.append(f"  {ex.drift.describe()}")
        if ex.regrade:
            lines.append(f"  regrade: {ex.regrade}")
    public = [c for e in result.exercises for c in e.checks if not (c.hidden and public_only)]
    lines.append(f"\n{sum(c.passed for c in public)}/{len(public)} "
                 f"{'public ' if public_only else ''}checks passed")
    return "\n".join(lines)


def public_passed(result: SubmissionResult) -> bool:
    """True when the submission ran and every public check passed (what ``check`` exits 0
    on); hidden checks do not count: their verdicts stay with the grader."""
    public = [c for e in result.exercises for c in e.checks if not c.hidden]
    return result.status == "graded" and bool(public) and all(c.passed for c in public)


def public_json(result: SubmissionResult) -> str:
    """``check --json``: the public checks' verdicts, hidden checks by name only."""
    return json.dumps({
        "assignment": result.assignment,
        "submission": result.submission,
        "status": result.status,
        "message": result.message,
        "passed": public_passed(result),
        "notes": list(result.notes),
        "exercises": [{
            "id": e.id, "title": e.title, "status": e.status, "message": e.message,
            "checks": [{"name": c.name, "hidden": True} if c.hidden else
                       {"name": c.name, "hidden": False, "passed": c.passed,
                        "points": c.points, "max_points": c.max_points, "message": c.message}
                       for c in e.checks],
            "hints": [h.render() for h in e.hints],
            "drift": None if e.drift is None else e.drift.describe(),
            "regrade": e.regrade,
        } for e in result.exercises],
    }, indent=1, ensure_ascii=False)


def table(results: Sequence[SubmissionResult]) -> str:
    """A plain-text table: student, per-exercise scores, total, first message."""
    if not results:
        return "no submissions graded"
    ids = [e.id for e in results[0].exercises]
    header = ["student", *ids, "total", "note"]
    body = []
    for r in results:
        scores = [f"{e.score:g}/{e.max_score:g}" for e in r.exercises]
        failed = (c.message for e in r.exercises for c in e.checks if not c.passed)
        note = r.message or next((e.message for e in r.exercises if e.message), "") \
            or next(failed, "")
        note = note.splitlines()[0] if note else ""
        body.append([r.student, *scores, f"{r.score:g}/{r.max_score:g}",
                     note[:70] + ("…" if len(note) > 70 else "")])
    widths = [max(len(row[i]) for row in [header, *body]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*header), fmt.format(*["-" * w for w in widths])]
    lines.extend(fmt.format(*row) for row in body)
    return "\n".join(lines)


def unconfined_warning(results: Sequence[SubmissionResult]) -> str:
    """The console's warning when grades were made without the sandbox's essentials."""
    count = sum(r.unconfined for r in results)
    if not count:
        return ""
    return (f"UNCONFINED: {count} of {len(results)} submissions were graded without the "
            "sandbox's essential protections (--unconfined); their code could read or "
            "change the grader's files and other students' results.")


def batch_json(report: BatchReport) -> str:
    """The ``--json`` output: where everything is, and each submission's score."""
    return json.dumps({
        "graded": report.graded,
        "reused": report.reused,
        "where": report.where,
        "out": str(report.out),
        "csv": str(report.csv),
        "json": str(report.json),
        "overview": str(report.overview),
        "gradebook": str(report.gradebook),
        "submissions": [{
            "student": r.student, "submission": r.submission, "status": r.status,
            "score": r.score, "max_score": r.max_score, "cached": r.cached,
            "seconds": r.seconds, "message": r.message, "unconfined": r.unconfined,
            "exercises": {e.id: e.score for e in r.exercises},
        } for r in report.results],
    }, indent=1, ensure_ascii=False)
