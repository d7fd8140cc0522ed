"""Stichtag series (month ends, year ends) as ONE run with ONE dbt invocation.

A month-end series is a non-contiguous subset of the daily Stichtag partitions, and Dagster runs a
single-run backfill only over a contiguous range: 132 month ends would be a range of ~4,000 daily
partitions, and profiling showed Dagster's per-partition bookkeeping (planned and materialisation
events for every model and partition) took 38 of 55 s for just one year. This op job builds the
series in one dbt invocation and records materialisations for exactly the Stichtage it built.
"""

import datetime as dt
import time

import dagster as dg
from dagster_dbt import DbtCliResource

from orchestration.defs.ingest.assets import ingest_and_report
from orchestration.defs.warehouse.assets import dbt_target, finish_build, start_build
from orchestration.defs.warehouse.resources import dbt_project
from orchestration.lib.resources import LakeResource
from stichtag.faults import crash_point
from stichtag.lock import build_lock, record_dbt_process
from stichtag.publish import publish_kpi_values
from stichtag.warehouse import RASTER, parse_date


class StichtagsreiheConfig(dg.Config):
    von: str  # first Stichtag of the window, YYYY-MM-DD
    bis: str  # last Stichtag of the window (inclusive), YYYY-MM-DD
    raster: str = "monatsende"  # monatsende | jahresende | taeglich
    datenstand: str = ""  # YYYY-MM-DD: only deliveries received by the end of that day (empty = all)


@dg.op(out=dg.Out(dg.Nothing), description="Ingest every new delivery in the inbox.")
def neue_lieferungen_einlesen(context: dg.OpExecutionContext, lake: LakeResource) -> None:
    for key, metadata in ingest_and_report(context.log, lake.settings(), run_id=context.run.run_id):
        if metadata["new_deliveries"]:
            context.log_event(dg.AssetMaterialization(asset_key=key, metadata=metadata))


@dg.op(ins={"nach_ingest": dg.In(dg.Nothing)}, out=dg.Out(dg.Nothing),
       description="One dbt build over the series, then publish.")
def stichtagsreihe_bauen(context: dg.OpExecutionContext, config: StichtagsreiheConfig, dbt: DbtCliResource,
                         lake: LakeResource) -> None:
    try:
        first, last = parse_date(config.von, "von"), parse_date(config.bis, "bis")
    except ValueError as e:
        raise dg.Failure(str(e)) from None
    if last < first or config.raster not in RASTER:
        raise dg.Failure(f"ungültige Reihe {config.von} … {config.bis}, raster {config.raster}")
    settings = lake.settings()
    end = last + dt.timedelta(days=1)
    args, info = start_build(settings, first, end, config.raster, config.datenstand)
    started = time.perf_counter()
    with build_lock(settings):
        invocation = dbt.cli(args, manifest=dbt_project().manifest_path, target_path=dbt_target(settings))
        record_dbt_process(settings, invocation.process.pid)
        crash_point("dbt:running")
        invocation.wait()
        finish_build(settings, info, time.perf_counter() - started)
        published = publish_kpi_values(settings, first, end, context.run.run_id)
    for p in published:
        for key in (["marts", "fct_kpi_werte"], ["exports", "kpi_values"]):
            context.log_event(dg.AssetMaterialization(
                asset_key=key, partition=p.stichtag.isoformat(),
                metadata={"datenstand": info.datenstand, "version": dg.MetadataValue.path(str(p.path)),
                          "new_version": p.created}))
    context.log.info(f"{len(published)} Stichtage veröffentlicht, {sum(p.created for p in published)} neue Versionen")


@dg.op(ins={"nach_build": dg.In(dg.Nothing)}, out=dg.Out(dg.Nothing),
       description="Public zone for every newly exported Stichtag, then the report.")
def oeffentlich_und_bericht(context: dg.OpExecutionContext, lake: LakeResource) -> None:
    from report.build import build_report
    from stichtag.public_zone import publish_all_public

    settings = lake.settings()
    failed: list[str] = []
    with build_lock(settings):
        published = publish_all_public(settings, failed)
    for p in published:
        context.log_event(dg.AssetMaterialization(
            asset_key=["public", "kpi_values"], metadata={"stichtag": p.stichtag.isoformat(),
                                                          "suppressed_cells": p.suppressed,
                                                          "path": dg.MetadataValue.path(str(p.path))}))
    if published or not failed:
        report = build_report(settings)
        context.log_event(dg.AssetMaterialization(
            asset_key=["report", "sozialbericht"], metadata={"path": dg.MetadataValue.path(str(report.path)),
                                                              "stichtag": report.stichtag.isoformat()}))
    if failed:  # those Stichtage keep their previous public version
        raise dg.Failure("Öffentliche Zone nicht aktualisiert: " + "; ".join(failed))


@dg.job(name="stichtagsreihe", executor_def=dg.in_process_executor,
        description="Month-end or year-end Stichtage over a window, in one run.")
def stichtagsreihe_job() -> None:
    oeffentlich_und_bericht(nach_build=stichtagsreihe_bauen(nach_ingest=neue_lieferungen_einlesen()))
