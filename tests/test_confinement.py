"""No grading without confinement: `grade` refuses where the sandbox's essentials are
missing, and `--unconfined` grades anyway with every output marked UNCONFINED."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.sandbox import isolation

ROOT = Path(__file__).resolve().parents[1]
UNTOUCHED = ROOT / "examples" / "submissions" / "week1" / "untouched_release.ipynb"


@pytest.fixture
def no_bubblewrap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH that holds every command of the real one except bwrap (as on a machine
    without bubblewrap)."""
    shadow = tmp_path / "bin"
    shadow.mkdir()
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            target = shadow / entry.name
            if entry.name != "bwrap" and not target.exists():
                target.symlink_to(entry.path)
    monkeypatch.setenv("PATH", str(shadow))
    isolation.available.cache_clear()
    yield
    isolation.available.cache_clear()


def _grade(tmp_path: Path, *extra: str) -> int:
    return main(["--course", str(ROOT / "course.yaml"), "grade", "week1", str(UNTOUCHED),
                 "--out", str(tmp_path / "out"), "--jobs", "1", *extra])


@pytest.mark.usefixtures("no_bubblewrap")
def test_grade_refuses_without_bubblewrap(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    assert _grade(tmp_path) == 2
    err = capsys.readouterr().err
    assert "essential protections" in err and "bubblewrap" in err
    assert "apt-get install bubblewrap" in err and "--unconfined" in err
    assert not (tmp_path / "out").exists()  # nothing was graded


@pytest.mark.usefixtures("no_bubblewrap")
def test_unconfined_grades_and_every_output_says_so(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    assert _grade(tmp_path, "--unconfined") == 0
    assert "UNCONFINED" in capsys.readouterr().out
    out = tmp_path / "out"
    result = json.loads((out / "untouched_release.json").read_text(encoding="utf-8"))
    assert result["unconfined"] is True and result["cached"] is False
    assert "UNCONFINED" in (out / "untouched_release.html").read_text(encoding="utf-8")
    assert "UNCONFINED" in (out / "index.html").read_text(encoding="utf-8")
    with open(out / "week1.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["sandbox"] for r in rows] == ["UNCONFINED"]


def test_confined_results_say_nothing_of_it(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    if isolation.essentials_missing():
        pytest.skip("this machine cannot confine the sandbox")
    assert _grade(tmp_path) == 0
    assert "UNCONFINED" not in capsys.readouterr().out
    with open(tmp_path / "out" / "week1.csv", encoding="utf-8") as fh:
        assert [r["sandbox"] for r in csv.DictReader(fh)] == ["confined"]
