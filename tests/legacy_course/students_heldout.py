"""Held-out student notebooks of the legacy course (weeks 1, 2, 4): written by a second
author after the grader was built, as a probe of code it had never seen, in idioms that
students_w12.py / students_w34.py do not cover. Four of them found defects, since fixed
(a functional model under tf_keras; a student's copy of a provided function; two Keras 3
import drifts). Same conventions (student_spec.Student), written by make_notebooks.py."""

from __future__ import annotations

from student_spec import Student
from students_w12 import CB_OK, _train
from students_w34 import GEN_OK, W4_FULL, _create, _ok, _train4

W1, W2, W4 = "week1", "week2", "week4"
W2_FULL = {"myCallback": "full", "train_mnist": "full"}

# --------------------------------------------------------------------------- week 1

HELDOUT_W1 = [
    Student(
        "h1_model_add_input_dim", W1,
        {"house_model": """\
# GRADED FUNCTION: house_model
def house_model(y_new):
    xs = np.array([1, 2, 3, 4, 5, 6], dtype=float)
    ys = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5], dtype=float)
    model = Sequential()
    model.add(Dense(1, input_dim=1))
    model.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.01),
                  loss='mean_squared_error')
    model.fit(xs, ys, epochs=500, verbose=0)
    return model.predict(y_new)[0]
"""},
        before={"setup": [("code", "%matplotlib inline")],
                "ex:house_model": [
                    ("code", "print(tf.__version__)"),
                    ("code", "from tensorflow.keras.models import Sequential\n"
                             "from tensorflow.keras.layers import Dense")]},
        expect={"week1": {"house_model": "full"}},
        why="Correct: model.add(Dense(1, input_dim=1)), SGD(learning_rate=0.01) object, "
            "imports in a cell of their own, a %matplotlib cell and a version print.",
        needs=["assembly:student_cells"]),
    Student(
        "h1_standalone_keras_adam_lr", W1,
        {"house_model": """\
# GRADED FUNCTION: house_model
from keras.models import Sequential
from keras.layers import Dense
from keras.optimizers import Adam

def house_model(y_new):
    xs = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    ys = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5])
    model = Sequential([Dense(units=1, input_shape=[1])])
    model.compile(optimizer=Adam(lr=0.1), loss='mse')
    model.fit(xs, ys, epochs=500, verbose=0)
    return model.predict(np.array(y_new), verbose=0)[0]
"""},
        expect={"week1": {"house_model": "full"}, "week1_k3": {"house_model": "full"}},
        why="Standalone `keras` imports (2019 style) and Adam(lr=0.1): Keras 2 honours lr; "
            "under Keras 3 lr= is drift, regraded at credit 1.",
        needs=["keras2", "drift"]),
    Student(
        "h1_globals_seed_summary", W1,
        {"house_model": """\
# GRADED FUNCTION: house_model
tf.keras.utils.set_random_seed(42)
EPOCHS = 500
xs = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dtype=float)
ys = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5], dtype=float)

def house_model(y_new, epochs=EPOCHS):
    model = tf.keras.Sequential([tf.keras.layers.Dense(units=1, input_shape=[1])])
    model.compile(optimizer='sgd', loss='mean_squared_error')
    model.summary()
    history = model.fit(xs, ys, epochs=epochs, verbose=0)
    print(f"final loss: {history.history['loss'][-1]:.4f}")
    return model.predict(np.array(y_new))[0][0]

prediction = house_model([7.0])
print(prediction)
"""},
        expect={"week1": {"house_model": "full"}},
        why="Correct: module-level data, a seed and a default argument from a global, "
            "model.summary() inside, returns a plain float; top-level call skipped.",
        needs=["assembly:top_level_skip"]),
    Student(
        "h1_relu_activation", W1,
        {"house_model": """\
# GRADED FUNCTION: house_model
def house_model(y_new):
    xs = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dtype=float)
    ys = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5], dtype=float)
    model = keras.Sequential([keras.layers.Dense(units=1, input_shape=[1], activation='relu')])
    model.compile(optimizer='sgd', loss='mean_squared_error')
    model.fit(xs, ys, epochs=500, verbose=0)
    return model.predict(np.array(y_new), verbose=0)[0]
"""},
        expect={"week1": {"house_model": 3}},
        why="Adds activation='relu' to the one neuron: predicts about 4.0 (checked "
            "directly) but the layer check compares activations (3 of 4).",
        needs=[]),
    Student(
        "h1_global_model_compiled_outside", W1,
        {"house_model": """\
# GRADED FUNCTION: house_model
def house_model(y_new):
    model.fit(xs, ys, epochs=500, verbose=0)
    return model.predict(np.array(y_new), verbose=0)[0]
"""},
        before={"ex:house_model": [("code", """\
xs = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dtype=float)
ys = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5], dtype=float)
model = tf.keras.Sequential([tf.keras.layers.Dense(units=1, input_shape=[1])])
model.compile(optimizer='sgd', loss='mean_squared_error')
model.summary()""")]},
        expect={"week1": {"house_model": "full"}},
        why="The model is built and compiled at the top of a cell above; the graded "
            "function only trains and predicts (the notebook run top to bottom gives 4.0).",
        needs=["assembly:student_cells"]),
    Student(
        "h1_functional_api", W1,
        {"house_model": """\
# GRADED FUNCTION: house_model
def house_model(y_new):
    xs = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], dtype=float)
    ys = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5], dtype=float)
    inputs = tf.keras.Input(shape=(1,))
    outputs = tf.keras.layers.Dense(units=1)(inputs)
    model = tf.keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer='sgd', loss='mean_squared_error')
    model.fit(xs, ys, epochs=500, verbose=0)
    return model.predict(np.array(y_new), verbose=0)[0]
"""},
        expect={"week1": {"house_model": "full"}, "week1_k3": {"house_model": "full"}},
        why="Correct: the same one-neuron network written with the functional API "
            "(Input -> Dense(1) -> Model). Its model.layers lists the InputLayer first.",
        needs=[]),
]

