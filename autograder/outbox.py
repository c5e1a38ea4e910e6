"""Reading the sandbox's outbox on the trusted side: data only, validated, size-capped.

Nothing that comes back is executed, imported or unpickled. Arrays load with
``allow_pickle=False``; a Keras model's config is inspected (every class must come from
Keras itself) before it is loaded with ``safe_mode=True``. The grader then recomputes the
layer table, parameter counts and compile settings from the loaded model.
"""

from __future__ import annotations

import contextlib
import inspect
import json
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

from autograder.execution import Execution
from autograder.facts import (
    ERROR,
    KILLED,
    MISSING,
    NOT_RUN,
    OK,
    TIMEOUT,
    ExerciseFacts,
    LayerRow,
    ModelFacts,
)

FILE_NAME = re.compile(r"^[A-Za-z0-9_]{1,80}\.(npy|keras)$")
MAX_RECORD_BYTES = 1_000_000
MAX_ARRAY_BYTES = 200_000_000
MAX_MODEL_BYTES = 1_500_000_000
MAX_CONFIG_BYTES = 16 * 2**20  # a model's config.json, unpacked
MAX_MEMBERS = 10_000  # files in a .keras archive
MAX_FILES = 1_000  # data files in one exercise's record
MAX_TEXT = 20_000
PREDICT_BYTES = 64 * 2**20  # float32 activations of one layer, for one predict call
STATUSES = {OK, ERROR, MISSING, TIMEOUT, KILLED, NOT_RUN}


class OutboxError(Exception):
    """Something in the outbox is not what the harness writes; the message says what."""


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _output(value: Any, tail: int = 500) -> str:
    """A record's captured output, capped; its end is kept (the harness's notes are there)."""
    if not isinstance(value, str) or len(value) <= MAX_TEXT:
        return _text(value)
    return value[:MAX_TEXT - tail] + "\n…\n" + value[-tail:]


def _file(outbox: Path, name: Any, limit: int) -> Path:
    if not isinstance(name, str) or not FILE_NAME.match(name):
        raise OutboxError(f"unexpected file name in the outbox: {str(name)[:80]!r}")
    path = outbox / name
    if path.is_symlink() or not path.is_file():
        raise OutboxError(f"{name} is missing or not a regular file")
    if path.stat().st_size > limit:
        raise OutboxError(f"{name} is larger than {limit // 2**20} MB")
    return path


def read_record(outbox: Path, entry: dict[str, Any]) -> dict[str, Any]:
    """The JSON record for one exercise (validated), or the runner's own record."""
    if "file" not in entry:
        return entry  # written by the grader itself (timeout, killed, not run)
    path = outbox / str(entry["file"])
    if (path.is_symlink() or not path.is_file()
            or path.stat().st_size > MAX_RECORD_BYTES):
        raise OutboxError("the exercise record is not a plain file of sensible size")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError as exc:  # "[[[[…]]]]": the sandbox did not write that
        raise OutboxError("the exercise record is nested too deeply") from exc
    if not isinstance(data, dict) or data.get("status") not in STATUSES:
        raise OutboxError("the exercise record is malformed")
    return data


def exercise_facts(execution: Execution, exercise_id: str, record_kind: str) -> ExerciseFacts:
    """Build the facts for one exercise from the execution's records and files."""
    entry = execution.records.get(
        exercise_id, {"status": NOT_RUN, "reason": "not run: the run ended before this exercise"}
    )
    try:
        rec = read_record(execution.outbox, entry)
    except (OSError, ValueError, OutboxError) as exc:
        return ExerciseFacts(ERROR, f"the grader could not read this exercise's result: {exc}")
    status = rec.get("status")
    seconds = rec.get("seconds", 0.0)
    seconds = float(seconds) if isinstance(seconds, (int, float)) else 0.0
    stdout = _output(rec.get("stdout"))
    if status != OK:
        return ExerciseFacts(str(status), exercise_message(rec), stdout, seconds)
    try:
        files = rec.get("files") or []
        if not isinstance(files, list) or len(files) > MAX_FILES:
            raise OutboxError("the file list is malformed")
        if len(set(map(str, files))) != len(files):  # one 200 MB file, loaded 1000 times?
            raise OutboxError("the file list names a file twice")
        if record_kind == "arrays":
            arrays = tuple(load_array(_file(execution.outbox, f, MAX_ARRAY_BYTES))
                           for f in files)
            return ExerciseFacts(OK, "", stdout, seconds, arrays=arrays)
        value = rec.get("value")
        json.dumps(value)
        if record_kind == "generators":
            return ExerciseFacts(OK, "", stdout, seconds, value=generator_batches(
                execution.outbox, value, files))
        if record_kind in ("model", "history", "last_fit"):
            if len(files) != 1:
                raise OutboxError("expected one model file")
            model = load_model(_file(execution.outbox, files[0], MAX_MODEL_BYTES))
            return ExerciseFacts(OK, "", stdout, seconds, model=model,
                                 value=value if record_kind in ("history", "last_fit") else None)
        return ExerciseFacts(OK, "", stdout, seconds, value=value)
    except Exception as exc:  # the grader refused or failed to read what came back
        return ExerciseFacts(ERROR, f"the grader could not read what {exercise_id} returned: "
                                    f"{exc}", stdout, seconds)


