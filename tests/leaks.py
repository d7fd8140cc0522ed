"""Leak scan: no canary value and no exact canary birth date anywhere under a directory.

Parquet and DuckDB files are compressed, so a byte scan alone proves nothing: their contents are
read back as text through DuckDB. Every other file is scanned byte-wise.
"""

from __future__ import annotations

from pathlib import Path

import duckdb


def _all_as_text(columns: list[str]) -> str:
    casts = ", ".join('"' + c.replace('"', '""') + '"::varchar' for c in columns)
    return f"string_agg(concat_ws('|', {casts}), chr(10))"


def scan_for_leaks(root: Path, needles: list[str], iso_dates: list[str]) -> list[str]:
    findings: list[str] = []
    con = duckdb.connect()
    german = [f"{d[8:10]}.{d[5:7]}.{d[0:4]}" for d in iso_dates]
    texts = needles + german
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        if path.suffix == ".parquet":
            rows = con.execute(f"select * from read_parquet('{path}')")
            names = [d[0] for d in rows.description]
            as_text = con.execute(f"select {_all_as_text(names)} from read_parquet('{path}')").fetchone()[0] or ""
            hay = as_text + "|" + "|".join(names)
            findings += [f"{path}: {t}" for t in texts + iso_dates if t in hay]
        elif path.suffix == ".duckdb":
            findings += _scan_duckdb(path, texts + iso_dates)
        else:
            data = path.read_bytes()
            for t in texts + iso_dates:
                for enc in ("utf-8", "cp1252"):
                    if t.encode(enc, errors="ignore") in data:
                        findings.append(f"{path}: {t}")
                        break
    return findings


def _scan_duckdb(path: Path, texts: list[str]) -> list[str]:
    con = duckdb.connect(str(path), read_only=True)
    found = []
    for schema, table in con.execute(
            "select table_schema, table_name from information_schema.tables").fetchall():
        cols = [r[0] for r in con.execute(
            "select column_name from information_schema.columns where table_schema=? and table_name=?",
            [schema, table]).fetchall()]
        try:
            blob = con.execute(f'select {_all_as_text(cols)} from "{schema}"."{table}"').fetchone()[0] or ""
        except duckdb.Error:
            continue  # a view over files that moved is checked through those files
        found += [f"{path}:{schema}.{table}: {t}" for t in texts if t in blob]
    con.close()
    return found