# --------------------------------------------------------------------------- week 2

CB_BATCH_END = """\
# GRADED CLASS: myCallback
class myCallback(tf.keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if logs.get('accuracy') > 0.99:
            print(f"\\nReached 99% accuracy (batch {batch}) so cancelling training!")
            self.model.stop_training = True
"""

CB_ACC_BRACKET = """\
# GRADED CLASS: myCallback
class myCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs={}):
        if logs['acc'] > 0.99:
            print("\\nReached 99% accuracy so cancelling training!")
            self.model.stop_training = True
"""

HELDOUT_W2 = [
    Student(
        "h2_batch_end_fstring", W2, {"myCallback": CB_BATCH_END, "train_mnist": _train()},
        expect={"week2": W2_FULL},
        why="Stops from on_train_batch_end (running accuracy over 0.99), prints with an "
            "f-string: stops training early.",
        needs=["probes"]),
    Student(
        "h2_acc_callback_accuracy_metric", W2,
        {"myCallback": CB_ACC_BRACKET.replace("logs['acc']", "logs.get('acc')"),
         "train_mnist": _train()},
        expect={"week2": {"myCallback": "full", "train_mnist": "zero"},
                "week2_k3": {"myCallback": "full", "train_mnist": "zero"}},
        why="logs.get('acc') (the lecture's callback) but compiled with metrics=['accuracy']: "
            "tf_keras logs only 'accuracy', so training raises TypeError (None > 0.99) under "
            "both Keras; the callback alone passes the Keras 2 probe (acc mirrored).",
        needs=["probes", "drift"]),
    Student(
        "h2_2019_returns_tuple", W2,
        {"myCallback": CB_ACC_BRACKET, "train_mnist": """\
# GRADED FUNCTION: train_mnist
def train_mnist(x_train, y_train):
    callbacks = myCallback()
    x_train = x_train / 255.0
    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(12, 12)),
        tf.keras.layers.Dense(64, activation=tf.nn.relu),
        tf.keras.layers.Dense(10, activation=tf.nn.softmax)
    ])
    model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['acc'])
    history = model.fit(x_train, y_train, epochs=10, callbacks=[callbacks])
    return history.epoch, history.history['acc'][-1]
"""},
        expect={"week2": {"myCallback": "full", "train_mnist": "zero"}},
        why="The 2019 notebook returned (history.epoch, history.history['acc'][-1]); this "
            "course asks for the History: the training exercise cannot be read.",
        needs=["probes"]),
    Student(
        "h2_layers_models_rmsprop_cell", W2,
        {"myCallback": """\
# GRADED CLASS: myCallback
class myCallback(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs={}):
        if logs.get('accuracy') is not None and logs.get('accuracy') > 0.99:
            print("\\nReached 99% accuracy so cancelling training!")
            self.model.stop_training = True
""", "train_mnist": """\
# GRADED FUNCTION: train_mnist
def train_mnist(x_train, y_train):
    x_train = x_train / 255
    model = models.Sequential()
    model.add(layers.Flatten(input_shape=(12, 12)))
    model.add(layers.Dense(64, activation='relu'))
    model.add(layers.Dense(10, activation='softmax'))
    model.compile(optimizer=RMSprop(learning_rate=0.001),
                  loss='sparse_categorical_crossentropy', metrics=['accuracy'])
    history = model.fit(x_train, y_train, epochs=10, callbacks=[myCallback()], verbose=1)
    return history
"""},
        before={"ex:myCallback": [("code", "import tensorflow.keras as keras\n"
                                           "from tensorflow.keras import layers, models\n"
                                           "from tensorflow.keras.optimizers import RMSprop")]},
        expect={"week2": W2_FULL},
        why="Correct: `import tensorflow.keras as keras`, layers/models and RMSprop imported "
            "in a cell of their own, model.add, x / 255.",
        needs=["assembly:student_cells"]),
    Student(
        "h2_defaults_global_epochs", W2,
        {"myCallback": CB_OK, "train_mnist": """\
# GRADED FUNCTION: train_mnist
def train_mnist(x_train, y_train, epochs=EPOCHS, callbacks=[myCallback()]):
    global model
    x_train = x_train / 255.0
    model = tf.keras.models.Sequential([
        tf.keras.layers.Flatten(input_shape=(12, 12)),
        tf.keras.layers.Dense(64, activation=tf.nn.relu),
        tf.keras.layers.Dense(10, activation=tf.nn.softmax)
    ])
    model.compile(optimizer=tf.optimizers.Adam(), loss='sparse_categorical_crossentropy',
                  metrics=['accuracy'])
    history = model.fit(x_train, y_train, epochs=epochs, callbacks=callbacks)
    return history
"""},
        before={"ex:train_mnist": [("code", "EPOCHS = 10  # no more than 10!")]},
        after={"ex:train_mnist": [("code", "model.evaluate(x_train / 255.0, y_train)")]},
        expect={"week2": W2_FULL},
        why="Correct: default arguments from a global (EPOCHS) and a callback instance, "
            "`global model`, tf.optimizers.Adam().",
        needs=["assembly:student_cells"]),
    Student(
        "h2_no_message", W2,
        {"myCallback": """\
# GRADED CLASS: myCallback
class myCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs={}):
        if logs.get('accuracy') > 0.99:
            self.model.stop_training = True
""", "train_mnist": _train()},
        expect={"week2": {"myCallback": "zero", "train_mnist": "full"}},
        why="Stops at the right epoch but prints nothing (the exercise asks for the "
            "message): the callback check fails; training stops early.",
        needs=["probes"]),
    Student(
        "h2_setup_edited_callback_import", W2,
        {"myCallback": """\
# GRADED CLASS: myCallback
class myCallback(Callback):
    def on_epoch_end(self, epoch, logs={}):
        if(logs.get('accuracy') > 0.99):
            print("\\nReached 99% accuracy so cancelling training!")
            self.model.stop_training = True
""", "train_mnist": _train()},
        setup="""\
# SETUP
%matplotlib inline
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.callbacks import Callback
print(tf.__version__)
""",
        expect={"week2": W2_FULL},
        why="The student added `%matplotlib inline` and an import of Callback to the "
            "setup cell itself; the graded class needs that import.",
        needs=["assembly:student_cells"]),
    Student(
        "h2_input_layer_2024", W2,
        {"myCallback": CB_OK, "train_mnist": _train().replace(
            "tf.keras.layers.Flatten(input_shape=(12, 12)),",
            "tf.keras.Input(shape=(12, 12)),\n        tf.keras.layers.Flatten(),")},
        expect={"week2": W2_FULL},
        why="Correct, 2024 style: Sequential([tf.keras.Input(shape=(12, 12)), Flatten(), ...]).",
        needs=[]),
    Student(
        "h2_lecture_mnist_cell", W2, {"myCallback": CB_OK, "train_mnist": _train()},
        after={"provided": [("md", "Trying the lecture's code first."),
                            ("code", """\
mnist = tf.keras.datasets.mnist
(x_train, y_train), (x_test, y_test) = mnist.load_data()
print(x_train.shape)""")]},
        expect={"week2": W2_FULL},
        why="Correct functions; a scratch cell below the PROVIDED one loads the lecture's "
            "MNIST into x_train (needs the network). The grader's call train_mnist(x_train, "
            "y_train) should use the course's digits (runorder/dependencies: 'a call's own "
            "names come from the course ... never from the student's cells').",
        needs=["assembly:student_cells"]),
]

