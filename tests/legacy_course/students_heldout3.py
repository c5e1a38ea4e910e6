"""Held-out notebooks, second probe: week 3 (and a few of week 2), written by another author
after the grader was built, in idioms that students_w12.py / students_w34.py /
students_heldout.py do not cover. They found four defects, since fixed (a legacy optimizer's
step count, lost in the model file, read as a forged record; two more Keras 3 drifts; a call
fed a student's derived copy of the provided data; matplotlib and TensorBoard missing from
the sandbox). Same conventions (student_spec.Student), written by make_notebooks.py."""

from __future__ import annotations

from student_spec import Student
from students_w34 import RESHAPE_OK

W2 = "week2"
W3 = "week3"


MODEL_OK = """\
# GRADED FUNCTION: convolutional_model
def convolutional_model():
    model = tf.keras.models.Sequential([
        tf.keras.layers.Conv2D(8, (3,3), activation='relu', input_shape=(12, 12, 1)),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(32, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax')
    ])
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    return model
"""

TRAIN_OK = """\
# GRADED FUNCTION: train_convs
def train_convs(x_train, y_train):
    images = reshape_and_normalize(x_train)
    model = convolutional_model()
    history = model.fit(images, y_train, epochs=5)
    return history.history['accuracy'][-1]
"""


def _model_layers(layers: str, compile_line: str =
                  "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', "
                  "metrics=['accuracy'])") -> str:
    return f"""\
# GRADED FUNCTION: convolutional_model
def convolutional_model():
    model = tf.keras.models.Sequential([
{layers}
    ])
    {compile_line}
    return model
"""


FULL = {"reshape_and_normalize": "full", "convolutional_model": "full", "train_convs": "full"}
BASE = ["coursedata", "provided", "runtime:last_fit", "runtime:value_close"]


def both(v: dict) -> dict:
    return {"week3": v, "week3_k3": v}


