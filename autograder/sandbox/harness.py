"""The harness: the only grader code that runs beside student code, inside the sandbox.

It is copied, with ``recording.py`` (what it records of a result), into the run's private
folder and run with ``python -I``; it imports nothing from the grader. It executes the
assembled program, calls each exercise's entry point, and writes **data only** to the
outbox: one JSON record per exercise plus ``.npy`` and ``.keras`` files. Nothing here
decides a score.

Usage: python -I harness.py JOB.json
"""

from __future__ import annotations

import builtins
import collections
import contextlib
import json
import linecache
import os
import random
import sys
import threading
import time
import traceback
import types
from collections.abc import Iterator
from typing import Any

if __package__:  # imported by the grader or the notebook's check()
    from autograder.sandbox import compat
    from autograder.sandbox.legacy import use_keras2
    from autograder.sandbox.recording import (
        LAST_FIT,
        Capture,
        probe_callback,
        record_result,
        remember_fit,
    )
else:  # run as a script in the sandbox: recording.py was copied beside this file
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import compat  # type: ignore[no-redef]
    from legacy import use_keras2  # type: ignore[no-redef]
    from recording import (  # type: ignore[no-redef]
        LAST_FIT,
        Capture,
        probe_callback,
        record_result,
        remember_fit,
    )

MAX_TRACEBACK = 6_000
MAX_FRAMES = 50
RESTART_EXIT = 75  # exit code: the exercises still to run need a fresh process
MAX_NEW_THREADS = 32  # Python threads an exercise may leave running (a thread pool is
# fine) before the exercises after it get a fresh process


class _IPythonStub:
    """``get_ipython()`` for code whose magics were rewritten: runs no magic or shell."""

    def __init__(self, ns: dict[str, Any]) -> None:
        self._ns = ns

    def run_line_magic(self, *_: Any, **__: Any) -> None:
        return None

    def system(self, *_: Any, **__: Any) -> None:
        return None

    def getoutput(self, *_: Any, **__: Any) -> list[str]:
        return []

    def run_cell_magic(self, name: str, _line: str, cell: str) -> None:
        if name in ("time", "timeit", "capture"):  # these only wrap Python code: run it once
            exec(_compile(cell, f"<%%{name} cell>"), self._ns)


