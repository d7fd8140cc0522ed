"""Crash points for the reliability tests: STICHTAG_CRASH_AT=<point> makes the process kill itself
with SIGKILL at that point (no cleanup, no finally blocks), as a power cut or an OOM kill would."""

from __future__ import annotations

import os
import signal


def crash_point(name: str) -> None:
    if os.environ.get("STICHTAG_CRASH_AT") == name:
        os.kill(os.getpid(), signal.SIGKILL)
