"""The harness's progress events as the runner believes them, and how an attempt ended."""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass

MAX_PROGRESS_BYTES = 65_536  # read per poll
BETWEEN_ALLOWANCE = 15.0  # seconds from an exercise's end to the next event (none is slow)


@dataclass(frozen=True)
class Attempt:
    phase: str  # setup, define, start, between
    exercise: str | None
    reason: str  # "" when the harness finished
    restart: bool = False  # the harness asked for a fresh process for the exercises left
    code: int | None = None  # how the process ended, when it ended by itself (or a signal)


class Progress:
    """The harness's progress as the runner believes it.

    Student code runs in the harness's process and may append to the progress file too,
    so an event counts only when it is the next one the harness itself would write:
    ``define`` for each exercise cell it runs, ``defined``, ``start``/``end`` for each call,
    then ``finished``. A forger can at most move on to the next phase, which has its own
    budget; a forged ``finished`` is never believed before the harness's own.
    """

    def __init__(self, fd: int, defines: list[str], calls: list[str]) -> None:
        self.fd = fd
        self.offset = 0
        self.partial = b""
        self.expected: list[tuple[str, str | None]] = [
            *(("define", ex) for ex in defines), ("defined", None),
            *((kind, ex) for ex in calls for kind in ("start", "end")), ("finished", None)]
        self.position = 0
        self.phase = "setup"  # setup, define, start, between
        self.exercise: str | None = None
        self.last: tuple[str, str] | None = None  # the last define/start: who ran last
        self.setup_failed = False
        self.since = time.monotonic()

    @property
    def finished(self) -> bool:
        return self.position == len(self.expected)

    def poll(self) -> None:
        """Take the new, well-ordered events from the file."""
        with contextlib.suppress(OSError):
            size = os.fstat(self.fd).st_size
            if size < self.offset:  # truncated behind our back: read it again
                self.offset, self.partial = 0, b""
            if size == self.offset:
                return
            chunk = os.pread(self.fd, MAX_PROGRESS_BYTES, self.offset)
            self.offset += len(chunk)
            lines = (self.partial + chunk).split(b"\n")
            self.partial = lines.pop()[-MAX_PROGRESS_BYTES:]
            for line in lines:
                self._take(line)

    def _take(self, line: bytes) -> None:
        if self.finished:
            return
        try:
            item = json.loads(line)
        except (ValueError, RecursionError):
            return
        if not isinstance(item, dict):
            return
        event = (item.get("event"), item.get("exercise"))
        if event == ("finished", None) and self.position == 0:
            # the setup cells failed: the harness stops before any student code ran
            self.position = len(self.expected)
            self.setup_failed = True
            return
        if event != self.expected[self.position]:
            return
        self.position += 1
        kind, ex = event
        self.since = time.monotonic()
        if kind in ("define", "start") and isinstance(ex, str):
            self.phase, self.exercise = str(kind), ex
            self.last = (str(kind), ex)
        else:
            self.phase, self.exercise = "between", None



def between_allowance(progress: Progress, budgets: dict[str, float],
                      given: float | None = None) -> float:
    """Seconds allowed between two events (the harness needs none): the course's
    ``between_limit`` when ``given``, else at most the budget of the exercise that ran
    last (its code is what would still be running) and BETWEEN_ALLOWANCE."""
    if given is not None:
        return given
    last = progress.last[1] if progress.last is not None else ""
    return min(BETWEEN_ALLOWANCE, budgets.get(last, BETWEEN_ALLOWANCE))


def blame(progress: Progress, reason: str) -> Attempt:
    """The attempt ended in ``reason``; between two exercises, the last one that ran is
    blamed (its code, a thread or process it started, is what is still running)."""
    if progress.phase == "between" and progress.last is not None and not progress.finished:
        return Attempt(*progress.last, reason)
    return Attempt(progress.phase, progress.exercise, reason)
