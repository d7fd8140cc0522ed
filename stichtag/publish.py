"""Publish KPI values from the build database to where analysts and apps read them.

The build database (lake/warehouse/build.duckdb) has one writer, the running materialisation, and
nobody else opens it. Readers get:
- exports: `lake/exports/kpi_values/stichtag=YYYY-MM-DD/kpi_values.parquet`, one file per Stichtag,
  written to a temporary name and renamed (a reader sees the old or the new file, never half);
- `lake/analytics.duckdb`: views over the published Parquet, rebuilt in a temporary file and
  renamed over the old one, opened read-only by `make sql`, so analysts never hold a lock a
  materialisation needs, nor wait for one.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sources.lake import atomic_copy_to_parquet
from stichtag.settings import Settings

EXPORT_COLUMNS = ("kpi_id", "gebiet_id", "gebiet_name", "gebiet_ebene", "stichtag", "value", "numerator",
                  "denominator", "unit", "status")
LEVEL_ORDER = "case gebiet_ebene when 'bund' then 0 when 'land' then 1 when 'kreis' then 2 when 'amt' then 3 else 4 end"


@dataclass(frozen=True)
class Published:
    stichtag: dt.date
    path: Path
    rows: int


def kpi_export_path(settings: Settings, stichtag: dt.date) -> Path:
    return settings.exports / "kpi_values" / f"stichtag={stichtag.isoformat()}" / "kpi_values.parquet"


def publish_kpi_values(settings: Settings, min_date: dt.date, max_date: dt.date) -> list[Published]:
    """Export every Stichtag in [min_date, max_date) that the last build computed."""
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        stichtage = [r[0] for r in con.execute(
            "select distinct stichtag from marts.fct_kpi_werte where stichtag >= ? and stichtag < ? order by 1",
            [min_date, max_date]).fetchall()]
        out = []
        for day in stichtage:
            target = kpi_export_path(settings, day)
            # stable order and no timestamps inside: the same inputs give the same bytes
            atomic_copy_to_parquet(con, f"""
                select {', '.join(EXPORT_COLUMNS)} from marts.fct_kpi_werte
                where stichtag = date '{day.isoformat()}'
                order by kpi_id, {LEVEL_ORDER}, gebiet_id""", target)
            rows = con.execute("select count(*) from marts.fct_kpi_werte where stichtag = ?", [day]).fetchone()[0]
            out.append(Published(day, target, rows))
    finally:
        con.close()
    refresh_analytics_db(settings)
    return out


def refresh_analytics_db(settings: Settings) -> Path:
    """Rebuild the analysts' database of views over the published Parquet, swapped in atomically."""
    target = settings.analytics_db
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp))
    try:
        kpi_glob = settings.exports / "kpi_values" / "*" / "kpi_values.parquet"
        if any((settings.exports / "kpi_values").glob("*/kpi_values.parquet")):
            con.execute(f"""create view kpi_values as
                select * exclude (stichtag), stichtag::date as stichtag
                from read_parquet('{kpi_glob}', hive_partitioning = true)""")
            con.execute("""create view kpi_values_latest as
                select * from kpi_values where stichtag = (select max(stichtag) from kpi_values)""")
        con.execute(f"""create view ingest_quarantine as
            select * from read_parquet('{settings.quarantine}/*/*/*/quarantine.parquet', hive_partitioning = true)
            """ if any(settings.quarantine.glob("*/*/*/quarantine.parquet")) else
                    "create view ingest_quarantine as select null::varchar as reason where false")
        con.close()
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        tmp.replace(target)
    finally:
        if tmp.exists():
            tmp.unlink()
    return target
