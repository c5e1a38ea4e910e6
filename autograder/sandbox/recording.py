"""What the harness records of an exercise's result, as data only, inside the sandbox.

Sandbox-side code, like the harness: it is copied beside ``harness.py`` into the run's
private folder and imports nothing from the grader. The notebook's ``check()`` uses the
same functions (through the bundle), so a student sees what the grader will read.

- ``Capture``: a capped text stream for what student code prints;
- ``probe_callback``: a callback fed synthetic ``logs``, observed, never judged;
- ``record_result``: what an exercise returned, as ``.npy``/``.keras`` files and JSON.
"""

from __future__ import annotations

import io
import json
import os
import sys
from typing import Any

MAX_CAPTURE = 20_000  # characters of a student's print output kept per exercise


class Capture(io.TextIOBase):
    """A text stream that keeps the first MAX_CAPTURE characters and counts the rest."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        s = str(s)
        room = MAX_CAPTURE - self.size
        if room > 0:
            self.parts.append(s[:room])
            self.size += min(len(s), room)
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def text(self) -> str:
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n… ({self.dropped:,} more characters of output not kept)"
        return out



def _plain(value: Any) -> Any:
    """Numbers from numpy/TensorFlow as plain floats (JSON cannot hold the others); a
    one-element array too, such as ``model.predict(x)[0]`` (numpy 2 refuses ``float()``
    of an array with dimensions)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        pass
    try:
        import numpy as np

        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError, ImportError):
        return None
    return float(array.reshape(-1)[0]) if array.size == 1 else None


def _keras(version: int, callback: Any = None) -> Any:
    """The Keras a callback belongs to: ``tf_keras`` (Keras 2) when it derives from its
    Callback, or for a Keras 2 assignment; ``keras`` otherwise."""
    legacy = any(c.__module__.startswith("tf_keras") for c in type(callback).__mro__)
    if legacy or (version == 2 and callback is None):
        try:
            import tf_keras

            return tf_keras
        except ImportError:
            pass
    import keras

    return keras


def _probe_model(keras: Any, metrics: list[str]) -> Any:
    """A real, small, compiled model, as the one ``fit`` would hand a callback."""
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=list(metrics))
    model.stop_training = False
    return model


def keras_logs(logs: dict[str, Any], version: int) -> dict[str, Any]:
    """The logs Keras hands ``on_epoch_end``: under Keras 2 ``acc`` mirrors ``accuracy``."""
    out = {str(k): float(v) for k, v in logs.items()}
    if version == 2:
        for key in list(out):
            if key == "accuracy" or key.endswith("_accuracy"):
                out.setdefault(key[: -len("uracy")], out[key])
    return out


def probe_callback(make: Any, sequences: list[list[Any]], metrics: list[str] | None = None,
                   keras_version: int = 3, robust: list[list[Any]] | None = None,
                   ) -> list[dict[str, Any]]:
    """Feed each ``logs`` sequence to a fresh callback the way ``model.fit`` does; observe.

    Each callback gets ``set_model`` (a real compiled model), ``set_params``,
    ``on_train_begin``, per epoch ``on_epoch_begin``, one batch and ``on_epoch_end(epoch,
    logs)`` with a dict of ``loss`` and the metrics, and ``on_train_end``; an epoch after
    which ``model.stop_training`` is true ends the run, as in ``fit``. ``robust`` sequences
    are fed as given (None logs, old key names, extra keys) for the robustness check.
    Observations only: the epoch it stopped at (or None), what it printed, the error it
    raised (and in which call), never a verdict.
    """
    metrics = ["accuracy"] if metrics is None else list(metrics)
    runs = [(seq, False) for seq in sequences] + [(seq, True) for seq in robust or []]
    observations = []
    for sequence, raw in runs:
        callback = make()
        keras = _keras(keras_version, callback)
        if not isinstance(callback, keras.callbacks.Callback):
            raise TypeError(f"expected a keras.callbacks.Callback, got {type(callback).__name__}")
        model = _probe_model(keras, metrics)
        seen: dict[str, Any] = {"stopped_at": None, "printed": [], "error": None,
                                "logs": sequence, "robust": raw}
        fed = [logs if raw else keras_logs(logs, keras_version) for logs in sequence]
        _run_fit(callback, model, fed, seen)
        observations.append(seen)
    return observations


