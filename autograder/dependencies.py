"""What graded code needs from the rest of a notebook: pure functions on source text.

A notebook's code cells are read statement by statement (top level only) with ``ast``.
Each statement *binds* names (an import, a ``def``, an assignment), may *update* names
(``model.compile(…)``, ``obj.attr = …``), and *uses* names now (when it runs) or later
(inside a function body, when the function is called).

``select`` starts from what always runs — the definitions and imports of the graded
cells, the provided cells, the exercises' ``call:`` expressions — and takes, in notebook
order, the statements their free names need: for a name needed at some point, the last
statement before that point that binds it (and the updates of that name in between).
A function body's names are needed "at the end", when the grader calls the exercises,
as they would be in the notebook run from top to bottom.

Top-level work is never taken for its own sake: ``fit``/``evaluate``/``predict`` calls,
plots, prints, bare expressions, loops that train. An assignment whose value trains
(``history = model.fit(…)``) is taken only when it is needed *and* the cell's
``top_level`` is ``run``; under ``skip`` (the default) it is left out and a note names
it, since running a student's top-level training is what ``skip`` exists to avoid.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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
BUILTINS = frozenset(dir(builtins)) | {"__name__", "__file__", "get_ipython", "display"}

# statement kinds
IMPORT, STAR, DEF, CLASS, ASSIGN, UPDATE, TRAIN, BLOCK, WORK, MAGIC = (
    "import", "star", "def", "class", "assign", "update", "train", "block", "work", "magic")
#: What a graded cell always runs; a magic is a get_ipython() call (a %%time cell's body
#: runs through it).
DEFINITIONS = frozenset({IMPORT, STAR, DEF, CLASS, MAGIC})

GRADED, STUDENT, PROVIDED = "graded", "student", "provided"
SKIP, RUN = "skip", "run"
END = (10**9, 0)


# --------------------------------------------------------------------------- free names


class _Scope(ast.NodeVisitor):
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
        self.binds.update(_import_names(node))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        self.binds.update(_import_names(node))

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
        body = _Scope()
        for stmt in node.body:
            body.visit(stmt)
        # class-level names are not visible inside methods; the class body runs now
        self.loads |= body.loads - body.binds
        self.inner |= body.inner

    def _comprehension(self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp,
                       parts: Sequence[ast.expr]) -> None:
        gens = node.generators
        self.visit(gens[0].iter)  # evaluated in the enclosing scope
        inner = _Scope()
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
    scope = _Scope()
    scope.binds.update(a.arg for a in _all_args(args))
    for node in body:
        scope.visit(node)
    return scope.free()


def _import_names(node: ast.Import | ast.ImportFrom) -> set[str]:
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
    scope = _Scope()
    scope.visit(tree)
    return frozenset((scope.loads | scope.inner) - BUILTINS)


# --------------------------------------------------------------------------- statements


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
    scope = _Scope()
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


def _summary(source: str, node: ast.stmt) -> str:
    text = ast.get_source_segment(source, node) or ast.unparse(node)
    first = text.strip().splitlines()[0] if text.strip() else ""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return f"{'class' if isinstance(node, ast.ClassDef) else 'def'} {node.name}"
    if len(first) > 60 or "\n" in text.strip():
        first = first[:57].rstrip() + "…"
    return first


def _classify(node: ast.stmt) -> tuple[str, set[str], set[str]]:
    """(kind, names bound, names updated) of one top-level statement."""
    if isinstance(node, ast.Import):
        return IMPORT, _import_names(node), set()
    if isinstance(node, ast.ImportFrom):
        if any(a.name == "*" for a in node.names):
            return STAR, set(), set()
        return IMPORT, _import_names(node), set()
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
        scope = _Scope()
        scope.visit(node)
        if _trains(node):
            return TRAIN, set(scope.binds), set()
        return (BLOCK if scope.binds else WORK), set(scope.binds), set()
    return WORK, set(), set()


def statements(cell: int, source: str) -> tuple[Statement, ...]:
    """The top-level statements of a cell's source (SyntaxError when it does not parse)."""
    tree = parse(source)
    assert isinstance(tree, ast.Module)
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
            uses_later=frozenset(later), text=_summary(source, node),
            trains_when_called=kind == DEF and any(
                isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                and n.func.attr in TRAIN_METHODS for n in ast.walk(node))))
    return tuple(found)


# --------------------------------------------------------------------------- selection


@dataclass(frozen=True)
class CodeCell:
    """One code cell given to ``select``: its notebook index, source and role.

    ``role`` is ``graded`` (an exercise's cell, ``exercise`` says which), ``provided``
    (run whole, from the release) or ``student`` (anything else the student wrote).
    ``top_level`` is ``skip`` or ``run`` for this cell.
    """

    index: int
    source: str
    role: str
    exercise: str | None = None
    top_level: str = SKIP


