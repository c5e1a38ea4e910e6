"""Datasets, resolved offline first, loaded only on the trusted side.

Fashion-MNIST is looked for in the Keras cache (``$KERAS_HOME`` or ``~/.keras``), then in
Debian's ``dataset-fashion-mnist`` location, then in ``$AUTOGRADER_DATA/fashion-mnist``;
only then does Keras download it. A missing dataset is a message saying how to get it.

The grader hands the sandbox only the slices an exercise is given (written as ``.npy``
into the run's folder); held-out data used to judge a model never enters the sandbox.

A course adds datasets of its own: its ``extra_checks`` module defines
``DATASETS = [DatasetSource(...)]``, registered when the course loads (``register``); then
course.yaml's ``data:`` and the checks' ``dataset:`` params know them like the grader's own.
"""

from __future__ import annotations

import functools
import gzip
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from autograder.errors import GraderError

FASHION_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
DEBIAN = Path("/usr/share/datasets/fashion-mnist")
#: every dataset's name (the grader's, then the courses' registered ones: kept up to date)
KNOWN = ["fashion_mnist"]
IMAGE_FILES: list[str] = []  # datasets handed to the sandbox as image files
#: each dataset's splits, and its class labels in label order (what course.yaml may name)
SPLITS: dict[str, tuple[str, ...]] = {
    "fashion_mnist": ("train", "test"),
}
LABELS: dict[str, tuple[str, ...]] = {
    "fashion_mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                      "Sneaker", "Bag", "Ankle boot"),
}


@dataclass(frozen=True)
class DatasetSource:
    """A dataset a course brings (loaded on the grader's trusted side only).

    ``load(split, limit)`` gives (inputs, labels): arrays, or for a dataset of image files
    the files' paths (as text) and their labels. ``write_part(split, limit, part, dest)``
    (image files only) copies a split for the sandbox and returns ``{"folder": path}`` (a
    sub-folder per class) or ``{"files": [paths]}``; ``describe()`` says which copy is in
    use; ``load_images(paths, (height, width))`` reads image files as the model sees them
    (RGB, divided by 255; the grader's own reader when absent).
    """

    name: str
    splits: tuple[str, ...]
    load: Callable[[str, int | None], tuple[np.ndarray, np.ndarray]]
    labels: tuple[str, ...] = ()
    write_part: Callable[[str, int | None, str, Path], dict[str, Any]] | None = None
    describe: Callable[[], str] | None = None
    load_images: Callable[[Any, tuple[int, int]], np.ndarray] | None = None


_COURSE: dict[str, DatasetSource] = {}


def register(sources: Iterable[DatasetSource]) -> None:
    """Make a course's datasets known (again: a course loaded twice replaces its own)."""
    for source in sources:
        if source.name in KNOWN and source.name not in _COURSE:
            raise GraderError(f"dataset {source.name!r} is the grader's own; give the "
                              "course's dataset another name")
        _COURSE[source.name] = source
        if source.name not in KNOWN:
            KNOWN.append(source.name)
        if source.write_part is not None and source.name not in IMAGE_FILES:
            IMAGE_FILES.append(source.name)
        SPLITS[source.name] = tuple(source.splits)
        LABELS[source.name] = tuple(source.labels)


def load_images(dataset: str, paths: Any, size: tuple[int, int]) -> np.ndarray:
    """A dataset's image files as its model sees them (RGB, resized, divided by 255)."""
    source = _COURSE.get(dataset)
    if source is not None and source.load_images is not None:
        return source.load_images(paths, size)
    return read_images(paths, size)


def read_images(paths: Any, size: tuple[int, int]) -> np.ndarray:
    """Image files as Keras' generators give them: RGB, resized (nearest), divided by 255."""
    from PIL import Image

    out = np.empty((len(paths), size[0], size[1], 3), dtype=np.float32)
    for i, path in enumerate(paths):
        with Image.open(path) as img:
            rgb = img.convert("RGB")
            if rgb.size != (size[1], size[0]):
                rgb = rgb.resize((size[1], size[0]), Image.Resampling.NEAREST)
            out[i] = np.asarray(rgb, dtype=np.float32) / 255.0
    return out


def _candidates() -> list[Path]:
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    found = [keras_home / "datasets" / "fashion-mnist", DEBIAN]
    if "AUTOGRADER_DATA" in os.environ:
        found.append(Path(os.environ["AUTOGRADER_DATA"]) / "fashion-mnist")
    return found


def fashion_mnist_folder() -> Path | None:
    """The first folder holding all four Fashion-MNIST files, or None."""
    names = [n for pair in FASHION_FILES.values() for n in pair]
    for folder in _candidates():
        if all((folder / n).is_file() for n in names):
            return folder
    return None


def _idx(path: Path, offset: int) -> np.ndarray:
    with gzip.open(path, "rb") as fh:
        return np.frombuffer(fh.read(), np.uint8, offset=offset)


@functools.lru_cache(maxsize=4)
def fashion_mnist(split: str) -> tuple[np.ndarray, np.ndarray]:
    """Images (uint8, N by 28 by 28) and labels (uint8, N) of ``train`` or ``test``."""
    if split not in FASHION_FILES:
        raise GraderError(f"fashion_mnist has splits train and test, not {split!r}")
    folder = fashion_mnist_folder()
    if folder is None:
        try:
            import keras

            (xtr, ytr), (xte, yte) = keras.datasets.fashion_mnist.load_data()
        except Exception as exc:
            raise GraderError(
                "Fashion-MNIST is not available offline and could not be downloaded "
                f"({type(exc).__name__}). Install Debian's package: "
                "'apt-get install dataset-fashion-mnist', or put the four .gz files in "
                "$AUTOGRADER_DATA/fashion-mnist/ (or ~/.keras/datasets/fashion-mnist/)"
            ) from exc
        return (xtr, ytr) if split == "train" else (xte, yte)
    images_file, labels_file = FASHION_FILES[split]
    labels = _idx(folder / labels_file, 8)
    images = _idx(folder / images_file, 16).reshape(len(labels), 28, 28)
    return images, labels


def load(dataset: str, split: str, limit: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """A dataset split, optionally its first ``limit`` examples."""
    if dataset in _COURSE:
        return _COURSE[dataset].load(split, limit)
    if dataset != "fashion_mnist":
        raise GraderError(f"unknown dataset {dataset!r}; known: {', '.join(KNOWN)}")
    x, y = fashion_mnist(split)
    return (x[:limit], y[:limit]) if limit else (x, y)


def write_files(dataset: str, split: str, limit: int | None, part: str,
                dest: Path) -> dict[str, Any]:
    """Copy an image dataset's files for the sandbox: ``{"folder": …}`` (one sub-folder per
    class) or ``{"files": […]}`` (neutral names; the labels stay with the grader)."""
    if dataset not in IMAGE_FILES:
        raise GraderError(f"{dataset} is not a dataset of image files")
    course = _COURSE.get(dataset)
    if course is None or course.write_part is None:
        raise GraderError(f"{dataset} is not a dataset of image files")
    return course.write_part(split, limit, part, dest)


def describe(dataset: str) -> str:
    """Which copy of a dataset is in use, in words (for the grading notes)."""
    course = _COURSE.get(dataset)
    if course is not None and course.describe is not None:
        return f"data: {dataset} is {course.describe()}"
    return f"data: {dataset}"
