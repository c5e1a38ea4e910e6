"""Write the bundled Week 3 example submissions from the released notebook.

Rerun after a release changes:  .venv/bin/python examples/make_week3.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_week1 import write_examples

CONVOLVE = '''# GRADED FUNCTION: convolve
def convolve(image, kernel):
    """Apply a 3x3 filter to every pixel that has 8 neighbours; return (H-2, W-2) floats."""
    h, w = image.shape
    out = np.zeros((h - 2, w - 2))
    for i in range(3):
        for j in range(3):
            out += kernel[i, j] * image[i:i + h - 2, j:j + w - 2]
    return out'''

POOL = '''# GRADED FUNCTION: max_pool
def max_pool(image):
    """Keep the largest pixel of each 2x2 block; return (H//2, W//2)."""
    h, w = image.shape[0] // 2 * 2, image.shape[1] // 2 * 2
    return image[:h, :w].reshape(h // 2, 2, w // 2, 2).max(axis=(1, 3))'''

CNN = '''# GRADED FUNCTION: create_cnn
def create_cnn():
    """Return the compiled two-convolution network of the lecture."""
    model = tf.keras.models.Sequential([
        tf.keras.layers.Conv2D(64, (3, 3), activation='relu', input_shape=(28, 28, 1)),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Conv2D(64, (3, 3), activation='relu'),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(128, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax'),
    ])
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    return model'''

JOURNEY = '''# GRADED FUNCTION: layer_activations
def layer_activations(model, image):
    """Return [output of layer 1, output of layer 2, ...] for one 28x28 image."""
    outputs = [layer.output for layer in model.layers]
    activation_model = tf.keras.models.Model(inputs=model.inputs, outputs=outputs)
    batch = image[np.newaxis, :, :, np.newaxis]
    return [a[0] for a in activation_model.predict(batch, verbose=0)]'''

TRAIN = '''# GRADED FUNCTION: train_cnn
def train_cnn(images, labels):
    """Train create_cnn() for at most 3 epochs; return the History."""
    model = create_cnn()
    return model.fit(images.reshape(-1, 28, 28, 1), labels, epochs=2, verbose=0)'''

RIGHT = {"convolve": CONVOLVE, "max_pool": POOL, "create_cnn": CNN,
         "layer_activations": JOURNEY, "train_cnn": TRAIN}

EXAMPLES: dict[str, dict[str, str]] = {
    "correct": RIGHT,
    # the filter turned around, and the border kept in the pooling's input sizes
    "flipped_filter": RIGHT | {
        "convolve": CONVOLVE.replace("kernel[i, j]", "kernel[2 - i, 2 - j]"),
        "max_pool": POOL.replace(".max(axis=(1, 3))", ".mean(axis=(1, 3))"),
    },
    # output the same size as the image (border left at zero), as in the course notebook
    "keeps_border": RIGHT | {
        "convolve": '''# GRADED FUNCTION: convolve
def convolve(image, kernel):
    """Apply a 3x3 filter to every pixel that has 8 neighbours."""
    out = np.zeros(image.shape)
    for x in range(1, image.shape[0] - 1):
        for y in range(1, image.shape[1] - 1):
            out[x, y] = np.sum(image[x - 1:x + 2, y - 1:y + 2] * kernel)
    return out''',
    },
    # input shape without the channel axis
    "missing_channel": RIGHT | {
        "create_cnn": CNN.replace("input_shape=(28, 28, 1)", "input_shape=(28, 28)"),
    },
    "untouched_release": {},
}

if __name__ == "__main__":
    write_examples("week3", EXAMPLES)
