"""The reference part of docs/course-authoring.md, generated from the code.

Every check and its parameters are read from the check library (``builtin_checks``): the
check's docstring, each parameter's type and default, and the parameter class's
docstring. ``refresh`` rewrites the part of a Markdown file between the two markers, and a
test fails when the committed file differs, so the guide cannot drift from the code.

Usage: python -m autograder.course.reference_doc docs/course-authoring.md
"""

from __future__ import annotations

import dataclasses
import inspect
import sys
import typing
from pathlib import Path
from typing import Any

from autograder.checks import CheckSpec, builtin_checks

BEGIN = "<!-- BEGIN GENERATED: checks (python -m autograder.course.reference_doc FILE) -->"
END = "<!-- END GENERATED: checks -->"
NEEDS = {"model": "the solution's model", "arrays": "the solution's arrays",
         "value": "the solution's returned value", "any": "the solution's facts",
         "none": "nothing of the solution's (the grader's own data and the student's result)"}


def _type_name(hint: Any) -> str:
    text = str(hint).replace("typing.", "").replace("NoneType", "None")
    if isinstance(hint, type):
        return hint.__name__
    return text.replace("<class '", "").replace("'>", "")


def _default(f: dataclasses.Field[Any]) -> str:
    if f.default is not dataclasses.MISSING:
        return "—" if f.default in ((), "") else f"`{f.default!r}`"
    if f.default_factory is not dataclasses.MISSING:
        return f"`{f.default_factory()!r}`"
    return "**required**"


def _doc(obj: Any) -> str:
    return " ".join((inspect.getdoc(obj) or "").split())


def check_section(name: str, spec: CheckSpec) -> str:
    """One check: what it does, what it compares with, its parameters."""
    lines = [f"### `{name}`", "", _doc(spec.function), "",
             f"Compares with: {NEEDS.get(spec.needs, spec.needs)}."]
    fields = dataclasses.fields(spec.params)
    if fields:
        hints = typing.get_type_hints(spec.params, include_extras=True)
        params_doc = _doc(spec.params)
        if params_doc and not params_doc.startswith("Parameters of a check that takes none"):
            lines += ["", params_doc]
        lines += ["", "| param | type | default |", "|---|---|---|"]
        lines += [f"| `{f.name}` | `{_type_name(hints[f.name])}` | {_default(f)} |"
                  .replace(" | None", " \\| None") for f in fields]
    else:
        lines += ["", "No parameters."]
    return "\n".join(lines)


def generate(checks: typing.Mapping[str, CheckSpec] | None = None) -> str:
    """The generated reference: every check, sorted by name."""
    checks = dict(builtin_checks()) if checks is None else checks
    sections = [check_section(n, s) for n, s in sorted(checks.items())]
    return "\n\n".join([BEGIN, *sections, END])


def refresh(text: str, generated: str | None = None) -> str:
    """``text`` with the part between the markers replaced by the generated reference."""
    generated = generate() if generated is None else generated
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"the file has no generated part; add the two lines\n{BEGIN}\n{END}")
    return text[:start] + generated + text[end + len(END):]


def main(argv: list[str]) -> int:
    """Rewrite the generated part of each Markdown file named."""
    for name in argv:
        path = Path(name)
        path.write_text(refresh(path.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"refreshed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
