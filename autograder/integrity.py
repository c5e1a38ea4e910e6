"""Integrity tags on what the grader stores: result cache entries and gradebook rows.

Both live in folders that other processes can reach (a shared course checkout, a report
folder). Each entry carries an HMAC made with a key kept in the grader's own state (the
course's cache folder, readable by the grader's user only), over the entry's content and
the place it is stored under; an entry whose tag does not verify (tampered, copied from
another key, written by an older grader) is ignored, and its submission is graded again.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path

KEY_FILE = "integrity.key"


def grader_key(folder: Path) -> bytes:
    """The grader's key in ``folder`` (made once, readable by the grader's user only)."""
    path = folder / KEY_FILE
    with contextlib.suppress(FileNotFoundError):
        return _read(path)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{KEY_FILE}.{secrets.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(secrets.token_hex(32))
    try:
        os.link(tmp, path)  # the first grader to make one wins; the others read it
    except FileExistsError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    return _read(path)


def _read(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd, encoding="ascii") as fh:
        return bytes.fromhex(fh.read().strip())


def tag(key: bytes, *parts: str) -> str:
    """The integrity tag of an entry made of ``parts`` (each part delimited)."""
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for part in parts:
        mac.update(len(part.encode()).to_bytes(8, "big"))
        mac.update(part.encode())
    return mac.hexdigest()


def verify(key: bytes, expected_tag: object, *parts: str) -> bool:
    """True when ``expected_tag`` is the tag of ``parts`` (compared in constant time)."""
    return isinstance(expected_tag, str) and hmac.compare_digest(tag(key, *parts),
                                                                expected_tag)
