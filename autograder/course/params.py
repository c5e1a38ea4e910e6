"""A check's parameters: built from course.yaml into the check's own frozen dataclass,
strictly: unknown keys, missing keys, wrong types, words outside a ``Literal``, numbers
outside a ``Range``, unknown datasets, metrics and labels are errors naming the line, the
allowed values and the close matches (see ``autograder.checks.allowed``)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from autograder.checks import CheckFunction, CheckSpec
from autograder.checks.allowed import Constraint, ParamContext, suggest, unknown
from autograder.course.model import ExerciseCheck
from autograder.course.reader import Reader, kind_name


def build_check(
    path: Path, where: str, node: Any, checks: Mapping[str, CheckFunction | CheckSpec],
    line: int = 0, context: ParamContext | None = None,
) -> ExerciseCheck:
    """One check of an exercise; its params are validated in ``context`` (what the course
    knows: datasets, labels)."""
    r = Reader(path, node, where, line)
    r.only(["name", "check", "points", "params", "hidden"])
    kind = r.get("check", str)
    spec = checks.get(kind)
    if not isinstance(spec, CheckSpec):
        raise r.fail("check", f"unknown check {kind!r}; known checks: "
                              f"{', '.join(sorted(checks))}{suggest(kind, checks)}")
    params_node = r.get("params", dict, {})
    params = build_params(spec.params, params_node, Reader(path, params_node, f"{where}.params"),
                          context)
    return ExerciseCheck(
        name=r.get("name", str, kind),
        check=kind,
        points=r.get("points", float, 1.0, check=lambda v: None if v >= 0 else "must be ≥ 0"),
        params=params,
        hidden=r.get("hidden", bool, False),
        line=line,
    )


def build_params(cls: type[Any], node: Mapping[str, Any], r: Reader,
                 context: ParamContext | None = None) -> Any:
    """Build a check's frozen parameter dataclass from a mapping, strictly: types,
    ``Literal`` words, ``Annotated`` constraints, then the dataclass's own
    ``params_problems(context)`` (rules across fields)."""
    context = context or ParamContext()
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key in node:
        if key not in fields:
            raise r.fail(key, f"unknown key; allowed keys here: {', '.join(fields) or 'none'}"
                              + suggest(key, fields))
    hints = typing.get_type_hints(cls, include_extras=True)
    values: dict[str, Any] = {}
    for name, f in fields.items():
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        if name not in node:
            if required:
                raise r.fail(name, "missing; this check needs it")
            continue
        values[name] = convert(node[name], hints[name], r, name, context)
    try:
        params = cls(**values)
    except ValueError as exc:  # the dataclass's own check: "key: what is wrong"
        key, _, message = str(exc).partition(": ")
        if key in fields and message:
            raise r.fail(key, message) from exc
        raise r.fail(None, str(exc)) from exc
    except TypeError as exc:
        raise r.fail(None, f"these parameters do not go together: {exc}") from exc
    check = getattr(params, "params_problems", None)
    if callable(check):
        for key, problem in check(context):
            raise r.fail(key, problem)
    return params


def convert(value: Any, hint: Any, r: Reader, key: str,
            context: ParamContext | None = None) -> Any:
    """``value`` from course.yaml as the type ``hint`` says, or an error naming ``key``."""
    context = context or ParamContext()
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is typing.Annotated:
        converted = convert(value, args[0], r, key, context)
        for rule in hint.__metadata__:
            if isinstance(rule, Constraint):
                problem = rule.problem(converted, context)
                if problem:
                    raise r.fail(key, problem)
        return converted
    if origin is typing.Literal:
        if value not in args or isinstance(value, bool) != any(isinstance(a, bool) for a in args):
            raise r.fail(key, unknown("value", value, args))
        return value
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return convert(value, inner[0], r, key, context)
    if origin is tuple:
        if not isinstance(value, list):
            raise r.fail(key, f"expected a list, found {value!r}")
        item = args[0] if args else Any
        if typing.get_origin(item) is typing.Literal:
            for v in value:
                if v not in typing.get_args(item):
                    raise r.fail(key, unknown("item", v, typing.get_args(item)))
        return tuple(convert(v, item, r, key, context) for v in value)
    if hint is Any:
        return value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(hint, type) and (
        not isinstance(value, hint) or (hint in (int, float) and isinstance(value, bool))
    ):
        raise r.fail(key, f"expected {kind_name(hint)}, found {value!r}")
    return value