HELDOUT3_W3 = [
    Student(
        "h3_newaxis_astype_inplace", W3,
        {"reshape_and_normalize": """\
# GRADED FUNCTION: reshape_and_normalize
def reshape_and_normalize(images):
    images = images[..., np.newaxis].astype('float32')
    images /= 255.
    return images
""", "convolutional_model": MODEL_OK, "train_convs": TRAIN_OK},
        expect=both(FULL),
        why="x[..., np.newaxis], astype('float32') then an in-place /= 255.: correct.",
        needs=BASE),
    Student(
        "h3_uint8_inplace_divide", W3,
        {"reshape_and_normalize": """\
# GRADED FUNCTION: reshape_and_normalize
def reshape_and_normalize(images):
    images = images.reshape(-1, 12, 12, 1)
    images /= 255
    return images
""", "convolutional_model": MODEL_OK, "train_convs": TRAIN_OK},
        expect=both({"reshape_and_normalize": "zero", "convolutional_model": "full",
                     "train_convs": "zero"}),
        why="images /= 255 on the uint8 digits: numpy's UFuncTypeError (cannot cast the "
            "float64 result to uint8); train_convs calls it and crashes too.",
        needs=BASE),
    Student(
        "h3_tf_expand_dims_tensor", W3,
        {"reshape_and_normalize": """\
# GRADED FUNCTION: reshape_and_normalize
def reshape_and_normalize(images):
    images = tf.expand_dims(images, axis=-1)
    images = tf.cast(images, tf.float32) / 255.0
    return images
""", "convolutional_model": MODEL_OK, "train_convs": TRAIN_OK},
        expect=both(FULL),
        why="tf.expand_dims + tf.cast: returns a float32 tf.Tensor, not numpy; values and "
            "shape right; fit takes a tensor.",
        needs=BASE),
    Student(
        "h3_input_maxpool2d_alias", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": _model_layers("""\
        tf.keras.Input(shape=(12, 12, 1)),
        tf.keras.layers.Conv2D(8, 3, activation='relu'),
        tf.keras.layers.MaxPool2D(pool_size=(2, 2)),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(32, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax')"""),
         "train_convs": TRAIN_OK},
        expect=both(FULL),
        why="tf.keras.Input first in the Sequential list, Conv2D(8, 3), MaxPool2D alias: "
            "the same network.",
        needs=BASE),
    Student(
        "h3_padding_same", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": _model_layers("""\
        tf.keras.layers.Conv2D(8, (3, 3), padding='same', activation='relu',
                               input_shape=(12, 12, 1)),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(32, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax')"""),
         "train_convs": TRAIN_OK},
        expect=both({"reshape_and_normalize": "full", "convolutional_model": 1,
                     "train_convs": 2}),
        why="padding='same': output shapes 12x12x8 / 6x6x8, 9,658 parameters: the layer "
            "table and the parameter count fail; compile right; the accuracy bar is met.",
        needs=BASE),
    Student(
        "h3_dropout_extra", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": _model_layers("""\
        tf.keras.layers.Conv2D(8, (3, 3), activation='relu', input_shape=(12, 12, 1)),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Dropout(0.25),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(32, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax')"""),
         "train_convs": TRAIN_OK.replace("epochs=5", "epochs=10")},
        expect=both({"reshape_and_normalize": "full", "convolutional_model": 1,
                     "train_convs": "full"}),
        why="An extra Dropout layer: the layer table fails (one layer too many), compile "
            "right; Dropout has no weights so the trained model still has 6,842 "
            "parameters; the accuracy bar is met.",
        needs=BASE),
    Student(
        "h3_global_avg_pool", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": _model_layers("""\
        tf.keras.layers.Conv2D(8, (3, 3), activation='relu', input_shape=(12, 12, 1)),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.GlobalAveragePooling2D(),
        tf.keras.layers.Dense(32, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax')"""),
         "train_convs": TRAIN_OK},
        expect=both({"reshape_and_normalize": "full", "convolutional_model": 1,
                     "train_convs": "zero"}),
        why="GlobalAveragePooling2D instead of Flatten: 698 parameters, layer table and "
            "parameter count fail; 5 epochs reach about 0.23-0.25 accuracy (measured).",
        needs=BASE),
    Student(
        "h3_onehot_categorical", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": MODEL_OK.replace("'sparse_categorical_crossentropy'",
                                                 "'categorical_crossentropy'"),
         "train_convs": """\
# GRADED FUNCTION: train_convs
def train_convs(x_train, y_train):
    images = reshape_and_normalize(x_train)
    labels = tf.keras.utils.to_categorical(y_train, num_classes=10)
    model = convolutional_model()
    history = model.fit(images, labels, epochs=5)
    return history.history['accuracy'][-1]
"""},
        expect=both({"reshape_and_normalize": "full", "convolutional_model": 2,
                     "train_convs": "full"}),
        why="to_categorical + categorical_crossentropy: the compile check asks for sparse "
            "categorical cross-entropy (fails); the layers are right and training meets "
            "the bar with the right network.",
        needs=BASE),
    Student(
        "h3_metric_loss_objects", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": _model_layers("""\
        tf.keras.layers.Conv2D(8, (3, 3), activation='relu', input_shape=(12, 12, 1)),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(32, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax')""",
            "model.compile(optimizer=tf.keras.optimizers.Adam(),\n"
            "                  loss=tf.keras.losses.SparseCategoricalCrossentropy(),\n"
            "                  metrics=[tf.keras.metrics.SparseCategoricalAccuracy()])"),
         "train_convs": TRAIN_OK.replace("history.history['accuracy']",
                                         "history.history['sparse_categorical_accuracy']")},
        expect=both(FULL),
        why="Adam(), SparseCategoricalCrossentropy(), SparseCategoricalAccuracy() objects "
            "and the matching history key: correct.",
        needs=BASE),
    Student(
        "h3_legacy_adam_m1", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": MODEL_OK.replace(
             "optimizer='adam'", "optimizer=tf.keras.optimizers.legacy.Adam()"),
         "train_convs": TRAIN_OK},
        expect={"week3": FULL, "week3_k3": {"reshape_and_normalize": "full",
                                            "convolutional_model": "zero",
                                            "train_convs": "zero"}},
        why="tf.keras.optimizers.legacy.Adam() (the 2023 advice for M1 Macs): Adam under "
            "Keras 2; Keras 3 raises ImportError (keras.optimizers.legacy is not "
            "supported), week3_k3 does not regrade drift.",
        needs=BASE),
    Student(
        "h3_summary_verbose2_evaluate", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": MODEL_OK.replace("    return model",
                                                 "    model.summary()\n    return model"),
         "train_convs": """\
# GRADED FUNCTION: train_convs
def train_convs(x_train, y_train):
    images = reshape_and_normalize(x_train)
    model = convolutional_model()
    model.fit(images, y_train, epochs=5, verbose=2)
    loss, acc = model.evaluate(images, y_train, verbose=0)
    print(f"final accuracy: {acc:.3f}")
    return acc
"""},
        expect=both(FULL),
        why="model.summary() in the model function; fit verbose=2 without keeping the "
            "History; returns evaluate's accuracy on the training images.",
        needs=BASE),
    Student(
        "h3_cell_time_magic", W3,
        {"reshape_and_normalize": RESHAPE_OK, "convolutional_model": MODEL_OK,
         "train_convs": "%%time\n" + TRAIN_OK + "\nprint(train_convs(x_train, y_train))\n"},
        after={"ex:train_convs": [("code", "%time acc = train_convs(x_train, y_train)\nacc")]},
        expect=both(FULL),
        why="%%time on the first line of the graded cell (above the # GRADED marker) and "
            "a %time line magic in a scratch cell: correct.",
        needs=[*BASE, "assembly:magics"]),
    Student(
        "h3_scratch_reassigns_x_train", W3,
        {"reshape_and_normalize": RESHAPE_OK, "convolutional_model": MODEL_OK,
         "train_convs": TRAIN_OK},
        after={"ex:reshape_and_normalize": [("code", """\
x_train = reshape_and_normalize(x_train)
print(x_train.shape, x_train.max())""")]},
        expect=both(FULL),
        why="A scratch cell tries reshape_and_normalize on the global x_train and rebinds "
            "it (as the lecture's training_images = training_images / 255.0). The course's "
            "calls take the provided x_train, not the student's copy (run top to bottom, "
            "the notebook would feed the function its own output).",
        needs=BASE),
    Student(
        "h3_batchnorm_seeds", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": _model_layers("""\
        tf.keras.layers.Conv2D(8, (3, 3), activation='relu', input_shape=(12, 12, 1)),
        tf.keras.layers.BatchNormalization(),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(32, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax')"""),
         "train_convs": TRAIN_OK},
        before={"ex:reshape_and_normalize": [("code", """\
import random
SEED = 42
random.seed(SEED)
np.random.seed(SEED)
tf.random.set_seed(SEED)""")]},
        expect=both({"reshape_and_normalize": "full", "convolutional_model": 1,
                     "train_convs": 2}),
        why="An extra BatchNormalization (32 more parameters: 6,874): layer table and "
            "parameter count fail; seeds set in a cell of its own.",
        needs=BASE),
    Student(
        "h3_no_flatten", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": _model_layers("""\
        tf.keras.layers.Conv2D(8, (3, 3), activation='relu', input_shape=(12, 12, 1)),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Dense(32, activation='relu'),
        tf.keras.layers.Dense(10, activation='softmax')"""),
         "train_convs": TRAIN_OK},
        expect=both({"reshape_and_normalize": "full", "convolutional_model": 1,
                     "train_convs": "zero"}),
        why="Flatten forgotten: Dense on the 5x5x8 maps, output (None, 5, 5, 10); fit "
            "fails on the (n,) labels under both Keras versions (measured).",
        needs=BASE),
    Student(
        "h3_global_model_visualise", W3,
        {"reshape_and_normalize": RESHAPE_OK, "convolutional_model": MODEL_OK,
         "train_convs": """\
# GRADED FUNCTION: train_convs
def train_convs(x_train, y_train):
    images = reshape_and_normalize(x_train)
    history = model.fit(images, y_train, epochs=5)
    return history.history['accuracy'][-1]
"""},
        before={"ex:train_convs": [("code", "model = convolutional_model()\nmodel.summary()")]},
        after={"ex:train_convs": [("code", """\
import matplotlib.pyplot as plt
layer_outputs = [layer.output for layer in model.layers]
activation_model = tf.keras.models.Model(inputs=model.input, outputs=layer_outputs)
FIRST_IMAGE, CONVOLUTION_NUMBER = 0, 1
f, axarr = plt.subplots(1, 2)
maps = activation_model.predict(reshape_and_normalize(x_train[FIRST_IMAGE:FIRST_IMAGE + 1]))
for i in range(2):
    axarr[i].imshow(maps[i][0, :, :, CONVOLUTION_NUMBER], cmap='inferno')""")]},
        expect=both(FULL),
        why="train_convs trains a global model = convolutional_model() made in the cell "
            "above; the lecture's activation model at top level after it.",
        needs=BASE),
    Student(
        "h3_returns_history_list", W3,
        {"reshape_and_normalize": RESHAPE_OK, "convolutional_model": MODEL_OK,
         "train_convs": TRAIN_OK.replace("history.history['accuracy'][-1]",
                                         "history.history['accuracy']")},
        expect=both({"reshape_and_normalize": "full", "convolutional_model": "full",
                     "train_convs": 1}),
        why="Returns the whole list of five accuracies, not the final one: value_close "
            "fails; the trained model is right (1 of 3).",
        needs=BASE),
]

# --------------------------------------------------------------------------- week 2

TRAIN2 = """\
# GRADED FUNCTION: train_mnist
def train_mnist(x_train, y_train):
    x_train = x_train / 255.0
    callbacks = myCallback()
    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(12, 12)),
        tf.keras.layers.Dense(64, activation=tf.nn.relu),
        tf.keras.layers.Dense(10, activation=tf.nn.softmax)
    ])
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])
    history = model.fit(x_train, y_train, epochs=10, callbacks=[callbacks])
    return history
