"""The jobs, the daily schedule and the delivery sensor."""


import datetime as dt

import dagster as dg

from orchestration.defs.ingest.sensors import build_inbox_sensor
from orchestration.defs.series import stichtagsreihe_job

# Everything for one Stichtag (or a window of them): ingest new deliveries, build, publish.
# Partitioned by Stichtag through its assets (orchestration/defs/partitions.py).
# In-process executor: one process per run, so Python, Dagster and DuckDB start once, not per step.
stichtag_job = dg.define_asset_job("stichtag", selection=dg.AssetSelection.all(), executor_def=dg.in_process_executor,
                                   description="Ingest new deliveries, build the marts and publish the exports.")


@dg.schedule(job=stichtag_job, cron_schedule="30 6 * * *", execution_timezone="Europe/Berlin",
             default_status=dg.DefaultScheduleStatus.RUNNING)
def tagesaktuell(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Every morning: today's Stichtag with everything delivered so far ("tagesaktuell")."""
    day = context.scheduled_execution_time.astimezone(dt.UTC).date().isoformat()
    return dg.RunRequest(run_key=f"tagesaktuell-{day}", partition_key=day)


inbox_sensor = build_inbox_sensor([stichtag_job, stichtagsreihe_job])
