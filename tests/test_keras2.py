"""Keras generations: ``keras: 2`` assignments, drift notes and the regrade under Keras 2.

A small week-1-like course is written into a temporary folder: the same solution as a
``keras: 2`` assignment (``old``) and a Keras 3 one (``new``). A student notebook in the
Keras 2 idioms of the 2020 course notes (``SGD(lr=...)``, ``logs.get('acc')``,
``model.predict([7.0])``) gets full marks under Keras 2; under Keras 3 its feedback names
the lines and the Keras 3 spellings, and the regrade gives its points back (times credit).
Real sandbox runs, real models.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import nbformat
import pytest

from autograder.assemble import Piece, Program
from autograder.course import Course, load_course
from autograder.drift import find_drift
from autograder.errors import CourseError
from autograder.facts import ERROR, ExerciseFacts
from autograder.grade import context
from autograder.modelfile import load_model
from autograder.pipeline import grade_submission
from autograder.regrade import regrade_ids, with_drift
from autograder.release import release
from autograder.reporters import html
from autograder.reporters.console import feedback, public_json
from autograder.results import CheckResult, ExerciseResult, SubmissionResult

SETUP = "# SETUP\nimport numpy as np\nimport tensorflow as tf\nfrom tensorflow import keras\n"

SOLUTION = {
    "house_model": '''# GRADED FUNCTION: house_model
def house_model():
    """A compiled model: one Dense unit, SGD with learning rate 0.05, mean squared error."""
    ### BEGIN SOLUTION
    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(units=1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.05),
                  loss="mean_squared_error")
    ### END SOLUTION
    return model
''',
    "train_house_model": '''# GRADED FUNCTION: train_house_model
def train_house_model(model):
    """Train the model on six houses (price = (bedrooms + 1) / 2) and return it."""
    ### BEGIN SOLUTION
    xs = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    ys = (xs + 1.0) / 2.0
    model.fit(xs, ys, epochs=200, verbose=0)
    ### END SOLUTION
    return model
''',
    "StopCallback": '''# GRADED FUNCTION: StopCallback
class StopCallback(keras.callbacks.Callback):
    """Stop training once the accuracy is above 0.9."""
    ### BEGIN SOLUTION
    def on_epoch_end(self, epoch, logs=None):
        if (logs or {}).get("accuracy", 0.0) > 0.9:
            print("Reached 90% accuracy, so training stops")
            self.model.stop_training = True
    ### END SOLUTION
''',
}

#: the student's cells, as the Keras 2 course notes wrote them (line numbers matter below)
KERAS2_STUDENT = {
    "house_model": '''# GRADED FUNCTION: house_model
def house_model():
    model = keras.Sequential([keras.layers.Dense(units=1, input_shape=[1])])
    model.compile(optimizer=tf.keras.optimizers.SGD(lr=0.05), loss='mean_squared_error')
    return model
''',
    "train_house_model": '''# GRADED FUNCTION: train_house_model
def train_house_model(model):
    xs = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    ys = np.array([1.0, 1.5, 2.0, 2.5, 3.0, 3.5])
    model.fit(xs, ys, epochs=200, verbose=0)
    print(model.predict([7.0]))
    return model
''',
    "StopCallback": '''# GRADED FUNCTION: StopCallback
class StopCallback(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs={}):
        if(logs.get('acc')>0.9):
            print("\\nReached 90% accuracy so cancelling training!")
            self.model.stop_training = True
''',
}

EXERCISES = [
    {"id": "house_model", "record": "model", "time_limit": 60, "checks": [
        {"name": "one Dense unit", "check": "layer_table", "points": 2},
        {"name": "SGD at 0.05, mean squared error", "check": "compile_settings", "points": 1,
         "params": {"learning_rate": True}}]},
    {"id": "train_house_model", "call": "train_house_model(house_model())", "record": "model",
     "time_limit": 120, "checks": [
         {"name": "predicts 7 bedrooms at 4.0", "check": "prediction", "points": 3,
          "params": {"inputs": [7.0], "expected": 4.0, "tolerance": 0.3}}]},
    {"id": "StopCallback", "call": "StopCallback()", "record": "callback", "time_limit": 30,
     "probe": {"sequences": [[{"loss": 0.5, "accuracy": 0.8}, {"loss": 0.4, "accuracy": 0.95},
                              {"loss": 0.3, "accuracy": 0.97}]]},
     "checks": [{"name": "stops above 0.9", "check": "callback_stops", "points": 2}]},
]


def _notebook(cells: list[str]) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def write_course(folder: Path, credit: float = 1.0) -> Course:
    """The course: ``old`` (keras: 2) and ``new`` (Keras 3, drift regrade with ``credit``)."""
    solution = _notebook([SETUP, *SOLUTION.values()])
    for aid in ("old", "new"):
        (folder / "solutions" / aid).mkdir(parents=True)
        nbformat.write(solution, str(folder / "solutions" / aid / "houses.ipynb"))
    course = {
        "version": 1, "course": "keras2-test", "cache": str(folder / "cache"),
        "assignments": {
            "old": {"notebook": "houses.ipynb", "seed": 7, "time_limit": 300, "keras": 2,
                    "exercises": EXERCISES},
            "new": {"notebook": "houses.ipynb", "seed": 7, "time_limit": 300,
                    "drift": {"regrade": True, "credit": credit}, "exercises": EXERCISES},
        },
    }
    (folder / "course.yaml").write_text(json.dumps(course, indent=1), encoding="utf-8")
    loaded = load_course(folder / "course.yaml")
    release(loaded)
    return loaded


def student_notebook(course: Course, aid: str, cells: dict[str, str], path: Path) -> Path:
    """The release of ``aid`` with the exercise cells replaced by ``cells``."""
    nb = nbformat.read(str(course.release_path(course.assignment(aid))), as_version=4)
    for cell in nb.cells:
        for name, source in cells.items():
            if cell.cell_type == "code" and f"# GRADED FUNCTION: {name}\n" in cell.source:
                cell.source = source
    nbformat.write(nb, str(path))
    return path


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Course:
    return write_course(tmp_path_factory.mktemp("keras2-course"), credit=0.5)


# ----------------------------------------------------------------------- fast: no sandbox


def _two_assignments(tmp_path: Path) -> None:
    for aid in ("a", "b"):
        (tmp_path / "solutions" / aid).mkdir(parents=True)
        nbformat.write(_notebook([SETUP, *SOLUTION.values()]),
                       str(tmp_path / "solutions" / aid / "n.ipynb"))


def test_keras_key_course_level_and_assignment_wins(tmp_path: Path) -> None:
    _two_assignments(tmp_path)
    data = {"version": 1, "course": "c", "keras": 2, "assignments": {
        "a": {"notebook": "n.ipynb", "exercises": EXERCISES[:1]},
        "b": {"notebook": "n.ipynb", "keras": 3, "drift": {"credit": 0.8},
              "exercises": EXERCISES[:1]}}}
    (tmp_path / "course.yaml").write_text(json.dumps(data), encoding="utf-8")
    c = load_course(tmp_path)
    assert c.assignment("a").keras == 2
    assert c.assignment("b").keras == 3
    assert c.assignment("b").drift.credit == 0.8 and c.assignment("b").drift.regrade
    data["assignments"]["b"]["keras"] = 1
    (tmp_path / "course.yaml").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CourseError, match=r"assignments\.b\.keras: must be 2"):
        load_course(tmp_path)
    data["assignments"]["b"]["keras"] = 3
    data["assignments"]["b"]["drift"] = {"credit": 1.5}
    (tmp_path / "course.yaml").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CourseError, match=r"drift\.credit: must be between"):
        load_course(tmp_path)


def test_without_regrade_a_drift_gets_its_note_only(tmp_path: Path) -> None:
    _two_assignments(tmp_path)
    data = {"version": 1, "course": "c", "assignments": {
        "a": {"notebook": "n.ipynb", "drift": {"regrade": False}, "exercises": EXERCISES[:1]},
        "b": {"notebook": "n.ipynb", "keras": 2, "exercises": EXERCISES[:1]}}}
    (tmp_path / "course.yaml").write_text(json.dumps(data), encoding="utf-8")
    c = load_course(tmp_path)
    source = KERAS2_STUDENT["house_model"]
    program = Program(0, (Piece("exercise", "exercise house_model (cell 3)", source,
                                "house_model"),), (), ())
    failure = ("raised ValueError when called: Argument(s) not recognized: {'lr': 0.05}\n"
               '  File "<exercise house_model (cell 3)>", line 4, in house_model\n')
    facts = {"house_model": ExerciseFacts(ERROR, failure)}
    failed = (ExerciseResult("house_model", "t", 0.0, 3.0, ERROR, failure, (
        CheckResult("one Dense unit", "layer_table", False, 0.0, 2.0, "not checked"),)),)
    noted = with_drift(c, c.assignment("a"), program, facts, failed)[0]
    assert noted.drift is not None and noted.drift.line == 4 and not noted.regrade
    assert noted.score == 0.0
    # a Keras 2 assignment has no Keras 2 → 3 drift, and is never regraded
    assert with_drift(c, c.assignment("b"), program, facts, failed) == failed


@pytest.mark.parametrize(("failure", "source", "drift", "line", "new"), [
    ("raised ValueError when called: Argument(s) not recognized: {'lr': 0.1}",
     "def f():\n    m.compile(optimizer=RMSprop(lr=0.1))\n", "lr", 2,
     "m.compile(optimizer=RMSprop(learning_rate=0.1))"),
    ("on_epoch_end raised TypeError: '>' not supported between instances of 'NoneType' "
     "and 'float'", "class C:\n  def on_epoch_end(self, e, logs={}):\n"
     "    if logs.get('acc') > 0.9:\n      pass\n", "acc", 3,
     "if logs.get('accuracy') > 0.9:"),
    ("raised KeyError when called: 'acc'", "h = m.fit(x)\nplot(h.history['acc'])\n", "acc",
     2, "plot(h.history['accuracy'])"),
    ("raised TypeError when called: 'Dense' object is not iterable",
     "model = keras.Sequential(keras.layers.Dense(1, input_shape=[1]))\n",
     "sequential_list", 1, "model = keras.Sequential([keras.layers.Dense(1, input_shape=[1])])"),
    ("raised AttributeError when called: module 'keras.losses' has no attribute "
     "'mean_squared_error'", "m.compile(loss=tf.keras.losses.mean_squared_error)\n",
     "losses_function", 1, "m.compile(loss='mean_squared_error')"),
    ("raised ValueError when called: Unrecognized data type: x=[7.0] (of type <class 'list'>)",
     "x = 1\nprint(model.predict([7.0]))\n", "predict_list", 2,
     "print(model.predict(np.array([7.0])))"),
    ("raised AttributeError when called: 'Sequential' object has no attribute "
     "'fit_generator'", "model.fit_generator(gen, epochs=3)\n", "fit_generator", 1,
     "model.fit(gen, epochs=3)"),
    ("raised ImportError: cannot import name 'ImageDataGenerator' from "
     "'keras.preprocessing.image'", "import os\nfrom keras.preprocessing.image import "
     "ImageDataGenerator\n", "preprocessing_import", 2,
     "from tensorflow.keras.preprocessing.image import ImageDataGenerator"),
    ("raised ModuleNotFoundError: No module named 'keras.preprocessing.text'",
     "from keras.preprocessing.text import Tokenizer\n", "preprocessing_import", 1,
     "from tensorflow.keras.preprocessing.text import Tokenizer"),
    ("raised AttributeError: module 'keras.preprocessing.image' has no attribute "
     "'ImageDataGenerator'", "g = keras.preprocessing.image.ImageDataGenerator(rescale=1/255)\n",
     "preprocessing_attribute", 1,
     "g = tf.keras.preprocessing.image.ImageDataGenerator(rescale=1/255)"),
    ("raised AttributeError when called: module 'keras._tf_keras.keras.layers' has no "
     "attribute 'experimental'",
     "r = tf.keras.layers.experimental.preprocessing.Rescaling(1./255)\n",
     "experimental_preprocessing", 1, "r = tf.keras.layers.Rescaling(1./255)"),
    ("raised ModuleNotFoundError: No module named 'tensorflow.keras.layers.experimental'",
     "from tensorflow.keras.layers.experimental.preprocessing import Rescaling\n",
     "experimental_preprocessing", 1, "from tensorflow.keras.layers import Rescaling"),
    ("raised ImportError when called: `keras.optimizers.legacy` is not supported in Keras 3.",
     "m.compile(optimizer=tf.keras.optimizers.legacy.Adam(), loss='mse')\n",
     "legacy_optimizer", 1, "m.compile(optimizer=tf.keras.optimizers.Adam(), loss='mse')"),
    ("raised TypeError when called: TensorFlowTrainer.fit() got an unexpected keyword "
     "argument 'workers'", "h = m.fit(x, y, epochs=5, workers=4, use_multiprocessing=False)\n",
     "fit_workers", 1, "h = m.fit(x, y, epochs=5)"),
    ("raised TypeError when called: fit() got an unexpected keyword argument 'workers'",
     "h = m.fit(x, y, callbacks=[cb],\n          workers=4, use_multiprocessing=False)\n",
     "fit_workers", 2, ")"),
])
def test_drift_table(failure: str, source: str, drift: str, line: int, new: str) -> None:
    note = find_drift(failure, source)
    assert note is not None
    assert (note.drift, note.line, note.new) == (drift, line, new)
    assert f"line {line}" in note.describe()


def test_a_drift_in_another_exercises_cell_is_found_there() -> None:
    failure = ("raised ValueError when called: Argument(s) not recognized: {'lr': 0.1}\n"
               '  File "<call train>", line 1, in <module>\n'
               '  File "<exercise make (cell 3)>", line 2, in make\n'
               "    return SGD(lr=0.1)\n")
    note = find_drift(failure, "def train(m):\n    return m\n",
                      {"make": "def make():\n    return SGD(lr=0.1)\n"})
    assert note is not None and (note.cell, note.line) == ("make", 2)
    assert "line 2 of make's cell" in note.describe()


def test_no_drift_without_its_error_or_its_spelling() -> None:
    assert find_drift("raised ValueError: shapes do not match", "opt = SGD(lr=0.1)\n") is None
    assert find_drift("Argument(s) not recognized: {'lr': 0.1}", "opt = SGD(0.1)\n") is None
    assert find_drift("", "opt = SGD(lr=0.1)\n") is None


def test_the_regrade_takes_the_later_exercises_that_failed_too() -> None:
    def ex(i: str, score: float) -> ExerciseResult:
        return ExerciseResult(i, i, score, 2.0, "ok" if score else "error", "", ())

    results = (ex("data", 0.0), ex("compile", 0.0), ex("train", 0.0), ex("shape", 2.0),
               ex("predict", 0.0))
    note = find_drift("Argument(s) not recognized: {'lr': 0.1}", "opt = SGD(lr=0.1)\n")
    assert note is not None
    # data failed before the drift: its failure is its own; shape passed
    assert regrade_ids(results, {"compile": note}) == ["compile", "train", "predict"]


def test_a_tf_keras_model_has_the_keras3_layer_table(tmp_path: Path) -> None:
    from autograder.modelfile import keras_module

    k3, k2 = keras_module(3), keras_module(2)
    # layer names are given: Keras numbers unnamed layers by how many this process has built
    m3 = k3.Sequential([k3.Input(shape=(28, 28, 1)),
                        k3.layers.Conv2D(8, 3, activation="relu", name="conv"),
                        k3.layers.MaxPooling2D(2, name="pool"), k3.layers.Flatten(name="flat"),
                        k3.layers.Dense(10, activation="softmax", name="out")])
    m3.compile(optimizer=k3.optimizers.RMSprop(learning_rate=0.01),
               loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    m2 = k2.Sequential([k2.layers.Conv2D(8, 3, activation="relu", input_shape=(28, 28, 1),
                                          name="conv"),
                        k2.layers.MaxPooling2D(2, name="pool"), k2.layers.Flatten(name="flat"),
                        k2.layers.Dense(10, activation="softmax", name="out")])
    m2.compile(optimizer=k2.optimizers.RMSprop(learning_rate=0.01),
               loss="sparse_categorical_crossentropy", metrics=["acc"])
    m3.save(tmp_path / "k3.keras")
    m2.save(tmp_path / "k2.keras")
    with zipfile.ZipFile(tmp_path / "k2.keras") as zf:
        assert json.loads(zf.read("metadata.json"))["keras_version"].startswith("2.")
    a, b = load_model(tmp_path / "k3.keras"), load_model(tmp_path / "k2.keras")
    assert a.layers == b.layers
    assert (a.total_params, a.input_shape, a.optimizer, a.loss, a.metrics) == (
        b.total_params, b.input_shape, b.optimizer, b.loss, b.metrics)
    assert a.learning_rate == pytest.approx(b.learning_rate)


def test_a_functional_model_has_the_layer_table_of_its_sequential_twin(tmp_path: Path) -> None:
    """keras.Model(inputs, outputs), under either generation: tf_keras saves its Functional
    class under tf_keras' own module name, and model.layers lists the Input."""
    from autograder.modelfile import keras_module

    tables = []
    for generation in (3, 2):
        k = keras_module(generation)
        inputs = k.Input(shape=(1,))
        functional = k.Model(inputs=inputs, outputs=k.layers.Dense(1, name="d")(inputs))
        twin = k.Sequential([k.layers.Dense(1, input_shape=(1,), name="d")])
        for name, model in (("functional", functional), ("twin", twin)):
            model.compile(optimizer="sgd", loss="mean_squared_error")
            model.save(tmp_path / f"{name}{generation}.keras")
        a = load_model(tmp_path / f"functional{generation}.keras")
        b = load_model(tmp_path / f"twin{generation}.keras")
        assert a.layers == b.layers and [r.type for r in a.layers] == ["Dense"]
        assert (a.total_params, a.input_shape, a.loss) == (2, (None, 1), "mean_squared_error")
        tables.append(a.layers)
    assert tables[0] == tables[1]


