"""Student notebooks of weeks 1 and 2, as students of 2020-2024 wrote them.

Each ``Student`` says what the student changed in the released notebook and what the
grader should decide, per flavour (``week1`` runs under keras: 2, ``week1_k3`` under
keras: 3), with why and the features it depends on. Verdicts per exercise: ``full``,
``zero``, ``half`` (drift regraded at credit 0.5) or a number of points.
"""

from __future__ import annotations

from student_spec import Student

W1 = "week1"
W2 = "week2"

# --------------------------------------------------------------------------- week 1

HOUSE_LECTURE = """\
# GRADED FUNCTION: house_model
def house_model(y_new):
    xs = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    ys = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5])
    model = keras.Sequential([keras.layers.Dense(units=1, input_shape=[1])])
    model.compile(optimizer='sgd', loss='mean_squared_error')
    model.fit(xs, ys, epochs=500)
    return model.predict(y_new)[0]
"""


def _house(body_model: str, epochs: int = 500, ys: str = "[1.0, 1.5, 2.0, 2.5, 3.0, 3.5]",
           compile_: str = "model.compile(optimizer='sgd', loss='mean_squared_error')",
           predict: str = "model.predict(np.array(y_new))[0]") -> str:
    return f"""\
# GRADED FUNCTION: house_model
def house_model(y_new):
    xs = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dtype=float)
    ys = np.array({ys}, dtype=float)
    model = {body_model}
    {compile_}
    model.fit(xs, ys, epochs={epochs}, verbose=0)
    return {predict}
"""


ONE_DENSE = "tf.keras.Sequential([tf.keras.layers.Dense(units=1, input_shape=[1])])"

