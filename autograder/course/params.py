"""A check's parameters: built from course.yaml into the check's own frozen dataclass,
strictly (unknown keys, missing keys and wrong types are errors naming the line)."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from autograder.checks import CheckFunction, CheckSpec
from autograder.course.model import ExerciseCheck
from autograder.course.reader import Reader, kind_name


def build_check(
    path: Path, where: str, node: Any, checks: Mapping[str, CheckFunction | CheckSpec],
    line: int = 0,
) -> ExerciseCheck:
    r = Reader(path, node, where, line)
    r.only(["name", "check", "points", "params", "hidden"])
    kind = r.get("check", str)
    spec = checks.get(kind)
    if not isinstance(spec, CheckSpec):
        raise r.fail("check", f"unknown check {kind!r}; known checks: {', '.join(sorted(checks))}")
    params_node = r.get("params", dict, {})
    params = build_params(spec.params, params_node, Reader(path, params_node, f"{where}.params"))
    return ExerciseCheck(
        name=r.get("name", str, kind),
        check=kind,
        points=r.get("points", float, 1.0, check=lambda v: None if v >= 0 else "must be ≥ 0"),
        params=params,
        hidden=r.get("hidden", bool, False),
    )


def build_params(cls: type[Any], node: Mapping[str, Any], r: Reader) -> Any:
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
        values[name] = convert(node[name], hints[name], r, name)
    try:
        return cls(**values)
    except ValueError as exc:  # the dataclass's own check: "key: what is wrong"
        key, _, message = str(exc).partition(": ")
        raise r.fail(key if key in fields else None, message or str(exc)) \
            from exc


def convert(value: Any, hint: Any, r: Reader, key: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        return convert(value, inner[0], r, key)
    if origin is tuple:
        if not isinstance(value, list):
            raise r.fail(key, f"expected a list, found {value!r}")
        item = args[0] if args else Any
        return tuple(convert(v, item, r, key) for v in value)
    if hint is Any:
        return value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if isinstance(hint, type) and (
        not isinstance(value, hint) or (hint in (int, float) and isinstance(value, bool))
    ):
        raise r.fail(key, f"expected {kind_name(hint)}, found {value!r}")
    return value
