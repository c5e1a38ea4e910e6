"""dependencies.py: free names, statements, and what graded code needs, on tricky sources."""

from __future__ import annotations

import ast

import pytest

from autograder.dependencies import (
    GRADED,
    PROVIDED,
    RUN,
    STUDENT,
    CodeCell,
    Selection,
    free_names,
    render,
    render_checked,
    select,
    statements,
)


def student(index: int, source: str, top_level: str = "skip") -> CodeCell:
    return CodeCell(index, source, STUDENT, top_level=top_level)


def graded(index: int, source: str, exercise: str, top_level: str = "skip") -> CodeCell:
    return CodeCell(index, source, GRADED, exercise, top_level)


def taken(selection: Selection, cells: list[CodeCell]) -> dict[int, list[str]]:
    """Cell index → the texts of the statements that run (student cells with any)."""
    found = {}
    for cell in cells:
        keys = selection.run.get(cell.index, frozenset())
        texts = [s.text for s in selection.statements.get(cell.index, ()) if s.key in keys]
        if texts and cell.role == STUDENT:
            found[cell.index] = texts
    return found


def test_free_names_respect_scopes() -> None:
    source = (
        "def f(data, n=DEFAULT):\n"
        "    total = 0\n"
        "    for i in range(n):\n"
        "        total += data[i] * scale\n"
        "    squares = [x * x for x in data if x > limit]\n"
        "    g = lambda y: y + offset\n"
        "    return total, squares, g\n"
    )
    assert free_names(source) == {"DEFAULT", "scale", "limit", "offset"}
    assert free_names("train(make_model(), *load())", "eval") == {"train", "make_model", "load"}
    # a name bound anywhere in a function is local there
    assert free_names("def f():\n    x = 1\n    return x\n") == frozenset()
    assert free_names("def f():\n    global counter\n    counter += 1\n") == {"counter"}


def test_imports_in_their_own_cell_and_keras_attributes() -> None:
    cells = [
        student(0, "import tensorflow as tf\nfrom tensorflow import keras\nimport numpy as np\n"
                   "from google.colab import files\n"),
        graded(1, "def house_model():\n    model = keras.Sequential([keras.layers.Dense(1)])\n"
                  "    model.compile(optimizer='sgd', loss='mse')\n    return model\n",
               "house_model"),
    ]
    selection = select(cells, {"house_model": "house_model()"})
    assert taken(selection, cells) == {0: ["from tensorflow import keras"]}
    assert selection.needed_by[(0, 1)] == {"house_model"}


def test_helper_using_a_constant_three_cells_above_and_a_class() -> None:
    cells = [
        student(0, "import tensorflow as tf\n"),
        student(1, "data_shape = (28, 28)\nUNUSED = 5\n"),
        student(2, "print(data_shape)\n"),
        student(3, "x = 3\n"),
        student(4, "class Stop(tf.keras.callbacks.Callback):\n"
                   "    def on_epoch_end(self, epoch, logs=None):\n"
                   "        if logs['accuracy'] > THRESHOLD:\n"
                   "            self.model.stop_training = True\n"),
        student(5, "THRESHOLD = 0.99\n"),
        student(6, "def make_layers():\n    return [tf.keras.layers.Flatten(input_shape="
                   "data_shape)]\n"),
        graded(7, "def train():\n    cb = Stop()\n    layers = make_layers()\n    return cb, "
                  "layers\n", "train"),
    ]
    selection = select(cells, {"train": "train()"})
    assert taken(selection, cells) == {
        0: ["import tensorflow as tf"], 1: ["data_shape = (28, 28)"], 4: ["class Stop"],
        5: ["THRESHOLD = 0.99"], 6: ["def make_layers"]}


def test_shadowing_and_the_last_binding_wins() -> None:
    cells = [
        student(0, "epochs = 1000\nlr = 0.1\n"),
        student(1, "lr = 0.01\n"),
        graded(2, "def train(epochs=5):\n    data = 3\n    return epochs, data, lr\n", "train"),
        student(3, "data = 'scratch'\n"),
    ]
    selection = select(cells, {"train": "train()"})
    assert taken(selection, cells) == {1: ["lr = 0.01"]}