@dataclass(frozen=True)
class Selection:
    """What runs of each cell, and why.

    ``run`` maps a cell index to the keys (cell, place) of its statements that run; a
    graded cell under ``top_level: run`` and provided cells run whole and are absent.
    ``needed_by`` says which exercises (or "" for provided cells) needed each taken
    statement of a student cell; ``skipped`` lists a graded cell's statements not run.
    """

    statements: Mapping[int, tuple[Statement, ...]]
    run: Mapping[int, frozenset[tuple[int, int]]]
    needed_by: Mapping[tuple[int, int], frozenset[str]]
    skipped: Mapping[int, tuple[Statement, ...]]
    unparsed: Mapping[int, str]
    notes: tuple[str, ...] = field(default=())


def _always_runs(stmt: Statement, cell: CodeCell) -> bool:
    if cell.role == PROVIDED or (cell.role == GRADED and cell.top_level == RUN):
        return True
    return cell.role == GRADED and stmt.kind in DEFINITIONS


class _Closure:
    """The transitive closure of needed names, over statements in notebook order."""

    def __init__(self, cells: Sequence[CodeCell], parsed: Mapping[int, tuple[Statement, ...]],
                 known: frozenset[str], setup_imports: frozenset[str]) -> None:
        self.cells = {c.index: c for c in cells}
        self.position = {c.index: i for i, c in enumerate(cells)}
        self.known = known
        self.binders: dict[str, list[Statement]] = {}
        self.updaters: dict[str, list[Statement]] = {}
        self.stars: list[Statement] = []
        self.always: set[tuple[int, int]] = set()
        self.pinned: dict[str, Statement] = {}  # a graded cell's definitions, by name
        self.setup_imports = setup_imports
        for cell in cells:
            for stmt in parsed.get(cell.index, ()):
                if _always_runs(stmt, cell):
                    self.always.add(stmt.key)
                    if cell.role == GRADED:
                        self.pinned.update(dict.fromkeys(stmt.binds, stmt))
                for name in stmt.binds:
                    self.binders.setdefault(name, []).append(stmt)
                for name in stmt.updates - stmt.binds:
                    self.updaters.setdefault(name, []).append(stmt)
                if stmt.kind == STAR:
                    self.stars.append(stmt)
        self.taken: dict[tuple[int, int], set[str]] = {}
        self.followed: set[tuple[tuple[int, int], str]] = set()  # (pinned statement, who)
        self.left_out: dict[tuple[int, int], tuple[Statement, str]] = {}

    def pos(self, stmt: Statement) -> tuple[int, int]:
        return (self.position[stmt.cell], stmt.order)

    def trains(self, stmt: Statement) -> bool:
        """Training at the top level: a fit call, or a call of a function that trains
        (``history = train_model(…)``)."""
        if stmt.kind == TRAIN:
            return True
        return stmt.kind in (ASSIGN, UPDATE, BLOCK) and any(
            s.trains_when_called for n in stmt.uses_now for s in self.binders.get(n, ()))

    def allowed(self, stmt: Statement) -> bool:
        if stmt.kind == WORK:
            return False
        cell = self.cells[stmt.cell]
        return not self.trains(stmt) or cell.top_level == RUN

    def close(self, roots: Iterable[tuple[str, tuple[int, int]]], who: str) -> None:
        todo = list(roots)
        seen: set[tuple[str, tuple[int, int]]] = set()
        while todo:
            name, at = todo.pop()
            if (name, at) in seen:
                continue
            seen.add((name, at))
            if at == END and name in self.pinned:
                # a graded cell's own definition is what is graded; what it needs, this
                # exercise needs too
                todo += self._take(self.pinned[name], who, name)
                continue
            before = [s for s in self.binders.get(name, ()) if self.pos(s) < at]
            if not before:
                if name not in self.known and name not in BUILTINS:
                    for star in self.stars:
                        if self.pos(star) < at:
                            todo += self._take(star, who, name)
                continue
            last = before[-1]
            if name in self.known and name not in last.uses_now:
                continue  # the course binds it (setup cells, data); a fresh binding of the
                # student's (load_data() again, say) is not taken, a derived one is
            chain = [last] + [u for u in self.updaters.get(name, ())
                              if self.pos(last) < self.pos(u) < at]
            for stmt in chain:
                todo += self._take(stmt, who, name)

    def _take(self, stmt: Statement, who: str, name: str) -> list[tuple[str, tuple[int, int]]]:
        at = self.pos(stmt)
        if stmt.key in self.always:  # runs anyway; what it needs, ``who`` needs too
            if (stmt.key, who) in self.followed:
                return []
            self.followed.add((stmt.key, who))
            return [(n, at) for n in stmt.uses_now] + [(n, END) for n in stmt.uses_later]
        if stmt.key in self.taken and who in self.taken[stmt.key]:
            return []
        if stmt.kind == IMPORT and _normal(stmt.text) in self.setup_imports:
            return []  # the same import runs in the setup cells already
        if not self.allowed(stmt):
            if self.trains(stmt) and name in stmt.binds:
                self.left_out.setdefault(stmt.key, (stmt, name))
            return []
        self.taken.setdefault(stmt.key, set()).add(who)
        return [(n, at) for n in stmt.uses_now] + [(n, END) for n in stmt.uses_later]


def _normal(text: str) -> str:
    return " ".join(text.split())


