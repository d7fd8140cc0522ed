"""Structured operations log: one JSON line per event in lake/logs/stichtag.jsonl.

Every line carries a UTC timestamp, the event name and the ids an operator filters by (run_id,
lieferung_id, stichtag, datenstand). Only identifiers, counts and reasons are logged, never
delivered values: the log lies in the lake and is covered by the leak scan.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from kernel.settings import Settings


def log_path(settings: Settings) -> Path:
    return settings.lake / "logs" / "stichtag.jsonl"


def log_event(settings: Settings, event: str, **fields: object) -> None:
    path = log_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {"ts": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"), "event": event,
              "pid": os.getpid(), **{k: v for k, v in fields.items() if v is not None}}
    line = (json.dumps(record, ensure_ascii=False, default=str) + "\n").encode("utf-8")
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)  # one write with O_APPEND: lines of concurrent writers never interleave
    finally:
        os.close(fd)


def read_events(settings: Settings) -> list[dict]:
    path = log_path(settings)
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue  # a line cut by a crash
    return out
