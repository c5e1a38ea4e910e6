"""Datasets, resolved offline first, loaded only on the trusted side.

Fashion-MNIST is looked for in the Keras cache (``$KERAS_HOME`` or ``~/.keras``), then in
Debian's ``dataset-fashion-mnist`` location, then in ``$AUTOGRADER_DATA/fashion-mnist``;
only then does Keras download it. A missing dataset is a message saying how to get it.

The grader hands the sandbox only the slices an exercise is given (written as ``.npy``
into the run's folder); held-out data used to judge a model never enters the sandbox.
"""

from __future__ import annotations

import functools
import gzip
import os
from pathlib import Path
from typing import Any

import numpy as np

from autograder.errors import GraderError

FASHION_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
DEBIAN = Path("/usr/share/datasets/fashion-mnist")
KNOWN = ("fashion_mnist", "horses_or_humans")
IMAGE_FILES = ("horses_or_humans",)  # datasets handed to the sandbox as image files
#: each dataset's splits, and its class labels in label order (what course.yaml may name)
SPLITS = {"fashion_mnist": ("train", "test"),
          "horses_or_humans": ("train", "validation", "predict", "heldout")}
LABELS = {"fashion_mnist": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                            "Shirt", "Sneaker", "Bag", "Ankle boot"),
          "horses_or_humans": ("horse", "human")}


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
    if dataset == "horses_or_humans":  # image paths (as text) and labels
        from autograder import horses_humans

        return horses_humans.load(split, limit)
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
    from autograder import horses_humans

    return horses_humans.write_part(split, limit, part, dest)


def describe(dataset: str) -> str:
    """Which copy of a dataset is in use, in words (for the grading notes)."""
    if dataset == "horses_or_humans":
        from autograder import horses_humans

        return f"data: {dataset} is {horses_humans.source()}"
    return f"data: {dataset}"