"""


CB_OK3 = """\
# GRADED CLASS: myCallback
class myCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs={}):
        if logs.get('accuracy') > 0.99:
            print("\\nReached 99% accuracy so cancelling training!")
            self.model.stop_training = True
"""

HELDOUT3_W2 = [
    Student(
        "h2_threshold_init_callback", W2,
        {"myCallback": """\
# GRADED CLASS: myCallback
from tensorflow.keras.callbacks import Callback

class myCallback(Callback):
    def __init__(self, threshold=0.99):
        super().__init__()
        self.threshold = threshold

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if logs.get('accuracy', 0) >= self.threshold:
            print("\\nReached 99% accuracy so cancelling training!")
            self.model.stop_training = True
""", "train_mnist": TRAIN2.replace("tf.keras.layers.Flatten(input_shape=(12, 12))",
                                  "tf.keras.layers.Flatten()").replace(
            "callbacks=[callbacks])", "callbacks=[callbacks], verbose=2)")},
        expect={"week2": {"myCallback": "full", "train_mnist": "full"},
                "week2_k3": {"myCallback": "full", "train_mnist": "full"}},
        why="A threshold in __init__ (super().__init__()), Callback imported from "
            "tensorflow.keras.callbacks in the graded cell, Flatten() without input_shape, "
            "verbose=2.",
        needs=["coursedata", "provided"]),
    Student(
        "h2_x_train_normalised_toplevel", W2,
        {"myCallback": """\
