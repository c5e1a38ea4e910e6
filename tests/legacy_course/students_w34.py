"""Student notebooks of weeks 3 and 4 (see students_w12.py for the conventions)."""

from __future__ import annotations

from student_spec import Student

W3 = "week3"
W4 = "week4"

# --------------------------------------------------------------------------- week 3

RESHAPE_OK = """\
# GRADED FUNCTION: reshape_and_normalize
def reshape_and_normalize(images):
    images = images.reshape(-1, 12, 12, 1)
    images = images / 255.0
    return images
"""


def _model(metric: str = "accuracy", optimizer: str = "'adam'",
           last: str = "tf.keras.layers.Dense(10, activation='softmax')",
           loss: str = "'sparse_categorical_crossentropy'") -> str:
    return f"""\
# GRADED FUNCTION: convolutional_model
def convolutional_model():
    model = tf.keras.models.Sequential([
        tf.keras.layers.Conv2D(8, (3,3), activation='relu', input_shape=(12, 12, 1)),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(32, activation='relu'),
        {last}
    ])
    model.compile(optimizer={optimizer}, loss={loss}, metrics=['{metric}'])
    return model
"""


def _train3(metric: str = "accuracy", epochs: int = 5) -> str:
    return f"""\
# GRADED FUNCTION: train_convs
def train_convs(x_train, y_train):
    images = reshape_and_normalize(x_train)
    model = convolutional_model()
    history = model.fit(images, y_train, epochs={epochs})
    return history.history['{metric}'][-1]
"""


W3_FULL = {"reshape_and_normalize": "full", "convolutional_model": "full", "train_convs": "full"}
W3_BASE = ["coursedata", "provided", "runtime:last_fit", "runtime:value_close"]


def _w3(verdicts: dict[str, str | int]) -> dict[str, dict[str, str | int]]:
    return {"week3": verdicts, "week3_k3": verdicts}


