"""The grade verb: grade submissions of one assignment and write the reports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import datasets
from autograder.course import Course
from autograder.errors import GraderError
from autograder.pipeline import Context, grade_submission
from autograder.reference import load_reference
from autograder.reporters import csv as csv_report
from autograder.reporters import html as html_report
from autograder.reporters import json as json_report
from autograder.results import SubmissionResult


@dataclass(frozen=True)
class BatchReport:
    """Where a batch's reports were written."""

    results: tuple[SubmissionResult, ...]
    out: Path
    csv: Path


def context(course: Course, assignment_id: str) -> Context:
    """Everything grading an assignment needs, loaded once per batch."""
    assignment = course.assignment(assignment_id)
    path = course.release_path(assignment)
    if not path.is_file():
        raise GraderError(f"the released notebook {path} is missing; run 'autograder release'")
    release = nbformat.read(str(path), as_version=4)
    for item in assignment.data:  # a missing dataset stops the batch here, with how to get it
        if item.dataset:  # (a constant has none)
            datasets.load(item.dataset, item.split, item.limit)
    return Context(course, assignment, release, load_reference(course, assignment))


def expand(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given; folders become the .ipynb files under them (sorted)."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found.extend(sorted(q for q in p.rglob("*.ipynb")
                                if ".ipynb_checkpoints" not in q.parts))
        else:
            found.append(p)
    return found


def unique_names(paths: Sequence[Path]) -> list[str]:
    """A report name per submission: the file stem, made unique where stems repeat."""
    names: list[str] = []
    for p in paths:
        name = p.stem or "submission"
        while name in names:
            name = f"{p.parent.name}-{name}" if p.parent.name not in name else f"{name}-2"
        names.append(name)
    return names


def grade(course: Course, assignment_id: str, paths: Sequence[str | Path], out: Path,
          on_result: Callable[[SubmissionResult], None] | None = None) -> BatchReport:
    """Grade every submission, write JSON and HTML per submission and one CSV."""
    ctx = context(course, assignment_id)
    files = expand(paths)
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for path, name in zip(files, unique_names(files), strict=True):
        result = grade_submission(path, ctx, student=name)
        json_report.write(result, out / f"{name}.json")
        html_report.write(result, out / f"{name}.html")
        results.append(result)
        if on_result is not None:
            on_result(result)
    csv_path = out / f"{assignment_id}.csv"
    csv_report.write(results, ctx.assignment, csv_path)
    return BatchReport(tuple(results), out, csv_path)
