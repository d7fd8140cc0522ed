"""Reading the build database (lake/warehouse/build.duckdb) the way dbt wrote it."""

from __future__ import annotations

from pathlib import Path

import duckdb


def open_build_db(path: Path) -> duckdb.DuckDBPyConnection:
    """The build database, read only. Its views read the lake's files by paths relative to the lake
    (raw/…, warehouse/…: DuckDB's file_search_path, transform/profiles.yml); this connection resolves them
    in the lake the database lies in, as dbt's did."""
    con = duckdb.connect(str(path), read_only=True)
    lake = str(path.resolve().parent.parent).replace("'", "''")
    con.execute(f"set file_search_path = '{lake}'")
    return con
