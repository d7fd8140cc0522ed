"""One writer per build database: a materialisation holds an exclusive lock; a second one refuses.

The lock is an flock on lake/warehouse/build.lock, released by the kernel when its holder dies
(also on SIGKILL). The file records the holder's PID, for the message of a refused second writer.
dbt runs inside the holder (orchestration/defs/warehouse/resources.py), so a killed holder leaves no
dbt behind that keeps writing.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kernel.settings import Settings

_held: dict[Path, list[int]] = {}  # lock path → [fd, depth]: re-entrant within one process


class BuildLocked(RuntimeError):
    """Another materialisation holds the build lock."""


def _lock_path(settings: Settings) -> Path:
    return settings.warehouse.parent / "build.lock"


def _read(fd: int) -> dict:
    try:
        return json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except ValueError:
        return {}


def _write(fd: int, state: dict) -> None:
    data = json.dumps(state).encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)


@contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    path = _lock_path(settings)
    if path in _held:
        _held[path][1] += 1
        try:
            yield
        finally:
            _held[path][1] -= 1
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read(fd).get("pid", "?")
            raise BuildLocked(f"eine andere Materialisierung läuft gerade (PID {holder}); bitte warten") from None
        _write(fd, {"pid": os.getpid()})
        _held[path] = [fd, 1]
        yield
    finally:
        _held.pop(path, None)
        os.close(fd)  # closing releases the lock, also when the process is killed


def lock_holder(settings: Settings) -> str | None:
    """PID of the process holding the build lock, None if it is free."""
    path = _lock_path(settings)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return str(_read(fd).get("pid", "?"))
        return None
    finally:
        os.close(fd)
