"""The progress line of a batch: done, failed, running, time left.

Shown only on a terminal (stderr) and never in CI; piped output stays quiet so logs and
``--json`` output are clean.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from autograder.results import GRADED, SubmissionResult


def wanted(stream: TextIO) -> bool:
    """True on an interactive terminal outside CI."""
    return stream.isatty() and not os.environ.get("CI")


class Progress:
    """Counts a batch's submissions and redraws one status line as they finish."""

    def __init__(self, total: int, workers: int, stream: TextIO | None = None,
                 enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = wanted(self.stream) if enabled is None else enabled
        self.total, self.workers = total, max(1, workers)
        self.done = self.failed = self.cached = 0
        self.to_grade = 0
        self._graded_seconds = 0.0
        self._graded = 0
        self._started = time.monotonic()

    def queued(self, n: int) -> None:
        """``n`` submissions will really be graded (the rest came from cache or gradebook)."""
        self.to_grade = n
        self._draw()

    def finished(self, result: SubmissionResult) -> None:
        """One submission is done (graded now, or taken from the cache)."""
        self.done += 1
        self.failed += result.status != GRADED
        if result.cached:
            self.cached += 1
        else:
            self._graded += 1
            self._graded_seconds += result.seconds
        self._draw()

    def status(self) -> str:
        """The status line's text."""
        running = min(self.workers, self.total - self.done)
        parts = [f"{self.done}/{self.total} done", f"{self.failed} failed",
                 f"{running} running"]
        if self.cached:
            parts.append(f"{self.cached} from cache")
        left = self.seconds_left()
        if left is not None:
            parts.append(f"~{_duration(left)} left")
        return " · ".join(parts)

    def seconds_left(self) -> float | None:
        """Estimated time left, once a submission has been graded (None before)."""
        if not self._graded:
            return None
        remaining = max(0, self.to_grade - self._graded)
        return remaining * (self._graded_seconds / self._graded) / self.workers

    def close(self) -> None:
        """End the status line (nothing is left on a non-terminal)."""
        if self.enabled:
            self.stream.write(f"\r\033[K{self.status()} in "
                              f"{_duration(time.monotonic() - self._started)}\n")
            self.stream.flush()

    def _draw(self) -> None:
        if self.enabled:
            self.stream.write(f"\r\033[K{self.status()}")
            self.stream.flush()


def _duration(seconds: float) -> str:
    s = round(seconds)
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"
