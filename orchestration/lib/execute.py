"""Run the Stichtag job in this process (the CLI and `make run` use it; so do the tests).

A window of Stichtage is one run over a partition range (single-run backfill): one dbt invocation.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG


def _instance() -> dg.DagsterInstance:
    home = os.environ.get("DAGSTER_HOME")
    if home:
        Path(home).mkdir(parents=True, exist_ok=True)
        config = Path(home) / "dagster.yaml"
        if not config.exists():
            from stichtag.settings import PROJECT_ROOT

            config.write_text((PROJECT_ROOT / "dagster.yaml").read_text())
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def run_stichtag_job(min_date: dt.date, max_date: dt.date, raster: str = "taeglich",
                     datenstand: dt.date | None = None, log_level: str = "WARNING",
                     overrides: dict[str, str] | None = None) -> dg.ExecuteInProcessResult:
    """Ingest, build and publish the Stichtage in [min_date, max_date) in one in-process run.

    Daily Stichtage run as the partitioned asset job over the range (single-run backfill); a month-
    or year-end series runs as the `stichtagsreihe` job (see orchestration/defs/series.py)."""
    from orchestration.definitions import defs

    last = max_date - dt.timedelta(days=1)
    loggers = {"console": {"config": {"log_level": log_level}}}
    if raster != "taeglich":
        config = {"von": min_date.isoformat(), "bis": last.isoformat(), "raster": raster,
                  "datenstand": datenstand.isoformat() if datenstand else "", **(overrides or {})}
        with _instance() as instance:
            return defs.resolve_job_def("stichtagsreihe").execute_in_process(
                run_config={"ops": {"stichtagsreihe_bauen": {"config": config}}, "loggers": loggers},
                instance=instance, raise_on_error=False)
    tags = {ASSET_PARTITION_RANGE_START_TAG: min_date.isoformat(), ASSET_PARTITION_RANGE_END_TAG: last.isoformat()}
    run_config = {"ops": {"stichtag_dbt_models": {"config": {
        "raster": raster, "datenstand": datenstand.isoformat() if datenstand else ""}}},
        # people read the summary the CLI prints; Dagster's step log stays in the instance (make dev)
        "loggers": loggers}
    job = defs.resolve_job_def("stichtag")
    with _instance() as instance:
        return job.execute_in_process(run_config=run_config, instance=instance, tags=tags, raise_on_error=False)


def failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    """What went wrong, in the words of the failing step (not Dagster's 'step failed')."""
    out = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            error = event.step_failure_data.error
            # Dagster wraps the step's own exception: its message is the one a person needs
            while error is not None and error.cause is not None and "Error occurred while executing" in error.message:
                error = error.cause
            out.append(f"{event.step_key}: {(error.message if error else event.message or '').strip()}")
    return out or [e.message or "" for e in result.all_events if e.is_failure]