WEEK1_STUDENTS = [
    Student(
        "w1_lecture_2020", W1, {"house_model": HOUSE_LECTURE},
        expect={"week1": {"house_model": "full"}, "week1_k3": {"house_model": "full"}},
        why="The 2020 lecture code: model.predict(y_new) on a Python list. Runs under "
            "Keras 2; under Keras 3 'Unrecognized data type' is drift, regraded at credit 1.",
        needs=["keras2", "drift", "runtime:last_fit", "runtime:value_close"]),
    Student(
        "w1_own_import_cell", W1,
        {"house_model": """\
# GRADED FUNCTION: house_model
def house_model(y_new):
    xs = np.array([1, 2, 3, 4, 5, 6], dtype=np.float32)
    ys = (xs + 1) / 2
    model = Sequential([layers.Dense(1, input_shape=(1,))])
    model.compile(optimizer=SGD(learning_rate=0.01), loss='mse')
    model.fit(xs, ys, epochs=300, verbose=0)
    return float(model.predict(np.array(y_new), verbose=0)[0][0])
"""},
        before={"ex:house_model": [("code", "from tensorflow.keras import layers, Sequential\n"
                                            "from tensorflow.keras.optimizers import SGD")]},
        expect={"week1": {"house_model": "full"}, "week1_k3": {"house_model": "full"}},
        why="Correct, written differently; its imports are in a cell of its own that the "
            "graded code needs (Sequential, layers, SGD).",
        needs=["assembly:student_cells", "runtime:last_fit", "runtime:value_close"]),
    Student(
        "w1_helper_above", W1,
        {"house_model": """\
# GRADED FUNCTION: house_model
def house_model(y_new):
    bedrooms, prices = get_training_data()
    model = tf.keras.Sequential()
    model.add(tf.keras.layers.Dense(units=1, input_shape=[1]))
    model.compile(optimizer='sgd', loss='mean_squared_error')
    model.fit(bedrooms, prices, epochs=500, verbose=0)
    return model.predict(np.array(y_new))[0]
"""},
        before={"ex:house_model": [
            ("code", """\
def get_training_data():
    bedrooms = np.arange(1, 7, dtype=float)
    prices = 0.5 + 0.5 * bedrooms   # in hundreds of thousands
    return bedrooms, prices"""),
            ("code", "bedrooms, prices = get_training_data()\nprint(bedrooms, prices)")]},
        expect={"week1": {"house_model": "full"}, "week1_k3": {"house_model": "full"}},
        why="Correct; the data comes from a helper function defined in a cell above.",
        needs=["assembly:student_cells", "runtime:last_fit", "runtime:value_close"]),
    Student(
        "w1_toplevel_4000_epochs", W1,
        {"house_model": _house(ONE_DENSE) + """
xs = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dtype=float)
ys = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5], dtype=float)
model = tf.keras.Sequential([tf.keras.layers.Dense(units=1, input_shape=[1])])
model.compile(optimizer='sgd', loss='mean_squared_error')
model.fit(xs, ys, epochs=4000)
print(model.predict([10.0]))
prediction = house_model([7.0])
print(prediction)
"""},
        expect={"week1": {"house_model": "full"}, "week1_k3": {"house_model": "full"}},
        why="The function is right; the same cell also trains 4,000 verbose epochs at top "
            "level and prints (over the exercise's time budget unless top-level work in "
            "graded cells is skipped; under Keras 3 its top-level predict([10.0]) would "
            "also raise).",
        needs=["assembly:top_level_skip", "runtime:last_fit", "runtime:value_close"]),
    Student(
        "w1_sequential_not_list", W1,
        {"house_model": _house("keras.Sequential(keras.layers.Dense(units=1, input_shape=[1]))")},
        expect={"week1": {"house_model": "full"}, "week1_k3": {"house_model": "full"}},
        why="Sequential(layer) without a list: fine in Keras 2; Keras 3 raises \"'Dense' "
            "object is not iterable\" (drift: feedback names the line, regraded at credit 1).",
        needs=["keras2", "drift", "runtime:last_fit", "runtime:value_close"]),
    Student(
        "w1_sgd_lr", W1,
        {"house_model": _house(ONE_DENSE, compile_="model.compile(optimizer=keras.optimizers."
                                                   "SGD(lr=0.01), loss='mean_squared_error')")},
        expect={"week1": {"house_model": "full"}, "week1_k3": {"house_model": "full"}},
        why="SGD(lr=0.01): Keras 2 spelling; Keras 3 'Argument(s) not recognized' is drift.",
        needs=["keras2", "drift", "runtime:last_fit", "runtime:value_close"]),
    Student(
        "w1_loss_function", W1,
        {"house_model": _house(ONE_DENSE, compile_="model.compile(optimizer='sgd', "
                                                   "loss=tf.keras.losses.mean_squared_error)")},
        expect={"week1": {"house_model": "full"}, "week1_k3": {"house_model": "full"}},
        why="loss given as the function tf.keras.losses.mean_squared_error: a function "
            "object the recorded model must survive (Keras 2); Keras 3 has no such "
            "attribute (drift).",
        needs=["keras2", "drift", "loss_functions", "runtime:last_fit", "runtime:value_close"]),
    Student(
        "w1_prices_in_dollars", W1,
        {"house_model": _house(ONE_DENSE, ys="[100000, 150000, 200000, 250000, 300000, 350000]")},
        expect={"week1": {"house_model": 1}, "week1_k3": {"house_model": 1}},
        why="Wrong units: prices in dollars; SGD diverges (no answer near 4.0), the "
            "model is still one Dense unit (1 of 4 points).",
        needs=["runtime:last_fit", "runtime:value_close"]),
    Student(
        "w1_one_epoch", W1,
        {"house_model": _house(ONE_DENSE, epochs=1)},
        expect={"week1": {"house_model": 1}, "week1_k3": {"house_model": 1}},
        why="Too few epochs (1): the prediction is about 3.0, not 4.0; the model is "
            "right (1 of 4).",
        needs=["runtime:last_fit", "runtime:value_close"]),
    Student(
        "w1_hidden_layer", W1,
        {"house_model": _house("tf.keras.Sequential([tf.keras.layers.Dense(4, input_shape=[1]),"
                               " tf.keras.layers.Dense(1)])",
                               compile_="model.compile(optimizer='adam', loss='mse')",
                               epochs=800)},
        expect={"week1": {"house_model": 3}, "week1_k3": {"house_model": 3}},
        why="Predicts about 4.0, but with two Dense layers where the exercise asks for "
            "one neuron: the layer check fails (3 of 4).",
        needs=["runtime:last_fit", "runtime:value_close"]),
    Student(
        "w1_own_setup_magics", W1, {"house_model": _house(ONE_DENSE)},
        setup="""\
# SETUP
import tensorflow as tf   # TF 2.3 on Colab
import numpy as np

from tensorflow import keras
""",
        before={"setup": [("code", "%tensorflow_version 2.x\n!pip install -q tensorflow==2.3.0")]},
        expect={"week1": {"house_model": "full"}, "week1_k3": {"house_model": "full"}},
        why="Correct; the setup cell differs only in comments and blank lines (not to be "
            "reported as changed), and a Colab magics cell precedes it.",
        needs=["assembly:setup_whitespace", "runtime:last_fit", "runtime:value_close"]),
    Student(
        "w1_markdown_and_scratch", W1,
        {"house_model": _house(ONE_DENSE, epochs=1000, predict="model.predict(np.array(y_new), "
                                                                "verbose=0)[0]")},
        before={"ex:house_model": [
            ("md", "My notes: y = 0.5x + 0.5, in hundreds of thousands."),
            ("code", "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1.0, 1.5, 2.0])"),
            ("code", "model.summary()")]},
        after={"ex:house_model": [("md", "It works!"), ("code", "print(house_model([10.0]))")]},
        expect={"week1": {"house_model": "full"}, "week1_k3": {"house_model": "full"}},
        why="Correct, with markdown and scratch cells that would fail if run (matplotlib "
            "is not installed, model.summary() of an undefined model).",
        needs=["runtime:last_fit", "runtime:value_close"]),
    Student(
        "w1_untouched", W1, {},
        expect={"week1": {"house_model": "zero"}, "week1_k3": {"house_model": "zero"}},
        why="The released stub, unchanged: NotImplementedError.", needs=[]),
]