def exercise_message(rec: dict[str, Any]) -> str:
    """The student-facing message for an exercise that did not return normally."""
    status = rec.get("status")
    if status == MISSING:
        names = rec.get("names") or []
        first = names[0] if names else "the function"
        return (f"{first} is not defined: the exercise cell is missing, or the function was "
                "renamed. Keep the name used in the assignment"
                + (f" (accepted: {', '.join(map(str, names))})" if len(names) > 1 else ""))
    if status in (TIMEOUT, KILLED, NOT_RUN):
        return _text(rec.get("reason"), 500) or str(status)
    err = rec.get("error") if isinstance(rec.get("error"), dict) else {}
    assert isinstance(err, dict)
    kind = _text(err.get("type"), 100)
    text = _text(err.get("text"), 4000)
    tb = _text(err.get("traceback"), 6000)
    when = "while defining it" if rec.get("phase") == "define" else "when called"
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 4:  # TensorFlow's errors list graph nodes first; the cause comes last
        text = " ".join(line.strip() for line in lines[-2:])
    if kind == "NotImplementedError":
        return ("not written yet: replace 'raise NotImplementedError()' with your code "
                "(between the comments that mark your part)")
    head = f"raised {kind} {when}: {text}" if text else f"raised {kind} {when}"
    if kind == "SyntaxError":
        head = f"has a syntax error: {text}"
    if kind == "SystemExit":
        head = f"called sys.exit() {when}; remove that call"
    return f"{head}\n{tb}".rstrip()


# --------------------------------------------------------------------------- arrays


def load_array(path: Path) -> np.ndarray:
    """A numeric array from a .npy file; pickled object arrays are refused, and so is a
    header that promises more (or less) data than the file holds, before any allocation."""
    fmt = np.lib.format
    with open(path, "rb") as fh:
        try:
            version = fmt.read_magic(fh)
            read_header = (fmt.read_array_header_1_0 if version == (1, 0)
                           else fmt.read_array_header_2_0)
            shape, _, dtype = read_header(fh)
        except ValueError as exc:
            raise OutboxError(f"{path.name} is not a .npy file ({exc})") from exc
        if dtype.hasobject:
            raise OutboxError(f"{path.name} holds Python objects (a pickle), not numbers; "
                              "it was not loaded")
        expected = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
        if expected != path.stat().st_size - fh.tell():
            raise OutboxError(f"{path.name} does not hold the data its header describes")
    arr = np.load(path, allow_pickle=False)
    if not isinstance(arr, np.ndarray):
        raise OutboxError(f"{path.name} is not a plain array")
    return arr


def generator_batches(folder: Path, claims: Any, files: list[Any]) -> list[dict[str, Any]]:
    """Each generator's first batch, read from its arrays and measured by the grader."""
    from autograder.checks.generators import describe_batch

    if not isinstance(claims, list) or not all(isinstance(c, dict) for c in claims):
        raise OutboxError("the generators' record is malformed")
    seen = []
    for claim in claims:
        arrays: list[np.ndarray | None] = []
        for part in ("x_file", "y_file"):
            name = claim.get(part)
            if name is None and part == "y_file":
                arrays.append(None)
                continue
            if name not in files:
                raise OutboxError("a generator's batch is missing from the outbox")
            arrays.append(load_array(_file(folder, name, MAX_ARRAY_BYTES)))
        x, y = arrays
        assert x is not None
        seen.append(describe_batch(claim, x, y))
    return seen


# --------------------------------------------------------------------------- models


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
        if isinstance(module, str) and module and not _ALLOWED_MODULE.match(module):
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
        if zf.getinfo("metadata.json").file_size > MAX_RECORD_BYTES:
            return 3
        with zf.open("metadata.json") as fh:
            version = json.loads(fh.read(MAX_RECORD_BYTES)).get("keras_version")
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


def load_model(path: Path) -> ModelFacts:
    """Load a student's (or the solution's) model safely and read its facts."""
    keras = keras_module(inspect_keras_config(path))

    with warnings.catch_warnings():  # e.g. "Skipping variable loading for optimizer"
        warnings.simplefilter("ignore")
        model = keras.models.load_model(path, compile=True, safe_mode=True)
    layers = []
    for layer in model.layers:
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
            iterations = int(_scalar(opt.iterations))
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
