"""Where the seconds of one run of the job go: start-up, then each step (from Dagster's event log).

Usage: python -m benchmarks.profile_steps VON [BIS [RASTER]] → one JSON object on stdout (`--help`).
Runs the same job with the same run config as `stichtag materialise`, in this process.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import time

from kernel.window import RASTER


def _run_results() -> dict:
    from kernel.settings import get_settings

    path = get_settings().lake / "warehouse" / "dbt-target" / "run_results.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def slowest_models(results: dict, n: int = 8) -> dict[str, float]:
    """The dbt step's own seconds per model (`results`: dbt's run_results.json of this lake's build), slowest
    first: with two threads they add up to more than the step."""
    slowest = sorted(results.get("results", []), key=lambda r: -r["execution_time"])[:n]
    # model.<project>.<name>, test.<project>.<name>.<hash>
    return {r["unique_id"].split(".")[2]: round(r["execution_time"], 2) for r in slowest}


def dbt_threads(results: dict) -> int | None:
    """The threads the build ran with (a long window of only window models: one, warehouse/dbt.py): as passed
    to dbt, or else the profile's, seen as the worker threads its nodes ran on."""
    return results.get("args", {}).get("threads") or len({r["thread_id"] for r in results.get("results", [])}) or None


def parse_args(argv: list[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile_steps", description=(
        "Run the one job over a Stichtag window in this process (as `stichtag materialise` does, on the lake of "
        "STICHTAG_LAKE) and print where its seconds went as one JSON object: start-up, each step, dbt's "
        "slowest models."))
    ap.add_argument("von", type=dt.date.fromisoformat, help="first Stichtag (YYYY-MM-DD)")
    ap.add_argument("bis", type=dt.date.fromisoformat, nargs="?", help="last Stichtag (default: von)")
    ap.add_argument("raster", nargs="?", default="taeglich", choices=RASTER,
                    help="which days of the window are Stichtage (default: taeglich)")
    return ap.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    import dagster as dg

    from kernel.window import StichtagWindow
    from orchestration.definitions import defs
    from orchestration.defs.window import fenster_config

    loaded = time.perf_counter()
    window = StichtagWindow(args.von, args.bis or args.von, args.raster)
    config = fenster_config(window)
    config["loggers"] = {"console": {"config": {"log_level": "ERROR"}}}
    with dg.DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("stichtag").execute_in_process(run_config=config, instance=instance,
                                                                     raise_on_error=False)
        steps = {s.step_key: round(s.end_time - s.start_time, 2) for s in instance.get_run_step_stats(result.run_id)}
    done = time.perf_counter()
    results = _run_results()
    print(json.dumps({"import_and_definitions_s": round(loaded - started, 2), "steps_s": steps,
                      "run_s": round(done - loaded, 2), "total_s": round(done - started, 2),
                      "dbt_models_s": slowest_models(results), "dbt_threads": dbt_threads(results),
                      "success": result.success}))
    return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
