"""Ingest: a delivery from the inbox becomes anonymised Parquet in the raw zone, or quarantine entries.

Per delivery, rows delivered = rows landed + rows quarantined, recorded in the ingest log. Clear
text lives only in this process's memory: DuckDB runs in memory with spilling to a private
temporary directory outside the lake, and only the contract's output columns are written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from kernel.faults import crash_point
from kernel.files import atomic_copy_to_parquet, atomic_write_text
from kernel.lock import build_lock
from kernel.log import log_event
from kernel.reference import gemeinde_ags
from kernel.settings import Settings
from sources.anonymise import batchable, delivery_sql, projected_sql, pseudonym_domains, validation_sql
from sources.contract import Contract, contract_for, load_contracts
from sources.limits import IngestMemoryError, ingest_memory, size_error
from sources.pseudonym import KeyError_, PseudonymKey
from sources.pseudonym_cache import PseudonymCache
from sources.readers import parse
from sources.readers.base import ParsedFile, data_line_numbers
from sources.readers.postgres import EPOCH_WATERMARK, extract
from sources.systems import configured, conninfo

SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}$")
IGNORED_SUFFIXES = (".part", ".tmp", ".partial", ".filepart")
WRITERS = min(2, os.cpu_count() or 1)  # raw files written at once


@dataclass
class IngestResult:
    lieferung_id: str
    file: str
    source: str
    table: str
    sha256: str
    status: str  # landed | partly_quarantined | quarantined | already_ingested
    rows_delivered: int
    rows_landed: int
    rows_quarantined: int
    received_at: str
    key_id: str
    reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    watermark: str | None = None  # database sources: change time of the last row extracted
    file_stat: str | None = None  # size:mtime_ns of the inbox file when it was read (see `unchanged_since`)

    def summary(self) -> str:
        return (f"{self.file}: {self.status}, {self.rows_delivered} geliefert = {self.rows_landed} im Lake + "
                f"{self.rows_quarantined} in Quarantäne")


def delivery_files(inbox: Path) -> list[Path]:
    """Complete delivery files in the inbox (partial transfers and hidden files are not deliveries yet)."""
    if not inbox.exists():
        return []
    return sorted(p for p in inbox.rglob("*") if (p.is_file() or p.is_symlink()) and not p.name.startswith(".")
                  and not p.name.endswith(IGNORED_SUFFIXES))


QUIET_S = 2.0  # a file not modified for this long, by its own modification time, is no transfer in progress


def still_growing(files: list[Path], wait_s: float = 0.3, quiet_s: float = QUIET_S) -> set[Path]:
    """Files whose size or modification time changes while we watch: a transfer without a completion
    marker is still writing them, so they are not deliveries yet (the next run takes them).

    Only files modified in the last `quiet_s` seconds (or, clocks being what they are on shares, in the
    future) are watched: one that has been quiet that long has already shown more than the watch would, and
    a run of the job's seven ingest steps no longer waits seven times for files that arrived yesterday."""
    def state(p: Path) -> tuple[int, int] | None:
        try:
            st = p.lstat()
        except FileNotFoundError:
            return None
        return st.st_size, st.st_mtime_ns

    now_ns = time.time_ns()
    before = {p: s for p in files if (s := state(p)) is None or now_ns - s[1] < quiet_s * 1e9}  # recent or future
    if before:
        time.sleep(wait_s)
    return {p for p in before if state(p) != before[p]}


def _source_of(path: Path, contracts: tuple[Contract, ...]) -> str:
    contract = contract_for(path.name, contracts)
    return contract.source if contract else path.parent.name


def file_sha256(path: Path, block: int = 8 * 1024 * 1024) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(block):
            h.update(chunk)
    return h.hexdigest()


def count_lines(path: Path, block: int = 8 * 1024 * 1024) -> list[int]:
    """Line numbers after the first line of a file too large to read, in bounded memory (a refused file's
    rows are counted, like any other quarantined delivery's)."""
    n, last = 0, b"\n"
    with path.open("rb") as f:
        while chunk := f.read(block):
            n += chunk.count(b"\n")
            last = chunk[-1:]
    n += last != b"\n"
    return list(range(2, n + 1))


