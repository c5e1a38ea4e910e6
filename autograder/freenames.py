"""Free names of Python code, scope by scope (``ast``): what code reads and does not bind.

Function bodies are their own scopes (parameters and any name assigned in them are
local), class bodies do not leak into methods, comprehensions bind their targets, and
unreachable statements (after a return or raise in the same block) are ignored.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Iterable, Sequence

BUILTINS = frozenset(dir(builtins)) | {"__name__", "__file__", "get_ipython", "display"}


class Scope(ast.NodeVisitor):
    """Names loaded and bound in one scope; nested scopes add their free names."""

    def __init__(self) -> None:
        self.loads: set[str] = set()
        self.binds: set[str] = set()
        self.declared: set[str] = set()  # global / nonlocal
        self.inner: set[str] = set()  # free names of nested function bodies

    def free(self) -> set[str]:
        return (self.loads | self.inner) - (self.binds - self.declared)

    def visit_Name(self, node: ast.Name) -> None:
        (self.loads if isinstance(node.ctx, ast.Load) else self.binds).add(node.id)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        if isinstance(node.target, ast.Name):  # x += 1 reads x too
            self.loads.add(node.target.id)
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        self.declared.update(node.names)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        self.declared.update(node.names)

    def visit_Import(self, node: ast.Import) -> None:
        self.binds.update(import_names(node))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.binds.update(import_names(node))

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self.binds.add(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self.binds.add(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self.binds.add(node.name)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.binds.add(node.name)
        self._signature(node.decorator_list, node.args, node.returns)
        self.inner |= _function_free(node.args, node.body)

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._signature([], node.args, None)
        self.inner |= _function_free(node.args, [node.body])

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.binds.add(node.name)
        for expr in (*node.decorator_list, *node.bases, *(k.value for k in node.keywords)):
            self.visit(expr)
        body = Scope()
        for stmt in node.body:
            body.visit(stmt)
        # class-level names are not visible inside methods; the class body runs now
        self.loads |= body.loads - body.binds
        self.inner |= body.inner

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
                       parts: Sequence[ast.expr]) -> None:
        gens = node.generators
        self.visit(gens[0].iter)  # evaluated in the enclosing scope
        inner = Scope()
        for i, gen in enumerate(gens):
            inner.visit(gen.target)
            if i:
                inner.visit(gen.iter)
            for cond in gen.ifs:
                inner.visit(cond)
        for part in parts:
            inner.visit(part)
        self.loads |= inner.free()

    def visit_ListComp(self, node: ast.ListComp) -> None:
        self._comprehension(node, [node.elt])

    def visit_SetComp(self, node: ast.SetComp) -> None:
        self._comprehension(node, [node.elt])

    def visit_GeneratorExp(self, node: ast.GeneratorExp) -> None:
        self._comprehension(node, [node.elt])

    def visit_DictComp(self, node: ast.DictComp) -> None:
        self._comprehension(node, [node.key, node.value])

    def _signature(self, decorators: Iterable[ast.expr], args: ast.arguments,
                   returns: ast.expr | None) -> None:
        for expr in (*decorators, *args.defaults, *(d for d in args.kw_defaults if d)):
            self.visit(expr)
        for arg in _all_args(args):
            if arg.annotation is not None:
                self.visit(arg.annotation)
        if returns is not None:
            self.visit(returns)


def _all_args(args: ast.arguments) -> list[ast.arg]:
    found = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    found += [a for a in (args.vararg, args.kwarg) if a is not None]
    return found


def _function_free(args: ast.arguments, body: Sequence[ast.AST]) -> set[str]:
    scope = Scope()
    scope.binds.update(a.arg for a in _all_args(args))
    for node in body:
        scope.visit(node)
    return scope.free()


def import_names(node: ast.Import | ast.ImportFrom) -> set[str]:
    names = set()
    for alias in node.names:
        if alias.name == "*":
            continue
        names.add(alias.asname or alias.name.split(".")[0])
    return names


class _DropDeadCode(ast.NodeTransformer):
    """Cut every block after its first return/raise/break/continue: a released stub's
    ``raise NotImplementedError()`` followed by ``return history`` needs no ``history``."""

    def generic_visit(self, node: ast.AST) -> ast.AST:
        super().generic_visit(node)
        for name in ("body", "orelse", "finalbody"):
            block = getattr(node, name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt) \
                    and not isinstance(node, ast.Module):
                end = next((i for i, s in enumerate(block) if isinstance(
                    s, (ast.Return, ast.Raise, ast.Break, ast.Continue))), len(block))
                setattr(node, name, block[:end + 1])
        return node


def parse(source: str, mode: str = "exec") -> ast.AST:
    """The source's syntax tree without unreachable statements (SyntaxError when it does
    not parse)."""
    return _DropDeadCode().visit(ast.parse(source, mode=mode))


def free_names(source: str, mode: str = "exec") -> frozenset[str]:
    """The names a piece of code reads and does not bind itself (builtins excluded).

    ``mode="eval"`` reads an expression, such as an exercise's ``call:``. Raises
    SyntaxError for code that does not parse.
    """
    tree = parse(source, mode=mode)
    scope = Scope()
    scope.visit(tree)
    return frozenset((scope.loads | scope.inner) - BUILTINS)
