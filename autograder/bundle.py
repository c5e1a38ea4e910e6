"""The checker cell of a released notebook: our checking code and the public expectations.

``check("exercise")`` must work in Jupyter or Colab with nothing installed and no network,
and give the grader's verdict on the public checks. So the release carries, in one
collapsed cell, the modules the checks need (compressed) and a spec: each exercise's
call, its public checks with their parameters, the names of its hidden checks, its hints,
and the public reference facts. Hidden checks' parameters never enter the notebook.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import zlib
from pathlib import Path
from typing import Any

from autograder import __version__, factsio
from autograder.checks import CheckSpec
from autograder.course import Assignment, Course
from autograder.facts import ExerciseFacts
from autograder.probes import keras_of, public_probe
from autograder.reference import Reference

PACKAGE = Path(__file__).resolve().parent
#: module name → (file under autograder/, is a package); None: an empty package here
MODULES: dict[str, tuple[str | None, bool]] = {
    "autograder": ("__init__.py", True),
    "autograder.facts": ("facts.py", False),
    "autograder.factsio": ("factsio.py", False),
    "autograder.hints": ("hints.py", False),
    "autograder.execution": ("execution.py", False),
    "autograder.outbox": ("outbox.py", False),
    "autograder.modelfile": ("modelfile.py", False),
    "autograder.checks": ("checks/__init__.py", True),
    "autograder.checks.allowed": ("checks/allowed.py", False),
    "autograder.checks.arrays": ("checks/arrays.py", False),
    "autograder.checks.model": ("checks/model.py", False),
    "autograder.checks.architecture": ("checks/architecture.py", False),
    "autograder.checks.values": ("checks/values.py", False),
    "autograder.checks.training": ("checks/training.py", False),
    "autograder.checks.images": ("checks/images.py", False),
    "autograder.checks.generators": ("checks/generators.py", False),
    "autograder.datasets": ("datasets.py", False),
    "autograder.errors": ("errors.py", False),
    "autograder.sandbox": (None, True),
    "autograder.sandbox.compat": ("sandbox/compat.py", False),
    "autograder.sandbox.harness": ("sandbox/harness.py", False),
    "autograder.sandbox.recording": ("sandbox/recording.py", False),
    "autograder.sandbox.legacy": ("sandbox/legacy.py", False),
    "autograder.student": ("student.py", False),
}
EXTRA_MODULE = "autograder_course_checks"
MARKER = "# CHECKER"
_BLOB = re.compile(r'^_AUTOGRADER_BUNDLE = "([A-Za-z0-9+/=]*)"$', re.M)

BOOTSTRAP = '''{marker}: run this cell once; it defines check("exercise_id"). Do not edit it.
# It holds the grader's own checking code (autograder {version}, compressed) and this
# assignment's public expectations, so checks run here, offline, installing nothing.
import base64 as _b64, importlib.abc as _abc, importlib.util as _iu, json as _json
import sys as _sys, zlib as _zlib

_AUTOGRADER_BUNDLE = "{blob}"


class _AutograderBundle(_abc.MetaPathFinder, _abc.Loader):
    def __init__(self, modules):
        self.modules = modules

    def find_spec(self, name, path=None, target=None):
        if name not in self.modules:
            return None
        return _iu.spec_from_loader(name, self, is_package=self.modules[name][1])

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        source, _ = self.modules[module.__name__]
        exec(compile(source, "<autograder " + module.__name__ + ">", "exec"), module.__dict__)


_data = _json.loads(_zlib.decompress(_b64.b64decode(_AUTOGRADER_BUNDLE)))
_sys.meta_path[:] = [f for f in _sys.meta_path if type(f).__name__ != "_AutograderBundle"]
_sys.meta_path.insert(0, _AutograderBundle(_data["modules"]))
for _name in [n for n in _sys.modules if n.split(".")[0] in ("autograder", "{extra}")]:
    del _sys.modules[_name]
from autograder.student import Checker as _Checker, load_extra as _load_extra

check = _Checker(_data["spec"], _load_extra("{extra}") if _data["spec"]["extra"] else None)
print("check() is ready:", ", ".join(e["id"] for e in _data["spec"]["exercises"]))'''


def _source(path: str | None) -> str:
    return "" if path is None else (PACKAGE / path).read_text(encoding="utf-8")


def public_facts(assignment: Assignment, course: Course,
                 reference: Reference) -> dict[str, Any]:
    """Per exercise, the reference facts each public check needs, and nothing more.

    Each public check gets what its ``CheckSpec`` asks for (``public``, else the parts
    ``needs`` names); hidden checks get nothing, so what only they compare with never
    enters the notebook. Identical parts are stored once: ``{"parts": [...], "checks":
    {check name: index}}``.
    """
    out: dict[str, Any] = {}
    for ex in assignment.exercises:
        parts: list[dict[str, Any]] = []
        index: dict[str, int] = {}
        for c in ex.checks:
            if c.hidden:
                continue
            part = check_facts(course.checks[c.check], c.params, reference.facts[ex.id])
            if part not in parts:
                parts.append(part)
            index[c.name] = parts.index(part)
        out[ex.id] = {"parts": parts, "checks": index}
    return out


def check_facts(spec: CheckSpec, params: Any, facts: ExerciseFacts) -> dict[str, Any]:
    """The reference facts one public check needs, as JSON data (see ``CheckSpec``)."""
    if spec.public is not None:
        narrowed = spec.public(facts, params)
        return factsio.dump(narrowed, arrays=True, model=True, value=True,
                            inputs=[list(x) for x in spec.probes(params)])
    return factsio.dump(
        facts,
        arrays=spec.needs in ("arrays", "any"),
        model=spec.needs in ("model", "any"),
        value=spec.needs in ("value", "any"),
        inputs=[list(x) for x in spec.probes(params)],
    )


def spec(course: Course, assignment: Assignment, digest: str,
         facts: dict[str, Any]) -> dict[str, Any]:
    """What ``check()`` needs to know about the assignment (hidden parts stripped)."""
    exercises = []
    for ex in assignment.exercises:
        checks = [
            {"name": c.name, "check": "" if c.hidden else c.check, "points": c.points,
             "hidden": c.hidden,
             "params": {} if c.hidden else dataclasses.asdict(c.params)}
            for c in ex.checks
        ]
        exercises.append({
            "id": ex.id, "title": ex.title, "names": list(ex.names) if ex.cell else [],
            "call": ex.call,
            "record": ex.record, "checks": checks,
            "probe": None if ex.probe is None else public_probe(ex, keras_of(assignment)),
            "hints": [{k: v for k, v in dataclasses.asdict(h).items() if v is not None}
                      for h in ex.hints],
        })
    return {"assignment": assignment.id, "seed": assignment.seed, "digest": digest,
            "exercises": exercises, "facts": facts, "extra": course.extra_checks is not None,
            "version": __version__}


def checker_cell(course: Course, assignment: Assignment, digest: str,
                 facts: dict[str, Any]) -> str:
    """The source of the checker cell (deterministic for the same inputs)."""
    modules = {name: [_source(path), pkg] for name, (path, pkg) in MODULES.items()}
    if course.extra_checks is not None:
        modules[EXTRA_MODULE] = [course.extra_checks.read_text(encoding="utf-8"), False]
    data = {"modules": modules, "spec": spec(course, assignment, digest, facts)}
    raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    blob = base64.b64encode(zlib.compress(raw, 9)).decode()
    return BOOTSTRAP.format(marker=MARKER, version=__version__, blob=blob, extra=EXTRA_MODULE)


def embedded(cell_source: str) -> dict[str, Any] | None:
    """The spec carried by an existing checker cell (None when there is none)."""
    m = _BLOB.search(cell_source)
    if m is None:
        return None
    try:
        data = json.loads(zlib.decompress(base64.b64decode(m.group(1))))
    except (ValueError, zlib.error):
        return None
    found = data.get("spec") if isinstance(data, dict) else None
    return found if isinstance(found, dict) else None