def _run_fit(callback: Any, model: Any, fed: list[Any], seen: dict[str, Any]) -> None:
    """The callback calls of one ``fit`` over ``fed`` epochs; fills ``seen``.

    ``seen["printed"]`` holds one text per epoch run (what was printed before the first
    epoch goes with the first, what ``on_train_end`` printed with the last).
    """
    printed: list[str] = seen["printed"]
    pending = [""]

    def step(where: str, fn: Any, *args: Any) -> bool:
        out = Capture()
        old = sys.stdout
        sys.stdout = out
        try:
            fn(*args)
        except Exception as exc:
            seen["error"] = f"{type(exc).__name__}: {exc}"[:500]
            seen["error_in"] = where
        finally:
            sys.stdout = old
        if printed:
            printed[-1] = (printed[-1] + out.text())[:500]
        else:
            pending[0] = (pending[0] + out.text())[:500]
        return seen["error"] is None

    if not (step("set_model", callback.set_model, model)
            and step("set_params", callback.set_params,
                     {"verbose": 1, "epochs": len(fed), "steps": 1})
            and step("on_train_begin", callback.on_train_begin, {})):
        return
    last: Any = {}
    for epoch, logs in enumerate(fed):
        printed.append(pending[0] if epoch == 0 else "")
        batch = None if logs is None else {k: v for k, v in logs.items()
                                           if not str(k).startswith("val_")}
        if not (step("on_epoch_begin", callback.on_epoch_begin, epoch, {})
                and step("on_train_batch_begin", callback.on_train_batch_begin, 0, {})
                and step("on_train_batch_end", callback.on_train_batch_end, 0, batch)
                and step("on_epoch_end", callback.on_epoch_end, epoch, logs)):
            return
        last = logs
        if bool(getattr(model, "stop_training", False)):
            seen["stopped_at"] = epoch
            break
    step("on_train_end", callback.on_train_end, last)


#: TensorFlow functions used as activations (``activation=tf.nn.softmax``, as in the course
#: notes) and the identical Keras activation; Keras 3 cannot reload the TensorFlow ones.
TF_ACTIVATIONS = {"softmax_v2": "softmax", "softmax": "softmax", "relu": "relu",
                  "sigmoid": "sigmoid", "tanh": "tanh", "elu": "elu", "selu": "selu",
                  "softplus": "softplus", "softsign": "softsign", "swish": "silu",
                  "silu": "silu", "gelu": "gelu", "relu6": "relu6", "exp": "exponential"}


def keras_activations(model: Any) -> None:
    """Give layers that use a TensorFlow activation function the same Keras function."""
    import keras

    for layer in model._flatten_layers(include_self=False):
        fn = getattr(layer, "activation", None)
        module = getattr(fn, "__module__", "") or ""
        if callable(fn) and not module.startswith("keras"):
            name = TF_ACTIVATIONS.get(getattr(fn, "__name__", ""))
            if name is not None:
                layer.activation = keras.activations.get(name)


def save_model(model: Any, path: str) -> None:
    """Save a Keras model as ``.keras`` data (activations made loadable first)."""
    keras_activations(model)
    model.save(path)


#: images of each generator's first batch sent back as an array (the labels all go back)
MAX_BATCH_IMAGES = 16
MAX_LABELS = 4096


def _first_batch(gen: Any) -> Any:
    """The first batch of a Keras generator, a ``tf.data.Dataset`` or any iterable."""
    if hasattr(gen, "__getitem__") and hasattr(gen, "__len__") and not isinstance(
            gen, (list, tuple, dict)):
        return gen[0]  # a PyDataset/DirectoryIterator: batch 0, without starting a thread
    return next(iter(gen))


def observe_generator(gen: Any, outbox: str | None = None,
                      stem: str = "") -> tuple[list[str], dict[str, Any]]:
    """Take the first batch of an image generator or a ``tf.data.Dataset``.

    The batch goes back as arrays (``.npy``: at most MAX_BATCH_IMAGES images, every label)
    for the grader to measure; beside them, what the generator says of itself (its class
    mode, sample count, …: claims). With no outbox (the notebook's own check), the arrays
    are kept in memory under ``"x"``/``"y"``.
    """
    import numpy as np

    batch = _first_batch(gen)
    if isinstance(batch, dict):
        raise TypeError("the generator gives a dict of inputs; give (images, labels) pairs")
    x, y = (batch[0], batch[1]) if isinstance(batch, (tuple, list)) and len(batch) > 1 else (
        batch, None)
    x = np.asarray(x)
    y = None if y is None else np.asarray(y)
    for name, arr in (("images", x), ("labels", y)):
        if arr is not None and arr.dtype == object:
            raise TypeError(f"the generator's {name} are not an array of numbers")
    seen: dict[str, Any] = {"type": type(gen).__name__, "batch": int(x.shape[0]) if x.ndim else 0}
    for attr in ("batch_size", "samples", "class_mode", "target_size", "class_indices"):
        value = getattr(gen, attr, None)
        if isinstance(value, tuple):
            value = list(value)
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            value = str(value)[:200]
        seen[attr] = value
    files: list[str] = []
    if seen["samples"] is None and isinstance(getattr(gen, "file_paths", None), list):
        seen["samples"] = len(gen.file_paths)  # image_dataset_from_directory
    names = getattr(gen, "class_names", None)
    if seen["class_indices"] is None and isinstance(names, list):
        seen["class_indices"] = {str(n): i for i, n in enumerate(names)}
    images = np.ascontiguousarray(x[:MAX_BATCH_IMAGES] if x.ndim else x)
    labels = None if y is None else np.ascontiguousarray(y[:MAX_LABELS])
    if outbox is None:
        seen["x"], seen["y"] = images, labels
        return files, seen
    for part, arr in (("x", images), ("y", labels)):
        if arr is None:
            seen[f"{part}_file"] = None
            continue
        name = f"{stem}_{part}.npy"
        np.save(os.path.join(outbox, name), arr, allow_pickle=False)
        seen[f"{part}_file"] = name
        files.append(name)
    return files, seen


