"""One writer per build database: a materialisation holds an exclusive lock; a second one refuses."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager

from stichtag.settings import Settings


class BuildLocked(RuntimeError):
    pass


@contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    path = settings.warehouse.parent / "build.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode(errors="replace").strip() or "?"
            from stichtag.cli import CliError

            raise CliError(f"eine andere Materialisierung läuft gerade (PID {holder}); bitte warten") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)  # closing releases the lock, also when the process is killed
