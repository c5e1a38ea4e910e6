"""Write the bundled Week 4 example submissions from the released notebook.

The examples use IMAGE_SIZE (the setup constant) rather than 300, as the solution does,
so a test copy of the course can grade them on smaller images.
Rerun after a release changes:  .venv/bin/python examples/make_week4.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_week1 import write_examples

GENERATORS = '''# GRADED FUNCTION: make_generators
def make_generators(train_dir, validation_dir):
    """Return (train_generator, validation_generator) over the two folders."""
    train_datagen = ImageDataGenerator(rescale=1./255)
    train_generator = train_datagen.flow_from_directory(
        train_dir,
        target_size=(IMAGE_SIZE, IMAGE_SIZE),
        batch_size=128,
        class_mode='binary'
    )
    test_datagen = ImageDataGenerator(rescale=1./255)
    validation_generator = test_datagen.flow_from_directory(
        validation_dir,
        target_size=(IMAGE_SIZE, IMAGE_SIZE),
        batch_size=32,
        class_mode='binary'
    )
    return train_generator, validation_generator'''

MODEL = '''# GRADED FUNCTION: create_model
def create_model():
    """Return the three-convolution network for IMAGE_SIZE x IMAGE_SIZE colour images."""
    model = tf.keras.models.Sequential([
        tf.keras.layers.Conv2D(16, (3,3), activation='relu',
                               input_shape=(IMAGE_SIZE, IMAGE_SIZE, 3)),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Conv2D(32, (3,3), activation='relu'),
        tf.keras.layers.MaxPooling2D(2,2),
        tf.keras.layers.Conv2D(64, (3,3), activation='relu'),
        tf.keras.layers.MaxPooling2D(2,2),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(512, activation='relu'),
        tf.keras.layers.Dense(1, activation='sigmoid')
    ])
    return model'''

COMPILE = '''# GRADED FUNCTION: compile_model
def compile_model(model):
    """Compile the model: binary cross-entropy, RMSprop(learning_rate=0.001), accuracy."""
    from tensorflow.keras.optimizers import RMSprop
    model.compile(loss='binary_crossentropy',
                  optimizer=RMSprop(learning_rate=0.001),
                  metrics=['accuracy'])
    return model'''

TRAIN = '''# GRADED FUNCTION: train_model
def train_model(train_generator, validation_generator):
    """Train compile_model(create_model()) for 15 epochs of 8 steps; return the History."""
    model = compile_model(create_model())
    history = model.fit(
        train_generator,
        steps_per_epoch=8,
        epochs=15,
        validation_data=validation_generator,
        validation_steps=8,
        verbose=2)
    return history'''

PREDICT = '''# GRADED FUNCTION: predict_image
def predict_image(model, path):
    """Return "horse" or "human" for the image file at path."""
    img = tf.keras.utils.load_img(path, target_size=(IMAGE_SIZE, IMAGE_SIZE))
    x = tf.keras.utils.img_to_array(img) / 255
    x = np.expand_dims(x, axis=0)
    classes = model.predict(np.vstack([x]), batch_size=10, verbose=0)
    if classes[0] > 0.5:
        return "human"
    else:
        return "horse"'''

RIGHT = {"make_generators": GENERATORS, "create_model": MODEL, "compile_model": COMPILE,
         "train_model": TRAIN, "predict_image": PREDICT}

EXAMPLES: dict[str, dict[str, str]] = {
    # everything right, written the way the lecture writes it (input_shape=, 1./255)
    "correct": RIGHT,
    # the lecture's typo: rescale=1/.255 multiplies the pixels by about 3.9
    "notes_rescale_typo": RIGHT | {
        "make_generators": GENERATORS.replace(
            "test_datagen = ImageDataGenerator(rescale=1./255)",
            "test_datagen = ImageDataGenerator(rescale=1/.255)"),
    },
    # the lecture's RMSprop(lr=0.001): Keras 3 no longer accepts lr
    "notes_lr": RIGHT | {
        "compile_model": COMPILE.replace("RMSprop(learning_rate=0.001)", "RMSprop(lr=0.001)"),
    },
    # class_mode='categorical' with one output unit, and softmax on that unit
    "categorical_one_unit": RIGHT | {
        "make_generators": GENERATORS.replace("class_mode='binary'", "class_mode='categorical'"),
        "create_model": MODEL.replace("Dense(1, activation='sigmoid')",
                                      "Dense(1, activation='softmax')"),
    },
    "untouched_release": {},
}

if __name__ == "__main__":
    write_examples("week4", EXAMPLES)
