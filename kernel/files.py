"""Writing files: atomically into the lake (readers see the old file or the new one, never a half-written
one), and generated files into the repository (rewritten only when their text changed)."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import duckdb


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_copy_to_parquet(con: duckdb.DuckDBPyConnection, select_sql: str, target: Path) -> None:
    """COPY the query's result to `target` through a temporary file in the same directory + rename.

    Settings make the bytes a function of the data alone (no thread-dependent row groups)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        con.execute("set preserve_insertion_order = true")
        con.execute(f"copy ({select_sql}) to '{tmp}' (format parquet, compression zstd, row_group_size 122880)")
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_text(target: Path, text: str) -> None:
    atomic_write_bytes(target, text.encode("utf-8"))


def atomic_write_bytes(target: Path, data: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def write_generated(directory: Path, pages: dict[str, str], pattern: str) -> list[Path]:
    """Files generated into the repository (catalogue docs, raw-table suites): each rewritten only when its
    text changed, so a regeneration shows in `git diff` exactly what moved; files no longer generated go.
    Write `pages` (file name → text) into `directory`; delete the other files matching `pattern`."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob(pattern):
        if old.name not in pages:
            old.unlink()
    written = []
    for name, text in pages.items():
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