def _delivery_dir(zone: Path, source: str, table: str, lieferung_id: str) -> Path:
    """A delivery's folder in the raw zone or the quarantine."""
    return zone / source / table / f"lieferung={lieferung_id}"


def _log_path(settings: Settings, source: str, lieferung_id: str) -> Path:
    return settings.ingest_log / source / f"{lieferung_id}.json"


def read_ingest_log(settings: Settings) -> list[dict]:
    if not settings.ingest_log.exists():
        return []
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(settings.ingest_log.glob("*/*.json"))]


def stat_fingerprint(path: Path) -> str:
    st = path.lstat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def unchanged_since(path: Path, settings: Settings) -> IngestResult | None:
    """The logged result of this very file if it has not changed since it was read (same name, size and
    modification time to the nanosecond, as make and rsync decide): a re-run over an inbox of known
    deliveries then costs a stat per file, not re-reading and hashing 1.5 GB. A file rewritten in place
    changes its mtime, so it is read, hashed and refused as a conflicting re-delivery as before."""
    if not SAFE_ID.match(path.stem) or path.is_symlink():
        return None
    contract = contract_for(path.name, load_contracts())
    if contract is None:
        return None
    log_file = _log_path(settings, contract.source, path.stem)
    try:
        previous = json.loads(log_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if previous.get("file_stat") != stat_fingerprint(path):
        return None
    return IngestResult(**{**previous, "status": "already_ingested"})


@dataclass
class Received:
    """A delivery read, parsed and admitted, waiting to be landed with the others of its batch."""

    parsed: ParsedFile
    contract: Contract
    lieferung_id: str
    shown: str
    sha: str
    received: dt.datetime
    file_stat: str | None
    seconds: float  # spent reading and parsing it; its share of the batch's landing is added


def batch_rows() -> int:
    """Rows of one contract's deliveries validated in one DuckDB pass (their clear text is in memory together)."""
    return int(os.environ.get("STICHTAG_INGEST_BATCH_ROWS", "1000000"))


def ingest_file(path: Path, settings: Settings, key: PseudonymKey, known: dict[str, dict] | None = None,
                run_id: str | None = None, caches: RunCaches | None = None) -> IngestResult:
    """Ingest one delivery file. `known` maps sha256 → log entry of deliveries already ingested."""
    received = receive(path, settings, key, known, run_id)
    if isinstance(received, IngestResult):
        return received
    return land_batch([received], settings, key, caches or RunCaches(), run_id)[0]


def receive(path: Path, settings: Settings, key: PseudonymKey, known: dict[str, dict] | None = None,
            run_id: str | None = None) -> IngestResult | Received:
    """Read, hash and parse a delivery file: its result if it is known or refused as a whole (quarantined and
    logged here), else the parsed delivery for `land_batch`."""
    started = time.perf_counter()
    if (same := unchanged_since(path, settings)) is not None:
        return same
    safe_name = bool(SAFE_ID.match(path.stem))
    file_stat = stat_fingerprint(path)
    # an unsafe name is never repeated (it may be anything): the delivery goes by a hash of it
    shown = path.name if safe_name else f"unsicherer-name-{hashlib.sha256(path.name.encode()).hexdigest()[:16]}"
    oversized = None
    if path.is_symlink() or not path.resolve().is_relative_to(settings.inbox.resolve()):
        # never follow a link out of the inbox: its target is not a delivery
        data = b""
        refused = f"{shown} ist eine symbolische Verknüpfung oder liegt außerhalb des Posteingangs"
    elif (too_big := size_error(path.stat().st_size)) is not None:
        data, refused, oversized = b"", too_big, count_lines(path)
    else:
        data = path.read_bytes()
        refused = None
    sha = hashlib.sha256(data).hexdigest() if oversized is None else file_sha256(path)
    # whole seconds: the Datenstand of a build is the received time of its newest delivery
    received = dt.datetime.fromtimestamp(int(path.lstat().st_mtime), tz=dt.UTC)
    lieferung_id = path.stem if safe_name else shown
    contract = contract_for(path.name, load_contracts()) if safe_name else None
    source = contract.source if contract else (path.parent.name if path.parent != settings.inbox else "unbekannt")
    table = contract.table if contract else "unbekannt"
    known = known if known is not None else {e["sha256"]: e for e in read_ingest_log(settings)}

    def result(status: str, delivered: int, landed: int, quarantined: int, reasons: Counter) -> IngestResult:
        return IngestResult(lieferung_id=lieferung_id, file=shown, source=source, table=table, sha256=sha,
                            status=status, rows_delivered=delivered, rows_landed=landed,
                            rows_quarantined=quarantined, received_at=received.isoformat(), key_id=key.key_id,
                            reasons=dict(reasons), seconds=round(time.perf_counter() - started, 3),
                            file_stat=file_stat if safe_name else None)

    log_file = _log_path(settings, source, lieferung_id)
    if log_file.exists():
        previous = json.loads(log_file.read_text(encoding="utf-8"))
        if previous["sha256"] == sha:
            return IngestResult(**{**previous, "status": "already_ingested"})
        file_error = (f"Lieferung {lieferung_id} wurde bereits mit anderem Inhalt eingelesen "
                      f"(sha256 {previous['sha256'][:12]}…); eine Ersatzlieferung braucht einen neuen Namen")
        # logged beside, never over, the delivery that landed
        lieferung_id = f"{lieferung_id}.{sha[:12]}"
        conflict_log = _log_path(settings, source, lieferung_id)
        if conflict_log.exists():
            return IngestResult(**{**json.loads(conflict_log.read_text(encoding="utf-8")),
                                   "status": "already_ingested"})
    elif refused:
        file_error = refused
    elif not safe_name:
        file_error = ("Dateiname als Lieferungskennung nicht zulässig (erlaubt: Buchstaben, Ziffern, _ . -, "
                      "nicht am Anfang): Datei unter ihrem Hash-Namen in Quarantäne, bitte umbenannt neu liefern")
    elif sha in known:
        file_error = f"Doppelte Lieferung: inhaltsgleich mit {known[sha]['lieferung_id']}"
    elif contract is None:
        file_error = f"kein Quellvertrag passt zum Dateinamen {path.name!r}"
    else:
        file_error = None

    if contract is None or oversized is not None:
        parsed = ParsedFile(columns={}, line_numbers=[], file_error=file_error)
        parsed.data_lines = data_line_numbers(data) if oversized is None else oversized
    else:
        try:
            parsed = parse(data, contract)
        except Exception as e:  # noqa: BLE001 — a reader's unforeseen failure: the file, not the run, is lost
            # the exception's message may quote the data: only its type is kept
            parsed = ParsedFile(columns={}, line_numbers=[], file_error=(
                f"Datei nicht lesbar ({type(e).__name__}) laut Vertrag {contract.source}/{contract.table}"))
            parsed.data_lines = data_line_numbers(data)
        if file_error is not None:  # rejected as a whole, but its rows are counted the way its format counts them
            parsed.data_lines = parsed.data_lines if parsed.file_error else sorted(
                [*parsed.line_numbers, *(n for n, _ in parsed.row_errors)])
            parsed.file_error = file_error
    del data  # the clear-text delivery is not needed past parsing: keep peak memory down

    quarantine_dir = _delivery_dir(settings.quarantine, source, table, lieferung_id)
    if parsed.file_error is not None:
        lines = parsed.data_lines
        _write_quarantine(quarantine_dir, lieferung_id, sha, [(n, parsed.file_error) for n in lines])
        res = result("quarantined", len(lines), 0, len(lines), Counter({parsed.file_error: len(lines)}))
        _write_log(settings, res, run_id)
        return res

    assert contract is not None
    return Received(parsed=parsed, contract=contract, lieferung_id=lieferung_id, shown=shown, sha=sha,
                    received=received, file_stat=file_stat if safe_name else None,
                    seconds=time.perf_counter() - started)


def land_batch(batch: list[Received], settings: Settings, key: PseudonymKey, caches: RunCaches,
               run_id: str | None = None, watermarks: list[str] | None = None) -> list[IngestResult]:
    """Land deliveries of one contract, in the order they arrived, as if one by one: each gets its own raw
    file, quarantine, counts and log entry (written in that order, so a crash leaves the earlier ones done),
    but they are validated and pseudonymised in one DuckDB pass — a statement costs the same for 9,000 rows
    as for 900,000, and a pseudonym input repeated across the batch is hashed once."""
    contract = batch[0].contract
    started = time.perf_counter()
    try:
        landed, bad = _land(batch, contract, settings, key, caches)
    except duckdb.OutOfMemoryException:
        if len(batch) == 1:
            raise IngestMemoryError(
                f"Lieferung {batch[0].shown} ({batch[0].parsed.rows_delivered:,} Zeilen) passt nicht in den "
                f"Arbeitsspeicher des Ingests (STICHTAG_INGEST_MEMORY={ingest_memory()}): sie bleibt uneingelesen, "
                "ein Lauf mit mehr Speicher liest sie") from None
        # a batch only saves statements: one that does not fit the ingest's memory (a Land's monthly registry
        # events, a million distinct persons) lands in halves, with the same result, each delivery's checks
        # being its own; nothing of it is logged yet, and a raw file it wrote is written again
        half = len(batch) // 2
        return (land_batch(batch[:half], settings, key, caches, run_id, watermarks[:half] if watermarks else None)
                + land_batch(batch[half:], settings, key, caches, run_id, watermarks[half:] if watermarks else None))
    # the batch's seconds shared by rows, so that the deliveries' seconds add up to the run's
    share = (time.perf_counter() - started) / max(1, sum(r.parsed.rows_delivered for r in batch))
    results = []
    for i, r in enumerate(batch):
        rows_bad = [*r.parsed.row_errors, *bad.get(i, [])]
        if rows_bad:
            _write_quarantine(_delivery_dir(settings.quarantine, contract.source, contract.table, r.lieferung_id),
                              r.lieferung_id, r.sha, rows_bad)
        reasons = Counter(reason for _, reason in rows_bad)
        res = IngestResult(lieferung_id=r.lieferung_id, file=r.shown, source=contract.source, table=contract.table,
                           sha256=r.sha, status="landed" if not rows_bad else "partly_quarantined",
                           rows_delivered=r.parsed.rows_delivered, rows_landed=landed.get(i, 0),
                           rows_quarantined=len(rows_bad), received_at=r.received.isoformat(), key_id=key.key_id,
                           reasons=dict(reasons), seconds=round(r.seconds + share * r.parsed.rows_delivered, 3),
                           file_stat=r.file_stat, watermark=watermarks[i] if watermarks else None)
        if res.rows_delivered != res.rows_landed + res.rows_quarantined:
            raise AssertionError(f"row accounting broken for {r.shown}: {res}")
        _write_log(settings, res, run_id)
        results.append(res)
    return results


def _delivered(batch: list[Received]) -> pa.Table:
    """The batch's deliveries as one table of delivered text, numbered (`_lieferung`) in arrival order."""
    import polars as pl  # only for the readers' polars columns: importing this module does not pay for it

    parts = []
    for i, r in enumerate(batch):
        n = len(r.parsed.line_numbers)
        # string views: a polars column is handed over without copying its text
        columns = {c: (pa.array(v, pa.string_view()) if isinstance(v, list)
                       else v.to_arrow(compat_level=pl.CompatLevel.newest()).cast(pa.string_view()))
                   for c, v in r.parsed.columns.items()}
        parts.append(pa.table({"_lieferung": pa.repeat(pa.scalar(i, pa.int32()), n),
                               "_line": pa.array(r.parsed.line_numbers, pa.int64()),
                               "_lieferdatum": pa.repeat(pa.scalar(r.received.date(), pa.date32()), n), **columns}))
    return pa.concat_tables(parts)


def _land(batch: list[Received], contract: Contract, settings: Settings, key: PseudonymKey,
          caches: RunCaches) -> tuple[dict[int, int], dict[int, list[tuple[int, str]]]]:
    """Validate and write the batch's raw files; per delivery (index in the batch) the rows landed and the
    rows refused with their reasons."""
    spill = Path(tempfile.mkdtemp(prefix="stichtag-ingest-"))  # private (0700), outside the lake
    try:
        con = duckdb.connect()
        con.execute(f"set temp_directory = '{spill}'")
        # bounded memory at Land scale: DuckDB spills to the private directory beyond this
        con.execute(f"set memory_limit = '{ingest_memory()}'")
        con.register("delivered", _delivered(batch))
        con.register("gemeinden", pa.table({"ags": sorted(gemeinde_ags())}))
        _register_existing_keys(con, contract, settings, {r.lieferung_id for r in batch}, caches.keys)
        key.register(con, pseudonym_domains(contract))
        con.execute(validation_sql(contract))
        con.unregister("delivered")  # the clear text lives on only in the validated table
        landed = dict(con.execute("select _lieferung, count(*) from checked where _reason is null "
                                  "group by all").fetchall())
        total = sum(landed.values())
        # nothing to land writes the per-row projection's file: the same bytes whatever the cache holds
        looked_up = total > 0 and caches.pseudonyms.worth_it(contract, total)
        if looked_up:
            caches.pseudonyms.register(con, contract, key, total)
        # pseudonyms joined once for the batch (per delivery, each join would read the batch's lookup tables);
        # a table of the connection's database, not a temporary one, so that the writers' cursors see it
        con.execute(f"create or replace table projected as {projected_sql(contract, key, looked_up)}")
        _write_deliveries(con, batch, contract, settings, key)
        con.execute("drop table projected")
        _remember_keys(con, contract, caches.keys)
        bad: dict[int, list[tuple[int, str]]] = {}
        for i, line, reason in con.execute("select _lieferung, _line, _reason from checked "
                                           "where _reason is not null").fetchall():
            bad.setdefault(i, []).append((line, reason))
        con.close()
    finally:
        shutil.rmtree(spill, ignore_errors=True)
    return landed, bad


def _write_deliveries(con: duckdb.DuckDBPyConnection, batch: list[Received], contract: Contract,
                      settings: Settings, key: PseudonymKey) -> None:
    """Each delivery of table `projected` to its raw file, two at a time: writing a Parquet file of one
    delivery keeps one core busy, and the files are independent of each other."""
    def write(i: int) -> None:
        r = batch[i]
        out = _delivery_dir(settings.raw, contract.source, contract.table, r.lieferung_id) / "data.parquet"
        meta = {"lieferung_id": r.lieferung_id, "received_at": r.received.isoformat(), "sha256": r.sha,
                "key_id": key.key_id}
        cursor = con.cursor()
        try:
            # a column's nullability in the file would follow the statistics of the whole batch: without
            # them every file has the same schema, whatever else the batch held
            cursor.execute("set disabled_optimizers = 'statistics_propagation'")
            atomic_copy_to_parquet(cursor, delivery_sql(contract, meta, "projected", i), out)
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(write, range(len(batch))))


