"""Bounds on everything a delivery controls, checked before the expensive step they protect.

A delivery is refused as a whole (quarantined with a short reason) when it exceeds one; nothing of it is
echoed. The defaults fit a Land-scale registry extract with room to spare; a district with larger
deliveries raises them by environment variable, never by editing code.
"""

from __future__ import annotations

import os

import numpy as np

MiB = 1024 * 1024


def _env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def max_delivery_bytes() -> int:
    """A delivery file (or a ZIP's member, inflated): read into memory only below this."""
    return _env("STICHTAG_MAX_DELIVERY_BYTES", 1024 * MiB)


def max_zip_ratio() -> int:
    """Inflated / compressed size of a ZIP member: CSV compresses 5–20 ×, a ZIP bomb thousands of times."""
    return _env("STICHTAG_MAX_ZIP_RATIO", 200)


def max_line_bytes() -> int:
    """One line of a text delivery (a registry record is < 1 KiB)."""
    return _env("STICHTAG_MAX_LINE_BYTES", 64 * 1024)


MAX_XML_DEPTH = 64  # the decisions nest 3 deep


def size_error(n: int, what: str = "Datei") -> str | None:
    limit = max_delivery_bytes()
    if n > limit:
        return (f"{what} ist {n / MiB:,.0f} MiB groß, erlaubt sind {limit / MiB:,.0f} MiB "
                "(STICHTAG_MAX_DELIVERY_BYTES)")
    return None


def long_line(data: bytes) -> int | None:
    """The number of the first line longer than the limit, found on the bytes (nothing decoded)."""
    limit = max_line_bytes()
    if len(data) <= limit:
        return None
    buf = np.frombuffer(data, dtype=np.uint8)
    breaks = np.flatnonzero((buf == 10) | (buf == 13))
    bounds = np.concatenate(([-1], breaks, [len(buf)]))
    lengths = np.diff(bounds) - 1
    over = np.flatnonzero(lengths > limit)
    if not len(over):
        return None
    # a CRLF pair counts as one break: the line number is the number of LF (or lone CR) before it
    before = data[: int(bounds[over[0]]) + 1]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def zip_error(data: bytes) -> str | None:
    """A ZIP container (a GENESIS download, every XLSX workbook) whose members would inflate beyond the
    delivery limit or the ratio, judged from the central directory before anything is inflated."""
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = [m for m in z.infolist() if not m.is_dir()]
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        return None  # not a readable ZIP: the reader says so in its own words
    inflated = sum(m.file_size for m in members)
    compressed = sum(m.compress_size for m in members)
    if (err := size_error(inflated, "Der ZIP-Inhalt")) is not None:
        return err
    if inflated > MiB and inflated > max_zip_ratio() * max(compressed, 1):
        return (f"ZIP-Inhalt entpackt auf das {inflated // max(compressed, 1):,}-fache: mehr als "
                f"{max_zip_ratio()}-fach ist keine Lieferung (ZIP-Bombe?)")
    return None


class IngestMemoryError(RuntimeError):
    """A single delivery does not fit the ingest's DuckDB memory limit (a batch of several lands in parts)."""


def ingest_memory() -> str:
    """DuckDB's memory limit for landing a batch of deliveries (it spills to a private directory beyond it)."""
    return os.environ.get("STICHTAG_INGEST_MEMORY", "1GB")
