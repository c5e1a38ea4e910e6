"""Write the bundled Week 2 example submissions from the released notebook.

Rerun after a release changes:  .venv/bin/python examples/make_week2.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_week1 import write_examples

NORMALIZE = '''# GRADED FUNCTION: normalize
def normalize(images):
    """Return the images as floats between 0 and 1."""
    return images.astype("float32") / 255.0'''

MODEL = '''# GRADED FUNCTION: create_model
def create_model():
    """Return the compiled Flatten → Dense(128, relu) → Dense(10, softmax) model."""
    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(28, 28)),
        tf.keras.layers.Dense(128, activation=tf.nn.relu),
        tf.keras.layers.Dense(10, activation=tf.nn.softmax),
    ])
    model.compile(optimizer=tf.optimizers.Adam(), loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    return model'''

LOSS = '''# GRADED CLASS: LossCallback
class LossCallback(tf.keras.callbacks.Callback):
    """Stop training once the loss drops below 0.4."""

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None and logs.get("loss", 1.0) < 0.4:
            print("\\nLoss is low so cancelling training!")
            self.model.stop_training = True'''

ACCURACY = '''# GRADED CLASS: AccuracyCallback
class AccuracyCallback(tf.keras.callbacks.Callback):
    """Stop training once the accuracy rises above 0.9."""

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        acc = logs.get("accuracy") or logs.get("acc") or 0.0
        if acc > 0.9:
            print("\\nReached 90% accuracy so cancelling training!")
            self.model.stop_training = True'''

TRAIN = '''# GRADED FUNCTION: train_model
def train_model(images, labels):
    """Train create_model() with LossCallback for at most 10 epochs; return the History."""
    model = create_model()
    return model.fit(images, labels, epochs=10, callbacks=[LossCallback()], verbose=0)'''

RIGHT = {"normalize": NORMALIZE, "create_model": MODEL, "LossCallback": LOSS,
         "AccuracyCallback": ACCURACY, "train_model": TRAIN}

EXAMPLES: dict[str, dict[str, str]] = {
    "correct": RIGHT,
    # the course notes' callback: logs={} default, crashes on logs=None, and 'acc' ignored
    "notes_callbacks": RIGHT | {
        "LossCallback": '''# GRADED CLASS: LossCallback
class LossCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs={}):
        if (logs.get('loss') < 0.4):
            print("\\nLoss is low so cancelling training!")
            self.model.stop_training = True''',
        "AccuracyCallback": '''# GRADED CLASS: AccuracyCallback
class AccuracyCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs={}):
        if logs.get('accuracy') > 0.9:
            print("\\nReached 90% accuracy so cancelling training!")
            self.model.stop_training = True''',
    },
    # pixels left between 0 and 255, and a callback that only prints
    "not_normalized": RIGHT | {
        "normalize": NORMALIZE.replace('images.astype("float32") / 255.0', "images"),
        "LossCallback": LOSS.replace("            self.model.stop_training = True\n", "")
                            .replace("            self.model.stop_training = True", ""),
        "train_model": TRAIN.replace("epochs=10", "epochs=2"),
    },
    # one output unit with sigmoid for ten classes
    "wrong_output_layer": RIGHT | {
        "create_model": MODEL.replace("tf.keras.layers.Dense(10, activation=tf.nn.softmax)",
                                      "tf.keras.layers.Dense(1, activation='sigmoid')"),
        "train_model": TRAIN.replace("epochs=10", "epochs=1"),
    },
    "untouched_release": {},
}

if __name__ == "__main__":
    write_examples("week2", EXAMPLES)
