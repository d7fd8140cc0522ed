"""What the inbox really delivered about persons, for the PII scan: the values of the contracts'
direct identifiers (ids, names, streets) in every delivery's first rows.

Held in memory only, for the length of a scan. A bounded sample: the first `rows` data rows of every
delivery file, which is where an export fault (a missing header, a shifted column) shows first.
Short values are left out: a three-letter given name or a house number is no evidence of a leak.
"""

from __future__ import annotations

from pathlib import Path

from sources.contract import load_contracts
from sources.ingest import delivery_files
from sources.readers import parse

MIN_TEXT = 8  # a name or street shorter than this appears in ordinary text
MIN_DIGITS = 9  # an id shorter than this collides with counts and dates


def _usable(value: str) -> bool:
    v = value.strip()
    return len(v) >= (MIN_DIGITS if v.isdigit() else MIN_TEXT)


def _head(path: Path, lines: int, block: int = 64 * 1024) -> bytes:
    """The first lines of a line-oriented delivery, read block by block: never the whole file."""
    data = b""
    with path.open("rb") as f:
        while data.count(b"\n") < lines and (chunk := f.read(block)):
            data += chunk
    end = 0
    for _ in range(lines):
        nxt = data.find(b"\n", end)
        if nxt < 0:
            return data
        end = nxt + 1
    return data[:end]


def delivered_values(inbox: Path, rows: int = 200) -> set[str]:
    contracts = [c for c in load_contracts() if c.format != "postgres"]
    out: set[str] = set()
    for path in delivery_files(inbox):
        contract = next((c for c in contracts if c.matches(path.name)), None)
        if contract is None:
            continue
        identifiers = [c.name for c in contract.columns
                       if c.sensitivity == "direct_identifier" and c.rule != "keep"]
        if not identifiers:
            continue
        # a CSV's first rows are its head; workbooks, XML and fixed width stop after the first records
        data = _head(path, rows + 1) if contract.format == "csv" else path.read_bytes()
        parsed = parse(data, contract, head=rows)
        if parsed.file_error:  # a broken file: its first lines, split as the contract would
            text = data.decode(contract.encoding, errors="replace")
            for line in text.splitlines()[: rows + 1]:
                out.update(f.strip() for f in line.split(contract.delimiter) if _usable(f))
            continue
        for name in identifiers:
            column = parsed.columns.get(name, [])
            out.update(str(v).strip() for v in list(column)[:rows] if v is not None and _usable(str(v)))
    return out