def test_a_legacy_optimizers_lost_step_count_is_unknown_not_zero(tmp_path: Path) -> None:
    """tf_keras' optimizers.legacy.Adam saves no state in a .keras file: the reloaded count
    would say 0 steps, and a real History would be judged forged."""
    import numpy as np

    from autograder.modelfile import keras_module

    k2 = keras_module(2)
    model = k2.Sequential([k2.layers.Dense(1, input_shape=(1,))])
    model.compile(optimizer=k2.optimizers.legacy.Adam(), loss="mse")
    model.fit(np.arange(8.0), np.arange(8.0), epochs=2, batch_size=4, verbose=0)
    model.save(tmp_path / "m.keras")
    facts = load_model(tmp_path / "m.keras")
    assert facts.optimizer == "Adam" and facts.iterations is None


# ----------------------------------------------------------------- slow: real sandbox runs


@pytest.mark.slow
def test_keras2_idioms_get_full_marks_under_keras2(course: Course, tmp_path: Path) -> None:
    path = student_notebook(course, "old", KERAS2_STUDENT, tmp_path / "s.ipynb")
    result = grade_submission(path, context(course, "old"))
    assert result.score == result.max_score, feedback(result, public_only=False)
    assert all(e.drift is None and not e.regrade for e in result.exercises)


