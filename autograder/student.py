"""``check("exercise")`` inside a student's notebook: the public checks, run in place.

The released notebook carries this module, the check library and the public reference
facts (``autograder.bundle``), so it works offline and installs nothing. It calls the
exercise exactly as the grader's harness does, reads the result back through the same
code the grader uses, and runs the same check functions and hints. Hidden checks are
listed by name only; their parameters and expectations are not in the notebook.
"""

from __future__ import annotations

import html
import importlib
import inspect
import re
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from autograder import factsio
from autograder.checks import CheckSpec, builtin_checks, judge
from autograder.facts import ERROR, MISSING, OK, ExerciseFacts
from autograder.hints import Hint, HintRule, Outcome, hints_for
from autograder.modelfile import load_model
from autograder.outbox import generator_batches, load_array
from autograder.sandbox.harness import seed_everything
from autograder.sandbox.recording import LAST_FIT, probe_callback, record_result, remember_fit


@dataclass(frozen=True)
class Row:
    """One line of a notebook check report."""

    name: str
    passed: bool | None  # None: hidden, checked on submission
    points: float
    message: str


@dataclass(frozen=True)
class Report:
    """What ``check()`` shows: rendered as HTML in Jupyter, as text elsewhere."""

    exercise: str
    title: str
    rows: tuple[Row, ...]
    error: str = ""
    hints: tuple[Hint, ...] = ()
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        """True when every public check passed."""
        return not self.error and all(r.passed is not False for r in self.rows)

    def __str__(self) -> str:
        lines = [f"{self.title} ({self.exercise})"]
        if self.error:
            lines.append(f"  ✗ {self.error}")
        for r in self.rows:
            mark = {True: "✓", False: "✗", None: "·"}[r.passed]
            lines.append(f"  {mark} {r.name}: {r.message}")
        lines.extend(f"  hint: {h.render()}" for h in self.hints)
        public = [r for r in self.rows if r.passed is not None]
        if public:
            ok = sum(1 for r in public if r.passed)
            lines.append(f"  {ok}/{len(public)} public checks passed")
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        e = html.escape
        colour = {True: "#17703a", False: "#b3261e", None: "#777"}
        mark = {True: "✓", False: "✗", None: "·"}
        out = [f"<div style='font-family:system-ui,sans-serif'><b>{e(self.title)}</b>"]
        if self.error:
            out.append(f"<pre style='color:#b3261e;white-space:pre-wrap'>{e(self.error)}</pre>")
        out.append("<ul style='list-style:none;padding-left:.5em'>")
        for r in self.rows:
            out.append(f"<li><span style='color:{colour[r.passed]}'>{mark[r.passed]}</span> "
                       f"<b>{e(r.name)}</b>: {e(r.message)}</li>")
        out.append("</ul>")
        for h in self.hints:
            where = (f"<b>line {h.line}</b> <code>{e(h.code or '')}</code>: "
                     if h.line else "")
            out.append("<div style='background:#e8f4fd;border-left:3px solid #1a73e8;"
                       f"padding:.3em .6em;margin:.2em 0'>💡 {where}{e(h.text)}</div>")
        out.append("</div>")
        return "".join(out)


def _params(cls: type[Any], values: Mapping[str, Any]) -> Any:
    names = {f.name for f in fields(cls)}
    return cls(**{k: tuple(v) if isinstance(v, list) else v
                  for k, v in values.items() if k in names})


def _cell_source(ns: Mapping[str, Any], names: tuple[str, ...], fn: Any) -> str:
    """The notebook cell that defines the exercise (for hints' line numbers)."""
    history = ns.get("In")
    if isinstance(history, list):
        pattern = re.compile(rf"^\s*(def|class)\s+({'|'.join(map(re.escape, names))})\b", re.M)
        for text in reversed(history):
            if isinstance(text, str) and pattern.search(text):
                return text
    try:
        return inspect.getsource(fn)
    except (OSError, TypeError):
        return ""


def _facts(kind: str, result: Any, folder: Path, exercise: str) -> ExerciseFacts:
    files, value = record_result(str(folder), exercise, kind, result)
    if kind == "arrays":
        return ExerciseFacts(OK, arrays=tuple(load_array(folder / f) for f in files))
    if kind == "generators":
        return ExerciseFacts(OK, value=generator_batches(folder, value, files))
    if kind in ("model", "history", "last_fit"):
        return ExerciseFacts(OK, model=load_model(folder / files[0]),
                             value=value if kind in ("history", "last_fit") else None)
    return ExerciseFacts(OK, value=value)