def _compile(source: str, filename: str) -> Any:
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return compile(source, filename, "exec")


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and, once imported, TensorFlow/Keras."""
    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed)
    if "keras" in sys.modules:
        with contextlib.suppress(Exception):
            sys.modules["keras"].utils.set_random_seed(seed)


def apply_speedups() -> list[str]:
    """Keras speed-ups that do not change results; each guarded, each reported."""
    applied: list[str] = []
    if "tensorflow" not in sys.modules:
        return applied
    try:  # the end-of-fit stall: tf.data autotuning on the dataset Keras builds from arrays
        import tensorflow as tf
        from keras.src.trainers.data_adapters import array_data_adapter as ada

        original = ada.ArrayDataAdapter.get_tf_dataset
        if not getattr(original, "_autograder_patched", False):
            def get_tf_dataset(self: Any) -> Any:
                dataset = original(self)
                options = tf.data.Options()
                options.autotune.enabled = False
                return dataset.with_options(options)

            get_tf_dataset._autograder_patched = True  # type: ignore[attr-defined]
            ada.ArrayDataAdapter.get_tf_dataset = get_tf_dataset
            applied.append("tf.data autotune off for array inputs")
    except Exception:
        pass
    return applied


def _clip(text: str, limit: int = 3000) -> str:
    """Long error texts (TensorFlow's) keep their start and their end, where the cause is."""
    if len(text) <= limit:
        return text
    return f"{text[: limit // 3]}\n…\n{text[-2 * limit // 3:]}"


def _error(exc: BaseException) -> dict[str, Any]:
    """A student-facing description of an exception: only frames of student code (the
    innermost MAX_FRAMES: a runaway recursion leaves a million)."""
    tail: collections.deque[types.TracebackType] = collections.deque(maxlen=MAX_FRAMES)
    tb = exc.__traceback__
    while tb is not None:
        tail.append(tb)
        tb = tb.tb_next
    frames = [f for f in traceback.extract_tb(tail[0] if tail else None)
              if f.filename.startswith("<") and not f.filename.startswith("<call ")]
    lines = traceback.format_list(frames)
    if isinstance(exc, SyntaxError) and exc.filename and exc.filename.startswith("<"):
        lines = [f'  File "{exc.filename}", line {exc.lineno}\n    {(exc.text or "").strip()}\n']
    text = "".join(lines)[-MAX_TRACEBACK:]
    return {"type": type(exc).__name__, "text": _clip(str(exc)), "traceback": text}


class Harness:
    """Runs one job: setup, exercise definitions, then each exercise's call."""

    def __init__(self, job: dict[str, Any], started: float) -> None:
        self.job = job
        # where the time went (seconds), for the runner's profile; never used to score
        self.timings: dict[str, float] = {"started": started, "data": 0.0, "setup": 0.0,
                                          "define": 0.0, "calls": 0.0, "save": 0.0}
        self.outbox = job["outbox"]
        self.progress = open(job["progress"], "a", buffering=1)  # noqa: SIM115
        self.ns: dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins}
        self.ns["get_ipython"] = lambda: _IPythonStub(self.ns)
        self.definition_errors: dict[str, dict[str, Any]] = {}
        self.support_errors: dict[str, list[str]] = {}  # a taken cell failed: why, by exercise
        self.pid = os.getpid()
        self.own_pid_namespace = bool(job.get("own_pid_namespace"))

    def only_original_process(self) -> None:
        """A process the student's code forked must not come back into the harness."""
        if os.getpid() != self.pid:
            os._exit(0)

    def left_running(self, threads_before: int) -> str:
        """What an exercise left running (threads, processes), or "" when nothing much.

        A thread or fork bomb that outlives its exercise would starve the next ones of
        threads and processes; the harness then asks for a fresh process for them.
        """
        with contextlib.suppress(ChildProcessError):
            while os.waitpid(-1, os.WNOHANG)[0]:  # reap the student's finished children
                pass
        threads = threading.active_count() - threads_before
        processes = 0
        session = os.getsid(0)
        for name in os.listdir("/proc"):
            if not name.isdigit() or int(name) in (1, self.pid):
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                state, ppid, sid = fields[0], int(fields[1]), int(fields[3])
                if state != "Z" and (self.own_pid_namespace or ppid == self.pid
                                     or sid == session):
                    processes += 1
        parts = []
        if threads > MAX_NEW_THREADS:
            parts.append(f"{threads} threads")
        if processes:
            parts.append(f"{processes} process{'es' if processes > 1 else ''}")
        return " and ".join(parts)

    def event(self, kind: str, exercise: str | None = None) -> None:
        self.progress.write(json.dumps({"event": kind, "exercise": exercise}) + "\n")

    def write_record(self, exercise: str, record: dict[str, Any]) -> None:
        path = os.path.join(self.outbox, f"{exercise}.json")
        with open(path + ".tmp", "w", encoding="utf-8") as fh:
            json.dump(record, fh)
        os.replace(path + ".tmp", path)

    def run_code(self, source: str, filename: str) -> tuple[dict[str, Any] | None, str]:
        capture = Capture()
        old = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = capture
        try:
            exec(_compile(source, filename), self.ns)
            return None, capture.text()
        except BaseException as exc:  # SystemExit too: the student's exit ends only this cell
            return _error(exc), capture.text()
        finally:
            self.only_original_process()
            sys.stdout, sys.stderr = old

    @contextlib.contextmanager
    def timed(self, stage: str) -> Iterator[None]:
        """Add the time the block takes to ``stage``."""
        started = time.monotonic()
        try:
            yield
        finally:
            self.timings[stage] += time.monotonic() - started

    def run(self) -> None:
        job = self.job
        seed = int(job["seed"])
        if job.get("keras") == 2:  # tf_keras: `import keras` too, as under TensorFlow 2.15
            use_keras2()
        with self.timed("data"):
            self.load_data()
        seed_everything(seed)
        failed: dict[str, Any] | None = None
        with self.timed("setup"):
            for piece in (p for p in job["pieces"] if p["kind"] == "setup"):
                error, _ = self.run_code(piece["source"], f"<{piece['label']}>")
                if error:
                    failed = {"setup_error": error, "label": piece["label"]}
                    break
        if failed:
            self.finish(failed)
            return
        speedups = apply_speedups()
        compat.apply()  # Keras 2 habits under Keras 3; each use is noted in that exercise
        if any(c.get("record") == "last_fit" for c in job["calls"]):
            remember_fit()
        skip_define = set(job.get("skip_define", ()))
        current: str | None = None
        for piece in job["pieces"]:
            ex = piece.get("exercise")
            # a cell taken from the student's notebook, or a provided one, runs in the define
            # phase of the exercise cell it comes before (its "group")
            group = ex if piece["kind"] == "exercise" else piece.get("group")
            if piece["kind"] == "setup" or group is None or group in skip_define:
                continue
            if group != current:
                self.event("define", group)
                current = group
            seed_everything(seed)
            with self.timed("define"):
                error, out = self.run_code(piece["source"], f"<{piece['label']}>")
            if error and piece["kind"] == "exercise":
                self.definition_errors[ex] = {**error, "stdout": out}
            elif error:
                at = str(error.get("traceback", "")).rsplit(f"<{piece['label']}>\", line ", 1)
                line = f" line {at[1].split()[0].rstrip(',')}" if len(at) == 2 else ""
                why = (f"[grader] {piece['label']}{line}, run because your code needs it, "
                       f"failed: {error.get('type')}: {error.get('text')}")
                for needer in piece.get("needed_by") or (group,):
                    self.support_errors.setdefault(needer, []).append(why)
        self.event("defined")
        compat.apply()  # Keras first imported by an exercise cell
        skip_call = set(job.get("skip_call", ()))
        calls = [c for c in job["calls"] if c["id"] not in skip_call]
        for call in calls:
            self.event("start", call["id"])
            threads = threading.active_count()
            record = self.call(call, seed)
            left = self.left_running(threads) if call is not calls[-1] else ""
            if left:
                record["stdout"] = (f"{record.get('stdout') or ''}\n[grader] {call['id']} "
                                    f"left {left} running; the exercises after it ran in "
                                    "a fresh process").lstrip("\n")
            self.write_record(call["id"], record)
            self.event("end", call["id"])
            if left:
                self.progress.flush()
                os._exit(RESTART_EXIT)
        self.finish({"speedups": speedups})

    def load_data(self) -> None:
        """Bind the data the grader hands the program (arrays, image folders, constants)."""
        for item in self.job.get("data", ()):
            if "file" not in item:  # a constant, a folder of images, a list of image files
                self.ns[item["name"]] = item.get("value", item.get("folder", item.get("files")))
                continue
            import numpy as np

            self.ns[item["name"]] = np.load(item["file"], allow_pickle=False)

    def call(self, call: dict[str, Any], seed: int) -> dict[str, Any]:
        """Call one entry point and record what it returned; ``seconds`` is the time the
        call itself took (the student's computation), without saving what it returned."""
        ex = call["id"]
        if ex in self.definition_errors:
            err = self.definition_errors[ex]
            return {"status": "error", "phase": "define", "error": err, "stdout": err["stdout"],
                    "seconds": 0.0}
        names = call["names"]  # none for an exercise with no cell of its own
        defined = [n for n in names if n in self.ns]
        if names and not defined:
            return {"status": "missing", "names": names, "seconds": 0.0}
        if names and names[0] not in self.ns:
            self.ns[names[0]] = self.ns[defined[0]]
        seed_everything(seed)
        LAST_FIT.clear()  # record: last_fit takes the model fit trained during this call
        compat.take_notes()
        capture = Capture()
        old = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = capture
        started = time.monotonic()
        returned: float | None = None  # when the student's code returned
        try:
            code = compile(call["call"], f"<call {ex}>", "eval")
            if call["record"] == "callback":
                probe = call.get("probe") or {}
                files: list[str] = []
                value = probe_callback(lambda: eval(code, self.ns),
                                       [list(s) for s in probe.get("sequences", ())],
                                       probe.get("metrics"), int(probe.get("keras", 3)),
                                       [list(s) for s in probe.get("robust", ())])
            else:
                result = eval(code, self.ns)
                returned = time.monotonic()
                files, value = record_result(self.outbox, ex, call["record"], result)
            record: dict[str, Any] = {"status": "ok", "files": files, "value": value}
        except BaseException as exc:
            record = {"status": "error", "phase": "call", "error": _error(exc)}
        finally:
            self.only_original_process()
            sys.stdout, sys.stderr = old
        ended = time.monotonic()
        returned = returned or ended
        self.timings["calls"] += returned - started
        self.timings["save"] += ended - returned
        notes = "".join(f"\n[grader] {note}" for note in compat.take_notes())
        record.update(stdout=(capture.text() + notes).lstrip("\n"),
                      seconds=round(returned - started, 3))
        if record["status"] == "ok" and names:
            record["alias"] = defined[0] if defined[0] != names[0] else None
        elif record["status"] != "ok" and ex in self.support_errors:
            record["stdout"] = "\n".join([*self.support_errors[ex], record["stdout"]])
        return record

    def finish(self, summary: dict[str, Any]) -> None:
        path = os.path.join(self.outbox, "_run.json")
        timings = {**self.timings, "finished": time.monotonic()}
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({**summary, "timings": timings}, fh)
        self.event("finished")


def main() -> None:
    started = time.monotonic()  # CLOCK_MONOTONIC: the runner's clock too
    with open(sys.argv[1], encoding="utf-8") as fh:
        job = json.load(fh)
    Harness(job, started).run()
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown (TensorFlow's can take seconds)


if __name__ == "__main__":
    main()
