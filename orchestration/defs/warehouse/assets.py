"""All dbt models as Dagster assets, built in ONE dbt invocation per run for the run's Stichtag window.

Why one @dbt_assets: at this scale dbt's start-up (seconds) dominates its SQL (well under a second
per model), and no model is incremental by Stichtag — a late correction can change any past residence
interval. (The registry chain and the SGB II end state are incremental by person and Berichtsmonat,
which is exact for any Datenstand: see README.) The window (orchestration/defs/window.py)
becomes the half-open [min_date, max_date) the models filter on; each model's materialisation
names the Stichtage and the Datenstand it was built for.
"""


import datetime as dt
import json
import time
from dataclasses import asdict
from pathlib import Path

import dagster as dg
from dagster_dbt import dbt_assets

from kernel.faults import crash_point
from kernel.files import atomic_write_text
from kernel.lock import build_lock
from kernel.settings import DBT_PROJECT_DIR, Settings
from kernel.window import StichtagWindow
from orchestration.defs.warehouse.resources import InProcessDbtResource, dbt_project
from orchestration.defs.warehouse.translator import StichtagDbtTranslator
from orchestration.defs.window import StichtagFenster
from orchestration.lib.resources import LakeResource
from warehouse.datenstand import BuildInfo, build_info_path, resolve_datenstand, write_build_info
from warehouse.dbt import dbt_threads, dbt_vars, prepare_build, write_window
from warehouse.partial_parse import FILE, seed_target
from warehouse.reuse import remember_models, take_record

# The project's own target holds the parsed manifest the asset graph is read from; builds never write it.
PARSED_TARGET = DBT_PROJECT_DIR / "target"


def dbt_target(settings: Settings) -> Path:
    """One target directory per lake (never two builds at once there: the build lock), seeded with the
    project's partial parse, so dbt reuses it. dagster-dbt's default, a fresh directory per invocation,
    re-parses the project every run; one directory for every lake lets two lakes' builds (tests, a
    second checkout's Kreis) overwrite each other's manifest mid-read."""
    target = settings.lake / "warehouse" / "dbt-target"
    seed_target(target, PARSED_TARGET / FILE, settings.lake)  # re-keyed to this lake where provably valid
    return target


def start_build(settings: Settings, window: StichtagWindow) -> tuple[list[str], BuildInfo]:
    """Validate the catalogue, resolve the Datenstand, record what this build sees and write the half-open
    window [first, end) the models read (warehouse.dbt.window_file); the dbt args. The window comes
    validated from the run config (StichtagFenster.window), on every path that launches the job."""
    prepare_build(settings)
    resolved = resolve_datenstand(settings, window.datenstand)
    info = write_build_info(settings, window.first, window.end, window.raster, resolved)
    write_window(settings, dbt_vars(window.first, window.end, window.raster, resolved.cutoff))
    # the dbt unit tests prove the models' logic on fixtures, not the data: `make test` runs them once
    # (tests/test_pipeline.py), a production build does not pay for them every run
    return ["build", "--exclude-resource-type", "unit_test"], info


def finish_build(settings: Settings, info: BuildInfo, seconds: float, whole: bool) -> None:
    """After a build that succeeded: its timing, and which of its models a build with the same inputs keeps.
    Only a build of every model may say so: a selection of some (the launchpad) leaves the others as an
    earlier build made them, and leaves the models incremental by person behind the persons their driver
    marked — so after it the next build keeps nothing and refreshes the incremental models in full."""
    info.timings["dbt_build_s"] = round(seconds, 3)
    atomic_write_text(build_info_path(settings), json.dumps(asdict(info), indent=1))
    if whole:
        remember_models(settings, info)


def window_metadata(stichtage: list[dt.date], info: BuildInfo) -> dict:
    """What a materialisation of the window wrote, for the asset graph (the version store stays the record);
    a window always holds its last day."""
    return {"stichtage": len(stichtage), "erster_stichtag": stichtage[0].isoformat(),
            "letzter_stichtag": stichtage[-1].isoformat(), "raster": info.raster, "datenstand": info.datenstand}


@dbt_assets(manifest=dbt_project().manifest_path, project=dbt_project(), dagster_dbt_translator=StichtagDbtTranslator())
def stichtag_dbt_models(context: dg.AssetExecutionContext, dbt: InProcessDbtResource, lake: LakeResource,
                        fenster: StichtagFenster):
    settings = lake.settings()
    window = fenster.window()
    with build_lock(settings):
        args, info = start_build(settings, window)
        kept, full_refresh = take_record(settings, info)
        if full_refresh:
            args.append("--full-refresh")
        if kept:  # built by the last build from exactly these inputs, independent of the window
            args += ["--exclude", " ".join(kept)]
        if (threads := dbt_threads(len(window.stichtage()), only_window_models=bool(kept))) is not None:
            args += ["--threads", str(threads)]
        context.log.info(f"Stichtage {window}: Datenstand {info.datenstand} ({len(info.deliveries)} Lieferungen)"
                         f"{f', {len(kept)} fensterunabhängige Modelle unverändert' if kept else ''}")
        metadata = window_metadata(window.stichtage(), info)
        started = time.perf_counter()
        for event in dbt.stream_in_process(args, context=context, target_path=dbt_target(settings),
                                           when_running=lambda: crash_point("dbt:running")):
            yield event.with_metadata({**event.metadata, **metadata}) if isinstance(event, dg.Output) else event
        finish_build(settings, info, time.perf_counter() - started, whole=not context.is_subset)