WEEK3_STUDENTS = [
    Student(
        "w3_lecture_2020_acc", W3,
        {"reshape_and_normalize": RESHAPE_OK, "convolutional_model": _model(metric="acc"),
         "train_convs": _train3(metric="acc")},
        expect=_w3(W3_FULL),
        why="metrics=['acc'] and history.history['acc']: consistent, so it runs in both "
            "Keras 2 and Keras 3 (which also names the metric 'acc'); compile_settings must "
            "take 'acc' for 'accuracy'.",
        needs=[*W3_BASE, "keras2 (acc == accuracy in compile_settings)"]),
    Student(
        "w3_adam_lr", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": _model(optimizer="tf.keras.optimizers.Adam(lr=0.001)"),
         "train_convs": _train3()},
        expect={"week3": W3_FULL,
                "week3_k3": {"reshape_and_normalize": "full", "convolutional_model": "zero",
                             "train_convs": "zero"}},
        why="Adam(lr=0.001): right under Keras 2. week3_k3 has drift regrade off: the "
            "model and training exercises score zero, with feedback naming the line and "
            "learning_rate=.",
        needs=[*W3_BASE, "keras2", "drift"]),
    Student(
        "w3_expand_dims_own_imports", W3,
        {"reshape_and_normalize": """\
# GRADED FUNCTION: reshape_and_normalize
def reshape_and_normalize(images):
    return np.expand_dims(images, axis=-1) / 255.0
""", "convolutional_model": """\
# GRADED FUNCTION: convolutional_model
def convolutional_model():
    model = models.Sequential()
    model.add(layers.Conv2D(8, (3, 3), activation='relu', input_shape=(12, 12, 1)))
    model.add(layers.MaxPooling2D((2, 2)))
    model.add(layers.Flatten())
    model.add(layers.Dense(32, activation='relu'))
    model.add(layers.Dense(10, activation='softmax'))
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    return model
""", "train_convs": _train3()},
        before={"ex:reshape_and_normalize": [
            ("code", "from tensorflow.keras import layers, models")]},
        expect=_w3(W3_FULL),
        why="Correct, written differently (expand_dims, model.add) with imports in a cell "
            "of its own.",
        needs=[*W3_BASE, "assembly:student_cells"]),
    Student(
        "w3_no_channel", W3,
        {"reshape_and_normalize": """\
# GRADED FUNCTION: reshape_and_normalize
def reshape_and_normalize(images):
    return images / 255.0
""", "convolutional_model": _model().replace("input_shape=(12, 12, 1)", "input_shape=(12, 12)"),
         "train_convs": _train3()},
        expect=_w3({"reshape_and_normalize": "zero", "convolutional_model": "zero",
                    "train_convs": "zero"}),
        why="No channel axis anywhere: the shapes are wrong and Conv2D refuses the input "
            "shape (12, 12) (expected min_ndim=4).",
        needs=W3_BASE),
    Student(
        "w3_not_normalised", W3,
        {"reshape_and_normalize": """\
# GRADED FUNCTION: reshape_and_normalize
def reshape_and_normalize(images):
    return images.reshape(-1, 12, 12, 1)
""", "convolutional_model": _model(), "train_convs": _train3()},
        expect=_w3({"reshape_and_normalize": 1, "convolutional_model": "full",
                    "train_convs": "full"}),
        why="Missing normalisation: the shape is right (1 point) but the values are not; "
            "training on 0-255 pixels still reaches the accuracy bar on these digits.",
        needs=W3_BASE),
    Student(
        "w3_one_sigmoid_unit", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": _model(last="tf.keras.layers.Dense(1, activation='sigmoid')",
                                       loss="'binary_crossentropy'"),
         "train_convs": _train3()},
        expect=_w3({"reshape_and_normalize": "full", "convolutional_model": "zero",
                    "train_convs": "zero"}),
        why="One sigmoid unit and binary cross-entropy for ten classes: the model is wrong "
            "and the training accuracy stays low.",
        needs=W3_BASE),
    Student(
        "w3_one_epoch", W3,
        {"reshape_and_normalize": RESHAPE_OK, "convolutional_model": _model(),
         "train_convs": _train3(epochs=1)},
        expect=_w3({"reshape_and_normalize": "full", "convolutional_model": "full",
                    "train_convs": 1}),
        why="Too few epochs (1): accuracy about 0.4, below the bar; the trained model is "
            "the right one (1 of 3).",
        needs=W3_BASE),
    Student(
        "w3_toplevel_training", W3,
        {"reshape_and_normalize": RESHAPE_OK, "convolutional_model": _model(),
         "train_convs": _train3() + """
model = convolutional_model()
model.fit(reshape_and_normalize(x_train), y_train, epochs=40)
print(train_convs(x_train, y_train))
"""},
        expect=_w3(W3_FULL),
        why="Correct; the graded cell also trains 40 epochs at top level (skipped). "
            "The last fit the sandbox sees must be the function's, not the top-level one.",
        needs=[*W3_BASE, "assembly:top_level_skip"]),
    Student(
        "w3_callback_in_train", W3,
        {"reshape_and_normalize": RESHAPE_OK, "convolutional_model": _model(),
         "train_convs": """\
# GRADED FUNCTION: train_convs
def train_convs(x_train, y_train):
    class StopAt95(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs and logs.get('accuracy', 0) > 0.95:
                self.model.stop_training = True

    images = reshape_and_normalize(x_train)
    model = convolutional_model()
    history = model.fit(images, y_train, epochs=10, callbacks=[StopAt95()], verbose=2)
    return history.history['accuracy'][-1]
"""},
        expect=_w3(W3_FULL),
        why="Correct: trains up to 10 epochs and stops at 95% with a callback of its own.",
        needs=W3_BASE),
    Student(
        "w3_visualise_scratch", W3,
        {"reshape_and_normalize": RESHAPE_OK, "convolutional_model": _model(),
         "train_convs": _train3()},
        after={"ex:train_convs": [
            ("md", "## Visualizing the Convolutions and Pooling"),
            ("code", """\
import matplotlib.pyplot as plt
f, axarr = plt.subplots(3, 4)
layer_outputs = [layer.output for layer in model.layers]
activation_model = tf.keras.models.Model(inputs=model.input, outputs=layer_outputs)
for x in range(0, 4):
    f1 = activation_model.predict(x_train[0].reshape(1, 12, 12, 1))[x]
    axarr[0, x].imshow(f1[0, :, :, 1], cmap='inferno')""")]},
        expect=_w3(W3_FULL),
        why="Correct, with the lecture's visualisation cell (needs matplotlib and a global "
            "model: never run).",
        needs=W3_BASE),
    Student(
        "w3_mnist_shapes", W3,
        {"reshape_and_normalize": """\
# GRADED FUNCTION: reshape_and_normalize
def reshape_and_normalize(images):
    images = images.reshape(60000, 28, 28, 1)
    return images / 255.0
""", "convolutional_model": _model(), "train_convs": _train3()},
        expect=_w3({"reshape_and_normalize": "zero", "convolutional_model": "full",
                    "train_convs": "zero"}),
        why="Shapes copied from MNIST (60000, 28, 28, 1): cannot reshape these images.",
        needs=W3_BASE),
    Student(
        "w3_history_acc_keyerror", W3,
        {"reshape_and_normalize": RESHAPE_OK, "convolutional_model": _model(),
         "train_convs": _train3().replace("history.history['accuracy']",
                                          "history.history['acc']")},
        expect=_w3({"reshape_and_normalize": "full", "convolutional_model": "full",
                    "train_convs": "zero"}),
        why="Compiled with 'accuracy' but reads history.history['acc']: KeyError under "
            "both Keras versions (it crashed for the student too): not drift.",
        needs=W3_BASE),
    Student(
        "w3_untouched", W3, {},
        expect=_w3({"reshape_and_normalize": "zero", "convolutional_model": "zero",
                    "train_convs": "zero"}),
        why="The released stubs.", needs=W3_BASE),
]