# GRADED CLASS: myCallback
class myCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs={}):
        if logs.get('accuracy') > 0.99:
            print("\\nReached 99% accuracy so cancelling training!")
            self.model.stop_training = True
""", "train_mnist": TRAIN2.replace("    x_train = x_train / 255.0\n", "")},
        after={"provided": [("code", "x_train = x_train / 255.0\nprint(x_train.max())")]},
        expect={"week2": {"myCallback": "full", "train_mnist": "full"}},
        why="Normalises the provided x_train at top level in a cell of its own (as the "
            "lecture did with training_images / 255.0) and trains on it unchanged.",
        needs=["coursedata", "provided"]),
]


HELDOUT3_W3_MORE = [
    Student(
        "h3_matplotlib_in_graded_cell", W3,
        {"reshape_and_normalize": RESHAPE_OK, "convolutional_model": MODEL_OK,
         "train_convs": "import matplotlib.pyplot as plt\n\n" + TRAIN_OK + """
acc = train_convs(x_train, y_train)
plt.bar(['final accuracy'], [acc])
plt.show()
"""},
        expect=both(FULL),
        why="import matplotlib.pyplot as plt at the top of the graded cell (to plot at top "
            "level after the function); the functions never use it. Correct in the course's "
            "lab (matplotlib installed).",
        needs=BASE),
    Student(
        "h3_compile_in_train", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": MODEL_OK.replace(
             "    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', "
             "metrics=['accuracy'])\n", ""),
         "train_convs": """\