def select(cells: Sequence[CodeCell], calls: Mapping[str, str], *,
           known: Iterable[str] = (), setup_imports: Iterable[str] = ()) -> Selection:
    """Which statements of which cells the graded code needs, in notebook order.

    ``cells`` are the notebook's code cells in order (setup cells left out: they run from
    the release). ``calls`` maps each exercise id to its ``call:`` expression, evaluated
    after every cell. ``known`` names are bound before any cell (the setup cells, the
    course's data); ``setup_imports`` are import statements the setup cells run already
    (their text; a student's copy of one is not taken again).
    """
    parsed: dict[int, tuple[Statement, ...]] = {}
    unparsed: dict[int, str] = {}
    notes: list[str] = []
    for cell in cells:
        try:
            parsed[cell.index] = statements(cell.index, cell.source)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            line = getattr(exc, "lineno", None)
            where = f" (line {line})" if line else ""
            unparsed[cell.index] = f"{type(exc).__name__}{where}: {getattr(exc, 'msg', exc)}"
            if cell.role == STUDENT:
                notes.append(f"cell {cell.index + 1} was not read: it is not valid Python "
                             f"({unparsed[cell.index]}); nothing was taken from it")
    closure = _Closure(cells, parsed, frozenset(known),
                       frozenset(_normal(s) for s in setup_imports))
    for cell in cells:
        if cell.role == STUDENT or cell.index not in parsed:
            continue
        who = cell.exercise or "" if cell.role == GRADED else ""
        roots: list[tuple[str, tuple[int, int]]] = []
        for stmt in parsed[cell.index]:
            if stmt.key in closure.always:
                at = closure.pos(stmt)
                roots += [(n, at) for n in stmt.uses_now] + [(n, END) for n in stmt.uses_later]
        closure.close(roots, who)
    bound_by_calls = set()
    for call in calls.values():
        with contextlib.suppress(SyntaxError):
            bound_by_calls |= {n.target.id for n in ast.walk(ast.parse(call, mode="eval"))
                               if isinstance(n, ast.NamedExpr) and isinstance(n.target, ast.Name)}
    for ex, call in calls.items():
        try:
            names = free_names(call, "eval")
        except SyntaxError:
            continue
        # a call's own names come from the course (its setup cells, its data) or from the
        # calls before it (``history := train_model(…)``), never from the student's cells
        closure.close([(n, END) for n in names - closure.known - bound_by_calls], ex)
    run: dict[int, frozenset[tuple[int, int]]] = {}
    skipped: dict[int, tuple[Statement, ...]] = {}
    for cell in cells:
        stmts = parsed.get(cell.index, ())
        if cell.role == PROVIDED or (cell.role == GRADED and cell.top_level == RUN):
            continue
        if cell.role == GRADED and cell.index not in parsed:
            continue  # runs as written: the run reports its syntax error
        keys = frozenset(s.key for s in stmts if s.key in closure.always
                         or s.key in closure.taken)
        run[cell.index] = keys
        if cell.role == GRADED:
            skipped[cell.index] = tuple(s for s in stmts if s.key not in keys)
    for stmt, name in closure.left_out.values():
        if stmt.key not in closure.taken:
            notes.append(
                f"{name} comes from training at the top level of cell {stmt.cell + 1} "
                f"({stmt.text}), which the grader does not run (top_level: skip); compute "
                "it inside your function instead")
    return Selection(
        statements=parsed, run=run,
        needed_by={k: frozenset(v) for k, v in closure.taken.items()},
        skipped=skipped, unparsed=unparsed, notes=tuple(notes))


# --------------------------------------------------------------------------- rendering


def render(source: str, stmts: Sequence[Statement], keep: frozenset[tuple[int, int]]) -> str:
    """The cell's source with only the ``keep`` statements, on their original lines.

    A statement left out on lines of its own becomes blank lines (the first one ``pass``);
    one sharing a line with another (``a = 1; model.fit(x)``) becomes ``pass`` in place,
    with line continuations so every kept statement keeps its line number.
    """
    lines = source.splitlines(keepends=True)
    if not lines:
        return source
    for stmt in sorted((s for s in stmts if s.key not in keep), key=lambda s: s.key,
                       reverse=True):
        first, last = stmt.first_line - 1, stmt.last_line - 1
        if first >= len(lines) or last >= len(lines):
            continue
        head = lines[first][:stmt.col]
        tail = lines[last][stmt.end_col:]
        rest = tail.strip()
        count = last - first
        if not head.strip() and (not rest or rest.startswith("#")):
            ends = lines[last].endswith("\n")
            new = [head + "pass" + ("\n" if count or ends else "")]
            new += ["\n" if k < count or ends else "" for k in range(1, count + 1)]
            lines[first:last + 1] = new
        else:
            joined = head + "pass" + " \\\n" * count + tail
            lines[first:last + 1] = [joined]
    return "".join(lines)


def render_checked(source: str, stmts: Sequence[Statement],
                   keep: frozenset[tuple[int, int]]) -> str | None:
    """``render``, or None when its result would not parse (it then should not run)."""
    text = render(source, stmts, keep)
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return text
