"""Where a run's time goes: the harness's stage timings, as the runner accepts them.

The figures inform profiles (``bench/profile_submission.py``) and ``setup_seconds``; they
come from the sandbox, so the runner keeps them only when they agree with its own clock.
No assertion here depends on how fast the machine is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from autograder.assemble import ExerciseCall, Piece, Program
from autograder.facts import LayerRow
from autograder.modelfile import PREDICT_BYTES, predict_chunk
from autograder.outbox import exercise_facts
from autograder.sandbox import Limits, execute
from autograder.sandbox.runner import HARNESS_STAGES, _stages

HONEST = {"started": 10.5, "finished": 19.0, "data": 0.5, "setup": 3.0, "define": 0.1,
          "calls": 4.0, "save": 0.2}


def test_stages_from_an_honest_summary() -> None:
    stages = _stages({"timings": HONEST}, launched=10.0, ended=19.25)
    assert stages == {"start": 0.5, "exit": 0.25, "data": 0.5, "setup": 3.0, "define": 0.1,
                      "calls": 4.0, "save": 0.2}


@pytest.mark.parametrize("forged", [
    {"finished": 25.0},  # ends after the runner saw the process gone
    {"started": 9.0},  # starts before the process was launched
    {"setup": -1.0},
    {"setup": 100.0},  # longer than the harness ran
    {"calls": float("nan")},
    {"save": True},
    {"define": "0.1"},
])
def test_stages_refuse_figures_the_runner_cannot_believe(forged: dict[str, Any]) -> None:
    assert _stages({"timings": {**HONEST, **forged}}, launched=10.0, ended=19.25) == {}


@pytest.mark.parametrize("summary", [{}, {"timings": [1, 2]}, {"timings": {"setup": 1.0}}])
def test_stages_without_timings(summary: dict[str, Any]) -> None:
    assert _stages(summary, launched=10.0, ended=19.25) == {}


def _row(shape: tuple[int | None, ...]) -> LayerRow:
    return LayerRow("Dense", "d", shape, 0, None, None)


def test_predict_chunk_follows_the_largest_layer() -> None:
    dense = predict_chunk((None, 28, 28), [_row((None, 784)), _row((None, 10))])
    conv = predict_chunk((None, 300, 300, 3), [_row((None, 298, 298, 16)), _row((None, 1))])
    assert dense == PREDICT_BYTES // (4 * 784) > 10_000  # a whole test set in one call
    assert conv == PREDICT_BYTES // (4 * 298 * 298 * 16) < 256
    assert predict_chunk(None, []) == PREDICT_BYTES // 4
    assert predict_chunk((None, 10**9), []) == 1


def test_a_run_reports_its_stages_and_setup_time(tmp_path: Path) -> None:
    program = Program(
        seed=1,
        pieces=(Piece("setup", "setup cell 1", "import json\nWORDS = ['a', 'b']\n"),
                Piece("exercise", "exercise count", "def count():\n    return len(WORDS)\n",
                      "count")),
        calls=(ExerciseCall("count", ("count",), "count()", "value", 30.0),),
        notes=(),
    )
    run = execute(program, Limits(total_seconds=60.0, memory_mb=1024), tmp_path / "run")
    assert exercise_facts(run, "count", "value").value == 2
    assert {"prepare", "start", *HARNESS_STAGES, "exit", "cleanup"} <= set(run.timings)
    assert all(v >= 0 for v in run.timings.values())
    assert run.setup_seconds == run.timings["setup"]
