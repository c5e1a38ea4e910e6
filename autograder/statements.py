"""A cell's top-level statements: what each binds, updates and uses, and what kind it is.

Kinds: ``import``, ``star`` (``from x import *``), ``def``, ``class``, ``assign``,
``update`` (``model.compile(…)``, ``obj.attr = …``), ``train`` (a ``fit``/``evaluate``/
``predict`` call, or a block that makes one), ``block`` (a loop, ``if``, ``try`` or
``with`` binding names), ``magic`` (a ``get_ipython()`` call) and ``work`` (the rest:
prints, plots, bare expressions).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass

from autograder.freenames import BUILTINS, Scope, import_names, parse

#: Methods whose call trains or runs a model: top-level work.
TRAIN_METHODS = frozenset({
    "fit", "fit_generator", "evaluate", "evaluate_generator", "predict",
    "predict_generator", "predict_on_batch", "train_on_batch", "test_on_batch",
})
#: Methods and modules that only show something: never an update of an object.
SHOW_METHODS = frozenset({
    "show", "plot", "imshow", "summary", "figure", "subplot", "subplots", "title", "xlabel",
    "ylabel", "legend", "savefig", "head", "tail", "describe", "info", "hist", "scatter",
    "print", "display", "save", "save_weights", "to_json",
})
SHOW_MODULES = frozenset({"plt", "pyplot", "matplotlib", "sns", "seaborn", "px", "IPython"})

IMPORT, STAR, DEF, CLASS, ASSIGN, UPDATE, TRAIN, BLOCK, WORK, MAGIC = (
    "import", "star", "def", "class", "assign", "update", "train", "block", "work", "magic")


@dataclass(frozen=True)
class Statement:
    """One top-level statement of a cell, and what it binds, updates and uses."""

    cell: int  # the cell's index in the notebook
    order: int  # the statement's place in its cell
    kind: str  # import, star, def, class, assign, update, train, block, work
    first_line: int  # 1-based, decorators included
    last_line: int
    col: int
    end_col: int
    binds: frozenset[str]
    updates: frozenset[str]
    uses_now: frozenset[str]
    uses_later: frozenset[str]
    text: str  # a one-line summary for notes
    trains_when_called: bool = False  # a function whose body calls fit/evaluate/predict

    @property
    def key(self) -> tuple[int, int]:
        """The statement's identity (cell, place)."""
        return (self.cell, self.order)


def _trains(node: ast.AST) -> bool:
    """True when the node calls a training method outside nested function bodies."""
    todo = [node]
    while todo:
        current = todo.pop()
        if isinstance(current, ast.Call) and isinstance(current.func, ast.Attribute) \
                and current.func.attr in TRAIN_METHODS:
            return True
        for child in ast.iter_child_nodes(current):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda,
                                      ast.ClassDef)):
                todo.append(child)
    return False


def _base(node: ast.expr) -> str | None:
    """``model`` for ``model.layers[0].units``, None when the chain is not on a name."""
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _target_names(target: ast.expr) -> tuple[set[str], set[str]]:
    """(names bound, names updated) by an assignment target."""
    if isinstance(target, ast.Name):
        return {target.id}, set()
    if isinstance(target, (ast.Tuple, ast.List)):
        bound: set[str] = set()
        updated: set[str] = set()
        for elt in target.elts:
            b, u = _target_names(elt)
            bound |= b
            updated |= u
        return bound, updated
    if isinstance(target, ast.Starred):
        return _target_names(target.value)
    base = _base(target)
    return set(), ({base} if base else set())


def _uses(nodes: Iterable[ast.AST]) -> tuple[set[str], set[str]]:
    """(names used now, names used later, in function bodies) by module-level code."""
    scope = Scope()
    for node in nodes:
        scope.visit(node)
    return scope.loads - BUILTINS, scope.inner - BUILTINS


def _only_definitions(stmts: Iterable[ast.stmt]) -> bool:
    for stmt in stmts:
        if isinstance(stmt, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef,
                             ast.ClassDef, ast.Pass)):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # a docstring
        if isinstance(stmt, ast.Try):
            if all(_only_definitions(part) for part in (stmt.body, stmt.orelse,
                                                         stmt.finalbody)) and all(
                    _only_definitions(h.body) for h in stmt.handlers):
                continue
            return False
        if isinstance(stmt, ast.If) and _only_definitions(stmt.body) \
                and _only_definitions(stmt.orelse):
            continue
        return False
    return True


