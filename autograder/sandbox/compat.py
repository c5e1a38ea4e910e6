"""Keras 2 behaviour that older notebooks rely on, given under Keras 3 (sandbox side).

Copied beside ``harness.py`` into the run's private folder; imports nothing from the
grader. Each shim is minimal, applied once, and says what it did in ``NOTES`` so the
harness can put it in that exercise's feedback:

- ``fit_generator``/``evaluate_generator``/``predict_generator``: Keras 2 spellings, run
  as ``fit``/``evaluate``/``predict`` (the Keras 2-only arguments dropped);
- a ``PyDataset`` (an ``ImageDataGenerator``'s ``DirectoryIterator``, a ``Sequence``)
  asked for more steps per epoch than it holds batches: Keras 2 cycled it; Keras 3 ends
  the epoch early ("Your input ran out of data"), so the model trains far fewer steps.
  tf_keras 2.21 (``keras: 2``) stops training altogether there, where the Keras 2 of the
  older notebooks (``fit_generator``) went on: the same cycling is given to it.
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

#: what the shims did since the harness last took them (one line each, for feedback)
NOTES: list[str] = []

_KERAS2_ONLY = ("max_queue_size", "workers", "use_multiprocessing")
_FIT_GENERATOR_ORDER = ("steps_per_epoch", "epochs", "verbose", "callbacks", "validation_data",
                        "validation_steps", "validation_freq", "class_weight",
                        "max_queue_size", "workers", "use_multiprocessing", "shuffle",
                        "initial_epoch")
_EVALUATE_GENERATOR_ORDER = ("steps", "callbacks", "max_queue_size", "workers",
                             "use_multiprocessing", "verbose")


def _note(text: str) -> None:
    if text not in NOTES:
        NOTES.append(text)


def take_notes() -> list[str]:
    """The notes gathered since the last call (and forget them)."""
    notes = list(NOTES)
    NOTES.clear()
    return notes


def _keywords(name: str, order: tuple[str, ...], args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> dict[str, Any]:
    if len(args) > len(order):
        raise TypeError(f"{name}() takes at most {len(order) + 1} positional arguments")
    merged = dict(zip(order, args, strict=False))
    for key, value in kwargs.items():
        if key in merged:
            raise TypeError(f"{name}() got multiple values for argument {key!r}")
        merged[key] = value
    for key in _KERAS2_ONLY:
        merged.pop(key, None)
    return merged


def generator_methods(model_class: Any) -> bool:
    """Give Keras 3's Model the Keras 2 ``*_generator`` methods (each a call of the new one)."""
    if hasattr(model_class, "fit_generator"):
        return False

    def fit_generator(self: Any, generator: Any, *args: Any, **kwargs: Any) -> Any:
        _note("fit_generator is a Keras 2 spelling: Keras 3 writes model.fit(generator, ...); "
              "the grader ran it as fit")
        kwargs = _keywords("fit_generator", _FIT_GENERATOR_ORDER, args, kwargs)
        return self.fit(generator, **kwargs)

    def evaluate_generator(self: Any, generator: Any, *args: Any, **kwargs: Any) -> Any:
        _note("evaluate_generator is a Keras 2 spelling: Keras 3 writes "
              "model.evaluate(generator, ...); the grader ran it as evaluate")
        kwargs = _keywords("evaluate_generator", _EVALUATE_GENERATOR_ORDER, args, kwargs)
        return self.evaluate(generator, **kwargs)

    def predict_generator(self: Any, generator: Any, *args: Any, **kwargs: Any) -> Any:
        _note("predict_generator is a Keras 2 spelling: Keras 3 writes "
              "model.predict(generator, ...); the grader ran it as predict")
        kwargs = _keywords("predict_generator", _EVALUATE_GENERATOR_ORDER, args, kwargs)
        return self.predict(generator, **kwargs)

    model_class.fit_generator = fit_generator
    model_class.evaluate_generator = evaluate_generator
    model_class.predict_generator = predict_generator
    return True