@pytest.mark.slow
def test_keras2_lr_is_honoured(course: Course, tmp_path: Path) -> None:
    """tf_keras 2.21 alone would train with SGD's default 0.01 and miss the prediction."""
    cells = {"house_model": KERAS2_STUDENT["house_model"].replace("lr=0.05", "lr=0.2")}
    path = student_notebook(course, "old", cells, tmp_path / "s.ipynb")
    result = grade_submission(path, context(course, "old"))
    compiled = result.exercises[0].checks[1]
    assert not compiled.passed and "learning rate 0.2" in compiled.message


@pytest.mark.slow
def test_keras2_code_under_keras3_gets_drift_notes_and_is_regraded(course: Course,
                                                                   tmp_path: Path) -> None:
    path = student_notebook(course, "new", KERAS2_STUDENT, tmp_path / "s.ipynb")
    result = grade_submission(path, context(course, "new"))
    by_id = {e.id: e for e in result.exercises}
    text = feedback(result)
    lr = by_id["house_model"].drift
    assert lr is not None and lr.line == 4 and "SGD(learning_rate=0.05)" in lr.new, text
    # train_house_model(house_model()) fails in house_model's cell: the note says where
    chained = by_id["train_house_model"].drift
    assert chained is not None and (chained.drift, chained.cell, chained.line) == (
        "lr", "house_model", 4)
    acc = by_id["StopCallback"].drift
    assert acc is not None and acc.line == 4 and "'accuracy'" in acc.new
    for ex in result.exercises:  # full Keras 2 points, times the course's credit 0.5
        assert ex.score == pytest.approx(ex.max_score * 0.5), text
        assert "graded again under Keras 2" in ex.regrade
    assert "Keras 2 → 3: line 4" in text and "regrade:" in text
    public = json.loads(public_json(result))
    assert public["exercises"][0]["drift"].startswith("Keras 2 → 3: line 4")


