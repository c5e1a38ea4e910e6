"""The course author's guide: its check reference is the code's, its example check works."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from autograder.checks.catalogue import BEGIN, END, catalogue
from autograder.course import load_course
from autograder.errors import CourseError

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "course-authoring.md"

COURSE = """\
version: 1
course: guide
extra_checks: course_checks.py
assignments:
  week1:
    notebook: week1.ipynb
    exercises:
      - id: house_data
        record: arrays
        checks:
          - name: small loss
            check: small_loss
            params: {PARAMS}
"""


def test_the_guides_check_reference_is_generated_from_the_code() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    section = text[text.index(BEGIN):text.index(END) + len(END)]
    assert section == catalogue(), (
        "run: python -m autograder.checks.catalogue --write docs/course-authoring.md")


def test_the_readme_links_the_guide() -> None:
    assert "docs/course-authoring.md" in (ROOT / "README.md").read_text(encoding="utf-8")


def _guide_course(folder: Path, params: str) -> Path:
    text = GUIDE.read_text(encoding="utf-8")
    own = text[text.index("## Your own checks"):]
    code = re.search(r"```python\n(.*?)```", own, re.S)
    assert code is not None
    folder.mkdir()
    shutil.copytree(ROOT / "solutions", folder / "solutions")
    (folder / "course_checks.py").write_text(code.group(1), encoding="utf-8")
    path = folder / "course.yaml"
    path.write_text(COURSE.replace("{PARAMS}", params), encoding="utf-8")
    return path


def test_the_guides_own_check_example_loads(tmp_path: Path) -> None:
    course = load_course(_guide_course(tmp_path / "c", "{limit: 0.4, mode: best}"))
    (check,) = course.assignment("week1").exercise("house_data").checks
    assert (check.params.limit, check.params.mode, check.params.share) == (0.4, "best", 1.0)


@pytest.mark.parametrize(("params", "expected"), [
    ("{share: 85}", "did you mean 0.85?"),
    ("{mode: lats}", "unknown value 'lats'; allowed: last, best (did you mean 'last'?)"),
    ("{metric: val_los}", "did you mean 'val_loss'?"),
    ("{limit: 0}", "it must be > 0"),
])
def test_the_guides_own_check_params_are_strict(tmp_path: Path, params: str,
                                                expected: str) -> None:
    with pytest.raises(CourseError, match=re.escape(expected)):
        load_course(_guide_course(tmp_path / "c", params))
