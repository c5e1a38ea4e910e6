"""Reading course.yaml: a YAML loader that remembers lines, and a reader of one mapping
whose errors name the key, its line and what to do about it."""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import Any

import yaml

from autograder.errors import CourseError

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Loader(yaml.SafeLoader):
    """A SafeLoader that remembers the line of every mapping."""


def _construct_mapping(loader: Loader, node: yaml.MappingNode) -> dict[str, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    result = Located({str(k): v for k, v in mapping.items()})
    result.line = node.start_mark.line + 1
    result.key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
    return result


class Located(dict[str, Any]):
    line: int = 0
    key_lines: dict[str, int]


class LocatedList(list[Any]):
    item_lines: list[int]


def _construct_sequence(loader: Loader, node: yaml.SequenceNode) -> list[Any]:
    result = LocatedList(loader.construct_sequence(node, deep=True))
    result.item_lines = [item.start_mark.line + 1 for item in node.value]
    return result


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def entries(items: list[Any]) -> list[tuple[int, Any, int]]:
    """(index, item, line) for a list read from course.yaml."""
    lines = getattr(items, "item_lines", [0] * len(items))
    return [(i, item, lines[i]) for i, item in enumerate(items)]


class Reader:
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
                from autograder.checks.allowed import suggest

                raise self.fail(key, f"unknown key; allowed keys here: {', '.join(allowed)}"
                                     + suggest(key, allowed))

    def get(self, key: str, kind: Any, default: Any = ..., *, check: Any = None) -> Any:
        if key not in self.node:
            if default is ...:
                raise self.fail(key, "missing; add it")
            return default
        value = self.node[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise self.fail(key, f"expected {kind_name(kind)}, found {value!r}")
        if check is not None:
            problem = check(value)
            if problem:
                raise self.fail(key, problem)
        return value


def kind_name(kind: Any) -> str:
    names = {str: "text", int: "a whole number", float: "a number", bool: "true or false",
             list: "a list", dict: "a mapping"}
    return names.get(kind, getattr(kind, "__name__", str(kind)))


def positive(value: float) -> str | None:
    return None if value > 0 else "must be greater than 0"


def identifier(value: str) -> str | None:
    return None if IDENTIFIER.match(value) else "must be a Python identifier (letters, digits, _)"