# GRADED FUNCTION: train_convs
def train_convs(x_train, y_train):
    images = reshape_and_normalize(x_train)
    model = convolutional_model()
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    history = model.fit(images, y_train, epochs=5)
    return history.history['accuracy'][-1]
"""},
        expect=both({"reshape_and_normalize": "full", "convolutional_model": 2,
                     "train_convs": "full"}),
        why="The model function returns the model uncompiled and the training function "
            "compiles it (the 2019 split): the compile check fails, all else passes.",
        needs=BASE),
    Student(
        "h3_hardcoded_1200", W3,
        {"reshape_and_normalize": """\
# GRADED FUNCTION: reshape_and_normalize
def reshape_and_normalize(images):
    images = images.reshape(1200, 12, 12, 1)
    images = images / 255.0
    return images
""", "convolutional_model": MODEL_OK, "train_convs": TRAIN_OK},
        expect=both({"reshape_and_normalize": "zero", "convolutional_model": "full",
                     "train_convs": "full"}),
        why="The lecture's reshape(60000, 28, 28, 1) adapted to the 1,200 training images: "
            "fails on the 100 images the check passes, works in training.",
        needs=BASE),
    Student(
        "h3_clear_session", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": MODEL_OK.replace(
             "def convolutional_model():\n",
             "def convolutional_model():\n    tf.keras.backend.clear_session()\n"),
         "train_convs": TRAIN_OK},
        expect=both(FULL),
        why="tf.keras.backend.clear_session() at the start of the model function (2021+ "
            "notebooks): correct.",
        needs=BASE),
]

HELDOUT3_W2_MORE = [
    Student(
        "h2_legacy_adam_m1", W2,
        {"myCallback": CB_OK3, "train_mnist": TRAIN2.replace(
            "optimizer='adam'", "optimizer=tf.keras.optimizers.legacy.Adam()")},
        expect={"week2": {"myCallback": "full", "train_mnist": "full"},
                "week2_k3": {"myCallback": "full", "train_mnist": "full"}},
        why="tf.keras.optimizers.legacy.Adam() (2023 advice for Apple silicon): Keras 2 "
            "trains with it; Keras 3 raises ImportError ('keras.optimizers.legacy is not "
            "supported in Keras 3 ... install tf_keras'): Keras 2 -> 3 drift, which "
            "week2_k3 regrades at credit 1.",
        needs=["coursedata", "provided", "drift"]),
    Student(
        "h2_fit_workers", W2,
        {"myCallback": CB_OK3, "train_mnist": TRAIN2.replace(
            "callbacks=[callbacks])",
            "callbacks=[callbacks],\n"
            "                        workers=4, use_multiprocessing=False)")},
        expect={"week2": {"myCallback": "full", "train_mnist": "full"},
                "week2_k3": {"myCallback": "full", "train_mnist": "full"}},
        why="fit(..., workers=4, use_multiprocessing=False): Keras 2 takes them; Keras 3's "
            "fit() raises TypeError (unexpected keyword argument 'workers'): drift, "
            "regraded at credit 1.",
        needs=["coursedata", "provided", "drift"]),
]

HELDOUT3_W3_CELLS = [
    Student(
        "h3_all_in_one_cell", W3,
        {"reshape_and_normalize": RESHAPE_OK + "\n\n" + MODEL_OK + "\n\n" + TRAIN_OK,
         "convolutional_model": None, "train_convs": None},
        expect=both(FULL),
        why="All three functions pasted into the first exercise cell (markers kept inside), "
            "the other two exercise cells deleted: correct.",
        needs=BASE),
    Student(
        "h3_model_global_in_graded_cell", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": MODEL_OK + "\n\nmodel = convolutional_model()\nmodel.summary()\n",
         "train_convs": """\
