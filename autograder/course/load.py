"""course.yaml → a Course: the course, its assignments, exercises, data and hints."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from autograder.checks import CheckFunction, CheckSpec, builtin_checks
from autograder.checks.allowed import ParamContext, suggest, unknown
from autograder.course.generations import drift_policy, keras_generation
from autograder.course.model import (
    Assignment,
    Course,
    DataInput,
    Exercise,
)
from autograder.course.params import build_check
from autograder.course.policy import read_policy
from autograder.course.probe import PHASE_LIMITS, phase_limits, probe
from autograder.course.reader import IDENTIFIER, Loader, Reader, entries, identifier, positive
from autograder.errors import CourseError, GraderError
from autograder.hints import CONDITIONS, POINTER, HintRule

SCHEMA_VERSION = 1
RECORD_KINDS = ("arrays", "model", "value", "history", "callback", "generators", "last_fit")
DATA_PARTS = ("images", "labels", "folder", "files")  # folder, files: image datasets only


def load_course(path: str | Path = "course.yaml") -> Course:
    """Read and validate a course.yaml; raise CourseError naming the key and line."""
    path = Path(path).resolve()
    if path.is_dir():
        path = path / "course.yaml"
    if not path.is_file():
        raise CourseError(
            f"no course file at {path}; run from the course folder or pass --course PATH"
        )
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    except yaml.YAMLError as exc:
        raise CourseError(f"{path}: not valid YAML: {exc}") from exc
    top = Reader(path, data, "course")
    top.only(["version", "course", "solutions", "assignments_dir", "cache", "extra_checks",
              "assignments", "keras", "policy"])
    version = top.get("version", int)
    if version != SCHEMA_VERSION:
        raise top.fail("version", f"this grader reads version {SCHEMA_VERSION}, found {version}")
    root = path.parent
    checks = dict(builtin_checks())
    extra = top.get("extra_checks", str, None)
    if extra is not None:
        checks.update(_load_extra_checks(root / extra, top))
    assignments_node = top.get("assignments", dict)
    if not assignments_node:
        raise top.fail("assignments", "no assignments; add at least one")
    solutions_dir = root / top.get("solutions", str, "solutions")
    lines = getattr(assignments_node, "key_lines", {})
    keras = keras_generation(top)
    assignments = tuple(
        _assignment(path, aid, node, checks, solutions_dir, lines.get(aid, 0), keras)
        for aid, node in assignments_node.items()
    )
    assignments = _with_policies(path, top, assignments_node, assignments)
    return Course(
        root=root,
        name=top.get("course", str),
        solutions_dir=solutions_dir,
        assignments_dir=root / top.get("assignments_dir", str, "assignments"),
        cache_dir=root / top.get("cache", str, ".autograder-cache"),
        assignments=assignments,
        extra_checks=None if extra is None else root / extra,
        checks=types.MappingProxyType(checks),
        file=path,
    )


def _load_extra_checks(path: Path, top: Reader) -> dict[str, CheckSpec]:
    """Import a course's own checks module (instructor code, trusted side)."""
    if not path.is_file():
        raise top.fail("extra_checks", f"file {path} not found")
    spec = importlib.util.spec_from_file_location(f"course_checks_{abs(hash(path))}", path)
    if spec is None or spec.loader is None:
        raise top.fail("extra_checks", f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and typing look their module up there
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise top.fail("extra_checks", f"importing {path} failed: {exc!r}") from exc
    datasets = getattr(module, "DATASETS", ())
    from autograder.datasets import DatasetSource, register

    if not isinstance(datasets, (list, tuple)) or not all(
            isinstance(d, DatasetSource) for d in datasets):
        raise top.fail("extra_checks", f"{path}: DATASETS must be a list of "
                                       "autograder.datasets.DatasetSource(...)")
    try:
        register(datasets)
    except GraderError as exc:
        raise top.fail("extra_checks", str(exc)) from exc
    found = getattr(module, "CHECKS", None)
    if not isinstance(found, dict) or not all(isinstance(v, CheckSpec) for v in found.values()):
        raise top.fail(
            "extra_checks",
            f"{path} must define CHECKS = {{name: autograder.checks.CheckSpec(...)}}",
        )
    return dict(found)


def _assignment(
    path: Path, aid: str, node: Any, checks: Mapping[str, CheckFunction | CheckSpec],
    solutions_dir: Path, line: int, keras: int = 3,
) -> Assignment:
    where = f"assignments.{aid}"
    if not IDENTIFIER.match(str(aid)):
        raise CourseError(f"{path}:{line}: {where}: an assignment id must be an identifier "
                          "(letters, digits, _)")
    r = Reader(path, node, where, line)
    r.only(["title", "notebook", "seed", "time_limit", "memory_limit_mb", "max_file_mb",
            "exercises", "data", "keras", "drift", "top_level", "student_cells", "policy",
            *PHASE_LIMITS])
    notebook = r.get("notebook", str)
    if not (solutions_dir / aid / notebook).is_file():
        raise r.fail(
            "notebook",
            f"{solutions_dir / aid / notebook} does not exist; put the solution notebook there "
            "or fix the name",
        )
    data_node = r.get("data", dict, {})
    data = tuple(_data_input(path, f"{where}.data.{name}", name, n)
                 for name, n in data_node.items())
    _no_overlap(r, data)
    ex_nodes = r.get("exercises", list)
    if not ex_nodes:
        raise r.fail("exercises", "no exercises; add at least one")
    context = param_context(data)
    exercises = tuple(
        _exercise(path, f"{where}.exercises[{i}]", n, checks, line, context)
        for i, n, line in entries(ex_nodes)
    )
    ids = [e.id for e in exercises]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise r.fail("exercises", f"exercise ids must be unique; repeated: {', '.join(dupes)}")
    limits = phase_limits(r, PHASE_LIMITS)
    return Assignment(
        id=aid,
        data=data,
        title=r.get("title", str, aid),
        notebook=notebook,
        seed=r.get("seed", int, 0),
        time_limit=r.get("time_limit", float, 600.0, check=positive),
        memory_limit_mb=r.get("memory_limit_mb", int, 4096, check=positive),
        max_file_mb=r.get("max_file_mb", int, 200, check=positive),
        exercises=exercises,
        setup_limit=limits["setup_limit"],
        define_limit=limits["define_limit"],
        between_limit=limits["between_limit"],
        keras=keras_generation(r, keras),
        drift=drift_policy(r),
        top_level=_top_level(r) or "skip",
        student_cells=_student_cells(r),
    )


TOP_LEVEL = ("skip", "run")


def _top_level(r: Reader) -> str | None:
    """``top_level: skip|run`` (assignment or exercise): top-level statements other than
    definitions and imports in graded and student cells are skipped, or run."""
    value = r.get("top_level", str, None)
    if value is not None and value not in TOP_LEVEL:
        raise r.fail("top_level", f"must be one of {', '.join(TOP_LEVEL)}, found {value!r}")
    return value


def _student_cells(r: Reader) -> bool:
    """``student_cells: true|false`` (assignment): take what graded code needs from the
    student's other code cells (default true)."""
    return bool(r.get("student_cells", bool, True))


def _cell(r: Reader) -> bool:
    """``cell: false`` (exercise): no cell of its own; only its ``call:`` runs."""
    return bool(r.get("cell", bool, True))


def _no_overlap(r: Reader, data: tuple[DataInput, ...]) -> None:
    from autograder.course.coursedata import overlapping

    pair = overlapping(data)
    if pair is not None:
        a, b = pair
        raise r.fail("data", f"{a.name} and {b.name} would both be seen at {a.at} and "
                             f"{b.at}: give each its own place (at:)")


def param_context(data: tuple[DataInput, ...]) -> ParamContext:
    """What a check's params are validated against: the datasets the grader knows, their
    splits and labels, and the labels of the image datasets this assignment hands out."""
    from autograder.datasets import IMAGE_FILES, KNOWN, LABELS, SPLITS

    used = dict.fromkeys(d.dataset for d in data if d.dataset in IMAGE_FILES)
    labels = tuple(dict.fromkeys(x for d in used for x in LABELS.get(d, ())))
    return ParamContext(datasets=tuple(KNOWN), labels=labels, splits=dict(SPLITS),
                        classes=dict(LABELS))


def _with_policies(path: Path, top: Reader, nodes: Mapping[str, Any],
                   assignments: tuple[Assignment, ...]) -> tuple[Assignment, ...]:
    """Each assignment with its ``policy:``, on top of the course's own (course/policy.py)."""
    course = read_policy(path, top.node.get("policy", {}), "course.policy")
    return tuple(
        dataclasses.replace(a, policy=read_policy(
            path, nodes[a.id].get("policy", {}), f"assignments.{a.id}.policy", course))
        for a in assignments)


def _data_input(path: Path, where: str, name: str, node: Any) -> DataInput:
    from autograder.datasets import IMAGE_FILES, KNOWN, SPLITS

    if not IDENTIFIER.match(str(name)):
        raise CourseError(f"{path}: {where}: a data name must be a Python identifier")
    r = Reader(path, node, where)
    if "file" in node or "folder" in node:  # a file or folder of the course
        from autograder.course.coursedata import course_data_input

        return course_data_input(path, where, str(name), node)
    if isinstance(node, dict) and "value" in node:  # a constant, such as IMAGE_SIZE: 300
        r.only(["value"])
        value = node["value"]
        if not isinstance(value, (int, float, str, bool, list)):
            raise r.fail("value", f"expected a number, text or a list, found {value!r}")
        return DataInput(name=str(name), dataset="", split="", part="value",
                         value=tuple(value) if isinstance(value, list) else value)
    r.only(["dataset", "split", "part", "limit"])
    dataset = r.get("dataset", str)
    if dataset not in KNOWN:
        raise r.fail("dataset", unknown("dataset", dataset, KNOWN))
    part = r.get("part", str)
    if part not in DATA_PARTS:
        raise r.fail("part", unknown("part", part, DATA_PARTS))
    if (part in ("folder", "files")) != (dataset in IMAGE_FILES):
        parts = "folder and files" if dataset in IMAGE_FILES else "images and labels"
        raise r.fail("part", f"{dataset} gives parts {parts}")
    split = r.get("split", str)
    if split not in SPLITS.get(dataset, (split,)):
        raise r.fail("split", unknown(f"split of {dataset}", split, SPLITS[dataset]))
    return DataInput(name=str(name), dataset=dataset, split=split, part=part,
                     limit=r.get("limit", int, None, check=positive))


def _exercise(
    path: Path, where: str, node: Any, checks: Mapping[str, CheckFunction | CheckSpec],
    line: int = 0, context: ParamContext | None = None,
) -> Exercise:
    r = Reader(path, node, where, line)
    r.only(["id", "title", "entry", "aliases", "call", "record", "time_limit", "checks",
            "hints", "probe", "define_limit", "gate", "top_level", "cell"])
    ex_id = r.get("id", str, check=identifier)
    entry = r.get("entry", str, ex_id, check=identifier)
    aliases = r.get("aliases", list, [])
    for alias in aliases:
        if not isinstance(alias, str) or not IDENTIFIER.match(alias):
            raise r.fail("aliases", f"each alias must be an identifier, found {alias!r}")
    record = r.get("record", str, "value")
    if record not in RECORD_KINDS:
        raise r.fail("record", unknown("record kind", record, RECORD_KINDS))
    call = r.get("call", str, f"{entry}()")
    try:
        compile(call, "<call>", "eval")
    except SyntaxError as exc:
        raise r.fail("call", f"not a Python expression: {exc.msg}") from exc
    check_nodes = r.get("checks", list)
    if not check_nodes:
        raise r.fail("checks", "an exercise needs at least one check")
    ex_checks = tuple(
        build_check(path, f"{where}.checks[{i}]", n, checks, line, context)
        for i, n, line in entries(check_nodes)
    )
    names = [c.name for c in ex_checks]
    if len(set(names)) != len(names):
        raise r.fail("checks", "check names must be unique within an exercise")
    hints = tuple(_hint(path, f"{where}.hints[{i}]", n, names, line)
                  for i, n, line in entries(r.get("hints", list, [])))
    return Exercise(
        id=ex_id,
        title=r.get("title", str, ex_id),
        entry=entry,
        aliases=tuple(aliases),
        call=call,
        record=record,
        time_limit=r.get("time_limit", float, 60.0, check=positive),
        checks=ex_checks,
        hints=hints,
        probe=None if "probe" not in r.node else probe(path, f"{where}.probe",
                                                          r.node["probe"], record),
        **phase_limits(r, ("define_limit",)),
        gate=_gate(r),
        top_level=_top_level(r),
        cell=_cell(r),
    )


def _gate(r: Reader) -> bool:
    """``gate: true``: the exercise must pass fully or the assignment scores 0."""
    return bool(r.get("gate", bool, False))


def _hint(path: Path, where: str, node: Any, check_names: list[str],
          line: int = 0) -> HintRule:
    r = Reader(path, node, where, line)
    r.only(["when", "say", POINTER])
    when = Reader(path, r.get("when", dict), f"{where}.when")
    when.only(CONDITIONS)
    if not when.node:
        raise r.fail("when", f"give at least one condition: {', '.join(CONDITIONS)}")
    values: dict[str, str] = {}
    for key in CONDITIONS:
        value = when.get(key, str, None)
        if value is None:
            continue
        if key in ("failed", "passed"):
            if value not in check_names:
                raise when.fail(key, f"no check named {value!r} in this exercise; "
                                     f"its checks: {', '.join(check_names)}"
                                     + suggest(value, check_names))
        else:
            try:
                re.compile(value)
            except re.error as exc:
                raise when.fail(key, f"not a valid regular expression: {exc}") from exc
        values[key] = value
    at = r.get(POINTER, str, None)
    if at is not None:
        try:
            re.compile(at)
        except re.error as exc:
            raise r.fail(POINTER, f"not a valid regular expression: {exc}") from exc
    return HintRule(say=r.get("say", str).strip(), at=at, **values)
