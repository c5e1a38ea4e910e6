"""Model files that come back from the sandbox are opened only as Keras' own .keras
archives, in safe mode: a legacy HDF5 file, a pickle or a config naming code outside Keras
is refused before Keras reads it."""

from __future__ import annotations

import json
import pickle
import zipfile
from pathlib import Path

import h5py
import numpy as np
import pytest

from autograder.modelfile import OutboxError, load_model

SENTINEL = "/tmp/autograder-model-file-sentinel"


def _keras_zip(path: Path, config: dict[str, object]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", json.dumps(config))
        zf.writestr("metadata.json", json.dumps({"keras_version": "3.15.1"}))
    return path


def test_a_legacy_hdf5_model_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.keras"
    with h5py.File(path, "w") as f:  # what model.save("model.h5") writes, renamed
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": {}})
        f.create_dataset("model_weights/dense/kernel", data=np.zeros((1, 1)))
    with pytest.raises(OutboxError, match=r"not a \.keras archive"):
        load_model(path)


def test_a_pickle_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.keras"
    path.write_bytes(pickle.dumps({"cmd": "touch " + SENTINEL}))
    with pytest.raises(OutboxError, match=r"not a \.keras archive"):
        load_model(path)
    assert not Path(SENTINEL).exists()


@pytest.mark.parametrize("node, message", [
    ({"module": "os", "class_name": "system", "config": {}}, "not part of Keras"),
    ({"module": "builtins", "class_name": "function", "config": "eval"}, "Keras cannot save"),
    ({"class_name": "__lambda__", "config": {"code": "AAAA"}}, "Python lambda"),
    ({"module": "keras.layers", "class_name": "Dense", "registered_name": "evil>Dense",
      "config": {}}, "custom object"),
])
def test_a_config_naming_code_outside_keras_is_refused(tmp_path: Path, node: dict[str, object],
                                                       message: str) -> None:
    config = {"module": "keras", "class_name": "Sequential",
              "config": {"layers": [node]}}
    with pytest.raises(OutboxError, match=message):
        load_model(_keras_zip(tmp_path / "model.keras", config))