KeyCache = dict[tuple[str, str, str], list[pa.Array]]
ARROW_TYPES = {"integer": pa.int64(), "date": pa.date32()}


@dataclass
class RunCaches:
    """What one ingest run carries from delivery to delivery: the landed keys of unique columns and the
    pseudonyms already computed."""

    keys: KeyCache = field(default_factory=dict)
    pseudonyms: PseudonymCache = field(default_factory=PseudonymCache)


def _register_existing_keys(con: duckdb.DuckDBPyConnection, contract: Contract, settings: Settings,
                            batch_ids: set[str], cache: KeyCache | None) -> None:
    """Key values of this table already in the lake, for the unique check.

    Read from the lake once per ingest run (only deliveries the ingest log records as complete: a raw
    file without a log entry is a crash leftover about to be rewritten), then kept as Arrow chunks
    that each landed delivery appends to: no re-reading of every earlier delivery per file."""
    cache = {} if cache is None else cache
    for column in contract.columns:
        if column.name not in contract.unique or column.rule != "keep":
            continue
        target = column.target[0]
        arrow_type = ARROW_TYPES.get(column.type, pa.string())
        ck = (contract.source, contract.table, target)
        if ck not in cache:
            done = {e["lieferung_id"] for e in read_ingest_log(settings)
                    if e["source"] == contract.source and e["table"] == contract.table and e["rows_landed"]}
            table_dir = settings.raw / contract.source / contract.table
            files = [str(p) for p in sorted(table_dir.glob("lieferung=*/data.parquet"))
                     if (lid := p.parent.name.split("=", 1)[1]) in done and lid not in batch_ids]
            chunk = (con.sql(f"select {target} as k from read_parquet({files!r})").to_arrow_table().column("k")
                     .combine_chunks().cast(arrow_type) if files else pa.array([], arrow_type))
            cache[ck] = [chunk]
        con.register(f"existing_{target}", pa.table({"k": pa.chunked_array(cache[ck], arrow_type)}))


