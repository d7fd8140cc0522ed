"""What every dbt invocation needs: its vars (a pure function) and its environment.

One dbt invocation builds every Stichtag of a run: dbt's start-up costs seconds, the SQL over the
interval model costs milliseconds per Stichtag, so start-up is paid once per run, never per Stichtag.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from kernel.catalogue import load_catalogue, write_for_dbt
from kernel.files import atomic_write_text
from kernel.settings import Settings
from kernel.window import RASTER
from sources.ingest import ensure_raw_tables
from sources.official import write_for_dbt as write_official_codes
from warehouse.env import dbt_env


def dbt_vars(min_date: dt.date, max_date: dt.date, raster: str = "taeglich",
             datenstand: dt.datetime | None = None) -> dict[str, str | None]:
    """vars for the half-open Stichtag window [min_date, max_date) as of a Datenstand (UTC timestamp)."""
    if max_date <= min_date:
        raise ValueError(f"leeres Stichtagsfenster [{min_date}, {max_date})")
    if raster not in RASTER:
        raise ValueError(f"raster {raster!r} unbekannt, erlaubt: {', '.join(RASTER)}")
    return {"min_date": min_date.isoformat(), "max_date": max_date.isoformat(), "raster": raster,
            "datenstand": datenstand.astimezone(dt.UTC).replace(microsecond=0).isoformat() if datenstand else None}


# From this many Stichtage on, a build of only the window models runs them one at a time (dbt `--threads 1`).
SERIAL_FROM_STICHTAGE = 12


def dbt_threads(stichtage: int, only_window_models: bool) -> int | None:
    """dbt's threads for a build, None for the profile's two. Two models at a time overlap dbt's own
    per-model work (Python, a tenth of a second or more a model) with DuckDB's; but the window models of many
    Stichtage are a few large statements, each already using both cores, and two of them at once only
    contend (132 month ends: 13.1 → 10.2 s for dbt, measured; one Stichtag: 2.1 s with two, 2.3 s with one)."""
    return 1 if only_window_models and stichtage >= SERIAL_FROM_STICHTAGE else None


def window_file(settings: Settings) -> Path:
    """The run's window as the models read it (transform/macros/stichtag_vars.sql): a file rather than
    `--vars`, because dbt re-parses the whole project whenever its vars change (≈ 3.5 s a run, measured)."""
    return settings.warehouse.parent / "fenster.json"


def write_window(settings: Settings, variables: dict[str, str | None]) -> None:
    """The validated vars of dbt_vars() for the next build of this lake (under its build lock)."""
    window_file(settings).parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(window_file(settings), json.dumps(variables, sort_keys=True) + "\n")


def prepare_build(settings: Settings) -> None:
    """Validate the KPI catalogue, hand it to dbt, and point dbt at this lake (env for the subprocess)."""

    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    ensure_raw_tables(settings)
    write_for_dbt(load_catalogue(), settings.warehouse.parent / "katalog")
    write_official_codes(settings.warehouse.parent / "katalog")
    os.environ.update(dbt_env(str(settings.lake)))
