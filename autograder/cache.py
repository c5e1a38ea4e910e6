"""The result cache: a submission's grade, keyed by the content of what is graded.

The key covers everything a grade depends on: the program the sandbox would run (the
student's exercise cells as located, the release's frozen cells, the seed, the data it is
handed), the assignment's declaration (checks, points, hints, limits), the reference facts,
the course's own checks and the grader's source. Anything else in a notebook (outputs,
scratch cells, metadata) cannot change a grade, so it is not in the key: a resubmitted
notebook whose graded cells are the same is served from the cache in milliseconds.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from autograder import integrity
from autograder.assemble import Program
from autograder.course import Assignment, Course

_PACKAGE = Path(__file__).resolve().parent
KEY_VERSION = "2"


@functools.lru_cache(maxsize=1)
def grader_digest() -> str:
    """A hash of the grader's own source: any change to the grader invalidates the cache."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        h.update(str(path.relative_to(_PACKAGE)).encode() + b"\0")
        h.update(path.read_bytes())
    return h.hexdigest()


def submission_key(course: Course, assignment: Assignment, reference_digest: str,
                   program: Program | str) -> str:
    """The content key of one submission.

    ``program`` is what the sandbox would run, or, for a file that is not a readable
    notebook, the reason why (it names the file): that verdict depends on nothing else.
    """
    h = hashlib.sha256()
    parts = [KEY_VERSION, grader_digest(), reference_digest, repr(assignment)]
    if course.extra_checks is not None and course.extra_checks.is_file():
        parts.append(hashlib.sha256(course.extra_checks.read_bytes()).hexdigest())
    h.update(json.dumps(parts).encode())
    if isinstance(program, str):
        h.update(b"unreadable\0" + program.encode())
    else:
        h.update(b"program\0")
        h.update(json.dumps(dataclasses.asdict(program), sort_keys=True, default=str).encode())
    return h.hexdigest()


class ResultCache:
    """Grades on disk, one JSON file per key; written atomically, safe to share.

    Each entry carries an integrity tag (``autograder.integrity``) over its key and
    content, so an entry changed or copied by anyone but the grader is a miss.
    """

    def __init__(self, root: Path, key: bytes) -> None:
        self.root = root
        self._key = key

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored result data for ``key``, or None (a damaged entry counts as a miss)."""
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        if not isinstance(entry, dict) or not isinstance(entry.get("result"), str):
            return None
        if not integrity.verify(self._key, entry.get("tag"), key, entry["result"]):
            return None
        data = json.loads(entry["result"])
        return data if isinstance(data, dict) else None

    def put(self, key: str, result: dict[str, Any]) -> None:
        """Store a result's data under ``key`` (atomic: readers never see half a file)."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            content = json.dumps(result)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"tag": integrity.tag(self._key, key, content),
                           "result": content}, fh)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