def cycling_py_datasets() -> bool:
    """A PyDataset asked for more steps per epoch than it has batches cycles, as in Keras 2.

    Keras 3's epoch iterator asks its data adapter how many batches there are and ends the
    epoch there; the shim tells it "no end" for such an adapter, whose generator then
    takes batch ``i % len`` (calling ``on_epoch_end`` at each wrap, which reshuffles a
    ``DirectoryIterator`` as Keras 2 did between passes).
    """
    from keras.src.trainers import epoch_iterator
    from keras.src.trainers.data_adapters import py_dataset_adapter as pda

    adapter_class = pda.PyDatasetAdapter
    if getattr(adapter_class, "_autograder_cycles", False):
        return False
    original_iterator = adapter_class._get_iterator
    original_batches = adapter_class.num_batches
    original_init = epoch_iterator.EpochIterator.__init__

    def _get_iterator(self: Any) -> Any:
        length = getattr(self, "_autograder_cycle", None)
        if not length:
            return original_iterator(self)

        def cycle() -> Any:
            for i in itertools.count():
                if i and i % length == 0:
                    self.py_dataset.on_epoch_end()
                yield self._standardize_batch(self.py_dataset[i % length])

        return cycle()

    def num_batches(self: Any) -> Any:
        if getattr(self, "_autograder_cycle", None):
            return None
        return original_batches.fget(self)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        adapter = self.data_adapter
        if (isinstance(adapter, pda.PyDatasetAdapter) and adapter.enqueuer is None
                and self.steps_per_epoch):
            length = adapter.py_dataset.num_batches
            if length and self.steps_per_epoch > length:
                adapter._autograder_cycle = length
                self._num_batches = None
                _note(f"{self.steps_per_epoch} steps were asked of a generator that holds "
                      f"{length} batch{'es' if length > 1 else ''}: Keras 3 would end each "
                      "pass early (\"Your input ran out of data\"); as Keras 2 did, the "
                      "grader cycled the generator")

    adapter_class._get_iterator = _get_iterator
    adapter_class.num_batches = property(num_batches)
    adapter_class._autograder_cycles = True
    epoch_iterator.EpochIterator.__init__ = __init__
    return True


def cycling_sequences() -> bool:
    """tf_keras: a ``Sequence`` asked for more steps per epoch than it has batches cycles
    (tf_keras would stop the whole training after the first pass)."""
    from tf_keras.src.engine import data_adapter

    adapter_class = data_adapter.KerasSequenceAdapter
    if getattr(adapter_class, "_autograder_cycles", False):
        return False
    original_init = adapter_class.__init__
    original_generator = adapter_class._handle_multiprocessing

    def __init__(self: Any, x: Any, *args: Any, **kwargs: Any) -> None:
        steps = kwargs.get("steps")
        length = len(x) if hasattr(x, "__len__") else 0
        self._autograder_cycle = length if steps and length and steps > length else 0
        if self._autograder_cycle:
            _note(f"{steps} steps were asked of a generator that holds {length} "
                  f"batch{'es' if length > 1 else ''}: tf_keras would stop training after "
                  "one pass (\"Your input ran out of data\"); as the Keras 2 of "
                  "fit_generator did, the grader cycled the generator")
        original_init(self, x, *args, **kwargs)

    def _handle_multiprocessing(self: Any, x: Any, workers: int, use_multiprocessing: bool,
                                max_queue_size: int) -> Any:
        length = getattr(self, "_autograder_cycle", 0)
        if not length:
            return original_generator(self, x, workers, use_multiprocessing, max_queue_size)

        def generator_fn() -> Any:
            for i in itertools.count():
                if i and i % length == 0:
                    x.on_epoch_end()
                yield x[i % length]

        return generator_fn

    adapter_class.__init__ = __init__
    adapter_class._handle_multiprocessing = _handle_multiprocessing
    adapter_class._autograder_cycles = True
    return True


def apply() -> list[str]:
    """Apply every shim Keras 3 needs for Keras 2 habits; what was applied, for the record."""
    applied: list[str] = []
    if "keras" not in sys.modules and "tensorflow" not in sys.modules:
        return applied  # no Keras in use (yet): importing it would cost seconds
    try:
        import keras

        if not str(getattr(keras, "__version__", "3")).startswith("3"):  # tf_keras
            if cycling_sequences():
                applied.append("generators cycle when steps_per_epoch exceeds their batches")
            return applied
        if generator_methods(keras.Model):
            applied.append("Keras 2 fit_generator/evaluate_generator/predict_generator")
        if cycling_py_datasets():
            applied.append("generators cycle when steps_per_epoch exceeds their batches")
    except Exception:
        pass
    return applied
