"""PII scan: nothing personal under the lake, the public and restricted zones, the Dagster instance and the logs.

Three kinds of finding:
* a canary value (name, street, id, birth place planted into the test deliveries; the demo generator plants
  its own, generator/canaries.py, and a district plants its own through `--kanarien`) anywhere, in any file;
* a canary's exact birth date (ISO or German notation);
* a column named like a delivered identifier the contracts drop or pseudonymise (Familienname, Geburtsdatum,
  Personennummer, …): a clear id or an exact birth date that slipped through under its own name;
* a value the inbox really delivered in a direct-identifier column (publication/delivered_values.py: ids,
  names, streets of every delivery's first rows): any delivered person, not only the planted canaries.

Parquet and DuckDB files are compressed, so a byte scan alone proves nothing: they are read back through
DuckDB, row by row as text; every other file is scanned byte-wise (UTF-8 and cp1252).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from sources.anonymise import q
from sources.contract import load_contracts

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

    names = set()
    for contract in load_contracts():
        for c in contract.columns:
            if c.rule in ("drop", "pseudonymise", "generalise_year_month") and c.sensitivity != "not_sensitive":
                names.add(c.name.lower())
    return frozenset(names - {"plz", "gemeindeschlüssel"})  # a PLZ or AGS alone names no person


def needles_for(texts: Iterable[str], iso_dates: Iterable[str]) -> list[str]:
    dates = list(iso_dates)
    return [*texts, *dates, *(f"{d[8:10]}.{d[5:7]}.{d[0:4]}" for d in dates)]


TOKEN = re.compile(r"[0-9A-Za-zÄÖÜäöüßÀ-ÿ.\-]+")
TOKEN_SQL = r"[^0-9A-Za-zÄÖÜäöüßÀ-ÿ.\-]+"


def _tokens(text: str) -> set[str]:
    """Whole values as they stand in a text: a leaked id or name is one token (dates keep their dots)."""
    return {t.strip(".-") for t in TOKEN.findall(text)}


NEEDLES = "_pii_gelieferte_werte"  # registered per connection; never itself a table that is scanned
TEXT_TYPES = ("VARCHAR", "BLOB")
INTEGER_TYPES = ("BIGINT", "INTEGER", "HUGEINT", "UBIGINT", "UINTEGER", "DECIMAL")


def _register_needles(con: duckdb.DuckDBPyConnection, delivered: frozenset[str]) -> None:
    values = sorted(delivered)
    con.register(NEEDLES, pa.table({"v": pa.array(values, pa.string()),
                                    "n": pa.array([int(v) if v.isdigit() and len(v) < 19 else None for v in values],
                                                  pa.int64())}))


def _kind(column_type: str) -> str:
    """What a column can hold of a person: text (a name, an id, a message), an integer id, or neither (dates,
    floats and flags cannot hold a name or an id; a canary birth date is looked for in every column)."""
    return "text" if column_type.startswith(TEXT_TYPES) else "int" if column_type.startswith(INTEGER_TYPES) else ""


def _probe_relation(con: duckdb.DuckDBPyConnection, relation: str, types: dict[str, str], needles: list[str],
                    delivered: bool) -> tuple[list[str], list[str]]:
    """(canaries, delivered values) found in a relation, from ONE scan of it: each column's distinct values,
    as text (a raw table repeats the same pseudonym, code and date in millions of rows; a needle holds no
    separator, so it cannot span two values). Canaries are looked for anywhere inside any value; delivered
    values (the needle table, the small side of each join) as a whole value of a text or integer column, or
    as a token inside a text of several (a reason, a message). One scan rather than one per column and kind
    of probe (with the sampled inbox, the demo lake's scan 67 → 31 s, measured: BENCHMARKS.md)."""
    if not types or not (needles or delivered):
        return [], []
    values = " union all ".join(
        f"select distinct {q(c)}::varchar as v, '{_kind(t)}' as art from {relation}" for c, t in types.items())
    con.execute(f"create or replace temp table _pii_werte as {values}")
    try:
        canaries: list[str] = []
        if needles:
            probes = ", ".join("bool_or(contains(v, ?))" for _ in needles)
            found = con.execute(f"select {probes} from _pii_werte", needles).fetchone()
            canaries = [n for n, hit in zip(needles, found, strict=True) if hit]
        hits: list[str] = []
        if delivered:
            hits = [r[0] for r in con.execute(f"""
                select v from _pii_werte where art = 'text' and v in (select v from {NEEDLES})
                union
                select try_cast(v as bigint)::varchar from _pii_werte
                where art = 'int' and try_cast(v as bigint) in (select n from {NEEDLES} where n is not null)
                union
                select t.tok from (
                    select trim(unnest(regexp_split_to_array(v, '{TOKEN_SQL}')), '.-') as tok
                    from _pii_werte where art = 'text' and regexp_matches(v, '{TOKEN_SQL}')) as t
                where t.tok in (select v from {NEEDLES})""").fetchall()]
        return canaries, sorted(hits)
    finally:
        con.execute("drop table if exists _pii_werte")


def _types(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    return {d[0]: d[1] for d in con.execute(f"describe select * from {relation}").fetchall()}


def _scan_parquet(paths: list[Path], label: Path, needles: list[str], forbidden: frozenset[str],
                  con: duckdb.DuckDBPyConnection, delivered: frozenset[str]) -> list[Finding]:
    """One relation over Parquet files (the deliveries of one raw table read together: one query, not one
    per delivery); findings name `label`."""
    out: list[Finding] = []
    listing = ", ".join(f"'{p}'" for p in paths)
    relation = f"read_parquet([{listing}], union_by_name = true, hive_partitioning = false)"
    columns = [d[0] for d in con.execute(f"select * from {relation} limit 0").description]
    out += [Finding(label, c, "Spalte mit verbotenem Namen") for c in columns if c.lower() in forbidden]
    out += [Finding(label, "", f"Kanarienwert {n!r}") for n in needles if n in "|".join(columns)]
    canaries, hits = _probe_relation(con, relation, _types(con, relation), needles, bool(delivered))
    out += [Finding(label, "", f"Kanarienwert {n!r}") for n in canaries]
    if delivered:
        hits += sorted(_tokens("|".join(columns)) & delivered)
        out += [_delivered_finding(label, "", hits)] if hits else []
    return out


def scan_file(path: Path, needles: list[str], forbidden: frozenset[str],
              con: duckdb.DuckDBPyConnection, delivered: frozenset[str] = frozenset()) -> list[Finding]:
    out: list[Finding] = []
    if path.suffix == ".parquet":
        out += _scan_parquet([path], path, needles, forbidden, con, delivered)
    elif path.suffix == ".duckdb":
        out += _scan_duckdb(path, needles, forbidden, delivered)
    else:
        data = path.read_bytes()
        for n in needles:
            if any(n.encode(enc, errors="ignore") in data for enc in TEXT_ENCODINGS):
                out.append(Finding(path, "", f"Kanarienwert {n!r}"))
        if delivered:  # an ASCII file reads the same in both encodings: tokenised once
            texts = {data.decode(enc, errors="ignore") for enc in TEXT_ENCODINGS}
            hits = {t for text in texts for t in _tokens(text) & delivered}
            out += [_delivered_finding(path, "", sorted(hits))] if hits else []
    return out


def _delivered_finding(path: Path, where: str, hits: list[str]) -> Finding:
    # the finding names how many, never which: the report of a leak must not repeat it
    return Finding(path, where, f"{len(hits)} gelieferte Identifikatoren (Ids, Namen, Straßen) im Klartext")


def _scan_duckdb(path: Path, needles: list[str], forbidden: frozenset[str],
                 delivered: frozenset[str] = frozenset()) -> list[Finding]:
    try:
        db = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as e:  # held by a running materialisation: say so, do not pass silently
        return [Finding(path, "", f"nicht lesbar ({e.__class__.__name__}): erneut prüfen, wenn kein Build läuft")]
    out: list[Finding] = []
    try:
        # views read files that are scanned as files (or lie outside what was asked for)
        tables = db.execute("""select table_schema, table_name from information_schema.tables
            where table_type <> 'VIEW'""").fetchall()
        if delivered:
            _register_needles(db, delivered)
        for schema, table in tables:
            columns = [r[0] for r in db.execute(
                "select column_name from information_schema.columns where table_schema = ? and table_name = ?",
                [schema, table]).fetchall()]
            where = f"{schema}.{table}"
            out += [Finding(path, f"{where}.{c}", "Spalte mit verbotenem Namen") for c in columns
                    if c.lower() in forbidden]
            relation = f'"{schema}"."{table}"'
            try:
                hits, found = _probe_relation(db, relation, _types(db, relation), needles, bool(delivered))
            except duckdb.Error:
                continue  # a view over files that moved is checked through those files
            out += [Finding(path, where, f"Kanarienwert {n!r}") for n in hits]
            out += [_delivered_finding(path, where, found)] if found else []
    finally:
        db.close()
    return out


def scan(roots: Iterable[Path], needles: list[str], forbidden: frozenset[str] | None = None,
         progress: bool = False, delivered: Iterable[str] = ()) -> list[Finding]:
    """`needles`: canaries, found as substrings anywhere; `delivered`: the inbox's identifiers
    (publication/delivered_values.py), found as whole values or tokens."""
    delivered = frozenset(delivered)
    forbidden = forbidden_columns() if forbidden is None else forbidden
    files = sorted({p for root in roots if root.exists()
                    for p in ([root] if root.is_file() else root.rglob("*")) if p.is_file()})
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    _register_needles(con, delivered)
    findings: list[Finding] = []
    iterator: Iterable[Path] = files
    if progress:
        from tqdm import tqdm

        iterator = tqdm(files, desc="PII-Prüfung", unit="Datei")
    # the deliveries of one table (…/<table>/lieferung=<id>/data.parquet) are one relation
    tables: dict[Path, list[Path]] = {}
    for path in files:
        if path.suffix == ".parquet" and path.parent.name.startswith("lieferung="):
            tables.setdefault(path.parent.parent, []).append(path)
    grouped = {p for ps in tables.values() for p in ps}
    families = _families([p for p in files if p.suffix == ".parquet" and p not in grouped])
    grouped |= {p for ps in families for p in ps}
    try:
        for table, paths in tables.items():
            findings += _scan_parquet(paths, table, needles, forbidden, con, delivered)
        for paths in families:
            try:
                clean = not _scan_parquet(paths, paths[0], needles, forbidden, con, delivered)
            except duckdb.Error:
                clean = False
            if not clean:  # found something (or could not read them together): each file names its own
                for path in paths:
                    findings += scan_file(path, needles, forbidden, con, delivered)
        for path in iterator:
            if path not in grouped:
                findings += scan_file(path, needles, forbidden, con, delivered)
    finally:
        con.close()
    return findings


def _families(paths: list[Path]) -> list[list[Path]]:
    """Partitioned Parquet files of one kind (…/stichtag=D/datenstand=K/build=F/kpi_values.parquet: the same
    path but for its key=value folders) with the same schema, two or more: each family is scanned as one
    relation, which finds what scanning each file finds (the same columns, types and values) at a fraction
    of the per-query cost (a lake with 132 month ends' versions, exports and public files: ~1,200 files)."""
    import pyarrow.parquet as pq

    out: dict[tuple, list[Path]] = {}
    for path in paths:
        pattern = tuple("=" if "=" in part else part for part in path.parts)
        if "=" not in pattern:
            continue
        try:
            schema = pq.read_schema(path)
        except (OSError, pa.ArrowException):
            continue  # not readable as Parquet: scan_file says so on its own
        out.setdefault((pattern, schema.to_string(show_schema_metadata=False)), []).append(path)
    return [ps for ps in out.values() if len(ps) > 1]