def test_needed_assignment_kept_and_its_own_history() -> None:
    cells = [
        student(0, "import numpy as np\n"),
        student(1, "training_images = np.ones((4, 2))\n"),
        student(2, "training_images = training_images / 255.0\nplt_thing = 1\n"),
        student(3, "callbacks = myCallback()\n"),
        student(4, "class myCallback:\n    pass\n"),  # defined after use: notebook order
        graded(5, "def train():\n    return training_images, callbacks\n", "train"),
    ]
    selection = select(cells, {"train": "train()"})
    assert taken(selection, cells) == {
        0: ["import numpy as np"], 1: ["training_images = np.ones((4, 2))"],
        2: ["training_images = training_images / 255.0"], 3: ["callbacks = myCallback()"]}


def test_top_level_fit_skipped_in_a_graded_cell_and_line_numbers_kept() -> None:
    source = ("import numpy as np\n"
              "def train_model():\n"
              "    return np.ones(2)\n"
              "model = train_model()\n"
              "model.fit(xs, ys,\n"
              "          epochs=4000, verbose=1)\n"
              "print(model.predict([7.0]))\n"
              "def after():\n"
              "    return 1 / 0\n")
    cells = [graded(0, source, "train_model")]
    selection = select(cells, {"train_model": "train_model()"})
    assert [s.text for s in selection.skipped[0]] == [
        "model = train_model()", "model.fit(xs, ys,…", "print(model.predict([7.0]))"]
    text = render(source, selection.statements[0], selection.run[0])
    assert "fit" not in text and "print" not in text
    assert text.splitlines()[7] == "def after():"  # line 8 is still line 8
    assert len(text.splitlines()) == len(source.splitlines())
    ast.parse(text)
    run_all = select([graded(0, source, "train_model", RUN)], {})
    assert 0 not in run_all.run and 0 not in run_all.skipped


def test_training_assignment_left_out_unless_run() -> None:
    cells = [
        student(0, "model = make()\nhistory = model.fit(x, y, epochs=50)\n"),
        graded(1, "def plot_loss():\n    return history.history['loss']\n", "plot_loss"),
    ]
    selection = select(cells, {"plot_loss": "plot_loss()"})
    assert taken(selection, cells) == {}
    assert any("history comes from training at the top level of cell 1" in n
               for n in selection.notes)
    cells[0] = student(0, cells[0].source, RUN)
    selection = select(cells, {"plot_loss": "plot_loss()"})
    assert taken(selection, cells) == {0: ["model = make()",
                                           "history = model.fit(x, y, epochs=50)"]}


def test_updates_of_a_needed_object_are_taken_but_not_plots() -> None:
    cells = [
        student(0, "import matplotlib.pyplot as plt\nmodel = build()\n"
                   "model.compile(loss='mse')\nmodel.summary()\nplt.plot(model)\n"
                   "model.fit(x, y)\n"),
        graded(1, "def score():\n    return model\n", "score"),
    ]
    selection = select(cells, {"score": "score()"})
    assert taken(selection, cells) == {0: ["model = build()", "model.compile(loss='mse')"]}


def test_syntax_error_cell_is_skipped_with_a_note() -> None:
    cells = [
        student(0, "def helper(:\n    return 1\n"),
        student(1, "LIMIT = 3\n"),
        graded(2, "def f():\n    return helper(), LIMIT\n", "f"),
    ]
    selection = select(cells, {"f": "f()"})
    assert taken(selection, cells) == {1: ["LIMIT = 3"]}
    assert selection.notes == ("cell 1 was not read: it is not valid Python (SyntaxError "
                               "(line 1): invalid syntax); nothing was taken from it",)


def test_star_import_taken_only_for_unresolved_names() -> None:
    cells = [
        student(0, "from tensorflow.keras.layers import *\n"),
        graded(1, "def f():\n    return Dense(1), np.ones(1)\n", "f"),
    ]
    assert taken(select(cells, {"f": "f()"}, known={"np", "Dense"}), cells) == {}
    assert taken(select(cells, {"f": "f()"}, known={"np"}), cells) == {
        0: ["from tensorflow.keras.layers import *"]}


def test_setup_imports_and_graded_definitions_are_not_taken_again() -> None:
    cells = [
        student(0, "import numpy as np\nimport tensorflow as tf\n"),
        graded(1, "def house_model():\n    return np, tf\n", "house_model"),
        student(2, "def house_model():\n    return 'an experiment'\n"),
    ]
    selection = select(cells, {"house_model": "house_model()"},
                       setup_imports={"import numpy as np"})
    assert taken(selection, cells) == {0: ["import tensorflow as tf"]}
    # a name the course binds (setup cells, data) is not bound again by a student's copy
    selection = select(cells, {"house_model": "house_model()"}, known={"np", "tf"})
    assert taken(selection, cells) == {}