# GRADED FUNCTION: train_convs
def train_convs(x_train, y_train):
    images = reshape_and_normalize(x_train)
    history = model.fit(images, y_train, epochs=5)
    return history.history['accuracy'][-1]
"""},
        expect=both(FULL),
        why="model = convolutional_model() at top level of the model's graded cell; "
            "train_convs trains that global model. Run top to bottom: correct.",
        needs=BASE),
]

HELDOUT3_W3_FILES = [
    Student(
        "h3_saves_model_h5", W3,
        {"reshape_and_normalize": RESHAPE_OK, "convolutional_model": MODEL_OK,
         "train_convs": TRAIN_OK.replace(
             "    return history", "    model.save('digits_conv.h5')\n    return history")},
        expect=both(FULL),
        why="Saves the trained model to digits_conv.h5 in the working folder before "
            "returning (2020-2021 notebooks did): correct.",
        needs=BASE),
    Student(
        "h3_tensorboard_callback", W3,
        {"reshape_and_normalize": RESHAPE_OK, "convolutional_model": MODEL_OK,
         "train_convs": """\
# GRADED FUNCTION: train_convs
import datetime

def train_convs(x_train, y_train):
    images = reshape_and_normalize(x_train)
    model = convolutional_model()
    log_dir = "logs/fit/" + datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    tensorboard_callback = tf.keras.callbacks.TensorBoard(log_dir=log_dir, histogram_freq=1)
    history = model.fit(images, y_train, epochs=5, callbacks=[tensorboard_callback])
    return history.history['accuracy'][-1]
"""},
        expect=both(FULL),
        why="The TensorBoard tutorial's callback (logs/fit/<time> in the working folder, "
            "histogram_freq=1): correct.",
        needs=BASE),
    Student(
        "h3_logits_from_logits", W3,
        {"reshape_and_normalize": RESHAPE_OK,
         "convolutional_model": _model_layers("""\
        tf.keras.layers.Conv2D(8, (3, 3), activation='relu', input_shape=(12, 12, 1)),
        tf.keras.layers.MaxPooling2D(2, 2),
        tf.keras.layers.Flatten(),
        tf.keras.layers.Dense(32, activation='relu'),
        tf.keras.layers.Dense(10)""",
            "model.compile(optimizer='adam',\n"
            "                  loss=tf.keras.losses.SparseCategoricalCrossentropy(\n"
            "                      from_logits=True),\n"
            "                  metrics=['accuracy'])"),
         "train_convs": TRAIN_OK},
        expect=both({"reshape_and_normalize": "full", "convolutional_model": 1,
                     "train_convs": "full"}),
        why="The TF beginner tutorial's logits: Dense(10) without softmax and "
            "from_logits=True: the layer table (activation) fails, the loss is sparse "
            "categorical cross-entropy; trains to the bar with 6,842 parameters.",
        needs=BASE),
]

HELDOUT3 = [*HELDOUT3_W3, *HELDOUT3_W3_MORE, *HELDOUT3_W3_CELLS, *HELDOUT3_W3_FILES,
            *HELDOUT3_W2, *HELDOUT3_W2_MORE]
