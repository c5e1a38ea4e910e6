"""A Keras model file from the sandbox, on the trusted side: inspected, then loaded safely.

The archive is checked before Keras opens it (size, member count, names; every class in its
config must come from Keras itself; no Lambda layer; functions only where they are Keras'
own losses, metrics or activations, saved by name), then loaded with ``safe_mode=True`` by
the Keras generation that wrote it. The grader recomputes the layer table, parameter counts
and compile settings from the loaded model.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
import math
import os
import re
import sys
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from autograder.facts import LayerRow, ModelFacts

MAX_MODEL_BYTES = 1_500_000_000
MAX_CONFIG_BYTES = 16 * 2**20  # a model's config.json, unpacked
MAX_MEMBERS = 10_000  # files in a .keras archive
MAX_METADATA_BYTES = 1_000_000  # its metadata.json
PREDICT_BYTES = 64 * 2**20  # float32 activations of one layer, for one predict call


class OutboxError(Exception):
    """Something in the outbox is not what the harness writes; the message says what."""

def keras_module(generation: int = 3) -> Any:
    """Import Keras in the grader (``generation`` 2: tf_keras, for models a Keras 2 run
    saved), without TensorFlow's start-up log lines on stderr.

    TensorFlow's C++ logger prints them whatever TF_CPP_MIN_LOG_LEVEL says; they are not
    errors, and a grader's output should hold only what concerns the grades. Both
    generations live side by side in the grader's process.
    """
    name = "tf_keras" if generation == 2 else "keras"
    if name in sys.modules:
        return sys.modules[name]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import keras

        # the devices are looked for on first use; TensorFlow's C++ logger then reports a
        # missing GPU on stderr whatever its log level: look now, while stderr is closed
        with contextlib.suppress(Exception):
            keras.ops.convert_to_tensor(0.0)
        if generation == 2:
            import tf_keras  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    return sys.modules[name]

_ALLOWED_MODULE = re.compile(r"^keras(\.[A-Za-z0-9_]+)*$")
#: tf_keras saves some of its own classes under its own name (``tf_keras.src.engine.
#: functional`` for a model built with ``keras.Model(inputs, outputs)``)
_ALLOWED_MODULE_2 = re.compile(r"^(tf_)?keras(\.[A-Za-z0-9_]+)*$")


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for v in node.values():
            yield from _walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from _walk(v)


#: where Keras looks up a plain function saved by name (module "builtins"), as it reloads it
KERAS_FUNCTION_MODULES = ("losses", "metrics", "activations")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,80}$")


def keras_function(name: Any) -> bool:
    """Whether ``name`` is one of Keras' own loss, metric or activation functions.

    ``loss=keras.losses.binary_crossentropy`` is saved as the function's bare name; Keras
    reloads it from ``keras.losses`` (or ``metrics``, ``activations``), never from anywhere
    else, so such a name is safe. Any other function name is refused.
    """
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        return False
    keras = keras_module()
    for module_name in KERAS_FUNCTION_MODULES:
        fn = vars(getattr(keras, module_name)).get(name)
        if inspect.isfunction(fn) and name not in ("get", "serialize", "deserialize"):
            return True
    return False


def inspect_keras_config(path: Path) -> int:
    """Refuse a .keras file that names any class outside Keras itself (before loading);
    the Keras generation that saved it (2 or 3, from its metadata.json)."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            names = {m.filename for m in members}
            if "config.json" not in names:
                raise OutboxError("the model file has no config.json")
            if any(n.startswith("/") or ".." in n for n in names):
                raise OutboxError("the model file has unsafe member names")
            if len(members) > MAX_MEMBERS:
                raise OutboxError(f"the model file holds over {MAX_MEMBERS:,} files")
            if sum(m.file_size for m in members) > MAX_MODEL_BYTES:
                raise OutboxError("the model file unpacks to more than "
                                  f"{MAX_MODEL_BYTES // 2**20:,} MB")
            if zf.getinfo("config.json").file_size > MAX_CONFIG_BYTES:
                raise OutboxError("the model's config.json is larger than "
                                  f"{MAX_CONFIG_BYTES // 2**20} MB")
            with zf.open("config.json") as fh:  # stops at the declared size, checks the CRC
                config = json.loads(fh.read(MAX_CONFIG_BYTES + 1))
            generation = saved_by(zf)
    except zipfile.BadZipFile as exc:
        raise OutboxError("the model file is not a .keras archive") from exc
    except RecursionError as exc:
        raise OutboxError("the model's config.json is nested too deeply") from exc
    allowed = _ALLOWED_MODULE_2 if generation == 2 else _ALLOWED_MODULE
    for node in _walk(config):
        if node.get("class_name") == "__lambda__":
            raise OutboxError("the model holds a Python lambda (a Lambda layer); the grader "
                              "does not run code stored in a model file")
        module = node.get("module")
        if module == "builtins" and node.get("class_name") == "function":
            if keras_function(node.get("config")) and node.get("registered_name") in (
                    None, "function"):
                continue  # Keras' own loss/metric function, saved by name
            raise OutboxError(
                f"the model uses the function {str(node.get('config'))[:60]!r} (as an "
                "activation, a loss or a metric), which is not one of Keras' own and which "
                "Keras cannot save and reload; use Keras' own by name, such as "
                "activation='relu' or loss='binary_crossentropy'"
            )
        if isinstance(module, str) and module and not allowed.match(module):
            raise OutboxError(
                f"the model uses {module}.{node.get('class_name')}, which is not part of Keras; "
                "build the model from Keras layers only"
            )
        registered = node.get("registered_name")
        if isinstance(registered, str) and ">" in registered:
            raise OutboxError(f"the model uses a custom object {registered!r}; build it from "
                              "Keras layers only")
    return generation


