"""One writer per build database: a materialisation holds an exclusive lock; a second one refuses.

The lock is an flock on lake/warehouse/build.lock, released by the kernel when its holder dies
(also on SIGKILL). The file records the holder and the dbt process it started: dbt runs as a child
process, and a child orphaned by a killed run would keep writing the build database, so the next
holder stops such an orphan before it builds.
"""

from __future__ import annotations

import fcntl
import json
import os
import signal
import time
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


def _stop_orphan(pid: int | None) -> None:
    if not pid:
        return
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return  # gone
    if b"dbt" not in cmdline:
        return  # the pid was reused by something else
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            return
        for _ in range(50):
            if not Path(f"/proc/{pid}").exists():
                return
            time.sleep(0.1)


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
        _stop_orphan(_read(fd).get("dbt_pid"))
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


def record_dbt_process(settings: Settings, pid: int) -> None:
    """Note the dbt child in the lock file (the caller holds the lock)."""
    held = _held.get(_lock_path(settings))
    if held:
        _write(held[0], {"pid": os.getpid(), "dbt_pid": pid})