def _remember_keys(con: duckdb.DuckDBPyConnection, contract: Contract, cache: KeyCache | None) -> None:
    if cache is None:
        return
    for column in contract.columns:
        if column.name in contract.unique and column.rule == "keep":
            ck = (contract.source, contract.table, column.target[0])
            landed = con.sql(f'select "{column.name}" as k from checked where _reason is null').to_arrow_table()
            cache.setdefault(ck, []).append(
                landed.column("k").combine_chunks().cast(ARROW_TYPES.get(column.type, pa.string())))


def _write_quarantine(directory: Path, lieferung_id: str, sha: str, rows: list[tuple[int, str]]) -> None:
    """Quarantine keeps where and why, never the clear-text content: the original stays in the inbox."""
    rows = sorted(rows)
    table = pa.table({
        "lieferung_id": pa.array([lieferung_id] * len(rows), pa.string()),
        "source_file_sha256": pa.array([sha] * len(rows), pa.string()),
        "source_line": pa.array([r[0] for r in rows], pa.int64()),
        "reason": pa.array([r[1] for r in rows], pa.string()),
    })
    con = duckdb.connect()
    con.register("q", table)
    atomic_copy_to_parquet(con, "select * from q", directory / "quarantine.parquet")
    con.close()


def _write_log(settings: Settings, res: IngestResult, run_id: str | None = None) -> None:
    crash_point("ingest:before-log")
    atomic_write_text(_log_path(settings, res.source, res.lieferung_id),
                      json.dumps(asdict(res), ensure_ascii=False, indent=1))
    log_event(settings, "ingest", run_id=run_id, lieferung_id=res.lieferung_id,
              source=res.source, table=res.table, status=res.status, rows_delivered=res.rows_delivered,
              rows_landed=res.rows_landed, rows_quarantined=res.rows_quarantined, sha256=res.sha256,
              reasons=res.reasons or None, seconds=res.seconds)


