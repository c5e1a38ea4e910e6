"""The record the execute stage hands to the check stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Execution:
    """Untrusted records from the sandbox's outbox, and what the grader itself observed of
    the run (protections, time, restarts)."""

    outbox: Path
    records: dict[str, dict[str, Any]]
    setup_error: dict[str, Any] | None
    protections: tuple[str, ...]
    speedups: tuple[str, ...]
    seconds: float
    restarts: int
    missing_protections: tuple[str, ...] = ()
    log_tail: str = field(default="", repr=False)