def describe_history(history: Any) -> dict[str, Any]:
    """A History as plain data: the metrics per epoch, epochs planned and run, steps."""
    params = getattr(history, "params", None) or {}
    return {
        "history": {str(k): [_plain(v) for v in vs]
                    for k, vs in (getattr(history, "history", None) or {}).items()},
        "epochs": params.get("epochs"),
        "steps": params.get("steps"),
        "epochs_run": len(getattr(history, "epoch", None) or ()),
    }


#: the model the latest ``fit`` call trained, and what that call returned (see remember_fit)
LAST_FIT: dict[str, Any] = {}


def remember_fit() -> bool:
    """Make ``Model.fit`` remember the model it trains (for ``record: last_fit``).

    A minimal wrapper: it notes the model (and, once fit returns, its History) and calls
    Keras' own fit unchanged. Keras 3 is patched, and Keras 2 (``tf_keras``) too when the
    run uses it. Returns whether any Keras could be patched.
    """
    import importlib

    names = ["keras"]
    if "tf_keras" in sys.modules or os.environ.get("TF_USE_LEGACY_KERAS") == "1":
        names.append("tf_keras")
    patched = False
    for name in names:
        try:
            model_class = importlib.import_module(name).Model
        except (ImportError, AttributeError):
            continue
        patched = True
        original = model_class.fit
        if getattr(original, "_autograder_remembers", False):
            continue
        model_class.fit = _remembering(original)
    return patched


def _remembering(original: Any) -> Any:
    def fit(self: Any, *args: Any, **kwargs: Any) -> Any:
        LAST_FIT.clear()
        LAST_FIT["model"] = self
        history = original(self, *args, **kwargs)
        if LAST_FIT.get("model") is self:
            LAST_FIT["history"] = history
        return history

    fit._autograder_remembers = True  # type: ignore[attr-defined]
    fit.__doc__ = original.__doc__
    return fit


def record_last_fit(outbox: str, ex: str, result: Any) -> tuple[list[str], Any]:
    """What the call returned (plain data) and the last model ``fit`` trained during it,
    saved like ``record: model``, with that fit's History described."""
    model = LAST_FIT.get("model")
    if model is None:
        raise RuntimeError(f"{ex} ran no model.fit(...): the grader needs the model it "
                           "trained")
    returned = result
    if not isinstance(result, (str, int, float, bool, list, dict, type(None))):
        returned = _plain(result)  # a numpy or TensorFlow number
    json.dumps(returned)
    name = f"{ex}.keras"
    save_model(model, os.path.join(outbox, name))
    value = describe_history(LAST_FIT.get("history"))
    value["returned"] = returned
    return [name], value


def record_result(outbox: str, ex: str, kind: str, result: Any) -> tuple[list[str], Any]:
    """Write what an exercise returned as data files; return their names and a JSON value.

    ``arrays``: each array as ``.npy`` (no pickles); ``model``: a Keras model as ``.keras``;
    ``value``: plain JSON data; ``generators``: one batch of each, described. The grader
    and the notebook's ``check()`` both use this.
    """
    if kind == "arrays":
        import numpy as np

        items = list(result) if isinstance(result, (tuple, list)) else [result]
        files = []
        for i, item in enumerate(items):
            arr = np.asarray(item)
            if arr.dtype == object:
                raise TypeError(f"item {i + 1} of what {ex} returned is not an array of "
                                f"numbers (it is {type(item).__name__})")
            name = f"{ex}_{i}.npy"
            np.save(os.path.join(outbox, name), arr, allow_pickle=False)
            files.append(name)
        return files, None
    if kind == "model":
        import keras

        if not isinstance(result, keras.Model):
            raise TypeError(f"{ex} should return a Keras model, it returned "
                            f"{type(result).__name__}")
        name = f"{ex}.keras"
        save_model(result, os.path.join(outbox, name))
        return [name], None
    if kind == "history":
        import keras

        if not isinstance(result, keras.callbacks.History):
            raise TypeError(f"{ex} should return the History that model.fit(...) returns, "
                            f"it returned {type(result).__name__}")
        name = f"{ex}.keras"
        save_model(result.model, os.path.join(outbox, name))
        return [name], describe_history(result)
    if kind == "last_fit":
        return record_last_fit(outbox, ex, result)
    if kind == "generators":  # the first batch of each generator; nothing judged here
        items = list(result) if isinstance(result, (tuple, list)) else [result]
        files, seen = [], []
        for i, gen in enumerate(items):
            names, claims = observe_generator(gen, outbox, f"{ex}_gen{i}")
            files += names
            seen.append(claims)
        return files, seen
    json.dumps(result)  # only plain data goes back: numbers, text, lists, mappings
    return [], result