EMPTY_DELIVERY = "lieferung=_leer"


def _empty_projection(contract: Contract) -> tuple[duckdb.DuckDBPyConnection, str]:
    """A connection and the projection of a delivery of zero rows: the raw table's exact schema."""
    con = duckdb.connect()
    con.register("delivered", pa.table({"_lieferung": pa.array([], pa.int32()), "_line": pa.array([], pa.int64()),
                                        "_lieferdatum": pa.array([], pa.date32()),
                                        **{c: pa.array([], pa.string()) for c in contract.column_names}}))
    con.register("gemeinden", pa.table({"ags": pa.array([], pa.string())}))
    for column in contract.columns:
        if column.name in contract.unique and column.rule == "keep":
            con.register(f"existing_{column.target[0]}",
                         pa.table({"k": pa.array([], ARROW_TYPES.get(column.type, pa.string()))}))
    con.execute(validation_sql(contract))
    meta = {"lieferung_id": "_leer", "received_at": "1970-01-01T00:00:00+00:00", "sha256": "", "key_id": ""}
    schema_key = PseudonymKey(bytes(32))  # zero rows: no value is ever hashed with it
    schema_key.register(con, pseudonym_domains(contract))
    return con, delivery_sql(contract, meta, f"({projected_sql(contract, schema_key)})")


