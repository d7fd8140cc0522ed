"""PII scan: nothing personal under the lake, the public and restricted zones, the Dagster instance and the logs.

Three kinds of finding:
* a canary value (name, street, id, birth place planted into the test deliveries; the demo generator plants
  its own, generator/canaries.py, and a district plants its own through `--kanarien`) anywhere, in any file;
* a canary's exact birth date (ISO or German notation);
* a column named like a delivered identifier the contracts drop or pseudonymise (Familienname, Geburtsdatum,
  Personennummer, …): a clear id or an exact birth date that slipped through under its own name.

Parquet and DuckDB files are compressed, so a byte scan alone proves nothing: they are read back through
DuckDB, row by row as text; every other file is scanned byte-wise (UTF-8 and cp1252).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

TEXT_ENCODINGS = ("utf-8", "cp1252")


@dataclass(frozen=True)
class Finding:
    path: Path
    where: str  # table or column, if any
    what: str

    def __str__(self) -> str:
        return f"{self.path}{':' + self.where if self.where else ''}: {self.what}"


def forbidden_columns() -> frozenset[str]:
    """Delivered column names that must never be a column in the lake (lower case)."""
    from sources.contract import load_contracts

    names = set()
    for contract in load_contracts():
        for c in contract.columns:
            if c.rule in ("drop", "pseudonymise", "generalise_year_month") and c.sensitivity != "not_sensitive":
                names.add(c.name.lower())
    return frozenset(names - {"plz", "gemeindeschlüssel"})  # a PLZ or AGS alone names no person


def needles_for(texts: Iterable[str], iso_dates: Iterable[str]) -> list[str]:
    dates = list(iso_dates)
    return [*texts, *dates, *(f"{d[8:10]}.{d[5:7]}.{d[0:4]}" for d in dates)]


def _row_text(columns: list[str]) -> str:
    casts = ", ".join('"' + c.replace('"', '""') + '"::varchar' for c in columns)
    return f"concat_ws('|', {casts})"


def _scan_relation(con: duckdb.DuckDBPyConnection, relation: str, columns: list[str], needles: list[str]) -> list[str]:
    if not columns or not needles:
        return []
    probes = ", ".join("bool_or(contains(t, ?))" for _ in needles)
    found = con.execute(f"select {probes} from (select {_row_text(columns)} as t from {relation})",
                        needles).fetchone()
    return [n for n, hit in zip(needles, found, strict=True) if hit]


def scan_file(path: Path, needles: list[str], forbidden: frozenset[str],
              con: duckdb.DuckDBPyConnection) -> list[Finding]:
    out: list[Finding] = []
    if path.suffix == ".parquet":
        relation = f"read_parquet('{path}')"
        columns = [d[0] for d in con.execute(f"select * from {relation} limit 0").description]
        out += [Finding(path, c, "Spalte mit verbotenem Namen") for c in columns if c.lower() in forbidden]
        out += [Finding(path, "", f"Kanarienwert {n!r}") for n in needles if n in "|".join(columns)]
        out += [Finding(path, "", f"Kanarienwert {n!r}") for n in _scan_relation(con, relation, columns, needles)]
    elif path.suffix == ".duckdb":
        out += _scan_duckdb(path, needles, forbidden)
    else:
        data = path.read_bytes()
        for n in needles:
            if any(n.encode(enc, errors="ignore") in data for enc in TEXT_ENCODINGS):
                out.append(Finding(path, "", f"Kanarienwert {n!r}"))
    return out


def _scan_duckdb(path: Path, needles: list[str], forbidden: frozenset[str]) -> list[Finding]:
    try:
        db = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as e:  # held by a running materialisation: say so, do not pass silently
        return [Finding(path, "", f"nicht lesbar ({e.__class__.__name__}): erneut prüfen, wenn kein Build läuft")]
    out: list[Finding] = []
    try:
        for schema, table in db.execute("select table_schema, table_name from information_schema.tables").fetchall():
            columns = [r[0] for r in db.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [schema, table]).fetchall()]
            where = f"{schema}.{table}"
            out += [Finding(path, f"{where}.{c}", "Spalte mit verbotenem Namen") for c in columns
                    if c.lower() in forbidden]
            try:
                hits = _scan_relation(db, f'"{schema}"."{table}"', columns, needles)
            except duckdb.Error:
                continue  # a view over files that moved is checked through those files
            out += [Finding(path, where, f"Kanarienwert {n!r}") for n in hits]
    finally:
        db.close()
    return out


def scan(roots: Iterable[Path], needles: list[str], forbidden: frozenset[str] | None = None,
         progress: bool = False) -> list[Finding]:
    forbidden = forbidden_columns() if forbidden is None else forbidden
    files = sorted({p for root in roots if root.exists()
                    for p in ([root] if root.is_file() else root.rglob("*")) if p.is_file()})
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    findings: list[Finding] = []
    iterator: Iterable[Path] = files
    if progress:
        from tqdm import tqdm

        iterator = tqdm(files, desc="PII-Prüfung", unit="Datei")
    try:
        for path in iterator:
            findings += scan_file(path, needles, forbidden, con)
    finally:
        con.close()
    return findings
