"""The ingest's floor on this machine: the same CSV deliveries copied to Parquet, nothing else.

Each delivery file becomes one zstd Parquet file, two at a time (as the ingest writes its raw files), every
column as text: nothing validated, pseudonymised, dropped or numbered, so no ingest can be faster than this
copy on the same cores. The copy is polars' (its CSV reader and Parquet writer): of the three at hand it was
the fastest on the 2 cores measured (12-07, 11.2 M rows: polars 1.35–1.75 M rows/s, pyarrow 1.60 M,
DuckDB's `COPY … TO` 0.94–0.97 M). Windows-1252 deliveries are read as UTF-8 with replacement characters:
polars decodes nothing else, and replacing is no more work than decoding.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from sources.contract import contract_for, load_contracts
from sources.ingest import WRITERS, delivery_files


def copy_floor(inbox: Path, sources: tuple[str, ...]) -> tuple[int, float]:
    """Rows copied and wall seconds for every CSV delivery of `sources` in the inbox."""
    contracts = load_contracts()
    files = [(f, c) for f in delivery_files(inbox) if (c := contract_for(f.name, contracts)) is not None
             and c.source in sources and c.format == "csv"]
    out = Path(tempfile.mkdtemp(prefix="stichtag-floor-"))
    try:
        def copy(i: int) -> int:
            f, c = files[i]
            delivery = pl.read_csv(f, separator=c.delimiter, has_header=True, quote_char=None, infer_schema=False,
                                   encoding="utf8" if c.encoding.lower().startswith("utf") else "utf8-lossy")
            delivery.write_parquet(out / f"{i}.parquet", compression="zstd")
            return delivery.height

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=WRITERS) as pool:
            rows = sum(pool.map(copy, range(len(files))))
        return rows, time.perf_counter() - started
    finally:
        shutil.rmtree(out, ignore_errors=True)
