"""course.yaml → frozen dataclasses, validated strictly.

Every error names the key, the line in course.yaml and what to do about it. Check
parameters are validated against each check's own parameter dataclass, so a typo in
a threshold is caught when the course loads, not halfway through a batch.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import sys
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from autograder.checks import CheckFunction, CheckSpec, builtin_checks
from autograder.errors import CourseError
from autograder.hints import CONDITIONS, POINTER, HintRule

SCHEMA_VERSION = 1
RECORD_KINDS = ("arrays", "model", "value", "history", "callback", "generators")
DATA_PARTS = ("images", "labels", "folder", "files")  # folder, files: image datasets only
_ID = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class ExerciseCheck:
    """One graded check of an exercise, as course.yaml declares it."""

    name: str
    check: str
    points: float
    params: Any
    hidden: bool = False


@dataclass(frozen=True)
class DataInput:
    """An array the grader gives the sandbox, bound to ``name`` before the setup cells run."""

    name: str
    dataset: str
    split: str
    part: str
    limit: int | None = None
    value: Any = None  # part "value": a constant bound as is (no dataset), e.g. IMAGE_SIZE


@dataclass(frozen=True)
class CallbackProbe:
    """Synthetic ``logs`` sequences fed to a callback's ``on_epoch_end`` (None = no logs)."""

    sequences: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Exercise:
    """A graded exercise: the cell that defines ``entry``, how to call it, what to record."""

    id: str
    title: str
    entry: str
    aliases: tuple[str, ...]
    call: str
    record: str
    time_limit: float
    checks: tuple[ExerciseCheck, ...]
    hints: tuple[HintRule, ...] = ()
    probe: CallbackProbe | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """Every name under which the exercise's entry point may be defined."""
        return (self.entry, *self.aliases)

    @property
    def max_score(self) -> float:
        """Points available for this exercise."""
        return sum(c.points for c in self.checks)


@dataclass(frozen=True)
class Assignment:
    """One assignment (a week): its notebook, budgets and exercises."""

    id: str
    title: str
    notebook: str
    seed: int
    time_limit: float
    memory_limit_mb: int
    exercises: tuple[Exercise, ...]
    data: tuple[DataInput, ...] = ()
    max_file_mb: int = 200  # the largest file the sandbox may write (a saved model, say)

    @property
    def max_score(self) -> float:
        """Points available for the whole assignment."""
        return sum(e.max_score for e in self.exercises)

    def exercise(self, exercise_id: str) -> Exercise:
        """The exercise with this id (KeyError when there is none)."""
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        raise KeyError(exercise_id)


@dataclass(frozen=True)
class Course:
    """The whole course: where its notebooks live and what each assignment grades."""

    root: Path
    name: str
    solutions_dir: Path
    assignments_dir: Path
    cache_dir: Path
    assignments: tuple[Assignment, ...]
    extra_checks: Path | None
    checks: Mapping[str, CheckSpec] = field(repr=False, compare=False)
    file: Path | None = None  # the course.yaml it was read from

    @property
    def course_file(self) -> Path:
        """The course file's path (``root/course.yaml`` unless read from another name)."""
        return self.file or self.root / "course.yaml"

    def assignment(self, assignment_id: str) -> Assignment:
        """The assignment with this id, or a CourseError listing the known ones."""
        for a in self.assignments:
            if a.id == assignment_id:
                return a
        known = ", ".join(a.id for a in self.assignments) or "none"
        raise CourseError(
            f"unknown assignment {assignment_id!r} in {self.root / 'course.yaml'}; "
            f"known assignments: {known}"
        )

    def solution_path(self, assignment: Assignment) -> Path:
        """The instructor's complete notebook for an assignment."""
        return self.solutions_dir / assignment.id / assignment.notebook

    def release_path(self, assignment: Assignment) -> Path:
        """The released (student) notebook for an assignment."""
        return self.assignments_dir / assignment.id / assignment.notebook


# --------------------------------------------------------------------------- loading


