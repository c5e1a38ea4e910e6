"""The record the execute stage hands to the check stage."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Execution:
    """Untrusted records from the sandbox's outbox, and what the grader itself observed of
    the run (protections, time, restarts).

    ``timings`` says where the run's time went, in seconds: the runner's ``prepare`` and
    ``cleanup``, and for the attempt that finished, the harness's stages (see
    ``sandbox.runner._stages``). The harness's figures are informational, never scored.
    """

    outbox: Path
    records: dict[str, dict[str, Any]]
    setup_error: dict[str, Any] | None
    protections: tuple[str, ...]
    speedups: tuple[str, ...]
    seconds: float
    restarts: int
    missing_protections: tuple[str, ...] = ()
    log_tail: str = field(default="", repr=False)
    timings: Mapping[str, float] = field(default_factory=dict)
    unconfined: bool = False  # an essential protection was missing (see sandbox.isolation)
    #: why the run failed for a reason that is not the student's ("" when none): the
    #: sandbox did not start, the machine killed it; the grader retries such a run
    system_failure: str = ""

    @property
    def setup_seconds(self) -> float:
        """The time the notebook's setup cells took (its own imports and data loading)."""
        return self.timings.get("setup", 0.0)