# --------------------------------------------------------------------------- week 2

CB_ACC_2020 = """\
# GRADED CLASS: myCallback
class myCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs={}):
        if(logs.get('acc')>0.99):
            print("\\nReached 99% accuracy so cancelling training!")
            self.model.stop_training = True
"""

CB_OK = """\
# GRADED CLASS: myCallback
class myCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs={}):
        if logs.get('accuracy') > 0.99:
            print("\\nReached 99% accuracy so cancelling training!")
            self.model.stop_training = True
"""


def _train(metric: str = "accuracy", optimizer: str = "'adam'", epochs: int = 10,
           normalise: str = "x_train = x_train / 255.0",
           callbacks: str = "callbacks = myCallback()") -> str:
    return f"""\
# GRADED FUNCTION: train_mnist
def train_mnist(x_train, y_train):
    {normalise}
    {callbacks}
    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(12, 12)),
        tf.keras.layers.Dense(64, activation=tf.nn.relu),
        tf.keras.layers.Dense(10, activation=tf.nn.softmax)
    ])
    model.compile(optimizer={optimizer}, loss='sparse_categorical_crossentropy',
                  metrics=['{metric}'])
    history = model.fit(x_train, y_train, epochs={epochs}, callbacks=[callbacks])
    return history
"""


W2_FULL = {"myCallback": "full", "train_mnist": "full"}
W2_BASE = ["coursedata", "provided", "probes"]

