"""Keras 2 inside the sandbox: ``import keras`` gives ``tf_keras``, and ``lr=`` is honoured.

Sandbox-side code, like the harness: copied beside ``harness.py``, which uses it only
for an assignment declared ``keras: 2``. The process also runs with
``TF_USE_LEGACY_KERAS=1``, so ``tf.keras`` (and ``from tensorflow import keras``) is
``tf_keras`` already; this module makes ``import keras`` and ``from keras import layers``
in student code give the same package, as they did with TensorFlow 2.x before 2.16.

tf_keras 2.21's optimizers take ``lr=`` but ignore it (with a log line) and keep their
default learning rate; the Keras 2 the course notes were written for honoured it as the
learning rate. ``honour_lr`` restores that, so a student's ``RMSprop(lr=0.1)`` trains
with 0.1 under Keras 2 as it did then.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from typing import Any

ALIAS = "keras"
TARGET = "tf_keras"


class KerasAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Imports ``keras`` and ``keras.X`` as ``tf_keras`` and ``tf_keras.X`` (same objects)."""

    def find_spec(self, fullname: str, path: Any = None,
                  target: Any = None) -> importlib.machinery.ModuleSpec | None:
        if fullname == ALIAS or fullname.startswith(ALIAS + "."):
            return importlib.machinery.ModuleSpec(fullname, self)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return None  # a placeholder; exec_module puts the real module in its place

    def exec_module(self, module: types.ModuleType) -> None:
        real = importlib.import_module(TARGET + module.__name__[len(ALIAS):])
        sys.modules[module.__name__] = real  # the import statement returns what is here


def honour_lr() -> None:
    """Make ``lr=`` the learning rate of tf_keras' optimizers again (Keras 2's alias)."""
    try:
        from tf_keras.src.optimizers import optimizer as base
    except Exception:
        return
    cls = base._BaseOptimizer
    if getattr(cls, "_autograder_lr", False):
        return
    process, build = cls._process_kwargs, cls._build_learning_rate

    def _process_kwargs(self: Any, kwargs: dict[str, Any]) -> None:
        if kwargs.get("lr") is not None:
            self._autograder_given_lr = kwargs["lr"]
        process(self, kwargs)

    def _build_learning_rate(self: Any, learning_rate: Any) -> Any:
        given = self.__dict__.pop("_autograder_given_lr", None)
        return build(self, learning_rate if given is None else given)

    cls._process_kwargs = _process_kwargs
    cls._build_learning_rate = _build_learning_rate
    cls._autograder_lr = True


def use_keras2() -> None:
    """From now on, ``import keras`` in this process gives tf_keras (Keras 2)."""
    for name in [n for n in sys.modules if n == ALIAS or n.startswith(ALIAS + ".")]:
        del sys.modules[name]  # nothing has imported Keras 3 yet; be sure all the same
    sys.meta_path.insert(0, KerasAlias())
    importlib.import_module(ALIAS)  # tf_keras, in sys.modules as keras: the harness seeds it
    honour_lr()
