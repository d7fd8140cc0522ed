"""The one job, the daily schedule and the delivery sensor."""


import datetime as dt

import dagster as dg

from kernel.window import StichtagWindow
from orchestration.defs.ingest.sensors import build_inbox_sensor
from orchestration.defs.window import fenster_config

# Everything for a Stichtag window, in the order data flows: ingest new deliveries → dbt → versions and
# export with their checks → public zone → population forecast → KPI docs → report. The window is the run config
# (resources.fenster). In-process executor: one process per run, so Python, Dagster and DuckDB start once.
stichtag_job = dg.define_asset_job(
    "stichtag", selection=dg.AssetSelection.all(), executor_def=dg.in_process_executor,
    description="Ingest new deliveries, build the Stichtage of the window (resources.fenster), version and "
                "export them, publish the public zone, the population forecast, the KPI docs and the report.")


@dg.schedule(job=stichtag_job, cron_schedule="30 6 * * *", execution_timezone="Europe/Berlin",
             default_status=dg.DefaultScheduleStatus.RUNNING)
def tagesaktuell(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Every morning: today's Stichtag with everything delivered so far ("tagesaktuell")."""
    day = context.scheduled_execution_time.astimezone(dt.UTC).date()
    return dg.RunRequest(run_key=f"tagesaktuell-{day}", run_config=fenster_config(StichtagWindow(day, day)),
                         tags={"stichtag/fenster": str(day)})


inbox_sensor = build_inbox_sensor(stichtag_job)
