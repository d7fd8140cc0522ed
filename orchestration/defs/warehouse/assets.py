"""All dbt models as Dagster assets, partitioned by Stichtag, built in ONE dbt invocation per run.

Why one @dbt_assets and not a partitioned/unpartitioned split: at this scale dbt's start-up
(seconds) dominates its SQL (well under a second per model), and the interval models are cheap to
rebuild — a late correction can change any past residence interval, so they are never incremental.
A backfill over many Stichtage is a single run (BackfillPolicy.single_run) whose partition time
window becomes the half-open [min_date, max_date) the models filter on.
"""


import datetime as dt
import json

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.defs.partitions import STICHTAG_PARTITIONS
from orchestration.defs.warehouse.resources import dbt_project
from orchestration.defs.warehouse.translator import StichtagDbtTranslator
from orchestration.lib.resources import LakeResource
from stichtag.warehouse import dbt_vars, prepare_build


class StichtagBuildConfig(dg.Config):
    raster: str = "taeglich"  # taeglich | monatsende | jahresende: thins a backfill window
    datenstand: str = ""  # YYYY-MM-DD: build as the lake knew it at the end of that day (empty = now)


def dbt_build_args(window: dg.TimeWindow, config: StichtagBuildConfig) -> list[str]:
    """CLI args for one dbt build over the partition time window (half-open, as Dagster gives it)."""
    from stichtag.warehouse import parse_date

    datenstand = parse_date(config.datenstand, "datenstand") if config.datenstand else None
    variables = dbt_vars(window.start.date(), window.end.date(), config.raster, datenstand)
    return ["build", "--vars", json.dumps(variables)]


@dbt_assets(manifest=dbt_project().manifest_path, project=dbt_project(), partitions_def=STICHTAG_PARTITIONS,
            backfill_policy=dg.BackfillPolicy.single_run(), dagster_dbt_translator=StichtagDbtTranslator())
def stichtag_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, lake: LakeResource,
                        config: StichtagBuildConfig):
    prepare_build(lake.settings())
    # the time window, not the partition key: a single-run backfill spans many partitions
    window = context.partition_time_window
    context.log.info(f"Stichtage [{window.start.date()}, {window.end.date()}) raster={config.raster}")
    yield from dbt.cli(dbt_build_args(window, config), context=context).stream()


def window_dates(context: dg.AssetExecutionContext) -> tuple[dt.date, dt.date]:
    window = context.partition_time_window
    return window.start.date(), window.end.date()