def raw_schema(contract: Contract) -> list[tuple[str, str]]:
    """(column, DuckDB type) of the contract's raw table, as every delivery lands it."""
    con, sql = _empty_projection(contract)
    try:
        projected = con.sql(sql)
        return [(name, str(kind)) for name, kind in zip(projected.columns, projected.types, strict=True)]
    finally:
        con.close()


def ensure_raw_tables(settings: Settings) -> list[Path]:
    """Every contract's raw table exists, with its exact schema, even before its first delivery: a
    source system that has not delivered yet makes its KPIs 0, not the build fail. The schema comes
    from the same projection a delivery goes through, run on zero rows."""
    created = []
    for contract in load_contracts():
        table_dir = settings.raw / contract.source / contract.table
        if any(table_dir.glob("*/data.parquet")):
            continue
        con, sql = _empty_projection(contract)
        out = table_dir / EMPTY_DELIVERY / "data.parquet"
        atomic_copy_to_parquet(con, sql, out)
        con.close()
        created.append(out)
    return created


def sweep_leftovers(settings: Settings, older_than_s: float = 3600) -> list[Path]:
    """Remove temporary files a killed writer left in the raw zone and the quarantine (readers ignore
    them anyway: they never match `*.parquet`). Young ones may belong to a running writer."""
    removed = []
    now = time.time()
    for zone in (settings.raw, settings.quarantine):
        for tmp in zone.rglob(".*.tmp") if zone.exists() else []:
            if now - tmp.lstat().st_mtime > older_than_s:
                tmp.unlink(missing_ok=True)
                removed.append(tmp)
    return removed