# --------------------------------------------------------------------------- week 4

WGET = ('!wget --no-check-certificate \\\n'
        '    "https://storage.googleapis.com/laurencemoroney-blog.appspot.com/'
        'happy-or-sad.zip" \\\n'
        '    -O "/tmp/happy-or-sad.zip"')
UNZIP = """\
import zipfile
local_zip = '/tmp/happy-or-sad.zip'
zip_ref = zipfile.ZipFile(local_zip, 'r')
zip_ref.extractall("/tmp/h-or-s")
zip_ref.close()"""

HELDOUT_W4 = [
    Student(
        "h4_wget_unzip_cells", W4, _ok(),
        before={"setup": [("code", WGET), ("code", UNZIP)]},
        after={"setup": [("code", "%matplotlib inline\nimport matplotlib.pyplot as plt\n"
                                     "import matplotlib.image as mpimg")]},
        expect={"week4": W4_FULL},
        why="Correct; the 2020 download and unzip cells are kept (they cannot run: no "
            "network, no zip) and are not needed by the graded code.",
        needs=[]),
    Student(
        "h4_binary_accuracy_objects", W4,
        _ok(create_model=_create(
                loss="tf.keras.losses.BinaryCrossentropy(from_logits=False)",
                optimizer="tf.optimizers.RMSprop(learning_rate=0.001)",
                metric="accuracy").replace("metrics=['accuracy']",
                                           "metrics=[tf.keras.metrics.BinaryAccuracy()]"),
            train_happy_sad_model=_train4(metric="binary_accuracy")),
        expect={"week4": W4_FULL},
        why="Loss, optimizer and metric as objects (BinaryAccuracy -> 'binary_accuracy' "
            "in logs and history, used consistently).",
        needs=["loss_functions"]),
    Student(
        "h4_batch_128", W4, _ok(image_generator=GEN_OK.replace("batch_size=16",
                                                               "batch_size=128")),
        expect={"week4": {**W4_FULL, "image_generator": 1, "total": 0}},
        why="batch_size=128 copied from the horse-or-human lecture: the generator's batch "
            "check fails (1 of 2), the gate scores the assignment 0.",
        needs=["runtime:gate"]),
    Student(
        "h4_globals_validation_seed", W4,
        _ok(image_generator="""\
# GRADED FUNCTION: image_generator
def image_generator():
    train_generator = train_datagen.flow_from_directory(
        TRAINING_DIR, target_size=(32, 32), batch_size=16, class_mode='binary')
    return train_generator
""", train_happy_sad_model="""\
# GRADED FUNCTION: train_happy_sad_model
def train_happy_sad_model():
    tf.keras.utils.set_random_seed(42)

    class myCallback(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs={}):
            if logs.get('accuracy') > DESIRED_ACCURACY:
                print(f"\\nReached {DESIRED_ACCURACY * 100}% accuracy so cancelling training!")
                self.model.stop_training = True

    model = create_model()
    model.summary()
    history = model.fit(image_generator(), steps_per_epoch=8, epochs=15, verbose=1,
                        validation_data=image_generator(), validation_steps=4,
                        callbacks=[myCallback()])
    return history.history['accuracy'][-1]
"""),
        before={"ex:image_generator": [("code", """\
TRAINING_DIR = "/tmp/h-or-s/"
DESIRED_ACCURACY = 0.999
train_datagen = ImageDataGenerator(rescale=1/255)
print(os.listdir(TRAINING_DIR))""")]},
        expect={"week4": W4_FULL},
        why="Correct: directory, threshold and the ImageDataGenerator are globals of a "
            "cell above; validation_data, a seed, summary() and an f-string inside.",
        needs=["assembly:student_cells"]),
    Student(
        "h4_rmsprop_lr_fit_generator_ge", W4,
        _ok(create_model=_create(optimizer="RMSprop(lr=1e-3)"),
            train_happy_sad_model="""\
# GRADED FUNCTION: train_happy_sad_model
def train_happy_sad_model():
    class myCallback(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs={}):
            if logs.get('accuracy') >= 0.999:
                print("\\nReached 99.9% accuracy so cancelling training!")
                self.model.stop_training = True

    callbacks = myCallback()
    model = create_model()
    train_generator = image_generator()
    history = model.fit_generator(train_generator, steps_per_epoch=8, epochs=15,
                                  verbose=1, callbacks=[callbacks])
    return history.history['accuracy'][-1]
"""),
        expect={"week4": W4_FULL},
        why="RMSprop(lr=1e-3) (honoured under Keras 2) and fit_generator with "
            "metrics=['accuracy'] logs.",
        needs=["keras2"]),
    Student(
        "h4_int_division_rescale", W4,
        _ok(image_generator=GEN_OK.replace("rescale=1./255", "rescale=1/255.0"),
            training_dataset="""\
# GRADED FUNCTION: training_dataset
def training_dataset():
    ds = tf.keras.preprocessing.image_dataset_from_directory(
        directory='/tmp/h-or-s', labels='inferred', label_mode='binary',
        batch_size=16, image_size=(32, 32))
    rescale = tf.keras.layers.experimental.preprocessing.Rescaling(1./255)
    return ds.map(lambda x, y: (rescale(x), y))
"""),
        expect={"week4": W4_FULL, "week4_k3": {**W4_FULL, "training_dataset": "half"}},
        why="Correct: rescale=1/255.0; the tf.data pipeline rescaled with the 2021 "
            "experimental Rescaling layer (Keras 2; gone in Keras 3: AttributeError "
            "'layers' has no attribute 'experimental', drift regraded at 0.5 in week4_k3).",
        needs=["tfdata"]),
    Student(
        "h4_own_copy_of_train_loop", W4, _ok(),
        before={"ex:train_happy_sad_model": [("code", """\
# quicker while I experiment
def train_happy_sad(model, generator):
    return model.fit(generator, steps_per_epoch=2, epochs=1, verbose=2)""")]},
        expect={"week4": W4_FULL},
        why="Correct; the student redefined the course's train_happy_sad in a scratch cell "
            "(1 epoch of 2 steps, to try things quickly). fit_provided is 'the course's "
            "loop' (cell: false); the grader should call the course's, not the student's.",
        needs=["assembly:cell_false"]),
    Student(
        "h4_standalone_keras_imports", W4,
        _ok(image_generator="""\
# GRADED FUNCTION: image_generator
from keras.preprocessing.image import ImageDataGenerator

def image_generator():
    train_datagen = ImageDataGenerator(rescale=1/255)
    train_generator = train_datagen.flow_from_directory(
        '/tmp/h-or-s', target_size=(32, 32), batch_size=16, class_mode='binary')
    return train_generator
"""),
        expect={"week4": W4_FULL,
                "week4_k3": {"image_generator": "half", "create_model": "full",
                             "fit_provided": "half", "train_happy_sad_model": "half",
                             "training_dataset": "full"}},
        why="2019 standalone import `from keras.preprocessing.image import "
            "ImageDataGenerator`: Keras 2 has it; Keras 3 does not (ImportError) -- Keras 2 "
            "code failing under Keras 3, so week4_k3 should regrade it at credit 0.5.",
        needs=["keras2", "drift"]),
]


HELDOUT = [*HELDOUT_W1, *HELDOUT_W2, *HELDOUT_W4]
