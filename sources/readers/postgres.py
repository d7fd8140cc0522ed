"""Incremental extracts from a source system's PostgreSQL database, by change timestamp.

Each chunk is one delivery whose watermark is the change time of its last row, so an interrupted
extract resumes where the last landed chunk ended. A chunk never ends inside a change time (rows of one
change time all land in one chunk, which may so exceed the chunk size): ties are never skipped, and the
watermark needs no row id, so no case or person id reaches the ingest log or a delivery's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from sources.contract import Contract
from sources.readers.base import ParsedFile
from sources.systems import SourceUnavailable

EPOCH_WATERMARK = "1900-01-01T00:00:00+00:00"


@dataclass
class Extract:
    parsed: ParsedFile
    watermark: str  # change time (ISO) of the chunk's last row
    canonical: bytes  # the chunk as text: its hash identifies the delivery


def _text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.astimezone(dt.UTC).isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _chunks(cur, chunk_rows: int, ts_index: int) -> Iterator[list[tuple]]:
    """Rows in chunks of about `chunk_rows` that end where the change time changes."""
    carry: list[tuple] = []
    while rows := cur.fetchmany(chunk_rows):
        carry += rows
        if len(rows) < chunk_rows:  # the result is exhausted: nothing can follow the last change time
            break
        last = carry[-1][ts_index]
        cut = len(carry)
        while cut > 0 and carry[cut - 1][ts_index] == last:
            cut -= 1
        if cut:  # all rows before the last change time are complete
            yield carry[:cut]
            carry = carry[cut:]
    if carry:
        yield carry


def extract(conninfo: str, contract: Contract, since: str, chunk_rows: int = 50_000,
            connect_timeout: int = 10) -> Iterator[Extract]:
    import psycopg

    names = contract.column_names
    ts_index = names.index(contract.options["cursor"])
    try:
        con = psycopg.connect(conninfo, connect_timeout=connect_timeout, autocommit=False)
    except psycopg.OperationalError as e:
        raise SourceUnavailable(f"Datenbank von {contract.source} nicht erreichbar: {str(e).strip()[:300]}") from e
    with con:
        try:
            # a server-side cursor: the server keeps the result, we fetch chunk by chunk
            with con.cursor(name=f"stichtag_{contract.source}_{contract.table}") as cur:
                cur.execute(contract.options["query"], {"since_ts": since})
                got = [d.name for d in cur.description]
                if got != names:
                    raise ValueError(f"Abfrage liefert Spalten {got}, laut Vertrag {names}")
                for rows in _chunks(cur, chunk_rows, ts_index):
                    parsed = ParsedFile(columns={n: [_text(r[i]) for r in rows] for i, n in enumerate(names)},
                                        line_numbers=list(range(1, len(rows) + 1)))
                    canonical = "\n".join(";".join(_text(v) for v in r) for r in rows).encode("utf-8")
                    yield Extract(parsed, _text(rows[-1][ts_index]), canonical)
        except psycopg.OperationalError as e:
            raise SourceUnavailable(f"Verbindung zu {contract.source} abgebrochen: {str(e).strip()[:300]}") from e
