"""All dbt models as Dagster assets, partitioned by Stichtag, built in ONE dbt invocation per run.

Why one @dbt_assets and not a partitioned/unpartitioned split: at this scale dbt's start-up
(seconds) dominates its SQL (well under a second per model), and the interval models are cheap to
rebuild — a late correction can change any past residence interval, so they are never incremental.
A backfill over many Stichtage is a single run (BackfillPolicy.single_run) whose partition time
window becomes the half-open [min_date, max_date) the models filter on.
"""


import datetime as dt
import json
import shutil
import time
from dataclasses import asdict
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.partitions import STICHTAG_PARTITIONS
from orchestration.defs.warehouse.resources import dbt_project
from orchestration.defs.warehouse.translator import StichtagDbtTranslator
from orchestration.lib.resources import LakeResource
from sources.lake import atomic_write_text
from stichtag.faults import crash_point
from stichtag.lock import build_lock, record_dbt_process
from stichtag.settings import DBT_PROJECT_DIR, Settings
from stichtag.versions import BuildInfo, Datenstand, build_info_path, resolve_datenstand, write_build_info
from stichtag.warehouse import dbt_vars, parse_date, prepare_build
from stichtag.window import check_window

# The project's own target holds the parsed manifest the asset graph is read from; builds never write it.
PARSED_TARGET = DBT_PROJECT_DIR / "target"


def dbt_target(settings: Settings) -> Path:
    """One target directory per lake (never two builds at once there: the build lock), seeded with the
    project's partial parse, so dbt reuses it. dagster-dbt's default, a fresh directory per invocation,
    re-parses the project every run; one directory for every lake lets two lakes' builds (tests, a
    second checkout's Kreis) overwrite each other's manifest mid-read."""
    target = settings.lake / "warehouse" / "dbt-target"
    seed = PARSED_TARGET / "partial_parse.msgpack"
    if not (target / seed.name).exists() and seed.exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(seed, target / seed.name)
    return target


class StichtagBuildConfig(dg.Config):
    raster: str = "taeglich"  # taeglich | monatsende | jahresende: thins a backfill window
    datenstand: str = ""  # YYYY-MM-DD: only deliveries received by the end of that day (empty = all)


def dbt_build_args(min_date: dt.date, max_date: dt.date, raster: str, datenstand: Datenstand) -> list[str]:
    """CLI args for one dbt build over the half-open window [min_date, max_date)."""
    variables = dbt_vars(min_date, max_date, raster, datenstand.cutoff)
    return ["build", "--vars", json.dumps(variables)]


def start_build(settings: Settings, min_date: dt.date, max_date: dt.date, raster: str,
                datenstand: str) -> tuple[list[str], BuildInfo]:
    """Validate the catalogue, resolve the Datenstand, record what this build sees; the dbt args."""
    requested = parse_date(datenstand, "datenstand") if datenstand else None
    # [min_date, max_date): refused here too, so the schedule, sensor, launchpad and backfills hold the rule
    check_window(min_date, max_date - dt.timedelta(days=1), requested)
    prepare_build(settings)
    resolved = resolve_datenstand(settings, requested)
    info = write_build_info(settings, min_date, max_date, raster, resolved)
    return dbt_build_args(min_date, max_date, raster, resolved), info


def finish_build(settings: Settings, info: BuildInfo, seconds: float) -> None:
    info.timings["dbt_build_s"] = round(seconds, 3)
    atomic_write_text(build_info_path(settings), json.dumps(asdict(info), indent=1))


@dbt_assets(manifest=dbt_project().manifest_path, project=dbt_project(), partitions_def=STICHTAG_PARTITIONS,
            backfill_policy=dg.BackfillPolicy.single_run(), dagster_dbt_translator=StichtagDbtTranslator())
def stichtag_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, lake: LakeResource,
                        config: StichtagBuildConfig):
    settings = lake.settings()
    # the time window, not the partition key: a single-run backfill spans many partitions
    window = context.partition_time_window
    args, info = start_build(settings, window.start.date(), window.end.date(), config.raster, config.datenstand)
    context.log.info(f"Stichtage [{window.start.date()}, {window.end.date()}) raster={config.raster}, "
                     f"Datenstand {info.datenstand} ({len(info.deliveries)} Lieferungen)")
    started = time.perf_counter()
    with build_lock(settings):
        invocation = dbt.cli(args, context=context, target_path=dbt_target(settings))
        record_dbt_process(settings, invocation.process.pid)
        crash_point("dbt:running")
        yield from invocation.stream()
    finish_build(settings, info, time.perf_counter() - started)
