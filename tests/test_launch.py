"""A run starts in its cgroup and under its resource limits, however it is launched.

The runner launches the sandbox through ``sh`` and ``prlimit`` where they exist (so the
grader need not fork itself) and with a Python ``preexec_fn`` elsewhere; both must leave
the student's process in the same state. Bubblewrap is left out here, because its cgroup
namespace would hide which group the process is in.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from autograder.assemble import ExerciseCall, Piece, Program
from autograder.outbox import exercise_facts
from autograder.sandbox import Limits, execute, runner
from autograder.sandbox.isolation import Confinement

SEEN = '''
def seen():
    """The process's own resource limits and cgroups, as /proc shows them."""
    limits = {}
    for line in open("/proc/self/limits").read().splitlines()[1:]:
        limits[line[:26].strip()] = line[26:].split()[:2]
    limits["cgroup"] = open("/proc/self/cgroup").read()
    return limits
'''


@pytest.mark.parametrize("launch", ["sh and prlimit", "preexec_fn"])
def test_limits_and_cgroup_are_in_force(launch: str, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    limits = Limits(total_seconds=60.0, memory_mb=1024, max_file_bytes=5_000_000)
    if launch == "preexec_fn":
        monkeypatch.setattr(runner, "launcher", lambda *_: None)
    elif runner.launcher(limits, None, None) is None:
        pytest.skip("prlimit is not installed here")
    monkeypatch.setattr(runner, "confinement",
                        lambda *_: Confinement((), (), (), None))
    program = Program(
        seed=1,
        pieces=(Piece("exercise", "exercise seen", SEEN, "seen"),),
        calls=(ExerciseCall("seen", ("seen",), "seen()", "value", 30.0),),
        notes=(),
    )
    run = execute(program, limits, tmp_path / "run")
    seen = exercise_facts(run, "seen", "value").value
    assert isinstance(seen, dict)
    assert seen["Max address space"] == [str(1024 * 2**20)] * 2
    assert seen["Max file size"] == ["5000000"] * 2
    assert seen["Max core file size"] == ["0"] * 2
    if any(p.startswith("cgroup caps") for p in run.protections):
        assert "/autograder/run-" in seen["cgroup"]
