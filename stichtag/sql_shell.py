"""A small read-only SQL shell on lake/analytics.duckdb (the DuckDB CLI is not part of the Python wheel).

The session sees the published marts and nothing else: their views are copied into an in-memory database
(a few MB at Kreis scale), then DuckDB's external access is switched off and the configuration locked, so
no query can read the inbox or the raw zone, or write a file anywhere (COPY, EXPORT, ATTACH are refused)."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

HELP = """Views: kpi_values, kpi_values_latest, kpi_revisions, mart_versions, ingest_quarantine.
Abfragen enden mit ';'.  .tables  .schema <view>  .quit"""


def _show(con: duckdb.DuckDBPyConnection, sql: str) -> None:
    rel = con.sql(sql)
    if rel is None:
        return
    rel.show(max_rows=60, max_width=200)


def sandboxed(db: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory session holding the published marts' views as tables, without access to any file."""
    con = duckdb.connect()
    con.execute("attach ? as published (read_only)", [str(db)])
    views = [r[0] for r in con.execute("select view_name from duckdb_views() where database_name = 'published' "
                                       "and not internal order by 1").fetchall()]
    for name in views:
        con.execute(f'create table "{name}" as select * from published."{name}"')
    con.execute("detach published")
    con.execute("set enable_external_access = false")
    con.execute("set lock_configuration = true")
    return con


def run_query(db: Path, sql: str, params: list) -> int:
    con = sandboxed(db)
    try:
        con.execute(sql, params)
        rows = con.fetchall()
        names = [d[0] for d in con.description]
    except duckdb.Error as e:
        print(f"Fehler: {e}", file=sys.stderr)
        return 1
    if not rows:
        print("keine Zeilen")
        return 0
    widths = [max(len(str(n)), *(len(_fmt(r[i])) for r in rows)) for i, n in enumerate(names)]
    print("  ".join(str(n).ljust(w) for n, w in zip(names, widths, strict=True)))
    for r in rows:
        print("  ".join(_fmt(v).ljust(w) for v, w in zip(r, widths, strict=True)))
    return 0


def _fmt(v: object) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".") if isinstance(v, float) else ("" if v is None else str(v))


def run_shell(db: Path, command: str | None) -> int:
    con = sandboxed(db)
    if command:
        try:
            _show(con, command)
        except duckdb.Error as e:
            print(f"Fehler: {e}", file=sys.stderr)
            return 1
        return 0
    print(f"Stichtag SQL (nur lesend) auf {db}\n{HELP}")
    buffer = ""
    while True:
        try:
            line = input("stichtag> " if not buffer else "      ... ")
        except EOFError:
            print()
            return 0
        stripped = line.strip()
        if not buffer and stripped in (".quit", ".exit", "\\q"):
            return 0
        if not buffer and stripped == ".tables":
            _show(con, "select table_name from information_schema.tables order by 1")
            continue
        if not buffer and stripped.startswith(".schema"):
            name = stripped.split(maxsplit=1)[1] if " " in stripped else ""
            _show(con, "select table_name, column_name, data_type from information_schema.columns "
                       f"where table_name = '{name.replace(chr(39), '')}' order by ordinal_position")
            continue
        buffer += line + "\n"
        if stripped.endswith(";"):
            try:
                _show(con, buffer)
            except duckdb.Error as e:
                print(f"Fehler: {e}")
            buffer = ""
