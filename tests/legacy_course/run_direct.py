"""Run the legacy course's notebooks directly (no grader, no sandbox) and print what each
exercise gives: a reviewer's check of expected.yaml, and of the notebooks' Python.

    python tests/legacy_course/run_direct.py week2 [NAME ...]           # Keras 3
    TF_USE_LEGACY_KERAS=1 python tests/legacy_course/run_direct.py week2 # Keras 2 (tf_keras)

It does roughly what the grader is meant to do: in a scratch folder holding the course's
data, it runs the release's setup and PROVIDED cells, then from the student's other cells
the imports, definitions and the assignments the graded code names, then the graded
cells' definitions only (top-level work skipped), then each exercise's ``call:`` from
course.yaml, with the seed set first. It records the last model ``fit`` trained.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from course_content import SOLUTIONS  # noqa: E402

MAGIC = re.compile(r"^\s*[%!].*$", re.M)


def _defs_only(source: str, wanted: set[str] | None = None) -> str:
    """Imports, functions and classes of ``source`` (and assignments to ``wanted`` names
    that do not train), as source text."""
    tree = ast.parse(MAGIC.sub("pass", source))
    keep = []
    for node in tree.body:
        definition = isinstance(node, (ast.Import, ast.ImportFrom, ast.FunctionDef,
                                       ast.ClassDef))
        needed = (wanted is not None and isinstance(node, ast.Assign)
                  and all(isinstance(t, ast.Name) and t.id in wanted for t in node.targets)
                  and not re.search(r"fit\(|\btrain", ast.unparse(node.value)))
        if definition or needed:
            keep.append(node)
    return "\n".join(ast.unparse(n) for n in keep)


def _program(path: Path, week: str) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    frozen = [src for role, src in SOLUTIONS[week] if role in ("setup", "provided")]
    graded = [s for s in code if s.lstrip().startswith("# GRADED")]
    names = set(re.findall(r"[A-Za-z_]\w*", "\n".join(graded)))
    out = [*frozen]
    for source in code:
        if source in graded:
            out.append(_defs_only(source))
        elif source not in frozen and _parses(source):
            out.append(_defs_only(source, names))
    return out


def _parses(source: str) -> bool:
    try:
        ast.parse(MAGIC.sub("pass", source))
    except SyntaxError:
        return False
    return True


def _describe(value: Any, record: str, tf: Any, last: list[Any], probe: Any) -> str:
    if record == "callback":
        stops = []
        legacy = os.environ.get("TF_USE_LEGACY_KERAS") == "1"
        for seq in probe["sequences"]:
            cb = value
            model = tf.keras.Sequential([tf.keras.layers.Dense(1, input_shape=(1,))])
            cb.set_model(model)
            model.stop_training = False
            at = None
            for i, logs in enumerate(seq):
                logs = dict(logs)
                if legacy and "accuracy" in logs:
                    logs["acc"] = logs["accuracy"]
                cb.on_epoch_end(i, logs)
                if model.stop_training:
                    at = i + 1
                    break
            stops.append(at)
        return f"stops at epochs {stops}"
    if record in ("value", "last_fit"):
        text = f"value {np.ravel(np.asarray(value, dtype=float))[:3]}"
        if last:
            m = last[-1]
            text += f"; last fit: {len(m.layers)} layers, {m.count_params()} params"
        return text
    if record == "arrays":
        a = np.asarray(value)
        return f"array {a.shape} {a.dtype} max {a.max():.3g}"
    if record == "model":
        loss = getattr(value, "loss", None)
        opt = value.optimizer
        return (f"{[type(ly).__name__ for ly in value.layers]} last "
                f"{value.layers[-1].get_config().get('activation')} params "
                f"{value.count_params()} loss {getattr(loss, '__name__', loss)} opt "
                f"{type(opt).__name__} lr {float(opt.learning_rate.numpy()):.4g}")
    if record == "history":
        return f"ran {len(value.epoch)} of {value.params.get('epochs')} epochs, " \
               f"last {[(k, round(v[-1], 3)) for k, v in value.history.items()]}"
    if record == "generators":
        if isinstance(value, tf.data.Dataset):
            x, y = next(iter(value))
            return (f"dataset batch {tuple(x.shape)} labels {tuple(y.shape)} "
                    f"max {float(tf.reduce_max(x)):.3g}")
        x, y = value[0]
        return (f"generator {value.samples} images, batch {value.batch_size}, "
                f"{value.class_mode}, x {x.shape} max {x.max():.3g}, y {y.shape}")
    return repr(value)[:80]


def main() -> None:
    """Run the notebooks of one week named on the command line."""
    week, names = sys.argv[1], set(sys.argv[2:])
    course = yaml.safe_load((HERE / "course.yaml").read_text(encoding="utf-8"))
    exercises = course["assignments"][week]["exercises"]
    work = Path(tempfile.mkdtemp(prefix="legacy-direct-"))
    shutil.copytree(HERE / "data", work / "data")
    os.chdir(work)
    import tensorflow as tf

    last: list[Any] = []
    original_fit = tf.keras.Model.fit

    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        last.append(self)
        kwargs.setdefault("verbose", 0)
        return original_fit(self, *args, **kwargs)

    tf.keras.Model.fit = fit
    flavour = "keras 2" if os.environ.get("TF_USE_LEGACY_KERAS") == "1" else "keras 3"
    for path in sorted((HERE / "students" / week).glob("*.ipynb")):
        if names and path.stem not in names:
            continue
        print(f"== {path.stem} ({flavour})", flush=True)
        ns: dict[str, Any] = {}
        for source in _program(path, week):
            try:
                exec(compile(source, path.name, "exec"), ns)
            except Exception as exc:
                print(f"   setup/cell error: {type(exc).__name__}: {exc}"[:200])
        for ex in exercises:
            tf.keras.utils.set_random_seed(1234)
            last.clear()
            call = ex.get("call", f"{ex['id']}()")
            try:
                value = eval(call, ns)
                said = _describe(value, ex.get("record", "value"), tf, last, ex.get("probe"))
            except Exception as exc:
                tb = traceback.extract_tb(exc.__traceback__)[-1]
                said = f"ERROR {type(exc).__name__}: {str(exc)[:150]} (line {tb.lineno})"
            print(f"   {ex['id']}: {said}", flush=True)


if __name__ == "__main__":
    main()