class _Loader(yaml.SafeLoader):
    """A SafeLoader that remembers the line of every mapping."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    result = _Located({str(k): v for k, v in mapping.items()})
    result.line = node.start_mark.line + 1
    result.key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
    return result


class _Located(dict[str, Any]):
    line: int = 0
    key_lines: dict[str, int]


class _LocatedList(list[Any]):
    item_lines: list[int]


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> list[Any]:
    result = _LocatedList(loader.construct_sequence(node, deep=True))
    result.item_lines = [item.start_mark.line + 1 for item in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def _entries(items: list[Any]) -> list[tuple[int, Any, int]]:
    """(index, item, line) for a list read from course.yaml."""
    lines = getattr(items, "item_lines", [0] * len(items))
    return [(i, item, lines[i]) for i, item in enumerate(items)]


class _Reader:
    """Reads one mapping of course.yaml, with errors that name key and line."""

    def __init__(self, path: Path, node: Any, where: str, line: int = 0) -> None:
        self.path = path
        self.where = where
        if not isinstance(node, dict):
            at = f"{path}:{line}" if line else str(path)
            raise CourseError(f"{at}: {where} must be a mapping of keys to values, "
                              f"found {node!r}")
        self.node = node

    def line(self, key: str | None = None) -> int:
        lines = getattr(self.node, "key_lines", {})
        return int(lines.get(key, getattr(self.node, "line", 0)))

    def fail(self, key: str | None, problem: str) -> CourseError:
        name = f"{self.where}.{key}" if key else self.where
        return CourseError(f"{self.path}:{self.line(key)}: {name}: {problem}")

    def only(self, allowed: typing.Iterable[str]) -> None:
        allowed = list(allowed)
        for key in self.node:
            if key not in allowed:
                raise self.fail(key, f"unknown key; allowed keys here: {', '.join(allowed)}")

    def get(self, key: str, kind: Any, default: Any = ..., *, check: Any = None) -> Any:
        if key not in self.node:
            if default is ...:
                raise self.fail(key, "missing; add it")
            return default
        value = self.node[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"expected {_kind_name(kind)}, found {value!r}")
        if check is not None:
            problem = check(value)
            if problem:
                raise self.fail(key, problem)
        return value


def _kind_name(kind: Any) -> str:
    names = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
             list: "a list", dict: "a mapping"}
    return names.get(kind, getattr(kind, "__name__", str(kind)))


def _positive(value: float) -> str | None:
    return None if value > 0 else "must be greater than 0"


def _identifier(value: str) -> str | None:
    return None if _ID.match(value) else "must be a Python identifier (letters, digits, _)"


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
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise CourseError(f"{path}: not valid YAML: {exc}") from exc
    top = _Reader(path, data, "course")
    top.only(["version", "course", "solutions", "assignments_dir", "cache", "extra_checks",
              "assignments"])
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
    assignments = tuple(
        _assignment(path, aid, node, checks, solutions_dir, lines.get(aid, 0))
        for aid, node in assignments_node.items()
    )
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


def _load_extra_checks(path: Path, top: _Reader) -> dict[str, CheckSpec]:
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
    found = getattr(module, "CHECKS", None)
    if not isinstance(found, dict) or not all(isinstance(v, CheckSpec) for v in found.values()):
        raise top.fail(
            "extra_checks",
            f"{path} must define CHECKS = {{name: autograder.checks.CheckSpec(...)}}",
        )
    return dict(found)


def _assignment(
    path: Path, aid: str, node: Any, checks: Mapping[str, CheckFunction | CheckSpec],
    solutions_dir: Path, line: int,
) -> Assignment:
    where = f"assignments.{aid}"
    if not _ID.match(str(aid)):
        raise CourseError(f"{path}:{line}: {where}: an assignment id must be an identifier "
                          "(letters, digits, _)")
    r = _Reader(path, node, where, line)
    r.only(["title", "notebook", "seed", "time_limit", "memory_limit_mb", "max_file_mb",
            "exercises", "data"])
    notebook = r.get("notebook", str)
    if not (solutions_dir / aid / notebook).is_file():
        raise r.fail(
            "notebook",
            f"{solutions_dir / aid / notebook} does not exist; put the solution notebook there "
            "or fix the name",
        )
    ex_nodes = r.get("exercises", list)
    if not ex_nodes:
        raise r.fail("exercises", "no exercises; add at least one")
    exercises = tuple(
        _exercise(path, f"{where}.exercises[{i}]", n, checks, line)
        for i, n, line in _entries(ex_nodes)
    )
    ids = [e.id for e in exercises]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise r.fail("exercises", f"exercise ids must be unique; repeated: {', '.join(dupes)}")
    data_node = r.get("data", dict, {})
    data = tuple(_data_input(path, f"{where}.data.{name}", name, n)
                 for name, n in data_node.items())
    return Assignment(
        id=aid,
        data=data,
        title=r.get("title", str, aid),
        notebook=notebook,
        seed=r.get("seed", int, 0),
        time_limit=r.get("time_limit", float, 600.0, check=_positive),
        memory_limit_mb=r.get("memory_limit_mb", int, 4096, check=_positive),
        max_file_mb=r.get("max_file_mb", int, 200, check=_positive),
        exercises=exercises,
    )


def _data_input(path: Path, where: str, name: str, node: Any) -> DataInput:
    from autograder.datasets import IMAGE_FILES, KNOWN

    if not _ID.match(str(name)):
        raise CourseError(f"{path}: {where}: a data name must be a Python identifier")
    r = _Reader(path, node, where)
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
        raise r.fail("dataset", f"unknown dataset {dataset!r}; known: {', '.join(KNOWN)}")
    part = r.get("part", str)
    if part not in DATA_PARTS:
        raise r.fail("part", f"must be one of {', '.join(DATA_PARTS)}")
    if (part in ("folder", "files")) != (dataset in IMAGE_FILES):
        parts = "folder and files" if dataset in IMAGE_FILES else "images and labels"
        raise r.fail("part", f"{dataset} gives parts {parts}")
    return DataInput(name=str(name), dataset=dataset, split=r.get("split", str), part=part,
                     limit=r.get("limit", int, None, check=_positive))


def _probe(path: Path, where: str, node: Any, record: str) -> CallbackProbe:
    r = _Reader(path, node, where)
    r.only(["sequences"])
    if record != "callback":
        raise r.fail(None, "a probe goes with record: callback")
    sequences = r.get("sequences", list)
    for i, seq in enumerate(sequences):
        if not isinstance(seq, list) or not seq or not all(
            item is None or isinstance(item, dict) for item in seq
        ):
            raise r.fail("sequences", f"sequence {i + 1} must be a non-empty list of logs "
                                      "mappings (or null for no logs)")
    return CallbackProbe(tuple(tuple(dict(x) if x else None for x in s) for s in sequences))


def _exercise(
    path: Path, where: str, node: Any, checks: Mapping[str, CheckFunction | CheckSpec],
    line: int = 0,
) -> Exercise:
    r = _Reader(path, node, where, line)
    r.only(["id", "title", "entry", "aliases", "call", "record", "time_limit", "checks",
            "hints", "probe"])
    ex_id = r.get("id", str, check=_identifier)
    entry = r.get("entry", str, ex_id, check=_identifier)
    aliases = r.get("aliases", list, [])
    for alias in aliases:
        if not isinstance(alias, str) or not _ID.match(alias):
            raise r.fail("aliases", f"each alias must be an identifier, found {alias!r}")
    record = r.get("record", str, "value")
    if record not in RECORD_KINDS:
        raise r.fail("record", f"must be one of {', '.join(RECORD_KINDS)}, found {record!r}")
    call = r.get("call", str, f"{entry}()")
    try:
        compile(call, "<call>", "eval")
    except SyntaxError as exc:
        raise r.fail("call", f"not a Python expression: {exc.msg}") from exc
    check_nodes = r.get("checks", list)
    if not check_nodes:
        raise r.fail("checks", "an exercise needs at least one check")
    ex_checks = tuple(
        _check(path, f"{where}.checks[{i}]", n, checks, line)
        for i, n, line in _entries(check_nodes)
    )
    names = [c.name for c in ex_checks]
    if len(set(names)) != len(names):
        raise r.fail("checks", "check names must be unique within an exercise")
    hints = tuple(_hint(path, f"{where}.hints[{i}]", n, names, line)
                  for i, n, line in _entries(r.get("hints", list, [])))
    return Exercise(
        id=ex_id,
        title=r.get("title", str, ex_id),
        entry=entry,
        aliases=tuple(aliases),
        call=call,
        record=record,
        time_limit=r.get("time_limit", float, 60.0, check=_positive),
        checks=ex_checks,
        hints=hints,
        probe=None if "probe" not in r.node else _probe(path, f"{where}.probe",
                                                          r.node["probe"], record),
    )


def _hint(path: Path, where: str, node: Any, check_names: list[str],
          line: int = 0) -> HintRule:
    r = _Reader(path, node, where, line)
    r.only(["when", "say", POINTER])
    when = _Reader(path, r.get("when", dict), f"{where}.when")
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
                                     f"its checks: {', '.join(check_names)}")
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


def _check(
    path: Path, where: str, node: Any, checks: Mapping[str, CheckFunction | CheckSpec],
    line: int = 0,
) -> ExerciseCheck:
    r = _Reader(path, node, where, line)
    r.only(["name", "check", "points", "params", "hidden"])
    kind = r.get("check", str)
    spec = checks.get(kind)
    if not isinstance(spec, CheckSpec):
        raise r.fail("check", f"unknown check {kind!r}; known checks: {', '.join(sorted(checks))}")
    params_node = r.get("params", dict, {})
    params = _build_params(spec.params, params_node, _Reader(path, params_node, f"{where}.params"))
    return ExerciseCheck(
        name=r.get("name", str, kind),
        check=kind,
        points=r.get("points", float, 1.0, check=lambda v: None if v >= 0 else "must be ≥ 0"),
        params=params,
        hidden=r.get("hidden", bool, False),
    )


def _build_params(cls: type[Any], node: Mapping[str, Any], r: _Reader) -> Any:
    """Build a check's frozen parameter dataclass from a mapping, strictly."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    r.only(fields)
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for name, f in fields.items():
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if name not in node:
            if required:
                raise r.fail(name, "missing; this check needs it")
            continue
        values[name] = _convert(node[name], hints[name], r, name)
    return cls(**values)


def _convert(value: Any, hint: Any, r: _Reader, key: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return _convert(value, inner[0], r, key)
    if origin is tuple:
        if not isinstance(value, list):
            raise r.fail(key, f"expected a list, found {value!r}")
        item = args[0] if args else Any
        return tuple(_convert(v, item, r, key) for v in value)
    if hint is Any:
        return value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(hint, type) and (
        not isinstance(value, hint) or (hint in (int, float) and isinstance(value, bool))
    ):
        raise r.fail(key, f"expected {_kind_name(hint)}, found {value!r}")
    return value
