"""One HTML feedback page per submission (jinja2, autoescaped, static and self-contained).

Per exercise: the checks with their messages (a hidden check only its name and verdict:
the grader writes pages from ``SubmissionResult.for_student``), a table of expected versus
found with the differing rows highlighted, the student's training curves as inline SVG,
and the hints for known mistakes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from autograder.checks import Table
from autograder.reporters import svg
from autograder.results import Curve, SubmissionResult

VALIDATION = "val_"  # Keras's prefix for a metric measured on the validation data

#: The templates' environment, shared with the overview page.
ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("autograder.reporters", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


@dataclass(frozen=True)
class Row:
    """A row of a feedback table, and whether its expected and found cells differ."""

    cells: tuple[str, ...]
    differs: bool


def diff_rows(table: Table) -> tuple[Row, ...]:
    """The table's rows, each marked when a column ``expected X`` differs from ``your X``.

    A table without such pairs of columns (not a comparison) has no row marked.
    """
    found = {h.removeprefix("your "): i for i, h in enumerate(table.header)
             if h.startswith("your ")}
    pairs = [(i, found[h.removeprefix("expected ")]) for i, h in enumerate(table.header)
             if h.startswith("expected ") and h.removeprefix("expected ") in found]
    return tuple(Row(row, any(row[i] != row[j] for i, j in pairs)) for row in table.rows)


def training_charts(curves: Sequence[Curve]) -> tuple[Markup, ...]:
    """One line chart per metric, its training and validation curves together."""
    groups: dict[str, list[tuple[str, tuple[float, ...]]]] = {}
    for curve in curves:
        validation = curve.metric.startswith(VALIDATION)
        metric = curve.metric.removeprefix(VALIDATION) if validation else curve.metric
        label = f"{'validation' if validation else 'training'} {metric}"
        groups.setdefault(metric, []).append((label, curve.values))
    return tuple(Markup(svg.line_chart(series, title=metric))  # svg escapes its own text
                 for metric, series in groups.items())


ENV.filters["diff_rows"] = diff_rows
ENV.filters["training_charts"] = training_charts


def render(result: SubmissionResult) -> str:
    """The feedback page for one submission."""
    return ENV.get_template("feedback.html.j2").render(r=result)


def write(result: SubmissionResult, path: Path) -> None:
    """Write the feedback page to ``path``."""
    path.write_text(render(result), encoding="utf-8")