def _summary(lines: list[str], node: ast.stmt) -> str:
    """The statement's first line, shortened (``def f``/``class C`` for definitions).

    Read from the cell's lines split once (``ast.get_source_segment`` splits the whole
    source for every statement: quadratic on a cell of thousands of lines)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return f"{'class' if isinstance(node, ast.ClassDef) else 'def'} {node.name}"
    line = lines[node.lineno - 1] if 0 < node.lineno <= len(lines) else ""
    raw = line.encode("utf-8")  # ast's column offsets count UTF-8 bytes
    end = node.end_col_offset if node.end_lineno == node.lineno else None
    first = raw[node.col_offset:end].decode("utf-8", errors="replace").strip()
    if not first:
        first = ast.unparse(node).strip().split("\n")[0]
    if len(first) > 60 or (node.end_lineno or node.lineno) > node.lineno:
        first = first[:57].rstrip() + "…"
    return first


def _classify(node: ast.stmt) -> tuple[str, set[str], set[str]]:
    """(kind, names bound, names updated) of one top-level statement."""
    if isinstance(node, ast.Import):
        return IMPORT, import_names(node), set()
    if isinstance(node, ast.ImportFrom):
        if any(a.name == "*" for a in node.names):
            return STAR, set(), set()
        return IMPORT, import_names(node), set()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return DEF, {node.name}, set()
    if isinstance(node, ast.ClassDef):
        return CLASS, {node.name}, set()
    if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        bound: set[str] = set()
        updated: set[str] = set()
        for target in targets:
            b, u = _target_names(target)
            bound |= b
            updated |= u
        if isinstance(node, ast.AnnAssign) and node.value is None:
            return WORK, set(), set()  # a bare annotation binds nothing
        if isinstance(node, ast.AugAssign):
            updated |= bound  # x += 1 needs the x before it
        kind = TRAIN if _trains(node) else (ASSIGN if bound else UPDATE)
        return kind, bound, updated
    if isinstance(node, ast.Expr):
        call = node.value
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) \
                and isinstance(call.func.value, ast.Call) \
                and isinstance(call.func.value.func, ast.Name) \
                and call.func.value.func.id == "get_ipython":
            return MAGIC, set(), set()
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute):
            base = _base(call.func.value)
            if base is not None and base not in SHOW_MODULES:
                if call.func.attr in TRAIN_METHODS:
                    return TRAIN, set(), {base}
                if call.func.attr not in SHOW_METHODS and not _trains(call):
                    return UPDATE, set(), {base}
        return WORK, set(), set()
    if isinstance(node, (ast.For, ast.AsyncFor, ast.While, ast.If, ast.Try, ast.With,
                         ast.AsyncWith, ast.Match)) or type(node).__name__ == "TryStar":
        scope = Scope()
        scope.visit(node)
        if _trains(node):
            return TRAIN, set(scope.binds), set()
        return (BLOCK if scope.binds else WORK), set(scope.binds), set()
    return WORK, set(), set()


def statements(cell: int, source: str) -> tuple[Statement, ...]:
    """The top-level statements of a cell's source (SyntaxError when it does not parse)."""
    tree = parse(source)
    assert isinstance(tree, ast.Module)
    lines = source.splitlines()
    found = []
    for order, node in enumerate(tree.body):
        kind, bound, updated = _classify(node)
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            parts: list[ast.AST] = [node.value] if node.value is not None else []
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            parts += [t for t in targets if not isinstance(t, ast.Name)]  # x.a = …, d[k] = …
            now, later = _uses(parts)
            now |= updated
        elif kind in (DEF, CLASS, IMPORT, STAR):
            now, later = _uses([node])
        else:
            now, later = _uses([node])
            now -= bound
        if kind == BLOCK and _only_definitions([node]):
            kind = IMPORT  # try: import x / except ImportError: …
        decorators = getattr(node, "decorator_list", [])
        first = min([node.lineno, *(d.lineno for d in decorators)])
        col = min([node.col_offset, *(d.col_offset - 1 for d in decorators)])
        found.append(Statement(
            cell=cell, order=order, kind=kind, first_line=first,
            last_line=node.end_lineno or node.lineno, col=max(col, 0),
            end_col=node.end_col_offset or 0, binds=frozenset(bound),
            updates=frozenset(updated), uses_now=frozenset(now),
            uses_later=frozenset(later), text=_summary(lines, node),
            trains_when_called=kind == DEF and any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and n.func.attr in TRAIN_METHODS for n in ast.walk(node))))
    return tuple(found)
