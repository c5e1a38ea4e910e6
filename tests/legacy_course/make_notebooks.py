"""Write the legacy course's notebooks and expected verdicts from their descriptions.

    python tests/legacy_course/make_notebooks.py

- ``solutions/<week>/<notebook>``: the instructor's notebooks (course_content.py);
- ``students/<week>/<name>.ipynb``: the student notebooks (students_w12.py, students_w34.py),
  each the released notebook as the student changed it, saved as another tool would
  (nbformat 4.4: no cell ids, no autograder metadata);
- ``expected.yaml``: every student notebook's expected verdict per flavour, why, and the
  features the verdict depends on.

The keras: 3 flavours (``week1_k3`` …) grade the same solution: ``solutions/<week>_k3`` is
a symbolic link to ``solutions/<week>``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parents[1]))

from course_content import NOTEBOOKS, SOLUTIONS, Cells  # noqa: E402
from student_spec import Student  # noqa: E402
from students_heldout import HELDOUT  # noqa: E402
from students_heldout3 import HELDOUT3  # noqa: E402
from students_w12 import WEEK1_STUDENTS, WEEK2_STUDENTS  # noqa: E402
from students_w34 import WEEK3_STUDENTS, WEEK4_STUDENTS  # noqa: E402

from autograder.release import stub_solution  # noqa: E402

STUDENTS: list[Student] = [*WEEK1_STUDENTS, *WEEK2_STUDENTS, *WEEK3_STUDENTS, *WEEK4_STUDENTS,
                           *HELDOUT, *HELDOUT3]
#: The notebooks graded under Keras 3 too (the _k3 flavours): each Keras 2 -> 3 drift
#: case, and a few correct and wrong ones per week, so the whole test fits the CI budget
#: (every notebook is graded under Keras 2).
KERAS3 = {
    "w1_lecture_2020", "w1_sequential_not_list", "w1_loss_function", "w1_own_import_cell",
    "w2_lecture_2020", "w2_set_model_override", "w2_rmsprop_lr", "w2_threshold_90",
    "w2_callbacks_previous_cell",
    "w3_adam_lr", "w3_lecture_2020_acc", "w3_history_acc_keyerror", "w3_no_channel",
    "w3_expand_dims_own_imports",
    "w4_lecture_2021", "w4_reference_like", "w4_steps_twenty", "w4_loss_function",
    "w4_rescale_typo", "w4_tfdata_training",
    "h1_standalone_keras_adam_lr", "h1_functional_api", "h2_acc_callback_accuracy_metric",
    "h4_int_division_rescale", "h4_standalone_keras_imports",
    "h2_legacy_adam_m1", "h2_fit_workers", "h3_legacy_adam_m1", "h3_scratch_reassigns_x_train",
    "h3_matplotlib_in_graded_cell",
}
KERNEL = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
          "language_info": {"name": "python"}}


def _cell(kind: str, source: str, *, ids: bool, n: int) -> dict[str, Any]:
    cell: dict[str, Any] = {"cell_type": "markdown" if kind == "md" else "code",
                            "metadata": {}, "source": source.rstrip("\n")}
    if ids:
        cell["id"] = f"c{n:02d}"
    if cell["cell_type"] == "code":
        cell["execution_count"] = None
        cell["outputs"] = []
    return cell


def _notebook(cells: list[tuple[str, str]], *, ids: bool) -> str:
    data = {"cells": [_cell(k, s, ids=ids, n=i) for i, (k, s) in enumerate(cells)],
            "metadata": KERNEL, "nbformat": 4, "nbformat_minor": 5 if ids else 4}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def solution_cells(cells: Cells) -> list[tuple[str, str]]:
    """The instructor's notebook: every role but ``md`` is a code cell."""
    return [("md" if role == "md" else "code", src) for role, src in cells]


def student_cells(student: Student) -> list[tuple[str, str]]:
    """The released notebook (stubs in the exercise cells) as ``student`` changed it."""
    out: list[tuple[str, str]] = []
    for role, src in SOLUTIONS[student.week]:
        out.extend(student.before.get(role, []))
        if role.startswith("ex:"):
            ex = role[3:]
            mine = student.graded.get(ex, stub_solution(src, ex))
            if mine is not None:
                out.append(("code", mine))
        elif role == "setup" and student.setup is not None:
            out.append(("code", student.setup))
        else:
            out.append(("md" if role == "md" else "code", src))
        out.extend(student.after.get(role, []))
    return out


def expected() -> dict[str, Any]:
    """expected.yaml's content: per notebook, its week, verdicts per flavour, why, needs."""
    return {s.name: {"week": s.week,
                     "expect": {f: v for f, v in s.expect.items()
                                if not f.endswith("_k3") or s.name in KERAS3},
                     "why": s.why, "needs": s.needs}
            for s in STUDENTS}


def main() -> None:
    """Write solutions/, students/ and expected.yaml."""
    for week, cells in SOLUTIONS.items():
        path = HERE / "solutions" / week / NOTEBOOKS[week]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_notebook(solution_cells(cells), ids=True), encoding="utf-8")
        link = HERE / "solutions" / f"{week}_k3"
        if not link.is_symlink():
            link.symlink_to(week, target_is_directory=True)
    names = [s.name for s in STUDENTS]
    assert len(set(names)) == len(names), "student names must be unique"
    for student in STUDENTS:
        path = HERE / "students" / student.week / f"{student.name}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_notebook(student_cells(student), ids=False), encoding="utf-8")
    header = ("# Expected verdicts of the legacy course's student notebooks, per flavour\n"
              "# (week<N>: keras 2; week<N>_k3: keras 3). Written by make_notebooks.py.\n"
              "# full / zero / half (drift regraded at credit 0.5) / points; total: the\n"
              "# assignment's score when a gate decides it. needs: the features it relies on.\n")
    body = yaml.safe_dump(expected(), sort_keys=False, width=92, allow_unicode=True)
    (HERE / "expected.yaml").write_text(header + body, encoding="utf-8")
    print(f"{len(SOLUTIONS)} solutions, {len(STUDENTS)} student notebooks")


if __name__ == "__main__":
    main()
