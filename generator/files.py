"""Placing a delivery in the inbox as a transfer would: written beside, renamed when complete, with
the delivery day as its modification time (the ingest reads the received time from it)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path


def place(path: Path, data: bytes, delivered: dt.date) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    ts = dt.datetime.combine(delivered, dt.time(6, 0), tzinfo=dt.UTC).timestamp()
    os.utime(tmp, (ts, ts))
    tmp.replace(path)
