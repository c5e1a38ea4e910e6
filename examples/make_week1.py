"""Write the bundled Week 1 example submissions from the released notebook.

Each example is the student notebook with its exercise cells filled in the way a real
student might (right, or with one of the course's common mistakes). Rerun after a
release changes:  .venv/bin/python examples/make_week1.py
"""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "examples" / "submissions" / "week1"

DATA = '''# GRADED FUNCTION: house_data
def house_data():
    """Return (bedrooms, prices) for houses of 1 to 6 bedrooms, prices in hundreds of thousands."""
    xs = np.arange(1, 7, dtype=float)
    ys = 0.5 + 0.5 * xs
    return xs, ys'''

MODEL = '''# GRADED FUNCTION: house_model
def house_model():
    """Return a compiled model: one Dense layer of one unit, SGD, mean squared error."""
    model = tf.keras.Sequential([tf.keras.layers.Dense(units=1, input_shape=[1])])
    model.compile(optimizer="sgd", loss="mse")
    return model'''

TRAIN = '''# GRADED FUNCTION: train_house_model
def train_house_model(model, xs, ys):
    """Fit the model to the data and return the trained model."""
    model.fit(xs, ys, epochs=500, verbose=0)
    return model'''

EXAMPLES: dict[str, dict[str, str]] = {
    # everything right, written differently from the solution
    "correct": {"house_data": DATA, "house_model": MODEL, "train_house_model": TRAIN},
    # prices in thousands (100, 150, …): predicts about 400 instead of 4.0
    "unscaled_prices": {
        "house_data": DATA.replace("ys = 0.5 + 0.5 * xs", "ys = 50.0 + 50.0 * xs"),
        "house_model": MODEL, "train_house_model": TRAIN,
    },
    # whole numbers: np.array([1, 2, …]) holds int64
    "integer_arrays": {
        "house_data": DATA.replace("np.arange(1, 7, dtype=float)", "np.array([1, 2, 3, 4, 5, 6])"),
        "house_model": MODEL, "train_house_model": TRAIN,
    },
    # a hidden layer too many
    "wrong_architecture": {
        "house_data": DATA,
        "house_model": MODEL.replace(
            "[tf.keras.layers.Dense(units=1, input_shape=[1])]",
            "[tf.keras.Input(shape=(1,)),\n"
            "                                 tf.keras.layers.Dense(8, activation='relu'),\n"
            "                                 tf.keras.layers.Dense(1)]"),
        "train_house_model": TRAIN,
    },
    # a typo that raises when the model is built
    "raises_exception": {
        "house_data": DATA,
        "house_model": MODEL.replace("layers.Dense(units=1", "layers.Dens(units=1"),
        "train_house_model": TRAIN,
    },
    # the release as handed out: every exercise still a stub
    "untouched_release": {},
}


def write_examples(week: str, examples: dict[str, dict[str, str]]) -> None:
    """Write one notebook per example: the release with its exercise cells replaced."""
    release = nbformat.read(str(ROOT / "assignments" / week / f"{week}.ipynb"), as_version=4)
    out = ROOT / "examples" / "submissions" / week
    out.mkdir(parents=True, exist_ok=True)
    for name, answers in examples.items():
        nb = copy.deepcopy(release)
        for cell in nb.cells:
            meta = cell.metadata.get("autograder", {})
            exercise = meta.get("exercise")
            if meta.get("role") == "exercise" and exercise in answers:
                cell.source = answers[exercise]
        nbformat.write(nb, str(out / f"{name}.ipynb"))
    print(f"wrote {len(examples)} examples to {out.relative_to(ROOT)}")


def main() -> None:
    write_examples("week1", EXAMPLES)
    (OUT / "not_a_notebook.ipynb").write_text(
        "xs = [1, 2, 3]\nprint('I saved my notebook as a Python file')\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