WEEK2_STUDENTS = [
    Student(
        "w2_lecture_2020", W2, {"myCallback": CB_ACC_2020, "train_mnist": _train(metric="acc")},
        expect={"week2": W2_FULL, "week2_k3": W2_FULL},
        why="The lecture's callback: logs.get('acc') with metrics=['acc']. Keras 2 probe "
            "sends 'acc' too; under Keras 3 the probe's logs have only 'accuracy': TypeError "
            "(drift, regraded at credit 1). Training works in both (Keras 3 also names the "
            "metric 'acc').",
        needs=[*W2_BASE, "keras2", "drift"]),
    Student(
        "w2_callbacks_previous_cell", W2,
        {"myCallback": CB_OK, "train_mnist": _train(callbacks="")},
        after={"ex:myCallback": [("code", "callbacks = myCallback()")]},
        expect={"week2": W2_FULL, "week2_k3": W2_FULL},
        why="callbacks = myCallback() is built in the cell after the class; train_mnist "
            "uses that global.",
        needs=[*W2_BASE, "assembly:student_cells"]),
    Student(
        "w2_threshold_90", W2,
        {"myCallback": CB_OK.replace("0.99", "0.9").replace("99%", "90%"),
         "train_mnist": _train()},
        expect={"week2": {"myCallback": "zero", "train_mnist": "full"},
                "week2_k3": {"myCallback": "zero", "train_mnist": "full"}},
        why="Wrong threshold (0.9): the probe sees it stop two epochs early; training still "
            "stops early (the training check passes).",
        needs=W2_BASE),
    Student(
        "w2_two_epochs", W2, {"myCallback": CB_OK, "train_mnist": _train(epochs=2)},
        expect={"week2": {"myCallback": "full", "train_mnist": "zero"},
                "week2_k3": {"myCallback": "full", "train_mnist": "zero"}},
        why="Too few epochs: 2 epochs never reach 99%, so the callback never stops training.",
        needs=W2_BASE),
    Student(
        "w2_rmsprop_lr", W2,
        {"myCallback": CB_OK,
         "train_mnist": _train(optimizer="tf.keras.optimizers.RMSprop(lr=0.001)")},
        expect={"week2": W2_FULL, "week2_k3": W2_FULL},
        why="RMSprop(lr=0.001): Keras 2; drift under Keras 3, regraded at credit 1.",
        needs=[*W2_BASE, "keras2", "drift"]),
    Student(
        "w2_helper_above", W2,
        {"myCallback": CB_OK, "train_mnist": _train(normalise="x_train = scale(x_train)")},
        before={"ex:train_mnist": [("code", "def scale(images):\n    return images / 255.0")]},
        expect={"week2": W2_FULL, "week2_k3": W2_FULL},
        why="Normalises with a helper defined in a cell above the graded one.",
        needs=[*W2_BASE, "assembly:student_cells"]),
    Student(
        "w2_callback_inside_train_2020", W2,
        {"myCallback": None, "train_mnist": """\
# GRADED FUNCTION: train_mnist
def train_mnist(x_train, y_train):
    class myCallback(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs={}):
            if(logs.get('accuracy')>0.99):
                print("\\nReached 99% accuracy so cancelling training!")
                self.model.stop_training = True

    x_train = x_train / 255.0
    callbacks = myCallback()
    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(12, 12)),
        tf.keras.layers.Dense(64, activation=tf.nn.relu),
        tf.keras.layers.Dense(10, activation=tf.nn.softmax)
    ])
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    history = model.fit(x_train, y_train, epochs=10, callbacks=[callbacks])
    return history
"""},
        expect={"week2": W2_FULL, "week2_k3": W2_FULL},
        why="The 2020 notebook had no callback cell: the class is defined inside "
            "train_mnist (the myCallback stub cell was deleted). The callback must be found "
            "where the student defined it.",
        needs=[*W2_BASE, "callback_lookup (issue 14, not in CONTRACT)"]),
    Student(
        "w2_set_model_override", W2,
        {"myCallback": """\
# GRADED CLASS: myCallback
class myCallback(tf.keras.callbacks.Callback):
    def __init__(self, threshold=0.99):
        super().__init__()
        self.threshold = threshold

    def set_model(self, model):
        self.model = model

    def on_epoch_end(self, epoch, logs={}):
        if logs.get('accuracy', 0) > self.threshold:
            print("\\nReached 99% accuracy so cancelling training!")
            self.model.stop_training = True
""", "train_mnist": _train()},
        expect={"week2": W2_FULL, "week2_k3": W2_FULL},
        why="Overrides set_model (self.model = model): fine in Keras 2; Keras 3 raises "
            "\"property 'model' ... has no setter\" (drift, regraded at credit 1).",
        needs=[*W2_BASE, "keras2", "drift"]),
    Student(
        "w2_toplevel_training", W2,
        {"myCallback": CB_OK,
         "train_mnist": _train() + """
history = train_mnist(x_train, y_train)
print(history.epoch, history.history['accuracy'][-1])
"""},
        expect={"week2": W2_FULL, "week2_k3": W2_FULL},
        why="Correct; the graded cell also trains at top level and prints (skipped).",
        needs=[*W2_BASE, "assembly:top_level_skip"]),
    Student(
        "w2_logs_none_scratch", W2,
        {"myCallback": """\
# GRADED CLASS: myCallback
class myCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if logs.get('accuracy', 0) >= 0.99:
            print(f"\\nReached 99% accuracy at epoch {epoch + 1} so cancelling training!")
            self.model.stop_training = True
""", "train_mnist": _train()},
        before={"ex:myCallback": [
            ("md", "Let's look at the data first."),
            ("code", "import matplotlib.pyplot as plt\n"
                     "plt.imshow(x_train[0])\nprint(y_train[0])")]},
        after={"ex:train_mnist": [("code", "history.model.evaluate(x_train / 255.0, y_train)")]},
        expect={"week2": W2_FULL, "week2_k3": W2_FULL},
        why="Correct (>= instead of >, logs=None guarded), with scratch cells that need "
            "matplotlib (never run).",
        needs=W2_BASE),
    Student(
        "w2_never_stops", W2,
        {"myCallback": CB_OK.replace("            self.model.stop_training = True\n", ""),
         "train_mnist": _train()},
        expect={"week2": {"myCallback": "zero", "train_mnist": "zero"},
                "week2_k3": {"myCallback": "zero", "train_mnist": "zero"}},
        why="Prints the message but never sets stop_training: training runs all 10 epochs.",
        needs=W2_BASE),
    Student(
        "w2_add_style_own_imports", W2,
        {"myCallback": CB_OK, "train_mnist": """\
# GRADED FUNCTION: train_mnist
def train_mnist(x_train, y_train):
    model = Sequential()
    model.add(Flatten(input_shape=x_train.shape[1:]))
    model.add(Dense(64, activation='relu'))
    model.add(Dense(10, activation='softmax'))
    model.compile(optimizer=Adam(), loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    return model.fit(x_train / 255., y_train, epochs=10, callbacks=[myCallback()], verbose=2)
"""},
        before={"ex:myCallback": [("code", "from tensorflow.keras.models import Sequential\n"
                                           "from tensorflow.keras.layers import Dense, Flatten\n"
                                           "from tensorflow.keras.optimizers import Adam")]},
        expect={"week2": W2_FULL, "week2_k3": W2_FULL},
        why="Correct, written with model.add and imports of its own cell.",
        needs=[*W2_BASE, "assembly:student_cells"]),
    Student(
        "w2_untouched", W2, {},
        expect={"week2": {"myCallback": "zero", "train_mnist": "zero"},
                "week2_k3": {"myCallback": "zero", "train_mnist": "zero"}},
        why="The released stubs.", needs=W2_BASE),
]