def test_reports_show_the_drift_note_and_the_regrade() -> None:
    note = find_drift("Argument(s) not recognized: {'lr': 0.1}",
                      "def f():\n    return RMSprop(lr=0.1)\n")
    ex = ExerciseResult("f", "F", 1.5, 3.0, "ok", "", (), drift=note,
                        regrade="graded again under Keras 2 (tf_keras): 3/3 times credit 0.5")
    result = SubmissionResult("s.ipynb", "s", "a", "graded", 1.5, 3.0, "", (ex,))
    page = html.render(result)
    assert "line 2" in page and "RMSprop(learning_rate=0.1)" in page
    assert "graded again under Keras 2" in page
    text = feedback(result)
    assert "Keras 2 → 3: line 2: 'return RMSprop(lr=0.1)' is Keras 2" in text
    assert json.loads(public_json(result))["exercises"][0]["regrade"].startswith("graded again")


CYCLE_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
import numpy as np
import tf_keras as keras
import compat

class Folder(keras.utils.Sequence):  # two batches, as a small image folder gives
    def __len__(self):
        return 2
    def __getitem__(self, i):
        return np.ones((4, 3)), np.ones((4, 1))

compat.cycling_sequences()  # what compat.apply() does where keras is tf_keras
model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
model.compile("sgd", "mse")
history = model.fit(Folder(), steps_per_epoch=5, epochs=3, verbose=0)
print(len(history.epoch), int(model.optimizer.iterations.numpy()))
print(compat.take_notes()[0])
"""


def test_tf_keras_cycles_a_generator_asked_for_more_steps(tmp_path: Path) -> None:
    """Under keras: 2, steps_per_epoch beyond a generator's batches trains every epoch (the
    Keras 2 of fit_generator cycled; tf_keras 2.21 alone stops after one pass)."""
    import os
    import subprocess
    import sys

    script = tmp_path / "cycle.py"
    script.write_text(CYCLE_SCRIPT, encoding="utf-8")
    sandbox = Path(__file__).resolve().parents[1] / "autograder" / "sandbox"
    done = subprocess.run([sys.executable, str(script), str(sandbox)], capture_output=True,
                          text=True, timeout=300, cwd=tmp_path,
                          env={**os.environ, "TF_USE_LEGACY_KERAS": "1"})
    assert done.returncode == 0, done.stderr[-2000:]
    counts, note = done.stdout.strip().splitlines()[-2:]
    assert counts == "3 15"
    assert "the grader cycled the generator" in note
