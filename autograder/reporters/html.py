"""One HTML feedback page per submission (jinja2, autoescaped)."""

from __future__ import annotations

from pathlib import Path

import jinja2

from autograder.results import SubmissionResult

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("autograder.reporters", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)


def render(result: SubmissionResult) -> str:
    """The feedback page for one submission."""
    return _ENV.get_template("feedback.html.j2").render(r=result)


def write(result: SubmissionResult, path: Path) -> None:
    """Write the feedback page to ``path``."""
    path.write_text(render(result), encoding="utf-8")