def check_key(log: list[dict], key: PseudonymKey) -> None:
    """Refuse to add deliveries under a key other than the one the raw zone was pseudonymised with (`log`:
    the ingest log): the pseudonyms of the two keys would never join, and every person's history would
    break silently."""
    others = sorted({e["key_id"] for e in log if e.get("rows_landed") and e.get("key_id")} - {key.key_id})
    if others:
        raise KeyError_(f"die Rohzone ist mit Schlüssel {', '.join(others)} pseudonymisiert, aktiv ist "
                        f"{key.key_id}: erst `stichtag key repseudonymise` (liest alles neu unter dem aktiven "
                        "Schlüssel), dann weiter einlesen")


def repseudonymise(settings: Settings, key: PseudonymKey, progress: bool = True) -> list[IngestResult]:
    """After a key rotation: the raw zone, its quarantine and the ingest log are rebuilt from the inbox
    (which keeps every delivery) and the source databases under the active key. Versions built under
    the old key stay in the version store, their manifests name the key they were built with."""

    with build_lock(settings):
        for zone in (settings.raw, settings.quarantine, settings.ingest_log):
            shutil.rmtree(zone, ignore_errors=True)
        results = ingest_inbox(settings, key, progress=progress)
        ensure_raw_tables(settings)
    return results