def test_course_data_kept_but_a_derived_binding_taken_and_dead_code_ignored() -> None:
    cells = [
        student(0, "(train_images, train_labels), _ = load_data()\nhistory = 3\n"),
        student(1, "train_images = train_images / 255.0\n"),
        graded(2, "def train():\n    raise NotImplementedError()\n    return history\n",
               "train"),
        graded(3, "def fit_it():\n    return train_images, train_labels\n", "fit_it"),
    ]
    selection = select(cells, {"train": "train()", "fit_it": "fit_it()"},
                       known={"train_images", "train_labels", "load_data"})
    assert taken(selection, cells) == {1: ["train_images = train_images / 255.0"]}


def test_provided_cell_uses_graded_code_and_graded_code_uses_it() -> None:
    cells = [
        graded(0, "def image_generator():\n    return 1\n", "image_generator"),
        CodeCell(1, "gen = image_generator()\n", PROVIDED),
        graded(2, "def train():\n    return gen\n", "train"),
    ]
    selection = select(cells, {"image_generator": "image_generator()", "train": "train()"})
    assert 1 not in selection.run and not selection.notes


def test_a_students_fresh_copy_of_a_provided_name_is_not_taken() -> None:
    """A quicker copy of the course's training loop, or the data loaded again, in a scratch
    cell after the provided cell: the course's own binding is what the call uses."""
    cells = [
        CodeCell(0, "x_train = load()\ndef train_loop(model):\n    return model.fit(5)\n",
                 PROVIDED),
        student(1, "def train_loop(model):\n    return model.fit(1)\n"),
        student(2, "(x_train, y_train), _ = mnist.load_data()\n"),
        student(3, "x_small = x_train[:10]\n"),
        graded(4, "def make_model():\n    return x_small\n", "make_model"),
    ]
    selection = select(cells, {"make_model": "make_model()",
                               "fit": "train_loop(make_model(), x_train)"})
    assert taken(selection, cells) == {3: ["x_small = x_train[:10]"]}


def test_a_call_takes_the_provided_data_not_a_students_derived_copy() -> None:
    cells = [
        CodeCell(0, "x_train = load()\n", PROVIDED),
        graded(1, "def normalise(x):\n    return x / 255.0\n", "normalise"),
        student(2, "x_train = normalise(x_train)\n"),
    ]
    selection = select(cells, {"normalise": "normalise(x_train)"})
    assert taken(selection, cells) == {}


@pytest.mark.parametrize(("source", "keep", "expected"), [
    ("a = 1; model.fit(x)\nb = 2\n", {0, 2}, "a = 1; pass\nb = 2\n"),
    ("model.fit(x,\n   y); c = 3\n", {1}, "pass \\\n; c = 3\n"),
    ("x = 1\nprint(x)", {0}, "x = 1\npass"),
    ("@dec\ndef f():\n    pass\nf()\n", {0}, "@dec\ndef f():\n    pass\npass\n"),
])
def test_render_keeps_every_kept_statement_on_its_line(source: str, keep: set[int],
                                                       expected: str) -> None:
    stmts = statements(0, source)
    keys = frozenset((0, i) for i in keep)
    assert render(source, stmts, keys) == expected
    assert render_checked(source, stmts, keys) == expected


def test_an_older_copy_of_a_graded_function_is_not_taken_but_its_helper_is() -> None:
    cells = [
        student(0, "def helper():\n    return 2\n\ndef house_model():\n    return 'old'\n"),
        graded(1, "def house_model():\n    return helper()\n", "house_model"),
    ]
    selection = select(cells, {"house_model": "house_model()"})
    assert taken(selection, cells) == {0: ["def helper"]}


NESTED = '''\
# GRADED FUNCTION: train_mnist
def train_mnist(x_train, y_train):
    class myCallback(tf.keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs={}):
            if logs.get("accuracy") > 0.99:
                self.model.stop_training = True

    callbacks = myCallback()
    return callbacks
'''


def test_a_callback_defined_inside_the_training_function_is_found() -> None:
    from autograder.runorder import nested_definition

    found = nested_definition(NESTED, ("myCallback", "MyCallback"))
    assert found is not None
    name, outer, source = found
    assert (name, outer) == ("myCallback", "train_mnist")
    assert source.startswith("class myCallback(tf.keras.callbacks.Callback):\n")
    compile(source, "<hoisted>", "exec")  # runs at the top level as it is
    assert nested_definition(NESTED, ("other",)) is None
    assert nested_definition("def f(:\n", ("f",)) is None