# --------------------------------------------------------------------------- week 4

GEN_OK = """\
# GRADED FUNCTION: image_generator
def image_generator():
    train_datagen = ImageDataGenerator(rescale=1./255)
    train_generator = train_datagen.flow_from_directory(
        '/tmp/h-or-s',
        target_size=(32, 32),
        batch_size=16,
        class_mode='binary')
    return train_generator
"""


def _create(loss: str = "'binary_crossentropy'",
            optimizer: str = "RMSprop(learning_rate=0.001)", metric: str = "accuracy",
            last: str = "tf.keras.layers.Dense(1, activation='sigmoid')") -> str:
    return f"""\
# GRADED FUNCTION: create_model
def create_model():
    model = tf.keras.models.Sequential([
        tf.keras.layers.Conv2D(16, (3,3), activation='relu', input_shape=(32, 32, 3)),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Conv2D(32, (3,3), activation='relu'),
        tf.keras.layers.MaxPooling2D(2,2),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(64, activation='relu'),
        {last}
    ])
    model.compile(loss={loss}, optimizer={optimizer}, metrics=['{metric}'])
    return model
"""


def _train4(fit: str = "model.fit(train_generator, steps_per_epoch=8, epochs=15, "
                       "callbacks=[callbacks])",
            metric: str = "accuracy") -> str:
    return f"""\
# GRADED FUNCTION: train_happy_sad_model
def train_happy_sad_model():
    DESIRED_ACCURACY = 0.999

    class myCallback(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs={{}}):
            if(logs.get('{metric}') > DESIRED_ACCURACY):
                print("\\nReached 99.9% accuracy so cancelling training!")
                self.model.stop_training = True

    callbacks = myCallback()
    model = create_model()
    train_generator = image_generator()
    history = {fit}
    return history.history['{metric}'][-1]
"""


DATASET_OK = """\
# GRADED FUNCTION: training_dataset
def training_dataset():
    dataset = tf.keras.utils.image_dataset_from_directory(
        '/tmp/h-or-s', image_size=(32, 32), batch_size=16, label_mode='binary')
    return dataset.map(lambda x, y: (x / 255.0, y))
"""

