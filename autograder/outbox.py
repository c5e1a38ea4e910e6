"""Reading the sandbox's outbox on the trusted side: data only, validated, size-capped.

Nothing that comes back is executed, imported or unpickled. Arrays load with
``allow_pickle=False``; a Keras model file is inspected and loaded by
``autograder.modelfile`` (safe mode, after its config is checked).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from autograder.execution import Execution
from autograder.facts import (
    ERROR,
    KILLED,
    MISSING,
    NOT_RUN,
    OK,
    TIMEOUT,
    ExerciseFacts,
)
from autograder.modelfile import MAX_MODEL_BYTES, OutboxError, load_model

FILE_NAME = re.compile(r"^[A-Za-z0-9_]{1,80}\.(npy|keras)$")
MAX_RECORD_BYTES = 1_000_000
MAX_ARRAY_BYTES = 200_000_000
MAX_FILES = 1_000  # data files in one exercise's record
MAX_TEXT = 20_000
STATUSES = {OK, ERROR, MISSING, TIMEOUT, KILLED, NOT_RUN}


def _text(value: Any, limit: int = MAX_TEXT) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _output(value: Any, tail: int = 500) -> str:
    """A record's captured output, capped; its end is kept (the harness's notes are there)."""
    if not isinstance(value, str) or len(value) <= MAX_TEXT:
        return _text(value)
    return value[:MAX_TEXT - tail] + "\n…\n" + value[-tail:]


def _file(outbox: Path, name: Any, limit: int) -> Path:
    if not isinstance(name, str) or not FILE_NAME.match(name):
        raise OutboxError(f"unexpected file name in the outbox: {str(name)[:80]!r}")
    path = outbox / name
    if path.is_symlink() or not path.is_file():
        raise OutboxError(f"{name} is missing or not a regular file")
    if path.stat().st_size > limit:
        raise OutboxError(f"{name} is larger than {limit // 2**20} MB")
    return path


def read_record(outbox: Path, entry: dict[str, Any]) -> dict[str, Any]:
    """The JSON record for one exercise (validated), or the runner's own record."""
    if "file" not in entry:
        return entry  # written by the grader itself (timeout, killed, not run)
    path = outbox / str(entry["file"])
    if (path.is_symlink() or not path.is_file()
            or path.stat().st_size > MAX_RECORD_BYTES):
        raise OutboxError("the exercise record is not a plain file of sensible size")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except RecursionError as exc:  # "[[[[…]]]]": the sandbox did not write that
        raise OutboxError("the exercise record is nested too deeply") from exc
    if not isinstance(data, dict) or data.get("status") not in STATUSES:
        raise OutboxError("the exercise record is malformed")
    return data


def exercise_facts(execution: Execution, exercise_id: str, record_kind: str) -> ExerciseFacts:
    """Build the facts for one exercise from the execution's records and files."""
    entry = execution.records.get(
        exercise_id, {"status": NOT_RUN, "reason": "not run: the run ended before this exercise"}
    )
    try:
        rec = read_record(execution.outbox, entry)
    except (OSError, ValueError, OutboxError) as exc:
        return ExerciseFacts(ERROR, f"the grader could not read this exercise's result: {exc}")
    status = rec.get("status")
    seconds = rec.get("seconds", 0.0)
    seconds = float(seconds) if isinstance(seconds, (int, float)) else 0.0
    stdout = _output(rec.get("stdout"))
    if status != OK:
        return ExerciseFacts(str(status), exercise_message(rec), stdout, seconds)
    try:
        files = rec.get("files") or []
        if not isinstance(files, list) or len(files) > MAX_FILES:
            raise OutboxError("the file list is malformed")
        if len(set(map(str, files))) != len(files):  # one 200 MB file, loaded 1000 times?
            raise OutboxError("the file list names a file twice")
        if record_kind == "arrays":
            arrays = tuple(load_array(_file(execution.outbox, f, MAX_ARRAY_BYTES))
                           for f in files)
            return ExerciseFacts(OK, "", stdout, seconds, arrays=arrays)
        value = rec.get("value")
        json.dumps(value)
        if record_kind == "generators":
            return ExerciseFacts(OK, "", stdout, seconds, value=generator_batches(
                execution.outbox, value, files))
        if record_kind in ("model", "history", "last_fit"):
            if len(files) != 1:
                raise OutboxError("expected one model file")
            model = load_model(_file(execution.outbox, files[0], MAX_MODEL_BYTES))
            return ExerciseFacts(OK, "", stdout, seconds, model=model,
                                 value=value if record_kind in ("history", "last_fit") else None)
        return ExerciseFacts(OK, "", stdout, seconds, value=value)
    except Exception as exc:  # the grader refused or failed to read what came back
        return ExerciseFacts(ERROR, f"the grader could not read what {exercise_id} returned: "
                                    f"{exc}", stdout, seconds)


