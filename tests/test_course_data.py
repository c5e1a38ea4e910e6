"""Data a course declares: a file or folder of the course folder, seen read-only by the
sandbox at a relative path of its working folder (``data: {x: {file: data/numbers.npz}}``).
Graded end to end in the real sandbox, and checked to stay inside the course folder."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import numpy as np
import pytest

from autograder.course import load_course
from autograder.errors import CourseError
from autograder.grade import grade
from autograder.release import release

COURSE = """\
version: 1
course: numbers
extra_checks: course_checks.py
assignments:
  numbers:
    notebook: numbers.ipynb
    seed: 1
    time_limit: 120
    data:
      numbers: {file: data/numbers.npz}
      words: {folder: texts, at: data/words}
      cached: {file: data/numbers.npz, at: .keras/datasets/numbers.npz}
      squares: {dataset: squares, split: train, part: images, limit: 3}
    exercises:
      - id: doubled
        record: arrays
        time_limit: 30
        checks:
          - name: the course's numbers, doubled
            check: array_values
            points: 2
          - name: the course's words, counted
            check: array_shapes
            points: 1
"""

SETUP = "# SETUP\nimport os\nimport numpy as np\nfrom pathlib import Path\n"
SOLUTION = '''\
# GRADED FUNCTION: doubled
def doubled():
    ### BEGIN SOLUTION
    with np.load("data/numbers.npz") as f:
        x = f["x"] * 2.0
    words = sorted(Path("data/words").iterdir())
    cache = Path(os.environ["KERAS_HOME"]) / "datasets" / "numbers.npz"  # Keras' cache
    with np.load(cache) as f, np.load(Path.home() / ".keras/datasets/numbers.npz") as g:
        x = x + 0 * f["x"] + 0 * g["x"]
    return x, np.zeros(len(words)), squares
    ### END SOLUTION
'''
WRONG = SOLUTION.replace("* 2.0", "* 3.0")
#: tries to overwrite the course's data (read-only to it), then answers right
VANDAL = SOLUTION.replace('    with np.load', '''\
    for target in ("data/numbers.npz", "data/words/a.txt"):
        try:
            with open(target, "wb") as out:
                out.write(b"garbage")
        except OSError:
            pass
    with np.load''')


#: the course's own dataset, registered through its extra_checks module
COURSE_CHECKS = """\
import numpy as np

from autograder.datasets import DatasetSource


def _squares(split, limit):
    n = 5 if split == "train" else 2
    x = np.arange(n, dtype=np.float32) ** 2
    return (x[:limit], (x[:limit] > 4).astype(int)) if limit else (x, (x > 4).astype(int))


DATASETS = [DatasetSource("squares", splits=("train", "test"), load=_squares,
                          labels=("small", "big"))]
CHECKS = {}
"""


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
    return nb


def make_course(folder: Path, text: str = COURSE) -> Path:
    """The course folder: course.yaml, its data, its solution."""
    (folder / "data").mkdir(parents=True, exist_ok=True)
    np.savez(folder / "data" / "numbers.npz", x=np.arange(6, dtype=np.float32))
    (folder / "texts").mkdir(exist_ok=True)
    for name in ("a", "b", "c"):
        (folder / "texts" / f"{name}.txt").write_text(name, encoding="utf-8")
    solution = folder / "solutions" / "numbers" / "numbers.ipynb"
    solution.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook(SETUP, SOLUTION), str(solution))
    (folder / "course_checks.py").write_text(COURSE_CHECKS, encoding="utf-8")
    path = folder / "course.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_solution_reads_the_courses_own_data_file(tmp_path: Path) -> None:
    course = load_course(make_course(tmp_path / "course"))
    data = course.assignment("numbers").data
    assert [(d.part, d.path, d.at) for d in data if d.mounted] == [
        ("course_file", "data/numbers.npz", "data/numbers.npz"),
        ("course_folder", "texts", "data/words"),
        ("course_file", "data/numbers.npz", ".keras/datasets/numbers.npz")]
    release(course)  # the reference run reads data/numbers.npz; every check passes on it
    from autograder.gradescope.build import stage_course

    stage_course(course, "numbers", tmp_path / "gradescope")  # the data travels with it
    assert (tmp_path / "gradescope" / "texts" / "b.txt").is_file()
    assert (tmp_path / "gradescope" / "data" / "numbers.npz").is_file()
    before = (tmp_path / "course" / "data" / "numbers.npz").read_bytes()
    students = tmp_path / "students"
    students.mkdir()
    for name, source in (("right", SOLUTION), ("wrong", WRONG), ("vandal", VANDAL)):
        nbformat.write(notebook(SETUP, source), str(students / f"{name}.ipynb"))
    report = grade(course, "numbers", sorted(students.glob("*.ipynb")), tmp_path / "out")
    scores = {r.student: r.score for r in report.results}
    assert scores == {"right": 3, "wrong": 1, "vandal": 3}
    assert (tmp_path / "course" / "data" / "numbers.npz").read_bytes() == before
    assert (tmp_path / "course" / "texts" / "a.txt").read_text(encoding="utf-8") == "a"


@pytest.mark.parametrize(("entry", "expected"), [
    ("{file: ../outside.npz}", "goes out of the course folder ('..')"),
    ("{file: /etc/passwd}", "must be a path relative to the course folder"),
    ("{file: data/numbers.npz, at: ../numbers.npz}", "goes out of the course folder"),
    ("{file: link.npz}", "leads out of the course folder"),
    ("{folder: linked}", "is a symbolic link out of the course folder"),
    ("{file: data/missing.npz}", "no file"),
    ("{file: texts}", "it is a folder: write folder: instead"),
    ("{file: data/numbers.npz, colour: red}", "unknown key"),
])
def test_course_data_stays_inside_the_course(tmp_path: Path, entry: str, expected: str) -> None:
    folder = tmp_path / "course"
    make_course(folder)
    outside = tmp_path / "outside.npz"
    outside.write_bytes(b"secret")
    os.symlink(outside, folder / "link.npz")
    (folder / "linked").mkdir()
    os.symlink(outside, folder / "linked" / "secret.npz")
    text = COURSE.replace("{file: data/numbers.npz}", entry)
    (folder / "course.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CourseError) as info:
        load_course(folder / "course.yaml")
    line = next(i for i, s in enumerate(text.splitlines(), 1) if entry in s)
    assert f"course.yaml:{line}: assignments.numbers.data.numbers" in str(info.value)
    assert expected in str(info.value)


def test_two_entries_at_the_same_place_are_an_error(tmp_path: Path) -> None:
    text = COURSE.replace("at: data/words", "at: data")
    with pytest.raises(CourseError, match="would both be seen at"):
        load_course(make_course(tmp_path / "course", text))


def test_a_course_registers_its_own_dataset(tmp_path: Path) -> None:
    from autograder.datasets import KNOWN, load

    make_course(tmp_path / "course")
    load_course(tmp_path / "course" / "course.yaml")
    assert "squares" in KNOWN
    assert load("squares", "train", 3)[0].tolist() == [0.0, 1.0, 4.0]
    text = COURSE.replace("split: train, part: images, limit: 3",
                          "split: trian, part: images, limit: 3")
    (tmp_path / "course" / "course.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(CourseError, match=r"unknown split of squares 'trian'; allowed: "
                                          r"train, test \(did you mean 'train'\?\)"):
        load_course(tmp_path / "course" / "course.yaml")