def ingest_database(contract: Contract, settings: Settings, key: PseudonymKey, run_id: str | None = None,
                    caches: RunCaches | None = None, chunk_rows: int = 50_000) -> list[IngestResult]:
    """Pull what changed in a source database since the last extract; each chunk lands as a delivery."""

    log = read_ingest_log(settings)
    check_key(log, key)
    done = [e["watermark"] for e in log
            if e["source"] == contract.source and e["table"] == contract.table and e.get("watermark")]
    # a lake from before 2026-12 holds (time, id) pairs: only the time is used now
    since = max((dt.datetime.fromisoformat(w[0] if isinstance(w, list) else w) for w in done), default=None)
    results = []
    caches = caches or RunCaches()
    with conninfo(settings.inbox, contract.options["dsn_env"], contract.options["system"]) as dsn:
        for ex in extract(dsn, contract, since.isoformat() if since else EPOCH_WATERMARK, chunk_rows):
            started = time.perf_counter()
            changed = dt.datetime.fromisoformat(ex.watermark).astimezone(dt.UTC)
            # named after the change time alone: no case id in a name, a log or a manifest
            lieferung_id = f"{contract.table.upper()}_{changed:%Y%m%dT%H%M%S_%f}"
            chunk = Received(parsed=ex.parsed, contract=contract, lieferung_id=lieferung_id,
                             shown=f"postgresql:{contract.source}.{contract.table}",
                             sha=hashlib.sha256(ex.canonical).hexdigest(),
                             received=changed.replace(microsecond=0),  # the Datenstand: the newest change
                             file_stat=None, seconds=time.perf_counter() - started)
            # each chunk logged with its watermark before the next is extracted: a crash loses no change
            results += land_batch([chunk], settings, key, caches, run_id, watermarks=[ex.watermark])
    return results


def database_contracts(source: str | None = None) -> list[Contract]:
    return [c for c in load_contracts() if c.format == "postgres" and source in (None, c.source)]


def ingest_inbox(settings: Settings, key: PseudonymKey, progress: bool = True,
                 source: str | None = None, run_id: str | None = None) -> list[IngestResult]:
    """Ingest every complete delivery in the inbox (of one source system, if given)."""
    from tqdm import tqdm

    log = read_ingest_log(settings)
    check_key(log, key)
    sweep_leftovers(settings)
    files = delivery_files(settings.inbox)
    if source is not None:
        contracts = load_contracts()
        files = [f for f in files if _source_of(f, contracts) == source]
    # a file the log knows, unchanged to the nanosecond, is no transfer in progress: only the others are
    # watched, so a run over known deliveries does not wait for the growth check
    logged = {f: same for f in files if (same := unchanged_since(f, settings)) is not None}
    growing = still_growing([f for f in files if f not in logged])
    files = [f for f in files if f not in growing]
    known = {e["sha256"]: e for e in log}
    caches = RunCaches()
    results: list[IngestResult | None] = []
    batch: list[tuple[int, Received]] = []
    landing: list[tuple[list[int], Future]] = []

    def collect() -> None:
        while landing:
            indices, done = landing.pop(0)
            for i, res in zip(indices, done.result(), strict=True):
                results[i] = res

    def land() -> None:
        # one batch lands in the background while the next is read and parsed (DuckDB and the Parquet
        # writer release the GIL); batches land one after the other, in arrival order
        collect()
        if batch:
            landing.append(([i for i, _ in batch], lander.submit(land_batch, [r for _, r in batch], settings, key,
                                                                 caches, run_id)))
            batch.clear()

    # a batch larger than the pseudonym cache would be hashed per row: a batch stays within it
    limit = max(1, min(batch_rows(), caches.pseudonyms.limit))
    with ThreadPoolExecutor(max_workers=1) as lander:
        for f in tqdm(files, desc=f"Ingest {source or ''}".strip(), unit="Datei", disable=not progress):
            got = logged.get(f) or receive(f, settings, key, known, run_id)
            if isinstance(got, IngestResult):
                known.setdefault(got.sha256, asdict(got))
                results.append(got)
                continue
            known.setdefault(got.sha, {"lieferung_id": got.lieferung_id, "sha256": got.sha})
            if batch and (batch[0][1].contract.file_pattern != got.contract.file_pattern
                          or sum(r.parsed.rows_delivered for _, r in batch) + got.parsed.rows_delivered > limit):
                land()
            results.append(None)
            batch.append((len(results) - 1, got))
            if not batchable(got.contract):
                land()
        land()
        collect()

    for contract in database_contracts(source):
        if configured(settings.inbox, contract.options["dsn_env"], contract.options["system"]):
            results += ingest_database(contract, settings, key, run_id, caches)
    return [r for r in results if r is not None]