def exercise_message(rec: dict[str, Any]) -> str:
    """The student-facing message for an exercise that did not return normally."""
    status = rec.get("status")
    if status == MISSING:
        names = rec.get("names") or []
        first = names[0] if names else "the function"
        return (f"{first} is not defined: the exercise cell is missing, or the function was "
                "renamed. Keep the name used in the assignment"
                + (f" (accepted: {', '.join(map(str, names))})" if len(names) > 1 else ""))
    if status in (TIMEOUT, KILLED, NOT_RUN):
        return _text(rec.get("reason"), 500) or str(status)
    err = rec.get("error") if isinstance(rec.get("error"), dict) else {}
    assert isinstance(err, dict)
    kind = _text(err.get("type"), 100)
    text = _text(err.get("text"), 4000)
    tb = _text(err.get("traceback"), 6000)
    when = "while defining it" if rec.get("phase") == "define" else "when called"
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > 4:  # TensorFlow's errors list graph nodes first; the cause comes last
        text = " ".join(line.strip() for line in lines[-2:])
    if kind == "NotImplementedError":
        return ("not written yet: replace 'raise NotImplementedError()' with your code "
                "(between the comments that mark your part)")
    head = f"raised {kind} {when}: {text}" if text else f"raised {kind} {when}"
    if kind == "SyntaxError":
        head = f"has a syntax error: {text}"
    if kind == "SystemExit":
        head = f"called sys.exit() {when}; remove that call"
    return f"{head}\n{tb}".rstrip()


# --------------------------------------------------------------------------- arrays


def load_array(path: Path) -> np.ndarray:
    """A numeric array from a .npy file; pickled object arrays are refused, and so is a
    header that promises more (or less) data than the file holds, before any allocation."""
    fmt = np.lib.format
    with open(path, "rb") as fh:
        try:
            version = fmt.read_magic(fh)
            read_header = (fmt.read_array_header_1_0 if version == (1, 0)
                           else fmt.read_array_header_2_0)
            shape, _, dtype = read_header(fh)
        except ValueError as exc:
            raise OutboxError(f"{path.name} is not a .npy file ({exc})") from exc
        if dtype.hasobject:
            raise OutboxError(f"{path.name} holds Python objects (a pickle), not numbers; "
                              "it was not loaded")
        expected = int(np.prod(shape, dtype=np.float64)) * dtype.itemsize
        if expected != path.stat().st_size - fh.tell():
            raise OutboxError(f"{path.name} does not hold the data its header describes")
    arr = np.load(path, allow_pickle=False)
    if not isinstance(arr, np.ndarray):
        raise OutboxError(f"{path.name} is not a plain array")
    return arr


def generator_batches(folder: Path, claims: Any, files: list[Any]) -> list[dict[str, Any]]:
    """Each generator's first batch, read from its arrays and measured by the grader."""
    from autograder.checks.generators import describe_batch

    if not isinstance(claims, list) or not all(isinstance(c, dict) for c in claims):
        raise OutboxError("the generators' record is malformed")
    seen = []
    for claim in claims:
        arrays: list[np.ndarray | None] = []
        for part in ("x_file", "y_file"):
            name = claim.get(part)
            if name is None and part == "y_file":
                arrays.append(None)
                continue
            if name not in files:
                raise OutboxError("a generator's batch is missing from the outbox")
            arrays.append(load_array(_file(folder, name, MAX_ARRAY_BYTES)))
        x, y = arrays
        assert x is not None
        seen.append(describe_batch(claim, x, y))
    return seen


# --------------------------------------------------------------------------- models