def saved_by(zf: zipfile.ZipFile) -> int:
    """The Keras generation that wrote a ``.keras`` archive: 2 (tf_keras) or 3.

    Read from its ``metadata.json`` (``keras_version``); a file without one is Keras 3's.
    Either way the grader loads it safely; the generation only picks the loader.
    """
    try:
        if zf.getinfo("metadata.json").file_size > MAX_METADATA_BYTES:
            return 3
        with zf.open("metadata.json") as fh:
            version = json.loads(fh.read(MAX_METADATA_BYTES)).get("keras_version")
    except (KeyError, ValueError, AttributeError, RecursionError):
        return 3
    return 2 if isinstance(version, str) and version.startswith("2.") else 3


def _scalar(value: Any) -> Any:
    """A variable's value as numpy, for a Keras 3 or a tf_keras (TensorFlow) variable."""
    numpy = getattr(value, "numpy", None)
    return np.asarray(numpy() if callable(numpy) else value)


def _activation(layer: Any) -> str | None:
    act = getattr(layer, "activation", None)
    if act is None:
        return None
    return str(getattr(act, "__name__", None) or type(act).__name__).lower()


def _shape(shape: Any) -> tuple[int | None, ...]:
    return tuple(None if d is None else int(d) for d in shape)


def _name_of(obj: Any) -> str | None:
    if obj is None:
        return None
    if isinstance(obj, str):
        return obj
    fn = getattr(obj, "fn", None)  # a LossFunctionWrapper
    if fn is not None and hasattr(fn, "__name__"):
        return str(fn.__name__)
    return str(getattr(obj, "__name__", None) or getattr(obj, "name", None) or type(obj).__name__)


def canonical_loss(loss: Any, keras: Any = None) -> str | None:
    """One name per loss, whichever way it was written ('mse', MeanSquaredError(), …),
    with either generation's ``keras`` (Keras 3's by default)."""
    if loss is None:
        return None
    keras = keras or keras_module()

    try:
        resolved = keras.losses.get(loss) if isinstance(loss, str) else loss
    except (ValueError, TypeError):
        return _name_of(loss)
    return _name_of(resolved)


#: the accuracy metrics: Keras turns 'accuracy' into the one that fits the loss
ACCURACY_FAMILY = {"acc", "accuracy", "binary_accuracy", "categorical_accuracy",
                   "sparse_categorical_accuracy"}


