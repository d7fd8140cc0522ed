"""Run the one job in this process: the CLI, `make run`, the benchmarks and the tests launch it here,
the schedule, the sensor and the launchpad through the Dagster daemon — with the same run config."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from kernel.settings import PROJECT_ROOT
from kernel.window import StichtagWindow
from orchestration.definitions import defs
from orchestration.defs.window import fenster_config


def _instance() -> dg.DagsterInstance:
    home = os.environ.get("DAGSTER_HOME")
    if home:
        Path(home).mkdir(parents=True, exist_ok=True)
        config = Path(home) / "dagster.yaml"
        if not config.exists():
            config.write_text((PROJECT_ROOT / "dagster.yaml").read_text())
        return dg.DagsterInstance.get()
    return dg.DagsterInstance.ephemeral()


def run_stichtag_job(window: StichtagWindow, log_level: str = "WARNING",
                     overrides: dict[str, str] | None = None,
                     assets: Sequence[dg.AssetKey] | None = None) -> dg.ExecuteInProcessResult:
    """Ingest, build, version, export and publish the window's Stichtage in one in-process run.
    `overrides` replace fields of the window's config as given (the tests send malformed ones); `assets`
    runs only those, as a selection in the launchpad does."""

    run_config = fenster_config(window)
    run_config["resources"]["fenster"]["config"].update(overrides or {})
    # people read the summary the CLI prints; Dagster's step log stays in the instance (make dev)
    run_config["loggers"] = {"console": {"config": {"log_level": log_level}}}
    with _instance() as instance:
        return defs.resolve_job_def("stichtag").execute_in_process(
            run_config=run_config, instance=instance, raise_on_error=False, asset_selection=assets,
            tags={"stichtag/fenster": str(window)})


def failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    """What went wrong, in the words of the failing step (not Dagster's 'step failed')."""
    out = []
    for event in result.all_events:
        if event.event_type_value == "STEP_FAILURE":
            failure = event.step_failure_data
            if failure.user_failure_data is not None and failure.user_failure_data.description:
                out.append(f"{event.step_key}: {failure.user_failure_data.description.strip()}")  # dg.Failure's own
                continue
            error = failure.error
            # Dagster wraps the step's own exception: its message is the one a person needs
            while error is not None and error.cause is not None and "Error occurred while executing" in error.message:
                error = error.cause
            out.append(f"{event.step_key}: {(error.message if error else event.message or '').strip()}")
    return out or [e.message or "" for e in result.all_events if e.is_failure]


def failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    """Descriptions of the asset checks that did not pass (e.g. a Stichtag kept out of the public zone)."""
    out = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                out.append(f"{evaluation.check_name}: {evaluation.description or ''}")
    return out


def materialisation_metadata(result: dg.ExecuteInProcessResult, key: list[str]) -> dict | None:
    """The metadata of the run's last materialisation of an asset (None if it was not materialised)."""
    found = None
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION" and event.asset_key == dg.AssetKey(key):
            found = {k: v.value for k, v in event.materialization.metadata.items()}
    return found
