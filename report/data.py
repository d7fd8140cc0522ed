"""What the report shows, read from the public zone only: the report's Stichtag and the year ends before it
(the series), each Stichtag's published (disclosure-controlled) version."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kernel.catalogue import Catalogue, load_catalogue
from kernel.settings import Settings
from prognose.ergebnis import basis_dir, public_forecasts
from publication.public_sozialindex import public_sozialindex_path
from publication.public_zone import public_path
from publication.versions import read_latest
from report.seiten import pages_dir


class ReportError(RuntimeError):
    """The report cannot be built (e.g. nothing published in the public zone yet)."""


@dataclass(frozen=True)
class ReportData:
    stichtag: dt.date
    datenstand: str  # version key of the report Stichtag's marts, e.g. 20241105T060000Z
    build: str
    stichtage: tuple[dt.date, ...]  # series points, oldest first; the last one is the report's Stichtag
    files: tuple[Path, ...]  # the public Parquet files read, one per Stichtag
    catalogue: Catalogue
    prognose: Path | None = None  # the public forecast from the newest base Stichtag ≤ the report's, if any
    seiten: Path | None = None  # the planners' Markdown pages (report/seiten.py), rendered with these values
    sozialindex: Path | None = None  # the public Sozialindex classes of the report's Stichtag, if published


def public_stichtage(settings: Settings) -> list[dt.date]:
    root = settings.lake / "public" / "kpi_values"
    return sorted(dt.date.fromisoformat(p.parent.name.split("=", 1)[1])
                  for p in root.glob("stichtag=*/kpi_values.parquet"))


def load_report_data(settings: Settings, stichtag: dt.date | None = None) -> ReportData:
    published = public_stichtage(settings)
    if not published:
        raise ReportError(f"Die öffentliche Zone {settings.lake / 'public'} ist leer: erst `stichtag public` "
                          "(oder `make run`) ausführen")
    day = stichtag or published[-1]
    if day not in published:
        raise ReportError(f"Stichtag {day} ist nicht öffentlich veröffentlicht; veröffentlicht sind "
                          f"{', '.join(d.isoformat() for d in published[-5:])}{' …' if len(published) > 5 else ''}")
    # the series: one point per year (its 31.12.), the report's Stichtag last
    series = [d for d in published if d < day and (d.month, d.day) == (12, 31)]
    days = (*series, day)
    latest = read_latest(settings, day) or {}
    bases = [b for b in public_forecasts(settings) if b <= day]
    forecast = basis_dir(settings, "public", bases[-1]) / "prognose.parquet" if bases else None
    return ReportData(day, latest.get("datenstand", "unbekannt"), latest.get("build", "unbekannt"), days,
                      tuple(public_path(settings, d) for d in days), load_catalogue(), forecast, pages_dir(),
                      index if (index := public_sozialindex_path(settings, day)).exists() else None)


# what the page and the CSV downloads show (the Parquet download has every export column)
COLUMNS = ("kpi_id", "gebiet_id", "gebiet_name", "gebiet_ebene", "stichtag", "value", "unit", "status",
           "bezugsdatum", "quelle")


def public_rows(files: tuple[Path, ...], columns: str = "*") -> str:
    """The public rows of the given Stichtage, ordered by KPI, area and Stichtag, as a DuckDB query."""
    listing = ", ".join(f"'{f}'" for f in files)
    return f"select {columns} from read_parquet([{listing}]) order by kpi_id, gebiet_id, stichtag"


def read_rows(con: duckdb.DuckDBPyConnection, files: tuple[Path, ...]) -> list[dict]:
    result = con.execute(public_rows(files, ", ".join(COLUMNS)))
    return [dict(zip(COLUMNS, r, strict=True)) for r in result.fetchall()]


def read_forecast(con: duckdb.DuckDBPyConnection, path: Path) -> list[dict]:
    """The public forecast's rows (rounded, small quotas withheld), ordered for a byte-stable page."""
    columns = ("basis_stichtag", "datenstand", "variante", "variante_name", "stichtag", "gebiet_id", "merkmal",
               "merkmal_name", "art", "value", "unit", "status")
    result = con.execute(f"select {', '.join(columns)} from read_parquet('{path}') "
                         "order by merkmal, gebiet_id, variante, stichtag")
    return [dict(zip(columns, r, strict=True)) for r in result.fetchall()]


def read_sozialindex(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, list]:
    """Per Gemeinde [status, dynamik, veroeffentlicht] from the public Sozialindex (classes only)."""
    result = con.execute(f"select gebiet_id, status, dynamik, veroeffentlicht from read_parquet('{path}') "
                         "order by gebiet_id")
    return {ags: [status, dynamik, published] for ags, status, dynamik, published in result.fetchall()}