W4_EX = ("image_generator", "create_model", "fit_provided", "train_happy_sad_model",
         "training_dataset")
W4_FULL = dict.fromkeys(W4_EX, "full")
#: a gate that lost points: the assignment scores 0, each exercise still shows what it earned
#: (the generator's other check, the model and the tf.data exercise do not depend on it; the
#: trainings' scores depend on how the wrong data trains, so they are not asserted)
W4_GATED = {"total": 0, "image_generator": 1, "create_model": "full", "training_dataset": "full"}
W4_BASE = ["coursedata:folder", "provided", "tmp_path",
           "generator_cycling (under Keras 2: tf_keras 2.21 stops after one epoch)", "runtime:gate",
           "assembly:cell_false", "runtime:last_fit", "runtime:value_close", "tfdata"]


def _w4(verdicts: dict[str, str | int]) -> dict[str, dict[str, str | int]]:
    return {"week4": verdicts, "week4_k3": verdicts}


def _ok(**changes: str) -> dict[str, str | None]:
    cells: dict[str, str | None] = {"image_generator": GEN_OK, "create_model": _create(),
                                    "train_happy_sad_model": _train4(),
                                    "training_dataset": DATASET_OK}
    cells.update(changes)
    return cells


WEEK4_STUDENTS = [
    Student(
        "w4_reference_like", W4, _ok(), expect=_w4(W4_FULL),
        why="Correct; steps_per_epoch=8 of 16 images is more than the 64-image folder "
            "holds. Keras 2.2's fit_generator cycled the generator; tf_keras 2.21 stops "
            "training after the first epoch ('Your input ran out of data'; loss 0.51, "
            "accuracy 0.62); Keras 3.15 warns the same but goes on with 4-step epochs "
            "(accuracy 1.0). The grader must cycle it under Keras 2.",
        needs=W4_BASE),
    Student(
        "w4_lecture_2021", W4,
        _ok(create_model=_create(optimizer="RMSprop(lr=0.001)", metric="acc"),
            train_happy_sad_model=_train4(
                fit="model.fit_generator(train_generator, steps_per_epoch=8, epochs=15, "
                    "verbose=1, callbacks=[callbacks])", metric="acc")),
        expect={"week4": W4_FULL,
                "week4_k3": {"image_generator": "full", "create_model": "half",
                             "fit_provided": "half", "train_happy_sad_model": "half",
                             "training_dataset": "full"}},
        why="The 2021 notebook: RMSprop(lr=0.001), metrics=['acc'], logs.get('acc'), "
            "fit_generator. Right under Keras 2 (compile_settings must take 'acc'); under "
            "Keras 3 each exercise that fails with drift is regraded at credit 0.5.",
        needs=[*W4_BASE, "keras2", "drift"]),
    Student(
        "w4_loss_function", W4,
        _ok(create_model=_create(loss="tf.keras.losses.binary_crossentropy")),
        expect=_w4(W4_FULL),
        why="loss=tf.keras.losses.binary_crossentropy (a function): must be read as the "
            "binary cross-entropy loss, not refused as an activation.",
        needs=[*W4_BASE, "loss_functions"]),
    Student(
        "w4_loss_object", W4,
        _ok(create_model=_create(loss="tf.keras.losses.BinaryCrossentropy()",
                                 optimizer="tf.keras.optimizers.RMSprop(learning_rate=1e-3)")),
        expect=_w4(W4_FULL),
        why="Loss and optimizer given as objects.",
        needs=[*W4_BASE, "loss_functions"]),
    Student(
        "w4_no_rescale", W4, _ok(image_generator=GEN_OK.replace("rescale=1./255", "")),
        expect=_w4(W4_GATED),
        why="No rescale: the pixel check of the gated generator exercise fails, so the "
            "assignment scores 0.",
        needs=W4_BASE),
    Student(
        "w4_rescale_typo", W4, _ok(image_generator=GEN_OK.replace("1./255", "1/.255")),
        expect=_w4(W4_GATED),
        why="rescale=1/.255 (the notes' typo): the gate fails, the assignment scores 0.",
        needs=W4_BASE),
    Student(
        "w4_categorical", W4, _ok(image_generator=GEN_OK.replace("'binary'", "'categorical'")),
        expect=_w4(W4_GATED),
        why="class_mode='categorical': wrong labels for one sigmoid unit; the gate fails.",
        needs=W4_BASE),
    Student(
        "w4_softmax_one_unit", W4,
        _ok(create_model=_create(last="tf.keras.layers.Dense(1, activation='softmax')")),
        expect=_w4({"image_generator": "full", "create_model": 1, "fit_provided": "full",
                    "train_happy_sad_model": "zero", "training_dataset": "full"}),
        why="softmax over one unit always outputs 1: the layer check fails (compile is "
            "right, 1 point) and the accuracy stays at 0.5. The loss still falls below 0.3: "
            "tf_keras' binary cross-entropy takes the logits under a softmax output "
            "(measured), so the course's loss check passes.",
        needs=W4_BASE),
    Student(
        "w4_own_setup_cells", W4, _ok(create_model=_create(
            optimizer="optimizers.RMSprop(learning_rate=0.001)").replace(
            "tf.keras.layers.", "layers.")),
        setup="""\
# SETUP
import os, zipfile
import tensorflow as tf
from tensorflow.keras.preprocessing.image import ImageDataGenerator
from tensorflow.keras import layers, optimizers
""",
        expect=_w4(W4_FULL),
        why="Its own setup cell (zipfile, layers, optimizers instead of shutil, RMSprop): "
            "the graded code needs the student's imports, not the release's.",
        needs=[*W4_BASE, "assembly:student_cells"]),
    Student(
        "w4_steps_twenty", W4,
        _ok(train_happy_sad_model=_train4(
            fit="model.fit(train_generator, steps_per_epoch=20, epochs=5, "
                "callbacks=[callbacks])")),
        expect=_w4(W4_FULL),
        why="steps_per_epoch=20 of 16 images (320 per epoch from a 64-image folder): the "
            "generator must cycle under Keras 3 as under Keras 2.",
        needs=W4_BASE),
    Student(
        "w4_dataset_not_rescaled", W4,
        _ok(training_dataset="""\
# GRADED FUNCTION: training_dataset
def training_dataset():
    return tf.keras.preprocessing.image_dataset_from_directory(
        '/tmp/h-or-s', image_size=(32, 32), batch_size=16, label_mode='binary')
"""),
        expect=_w4({**W4_FULL, "training_dataset": "zero"}),
        why="The tf.data exercise without rescaling (pixels up to 255).",
        needs=W4_BASE),
    Student(
        "w4_tfdata_training", W4,
        _ok(training_dataset="""\
# GRADED FUNCTION: training_dataset
def training_dataset():
    normalization = tf.keras.layers.Rescaling(1./255)
    ds = tf.keras.utils.image_dataset_from_directory(
        '/tmp/h-or-s', labels='inferred', label_mode='binary',
        image_size=(32, 32), batch_size=16, shuffle=True, seed=42)
    ds = ds.map(lambda x, y: (normalization(x), y))
    return ds.cache().prefetch(tf.data.AUTOTUNE)
""", train_happy_sad_model="""\
# GRADED FUNCTION: train_happy_sad_model
def train_happy_sad_model():
    class StopCallback(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs['accuracy'] > 0.999:
                print("\\nReached 99.9% accuracy so cancelling training!")
                self.model.stop_training = True

    model = create_model()
    history = model.fit(training_dataset(), epochs=15, callbacks=[StopCallback()])
    return history.history['accuracy'][-1]
"""),
        expect=_w4(W4_FULL),
        why="The 2024 generation: trains on its tf.data pipeline (Rescaling layer, cache, "
            "prefetch) instead of the generator.",
        needs=W4_BASE),
    Student(
        "w4_untouched", W4, {}, expect=_w4({"total": 0, **dict.fromkeys(W4_EX, "zero")}),
        why="The released stubs: nothing written, nothing earned (the gate fails too).",
        needs=W4_BASE),
]