class Checker:
    """The ``check`` function of one released notebook."""

    def __init__(self, spec: Mapping[str, Any],
                 extra: Mapping[str, CheckSpec] | None = None) -> None:
        self.spec = spec
        self.registry = {**builtin_checks(), **(extra or {})}
        self.exercises = {e["id"]: e for e in spec["exercises"]}

    def __call__(self, exercise: str | None = None) -> Report | list[Report]:
        """Run the public checks of one exercise (or of all, without an argument)."""
        if exercise is None:
            return [self.run(e) for e in self.exercises]
        return self.run(exercise)

    def run(self, exercise_id: str, ns: Mapping[str, Any] | None = None) -> Report:
        """Call the exercise in the notebook's namespace and judge what it returns."""
        if exercise_id not in self.exercises:
            known = ", ".join(self.exercises)
            return Report(exercise_id, exercise_id, (), f"no exercise {exercise_id!r}; "
                                                        f"this notebook has: {known}")
        ex = self.exercises[exercise_id]
        ns = ns if ns is not None else vars(sys.modules["__main__"])
        names = tuple(ex["names"])
        fn = next((ns[n] for n in names if n in ns), None)
        started = time.monotonic()
        if not names:  # cell: false — no function of its own, only its call
            source = ""
            found = self._call(ex, dict(ns))
        elif fn is None:
            found = ExerciseFacts(MISSING, f"{names[0]} is not defined yet: run the exercise's "
                                           "cell first (and keep its name)")
            source = ""
        else:
            source = _cell_source(ns, names, fn)
            found = self._call(ex, dict(ns) | {names[0]: fn})
        return self._judge(ex, found, source, time.monotonic() - started)

    def _call(self, ex: Mapping[str, Any], ns: dict[str, Any]) -> ExerciseFacts:
        seed_everything(int(self.spec["seed"]))
        code = compile(ex["call"], f"<check {ex['id']}>", "eval")
        if ex["record"] == "callback":
            probe = ex.get("probe") or {}
            try:
                return ExerciseFacts(OK, value=probe_callback(
                    lambda: eval(code, ns), [list(s) for s in probe.get("sequences", ())],
                    probe.get("metrics"), int(probe.get("keras", 3)),
                    [list(s) for s in probe.get("robust", ())]))
            except Exception as exc:
                return ExerciseFacts(ERROR, f"raised {type(exc).__name__}: {exc}")
        if ex["record"] == "last_fit":  # the model fit trains during this call
            remember_fit()
            LAST_FIT.clear()
        try:
            result = eval(code, ns)
        except NotImplementedError:
            return ExerciseFacts(ERROR, "not written yet: replace 'raise NotImplementedError()' "
                                        "with your code")
        except Exception as exc:
            return ExerciseFacts(ERROR, f"raised {type(exc).__name__}: {exc}")
        with tempfile.TemporaryDirectory() as tmp:
            try:
                return _facts(ex["record"], result, Path(tmp), ex["id"])
            except Exception as exc:
                return ExerciseFacts(ERROR, f"the grader could not read what it returned: {exc}")

    def _judge(self, ex: Mapping[str, Any], found: ExerciseFacts, source: str,
               seconds: float) -> Report:
        facts = self.spec["facts"][ex["id"]]
        rows = []
        for c in ex["checks"]:
            if c["hidden"]:
                rows.append(Row(c["name"], None, c["points"],
                                "hidden: checked by the grader when you submit"))
                continue
            if not found.ok:
                rows.append(Row(c["name"], False, c["points"], "not checked (see above)"))
                continue
            spec = self.registry[c["check"]]
            expected = factsio.load(facts["parts"][facts["checks"][c["name"]]])
            verdict = judge(spec, _params(spec.params, c["params"]), found, expected)
            rows.append(Row(c["name"], verdict.passed, c["points"], verdict.message))
        rules = [HintRule(**h) for h in ex["hints"]]
        outcomes = [Outcome(r.name, bool(r.passed), r.message)
                    for r in rows if r.passed is not None]
        error = "" if found.ok else found.message
        return Report(ex["id"], ex["title"], tuple(rows), error,
                      hints_for(rules, source, error, outcomes), round(seconds, 2))


def load_extra(module: str) -> Mapping[str, CheckSpec]:
    """The course's own checks, bundled as a module."""
    checks = getattr(importlib.import_module(module), "CHECKS", {})
    return dict(checks) if isinstance(checks, dict) else {}

