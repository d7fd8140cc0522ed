"""The dbt project, built once per process, and dbt run inside this process."""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.asset_utils import (
    DBT_INDIRECT_SELECTION_ENV,
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.core.dbt_cli_event import DbtCoreCliEventMessage

from kernel.settings import DBT_PROJECT_DIR
from warehouse.manifest import dbt_executable, ensure_manifest


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    project.prepare_if_dev()  # `dagster dev` re-parses on start
    ensure_manifest()  # a fresh clone or an edited model: parse once (a few seconds) rather than fail on import
    return project


# the events dagster-dbt turns into materialisations and check results (DbtCoreCliEventMessage.is_result_event)
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})


class InProcessDbtResource(DbtCliResource):
    """dbt-core's programmatic runner in this process instead of a `dbt` child process per build.

    Why: a child process starts Python and imports dbt and the DuckDB adapter (2.6–2.8 s, measured) in
    every run of the job, while this process has imported dbt already through dagster-dbt (0.2 s more).
    The selection (a subset of the assets), the target and log paths and the Dagster events are
    dagster-dbt's own, fed with dbt's structured events instead of a child's JSON lines. A kill of this
    process stops dbt with it: no orphaned dbt keeps writing the build database."""

    def stream_in_process(self, args: Sequence[str], *, context: dg.AssetExecutionContext, target_path: Path,
                          when_running: Callable[[], None] = lambda: None) -> Iterator:
        """Run `dbt <args>` for the selected assets of `context`; yield dagster-dbt's events (an Output per
        model, an AssetCheckResult per test) as dbt finishes each node. `when_running` is called once, when
        the first node starts. Raises dg.Failure, naming the failed nodes, when dbt does not succeed."""
        from dbt.cli.main import dbtRunner  # imported with dagster-dbt already; here to say who uses it
        from dbt_common.events.functions import msg_to_dict

        cleaned, selects, excludes = extract_runtime_selection_from_args(args)
        # manifest and translator come from the context's @dbt_assets definition, as in DbtCliResource.cli
        params = get_updated_cli_invocation_params_for_context(
            context=context, manifest={}, dagster_dbt_translator=None, runtime_selects=selects,
            runtime_excludes=excludes)
        project = params.dbt_project or dbt_project()
        argv = [*cleaned, *params.selection_args, "--project-dir", str(project.project_dir),
                "--profiles-dir", str(self.profiles_dir or project.profiles_dir), "--target-path", str(target_path),
                "--log-path", str(target_path), "--log-format-file", "json",  # dbt.log: one JSON event per line
                "--no-send-anonymous-usage-stats"]
        indirect = {DBT_INDIRECT_SELECTION_ENV: params.indirect_selection} if params.indirect_selection else {}

        events: queue.Queue = queue.Queue()
        outcome: list = []

        def run() -> None:
            try:
                with _environ(indirect):  # dagster-dbt's way to run only the selected checks' tests
                    outcome.append(dbtRunner(callbacks=[events.put]).invoke(argv))
            except BaseException as e:  # noqa: BLE001 — handed to the consumer, which raises it
                outcome.append(e)
            finally:
                close_build_db()
                events.put(None)

        worker = threading.Thread(target=run, name="dbt", daemon=True)
        worker.start()
        started = False
        try:
            while (event := events.get()) is not None:
                name = event.info.name
                if name == "NodeStart" and not started:
                    started = True
                    when_running()
                if name not in RESULT_EVENTS:  # dbt's debug events: thousands a build, none a materialisation
                    continue
                yield from DbtCoreCliEventMessage(raw_event=msg_to_dict(event), event_history_metadata={}
                                                  ).to_default_asset_events(
                    manifest=params.manifest, dagster_dbt_translator=params.dagster_dbt_translator,
                    context=context, target_path=target_path, project=project)
        finally:
            worker.join()  # also when the step stops early: the caller's build lock must outlive the writer
        result = outcome[0]
        log = target_path / "dbt.log"
        if isinstance(result, BaseException):
            raise dg.Failure(f"dbt konnte nicht laufen ({type(result).__name__}; Protokoll: {log})") from None
        if not result.success:
            # the failing nodes by name: dbt's own messages (in its log) can quote values of the data
            failed = [f"{r.node.name} ({r.status})" for r in getattr(result.result, "results", None) or []
                      if str(r.status) in ("error", "fail", "runtime error")]
            raise dg.Failure(f"dbt build fehlgeschlagen: {', '.join(failed) or 'dbt brach ab'} (Protokoll: {log})")


@contextmanager
def _environ(variables: dict[str, str]) -> Iterator[None]:
    before = {k: os.environ.get(k) for k in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def close_build_db() -> None:
    """dbt-duckdb keeps its database open in the process after a run (its `keep_open`, so that the nodes of
    one run share it). Closed here: the build lock is released after the build, and the job's later steps
    open the build database read-only, which DuckDB refuses in a process holding it read-write."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None


def dbt_resource() -> InProcessDbtResource:
    return InProcessDbtResource(project_dir=dbt_project(), dbt_executable=dbt_executable())