def canonical_metric(metric: Any) -> str:
    """One name per metric, whichever way it was written: 'accuracy', 'acc',
    ``BinaryAccuracy()`` and ``keras.metrics.binary_accuracy`` are all "accuracy" (Keras
    resolves 'accuracy' to the variant that fits the loss); 'mse' is "mean_squared_error"."""
    name: Any = metric
    if isinstance(metric, dict):  # serialized in the compile config: a class or a function
        inner = metric.get("config")
        if metric.get("class_name") == "function" or isinstance(inner, str):
            name = inner
        else:  # BinaryAccuracy -> binary_accuracy (its own name may be anything)
            name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", str(metric.get("class_name")))
            name = name.lower()
    elif not isinstance(metric, str):
        name = _name_of(metric)
    name = str(name)
    if name.lower() in ACCURACY_FAMILY:
        return "accuracy"
    try:
        resolved = keras_module().metrics.get(name)
    except (ValueError, TypeError):
        return name
    name = str(_name_of(resolved))
    return "accuracy" if name.lower() in ACCURACY_FAMILY else name


def predict_chunk(input_shape: tuple[int | None, ...] | None,
                  layers: Sequence[LayerRow]) -> int:
    """How many samples the grader feeds a model at once: as many as keep its largest
    layer output near ``PREDICT_BYTES`` (a dense network takes a whole test set in one
    call, a large convolutional one a few images; each call costs milliseconds)."""
    largest = max((math.prod(d or 1 for d in shape[1:])
                   for shape in (input_shape or (), *(r.output_shape for r in layers))
                   if shape), default=1)
    return max(1, PREDICT_BYTES // (4 * largest))


@contextlib.contextmanager
def _quiet_loading() -> Iterator[None]:
    """Keras' notes while it loads a model ("Skipping variable loading for optimizer …"),
    kept off the grader's console: Keras 3 gives them as warnings, tf_keras logs them through
    absl (the Python logger ``absl``) at WARNING. Errors still show."""
    absl = logging.getLogger("absl")
    level = absl.level
    absl.setLevel(max(level, logging.ERROR))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        absl.setLevel(level)


def load_model(path: Path) -> ModelFacts:
    """Load a student's (or the solution's) model safely and read its facts."""
    keras = keras_module(inspect_keras_config(path))

    with _quiet_loading():
        model = keras.models.load_model(path, compile=True, safe_mode=True)
    layers = []
    for layer in model.layers:
        if type(layer).__name__ == "InputLayer":
            continue  # a functional model lists its Input; the table is of real layers, as
            # for a Sequential model built with or without keras.Input
        try:
            out = _shape(layer.output.shape)
        except (AttributeError, ValueError):
            out = ()
        layers.append(LayerRow(
            type=type(layer).__name__,
            name=layer.name,
            output_shape=out,
            params=int(layer.count_params()),
            activation=_activation(layer),
            units=getattr(layer, "units", None) or getattr(layer, "filters", None),
        ))
    opt = getattr(model, "optimizer", None)
    compiled = bool(getattr(model, "compiled", getattr(model, "_is_compiled", False)))  # 3, 2
    compiled = compiled and opt is not None
    lr = iterations = None
    if compiled and opt is not None:
        try:
            lr = float(_scalar(opt.learning_rate))
        except Exception:
            lr = None
        try:
            # tf_keras' legacy optimizers (optimizers.legacy.Adam, advised for Apple
            # silicon in 2023) save no state in a .keras file: their count is unknown
            iterations = (None if ".legacy." in type(opt).__module__
                          else int(_scalar(opt.iterations)))
        except Exception:
            iterations = None
    metrics: tuple[str, ...] = ()
    if compiled:
        config = model.get_compile_config() or {}
        metrics = tuple(canonical_metric(m) for m in (config.get("metrics") or []))
    try:
        input_shape = _shape(model.inputs[0].shape) if model.inputs else None
    except (AttributeError, ValueError):
        input_shape = None

    chunk = predict_chunk(input_shape, layers)

    def predict(x: np.ndarray) -> np.ndarray:
        # calling the model directly: model.predict retraces a tf.function per model and
        # warns about it on stderr when a batch loads many students' models
        parts = [np.asarray(model(x[i:i + chunk], training=False))
                 for i in range(0, len(x), chunk)]
        return np.concatenate(parts) if parts else np.asarray(model.predict(x, verbose=0))

    return ModelFacts(
        layers=tuple(layers),
        total_params=int(model.count_params()),
        input_shape=input_shape,
        optimizer=type(opt).__name__ if compiled else None,
        learning_rate=lr,
        loss=canonical_loss(getattr(model, "loss", None), keras) if compiled else None,
        metrics=metrics,
        predict=predict,
        iterations=iterations,
    )
