"""Publish KPI values from the build database as immutable versions, then to the readers.

The build database (lake/warehouse/build.duckdb) has one writer, the running materialisation, and
nobody else opens it. For every Stichtag of the build this step
1. writes the version lake/marts/kpi_values/stichtag=D/datenstand=K/build=F/ (see versions.py)
   with the Parquet and a manifest, unless that exact version exists (then: no-op);
2. runs the publication checks (SQL checks here and the suites of expectations/, in SQL,
   publication/quality.py); only if the blocking ones pass, switches `latest.json` (atomically) and
   replaces the export lake/exports/kpi_values/stichtag=D/kpi_values.parquet (temp file + rename);
3. rebuilds lake/analytics.duckdb (views only) in a temporary file and renames it over the old one,
   so analysts, who open it read-only, never hold a lock a materialisation needs, nor wait for one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kernel.build_db import open_build_db
from kernel.faults import crash_point
from kernel.files import atomic_copy_to_parquet
from kernel.log import log_event
from kernel.settings import Settings
from publication.quality import run_quality_gates
from publication.schema import EXPORT_COLUMNS, LEVEL_ORDER
from publication.versions import (
    read_latest,
    read_manifest,
    switch_latest,
    version_dir,
    versions_root,
    write_version,
)
from warehouse.datenstand import BuildInfo, read_build_info


class PublicationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Published:
    stichtag: dt.date
    path: Path  # the version directory
    rows: int
    created: bool  # False: this exact version existed already (no-op)
    latest: bool  # the latest pointer now points here
    checks_passed: bool
    failed_checks: tuple[str, ...] = ()  # the blocking checks that failed


def kpi_export_path(settings: Settings, stichtag: dt.date) -> Path:
    return settings.exports / "kpi_values" / f"stichtag={stichtag.isoformat()}" / "kpi_values.parquet"


def _checks(con: duckdb.DuckDBPyConnection, day: dt.date) -> list[dict]:
    """Publication checks on one Stichtag's rows in the build database. Key, not-null and status are
    fct_kpi_werte's enforced dbt contract and tests (transform/models/marts/_marts__models.yml): a build that
    breaks them never gets here."""
    def q(sql: str):
        return con.execute(sql, [day]).fetchone()[0]

    rows = q("""select count(*) from marts.fct_kpi_werte where stichtag = ?
                and gebiet_id in (select gebiet_id from marts.dim_gebiete)""")
    kpis = con.execute("select count(*) from staging.stg_katalog__kpis").fetchone()[0]
    areas = con.execute("select count(*) from marts.dim_gebiete").fetchone()[0]
    expected = kpis * areas
    not_finite = q("""select count(*) from marts.fct_kpi_werte where stichtag = ?
                      and value is not null and not isfinite(value)""")
    kreis = q("""select min(value) from marts.fct_kpi_werte where stichtag = ?
                 and kpi_id = 'einwohner' and gebiet_ebene = 'kreis'""")
    return [
        {"check": "eine Zeile je KPI und Gebiet", "passed": rows == expected, "detail": f"{rows} von {expected}"},
        {"check": "Werte endlich", "passed": not_finite == 0, "detail": f"{not_finite} nicht endlich"},
        {"check": "Kreise haben Einwohner", "passed": bool(kreis and kreis > 0 and not math.isnan(kreis)),
         "detail": f"{kreis}"},
    ]


def _manifest(info: BuildInfo, day: dt.date, build: str, rows: int, checks: list[dict], parquet: Path,
              seconds: float) -> dict:
    return {
        "stichtag": day.isoformat(), "datenstand": info.datenstand, "datenstand_cutoff": info.cutoff,
        "requested_datenstand": info.requested_datenstand, "build": build,
        "inputs": info.deliveries, "code_version": info.code_version, "git_commit": info.git_commit,
        "models_sha256": info.models_sha256,
        "catalogue_sha256": info.catalogue_sha256, "pseudonym_key_ids": info.key_ids,
        "row_counts": {"kpi_values": rows}, "parquet_sha256": hashlib.sha256(parquet.read_bytes()).hexdigest(),
        # warnings are recorded, only blocking checks decide
        "checks": checks,
        "checks_passed": all(c["passed"] for c in checks if c.get("severity", "blocking") == "blocking"),
        "build_window": {"min_date": info.min_date, "max_date": info.max_date, "raster": info.raster},
        "timings": {**info.timings, "publish_s": round(seconds, 3)},
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def built_stichtage(con: duckdb.DuckDBPyConnection, min_date: dt.date, max_date: dt.date) -> list[dt.date]:
    """The Stichtage in [min_date, max_date) the build database holds KPI values for."""
    return [r[0] for r in con.execute(
        "select distinct stichtag from marts.fct_kpi_werte where stichtag >= ? and stichtag < ? order by 1",
        [min_date, max_date]).fetchall()]


def publish_kpi_values(settings: Settings, min_date: dt.date, max_date: dt.date,
                       run_id: str | None = None, raise_on_failure: bool = True) -> list[Published]:
    """Version, check and publish every Stichtag in [min_date, max_date) that the last build computed.
    A Stichtag whose blocking checks fail keeps its previous latest version and export; then
    PublicationError is raised (unless `raise_on_failure` is False: the caller reports it)."""
    info = read_build_info(settings)
    if not (info.min_date <= min_date.isoformat() and max_date.isoformat() <= info.max_date):
        raise PublicationError(f"the last build covered [{info.min_date}, {info.max_date}), "
                               f"not [{min_date}, {max_date})")
    con = open_build_db(settings.warehouse)
    out: list[Published] = []
    try:
        days = built_stichtage(con, min_date, max_date)
        # the suites of expectations/ over every Stichtag of the build, before any pointer moves

        # (an existing version is a no-op and keeps the results in its manifest: nothing to validate again)
        new_days = [d for d in days if not (version_dir(settings, d, info.datenstand, info.fingerprint(d))
                                            / "manifest.json").exists()]
        gates = run_quality_gates(con, settings, new_days, datenstand=info.datenstand) if new_days else []
        for day in days:
            out.append(_publish_one(con, settings, info, day, [g.for_day(day) for g in gates]))
    finally:
        con.close()
    refresh_analytics_db(settings)

    for p in out:
        log_event(settings, "publish", run_id=run_id, stichtag=p.stichtag,
                  datenstand=info.datenstand, build=p.path.name.split("=")[1], new_version=p.created,
                  latest=p.latest, checks_passed=p.checks_passed, rows=p.rows)
    failed = [p for p in out if not p.checks_passed]
    if failed and raise_on_failure:
        raise PublicationError(f"checks failed for {len(failed)} Stichtag(e), e.g. {failed[0].path}/manifest.json "
                               f"({'; '.join(failed[0].failed_checks)}); latest pointers not switched")
    return out


def _publish_one(con: duckdb.DuckDBPyConnection, settings: Settings, info: BuildInfo, day: dt.date,
                 quality: list[dict]) -> Published:
    started = time.perf_counter()
    build = info.fingerprint(day)
    target = version_dir(settings, day, info.datenstand, build)

    def write(tmp: Path) -> None:
        # checked only for a new version: an existing one is a no-op and its manifest keeps its results (a
        # series of 132 month ends with nothing new ran 528 queries for results nobody read)
        checks = _checks(con, day) + quality
        rows = con.execute("select count(*) from marts.fct_kpi_werte where stichtag = ?", [day]).fetchone()[0]
        # stable order and no timestamps inside: the same inputs give the same bytes
        atomic_copy_to_parquet(con, f"""
            select {', '.join(EXPORT_COLUMNS)} from marts.fct_kpi_werte
            where stichtag = date '{day.isoformat()}'
            order by kpi_id, {LEVEL_ORDER}, gebiet_id""", tmp / "kpi_values.parquet")
        atomic_copy_to_parquet(con, f"""select * from marts.fct_sozialindex
            where stichtag = date '{day.isoformat()}' order by gebiet_id""", tmp / "sozialindex.parquet")
        atomic_copy_to_parquet(con, f"""select * from marts.fct_offene_enden
            where stichtag = date '{day.isoformat()}' order by gemeinde_ags, ereignisart""",
                               tmp / "offene_enden.parquet")
        crash_point("publish:mid-version")
        manifest = _manifest(info, day, build, rows, checks, tmp / "kpi_values.parquet",
                             time.perf_counter() - started)
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False), encoding="utf-8")

    created = write_version(target, write)
    manifest = read_manifest(target)
    rows = manifest["row_counts"]["kpi_values"]  # in every manifest (`stichtag versions list` reads it so)
    passed = manifest["checks_passed"]
    failed_checks = tuple(f"{c['check']}: {c['detail']}" for c in manifest["checks"]
                          if not c["passed"] and c.get("severity", "blocking") == "blocking")
    switched = False
    if passed:
        crash_point("publish:before-pointer")
        switched = switch_latest(settings, day, info.datenstand, build)
    latest = read_latest(settings, day)
    is_latest = bool(latest and latest["build"] == build and latest["datenstand"] == info.datenstand)
    export = kpi_export_path(settings, day)
    if is_latest and (switched or not export.exists()):
        _atomic_copy(target / "kpi_values.parquet", export)
        for product in ("sozialindex", "offene_enden"):
            if (target / f"{product}.parquet").exists():
                _atomic_copy(target / f"{product}.parquet",
                             settings.exports / product / f"stichtag={day.isoformat()}" / f"{product}.parquet")
    return Published(day, target, rows, created, is_latest, passed, failed_checks)


def _atomic_copy(src: Path, dst: Path) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.{uuid.uuid4().hex}.tmp")
    try:
        shutil.copyfile(src, tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


def refresh_analytics_db(settings: Settings) -> Path:
    """Rebuild the analysts' database of views over the published Parquet, swapped in atomically."""
    target = settings.analytics_db
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    con = duckdb.connect(str(tmp))
    try:
        exports = settings.exports / "kpi_values"
        if any(exports.glob("*/kpi_values.parquet")):
            con.execute(f"""create view kpi_values as
                select * from read_parquet('{exports}/*/kpi_values.parquet', hive_partitioning = false)""")
            con.execute("""create view kpi_values_latest as
                select * from kpi_values where stichtag = (select max(stichtag) from kpi_values)""")
        public = settings.lake / "public" / "kpi_values"
        if any(public.glob("*/kpi_values.parquet")):
            con.execute(f"""create view kpi_values_public as
                select * from read_parquet('{public}/*/kpi_values.parquet', hive_partitioning = false)""")
        for product in ("sozialindex", "offene_enden", "prognose"):  # prognose: Vorausberechnung, basis=B/
            folder = settings.exports / product
            if any(folder.glob(f"*/{product}.parquet")):
                con.execute(f"""create view {product} as
                    select * from read_parquet('{folder}/*/{product}.parquet', hive_partitioning = false)""")
        versions = versions_root(settings)
        if any(versions.glob("*/*/*/kpi_values.parquet")):
            # every published version: how a value changed as deliveries (and corrections) arrived
            con.execute(f"""create view kpi_revisions as
                select kpi_id, gebiet_id, gebiet_name, gebiet_ebene, stichtag,
                       strptime(regexp_extract(filename, 'datenstand=([0-9TZ]+)', 1), '%Y%m%dT%H%M%SZ')
                           as datenstand,
                       regexp_extract(filename, 'build=([0-9a-f]+)', 1) as build,
                       value, numerator, denominator, unit, status
                from read_parquet('{versions}/*/*/*/kpi_values.parquet', filename = true,
                                  hive_partitioning = false)""")
            con.execute(f"""create view mart_versions as
                select stichtag::date as stichtag, datenstand, build, checks_passed, row_counts,
                       len(inputs) as deliveries, requested_datenstand, created_at
                from read_json('{versions}/*/*/*/manifest.json', union_by_name = true)""")
        quarantine = settings.quarantine
        if any(quarantine.glob("*/*/*/quarantine.parquet")):
            con.execute(f"""create view ingest_quarantine as select * from
                read_parquet('{quarantine}/*/*/*/quarantine.parquet', hive_partitioning = true)""")
        else:
            con.execute("create view ingest_quarantine as select null::varchar as reason where false")
        con.close()
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        Path(f"{tmp}.wal").unlink(missing_ok=True)
    return target
