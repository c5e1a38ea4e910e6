"""Reference facts: what the solution itself produces, found by the same pipeline.

The solution notebook runs once through assemble → execute; its outbox is kept in the
course's cache, keyed by a hash of the solution, the assignment's declaration and the
grader's version, so changing a solution changes the expectations with it.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder import __version__
from autograder.assemble import assemble
from autograder.course import Assignment, Course
from autograder.errors import GraderError
from autograder.facts import ExerciseFacts
from autograder.notebook import locate
from autograder.outbox import exercise_facts, read_record
from autograder.probes import REFERENCE_DRAWS, rule_disagreements, with_drawn
from autograder.sandbox import Execution, Limits, execute
from autograder.sandbox.datafiles import content_digest
from autograder.sandbox.runner import SANDBOX_FILES


@dataclass(frozen=True)
class Reference:
    """The solution's facts for each exercise of one assignment."""

    assignment: str
    digest: str
    facts: Mapping[str, ExerciseFacts]


def digest(course: Course, assignment: Assignment) -> str:
    """Content hash of everything the reference facts depend on."""
    h = hashlib.sha256()
    h.update(course.solution_path(assignment).read_bytes())
    # only what changes the run: checks, points and hints are applied later, to the facts
    run = [assignment.seed, assignment.memory_limit_mb, assignment.data, assignment.keras,
           [(e.id, e.names, e.call, e.record, e.probe) for e in assignment.exercises]]
    h.update(repr(run).encode())
    h.update(content_digest(assignment.data))  # the course's own data files
    for source in SANDBOX_FILES:
        h.update(source.read_bytes())
    h.update(__version__.encode())
    return h.hexdigest()


def limits_for(assignment: Assignment) -> Limits:
    """The sandbox limits course.yaml sets for an assignment."""
    return Limits(total_seconds=assignment.time_limit, memory_mb=assignment.memory_limit_mb,
                  max_file_bytes=assignment.max_file_mb * 1_000_000,
                  setup_seconds=assignment.setup_limit or Limits.setup_seconds,
                  between_seconds=assignment.between_limit)


def _folder(course: Course, assignment: Assignment, key: str) -> Path:
    """Where the facts live: Keras 2 references in a folder of their own, so a Keras 3
    and a Keras 2 reference of one assignment never mix (nor replace each other)."""
    kind = "reference" if assignment.keras == 3 else f"reference-keras{assignment.keras}"
    return course.cache_dir / kind / f"{assignment.id}-{key[:16]}"


def ensure_reference(course: Course, assignment: Assignment) -> str:
    """Build the reference facts if they are not cached yet; their digest.

    Cheap when they are cached: nothing is loaded (a batch's coordinator calls this once,
    before its workers load the facts themselves).
    """
    key = digest(course, assignment)
    folder = _folder(course, assignment, key)
    if not (folder / "records.json").is_file():
        with _build_lock(folder.parent / f"{assignment.id}.lock"):
            if not (folder / "records.json").is_file():  # or another grader just built it
                _build(course, assignment, folder)
    return key


@contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    """Hold an assignment's build lock: of the graders that need a reference at once (two
    batches, the service and a batch, test workers), one runs the solution and the others
    wait for its facts instead of training the same solution beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="utf-8") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)  # released when the file is closed
        yield


def load_reference(course: Course, assignment: Assignment) -> Reference:
    """The reference facts, from the cache or by running the solution once."""
    key = ensure_reference(course, assignment)
    folder = _folder(course, assignment, key)
    records = json.loads((folder / "records.json").read_text(encoding="utf-8"))
    execution = Execution(outbox=folder / "outbox", records=records, setup_error=None,
                          protections=(), speedups=(), seconds=0.0, restarts=0)
    facts = {ex.id: exercise_facts(execution, ex.id, ex.record) for ex in assignment.exercises}
    broken = {k: f for k, f in facts.items() if not f.ok}
    if broken:
        details = "; ".join(f"{k}: {f.message}" for k, f in broken.items())
        raise GraderError(f"the reference facts for {assignment.id} cannot be read ({details}); "
                          f"delete {folder} and grade again")
    return Reference(assignment.id, key, facts)


def _keep_public(run: Execution, ex_id: str, drawn: int, public: int) -> None:
    """Drop the observations on the reference's drawn sequences: only the public ones (and
    the robustness ones after them) are reference facts. The trimmed record is kept inline
    in ``records.json``."""
    entry = run.records.get(ex_id)
    if entry is None or not drawn:
        return
    record = dict(read_record(run.outbox, entry))
    value = record.get("value")
    if isinstance(value, list):
        record["value"] = value[:public] + value[public + drawn:]
        record.pop("file", None)
        run.records[ex_id] = record


def _build(course: Course, assignment: Assignment, folder: Path) -> None:
    from autograder.release import build_release  # release embeds reference facts

    path = course.solution_path(assignment)
    solution = nbformat.read(str(path), as_version=4)
    release = build_release(solution, assignment, str(path))
    program = assemble(assignment, release, locate(solution, assignment, release))
    # the solution's callbacks also meet sequences drawn from the assignment's seed: they
    # must stop where the course's stop rule says (the rule judges students' drawn ones)
    program, drawn = with_drawn(program, assignment, assignment.seed, REFERENCE_DRAWS)
    with tempfile.TemporaryDirectory(prefix="reference-", dir=folder.parent) as tmp:
        os.chmod(tmp, 0o755)  # where the sandbox drops to another user, it must reach run/
        run = execute(program, limits_for(assignment), Path(tmp) / "run")
        if run.system_failure:
            raise GraderError(f"the grader's machine failed while running the solution of "
                              f"{assignment.id} ({run.system_failure}); try again")
        if run.setup_error:
            raise GraderError(f"the solution of {assignment.id} fails in its setup cells: "
                              f"{run.setup_error.get('type')}: {run.setup_error.get('text')}")
        problems = []
        for ex in assignment.exercises:
            facts = exercise_facts(run, ex.id, ex.record)
            if not facts.ok:
                problems.append(f"{ex.id}: {facts.message}")
            elif ex.id in drawn:
                problems += rule_disagreements(ex, facts.value, drawn[ex.id])
                _keep_public(run, ex.id, len(drawn[ex.id]), len(ex.probe.sequences)
                             if ex.probe is not None else 0)
        if problems:
            raise GraderError(f"the solution of {assignment.id} does not pass its own run: "
                              + "; ".join(problems) + f"\n(output: {run.log_tail[-1500:]})")
        staging = Path(tmp) / "ref"
        staging.mkdir()
        shutil.copytree(run.outbox, staging / "outbox")
        (staging / "records.json").write_text(json.dumps(run.records), encoding="utf-8")
        os.replace(staging, folder)  # atomic: a reader sees all of it or nothing
    for old in folder.parent.glob(f"{assignment.id}-*"):  # facts of older solutions
        if old != folder and (old / "records.json").is_file():
            shutil.rmtree(old, ignore_errors=True)
