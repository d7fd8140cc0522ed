"""The ingest's floor on this machine: the same CSV deliveries copied to Parquet by DuckDB alone.

Each delivery file becomes one zstd Parquet file, two at a time (as the ingest writes its raw files), every
column as text: nothing validated, pseudonymised, dropped or numbered. No ingest can be faster than this
copy on the same cores, so it says how far a rows/s goal is from what the machine can do at all.
Windows-1252 deliveries are read as Latin-1 (DuckDB's built-in nearest: the other needs an extension).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb

from sources.contract import contract_for, load_contracts
from sources.ingest import WRITERS, delivery_files


def _read_csv(path: Path, delimiter: str, columns: list[str], encoding: str) -> str:
    listed = ", ".join(f"'{c}': 'VARCHAR'" for c in columns)
    enc = "utf-8" if encoding.lower().startswith("utf") else "latin-1"
    return (f"read_csv('{path}', delim='{delimiter}', header=true, columns={{{listed}}}, quote='', escape='', "
            f"encoding='{enc}')")


def copy_floor(inbox: Path, sources: tuple[str, ...]) -> tuple[int, float]:
    """Rows copied and wall seconds for every CSV delivery of `sources` in the inbox."""
    contracts = load_contracts()
    files = [(f, c) for f in delivery_files(inbox) if (c := contract_for(f.name, contracts)) is not None
             and c.source in sources and c.format == "csv"]
    out = Path(tempfile.mkdtemp(prefix="stichtag-floor-"))
    con = duckdb.connect()
    try:
        def copy(i: int) -> int:
            f, c = files[i]
            cursor = con.cursor()
            try:
                return cursor.execute(f"copy (select * from {_read_csv(f, c.delimiter, c.column_names, c.encoding)}) "
                                      f"to '{out / f'{i}.parquet'}' (format parquet, compression zstd)"
                                      ).fetchall()[0][0]
            finally:
                cursor.close()

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            rows = sum(pool.map(copy, range(len(files))))
        return rows, time.perf_counter() - started
    finally:
        con.close()
        shutil.rmtree(out, ignore_errors=True)
