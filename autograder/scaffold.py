"""``autograder new COURSE_DIR``: a working one-assignment course to start from.

It writes course.yaml (one assignment, three exercises, with comments on every key it
uses), the solution notebook with its markers, and a short README of the next steps. The
course grades as it is: release it, check the solution, then replace the content.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import v4

from autograder.errors import GraderError

ASSIGNMENT = "lesson1"

COURSE_YAML = """\
# {title}: what each assignment grades. Every key is explained in docs/course-authoring.md
# of the grader; an unknown key or a wrong value is an error naming its line.
version: 1
course: {name}

assignments:
  lesson1:
    title: "Lesson 1: one neuron learns a line"
    notebook: lesson1.ipynb        # solutions/lesson1/lesson1.ipynb → assignments/lesson1/
    seed: 1234                     # seeds Python, numpy and Keras before student code runs
    time_limit: 600                # seconds for a whole submission
    memory_limit_mb: 3072
    exercises:
      - id: line_data              # the notebook's cell "# GRADED FUNCTION: line_data"
        title: "Exercise 1: the data"
        record: arrays             # the function returns numpy arrays
        checks:
          - name: two arrays of six numbers
            check: array_shapes
            points: 1
            params: {{labels: [xs, ys]}}
          - name: the points of y = 2x - 1
            check: array_values
            points: 2
            params: {{labels: [xs, ys]}}

      - id: line_model
        title: "Exercise 2: the model"
        record: model              # the function returns a Keras model
        checks:
          - name: one Dense layer of one unit
            check: layer_table
            points: 2
          - name: compiled with SGD and mean squared error
            check: compile_settings
            points: 1

      - id: train_line_model
        title: "Exercise 3: training"
        call: train_line_model(line_model(), *line_data())
        record: model
        time_limit: 300            # seconds for this exercise's call
        checks:
          - name: predicts 19 for x = 10
            check: prediction
            points: 2
            params: {{inputs: [10.0], expected: 19.0, tolerance: 0.5}}
          - name: predicts other points of the line
            check: prediction
            points: 1
            hidden: true           # graded on submission; the notebook shows its name only
            params: {{inputs: [-3.0, 6.0], tolerance: 0.5}}
        hints:
          - when: {{failed: predicts 19 for x = 10, source_missing: '\\.fit\\('}}
            say: The model is never trained here. Call model.fit(xs, ys, epochs=500).
"""

CELLS: tuple[tuple[str, str], ...] = (
    ("markdown", "# Lesson 1: one neuron learns a line\n\nThe numbers below follow the rule "
                 "`y = 2x - 1`. Build a network of one neuron that learns it."),
    ("code", "# SETUP\nimport numpy as np\nimport tensorflow as tf\nfrom tensorflow import keras"),
    ("markdown", "### Exercise 1: the data\n\nReturn `xs` = -1, 0, 1, 2, 3, 4 and the `ys` of "
                 "the rule, as floating-point numpy arrays."),
    ("code", "# GRADED FUNCTION: line_data\ndef line_data():\n    ### BEGIN SOLUTION\n"
             "    xs = np.array([-1.0, 0.0, 1.0, 2.0, 3.0, 4.0])\n    ys = 2 * xs - 1\n"
             "    ### END SOLUTION\n    return xs, ys"),
    ("markdown", "### Exercise 2: the model\n\nOne `Dense` layer of one unit taking one "
                 "number, compiled with `sgd` and `mean_squared_error`."),
    ("code", "# GRADED FUNCTION: line_model\ndef line_model():\n    ### BEGIN SOLUTION\n"
             "    model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])\n"
             "    model.compile(optimizer=\"sgd\", loss=\"mean_squared_error\")\n"
             "    ### END SOLUTION\n    return model"),
    ("markdown", "### Exercise 3: training\n\nTrain the model for 500 epochs and return it."),
    ("code", "# GRADED FUNCTION: train_line_model\ndef train_line_model(model, xs, ys):\n"
             "    ### BEGIN SOLUTION\n    model.fit(xs, ys, epochs=500, verbose=0)\n"
             "    ### END SOLUTION\n    return model"),
    ("markdown", "### Try it\n\nNot graded: see what your model predicts."),
    ("code", "print(train_line_model(line_model(), *line_data()).predict(np.array([[10.0]])))"),
)

README = """\
# {title}

Made by `autograder new`. Next steps, from this folder:

    autograder release                                   # solutions/ → assignments/
    autograder check lesson1 solutions/lesson1/lesson1.ipynb   # the solution passes
    autograder grade lesson1 submissions/                # grade a folder of notebooks

Then write your own notebooks under solutions/ (cells starting `# GRADED FUNCTION: name`,
answers between `### BEGIN SOLUTION` and `### END SOLUTION`, setup cells starting
`# SETUP`) and describe them in course.yaml.
"""


def new_course(folder: Path, name: str | None = None) -> list[Path]:
    """Write a working one-assignment course into ``folder`` (new or empty); the files."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise GraderError(f"{folder} already exists and is not an empty folder; "
                          "choose a new folder for the course")
    name = name or folder.resolve().name or "my-course"
    title = name.replace("-", " ").replace("_", " ").capitalize()
    notebook = v4.new_notebook()
    notebook.cells = [v4.new_markdown_cell(src) if kind == "markdown" else v4.new_code_cell(src)
                      for kind, src in CELLS]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    solution = folder / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    solution.parent.mkdir(parents=True)
    nbformat.write(notebook, str(solution))
    course = folder / "course.yaml"
    course.write_text(COURSE_YAML.format(title=title, name=name), encoding="utf-8")
    readme = folder / "README.md"
    readme.write_text(README.format(title=title), encoding="utf-8")
    return [course, solution, readme]
