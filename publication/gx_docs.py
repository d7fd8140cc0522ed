"""Great Expectations over the publication suites: its Data Docs on demand, and the reference the SQL gates match.

The gates of every run are SQL (publication/table_gates.py); Great Expectations' import alone costs seconds
per process. Here its pandas engine runs the same suites over the same tables of the build database — for
`stichtag quality docs` (the Data Docs at `docs_index`) and for the test that proves both engines give the same
results. Imported only where it runs.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import duckdb

from kernel.settings import Settings
from publication.quality import (
    SEVERITIES,
    CheckOutcome,
    ExpectationSpec,
    Suite,
    SuiteError,
    _label,
    filled,
    load_suites,
    parameters,
    tables,
)


def docs_index(settings: Settings) -> Path:
    return settings.lake / "quality" / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"


def _condition(where: dict):
    """A suite's `where:` as a Great Expectations row condition."""
    from great_expectations.expectations.row_conditions import Column

    parts = []
    for column, wanted in where.items():
        if isinstance(wanted, list):
            parts.append(Column(column).is_in(wanted))
        elif isinstance(wanted, dict) and set(wanted) == {"ab"}:
            parts.append(Column(column) >= wanted["ab"])
        elif isinstance(wanted, dict) and set(wanted) == {"nicht"}:
            unwanted = wanted["nicht"]
            parts.append(Column(column).is_not_in(unwanted) if isinstance(unwanted, list)
                         else Column(column) != unwanted)
        elif isinstance(wanted, dict):
            raise SuiteError(f"where {column}: only {{nicht: …}} and {{ab: …}} are known")
        else:
            parts.append(Column(column) == wanted)
    condition = parts[0]
    for part in parts[1:]:
        condition = condition & part
    return condition


def _gx_context(settings: Settings):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # offline: no usage statistics

    import great_expectations as gx

    root = settings.lake / "quality"
    root.mkdir(parents=True, exist_ok=True)
    # suites, validation definitions and checkpoints are registered afresh from expectations/ every run;
    # only the results (uncommitted/validations) and the Data Docs carry over
    for stale in ("expectations", "validation_definitions", "checkpoints"):
        shutil.rmtree(root / "gx" / stale, ignore_errors=True)
    context = gx.get_context(mode="file", project_root_dir=str(root))
    context.variables.progress_bars = {"globally": False, "metric_calculations": False}
    return gx, context


def validate_with_gx(con: duckdb.DuckDBPyConnection, settings: Settings, days: list[dt.date],
                     suites: list[Suite] | None = None) -> list[CheckOutcome]:
    """The publication suites (not the raw ones) over the Stichtage `days` with Great Expectations, one
    validation per suite over the whole window, and its Data Docs; one outcome per expectation."""
    suites = [s for s in (suites if suites is not None else load_suites()) if not s.table.startswith("raw/")]
    params = parameters()
    checked = tables(con, settings, days)
    gx, context = _gx_context(settings)
    source = context.data_sources.add_or_update_pandas("stichtag")
    outcomes: list[CheckOutcome] = []
    for suite in suites:
        frame = con.execute(f"select * from {checked[suite.table]}").df()
        try:
            asset = source.get_asset(suite.table)
        except LookupError:
            asset = source.add_dataframe_asset(name=suite.table)
        try:
            batch_definition = asset.get_batch_definition("ganz")
        except KeyError:
            batch_definition = asset.add_batch_definition_whole_dataframe("ganz")
        gx_suite = gx.ExpectationSuite(name=suite.name, meta={"description": suite.description})
        for i, (spec, (kind, kwargs, where)) in enumerate(zip(suite.expectations, filled(suite, params),
                                                              strict=True)):
            cls = getattr(gx.expectations, "".join(part.capitalize() for part in kind.split("_")), None)
            if cls is None:
                raise SuiteError(f"suite {suite.name}: unknown expectation {kind}")
            if where:
                kwargs["row_condition"] = _condition(where)
            gx_suite.add_expectation(cls(**kwargs, severity=spec.severity, meta={"label": _label(spec), "nr": i}))
        gx_suite = context.suites.add_or_update(gx_suite)
        definition = context.validation_definitions.add_or_update(
            gx.ValidationDefinition(name=suite.name, data=batch_definition, suite=gx_suite))
        checkpoint = context.checkpoints.add_or_update(gx.Checkpoint(
            name=suite.name, validation_definitions=[definition], result_format={"result_format": "COMPLETE"}))
        result = checkpoint.run(batch_parameters={"dataframe": frame})
        for validation in result.run_results.values():
            for r in validation.results:
                spec = suite.expectations[r.expectation_config.meta["nr"]]
                outcomes.append(_outcome(suite, spec, r, frame, days))
    context.build_data_docs()
    return outcomes


def _outcome(suite: Suite, spec: ExpectationSpec, r, frame, days: list[dt.date]) -> CheckOutcome:
    severity = SEVERITIES[spec.severity]
    if r.success:
        return CheckOutcome(suite.name, _label(spec), severity, frozenset(), "ok", "great_expectations")
    res = r.result or {}
    index = res.get("unexpected_index_list")
    if r.exception_info and r.exception_info.get("raised_exception"):
        detail = f"Fehler: {r.exception_info.get('exception_message')}"
        failing = frozenset(days)
    elif index is not None:
        rows = [i for i in (j if isinstance(j, int) else j.get("index", j) for j in index) if isinstance(i, int)]
        failing = frozenset(days)
        if "stichtag" in frame.columns:
            failing = frozenset(_as_date(v) for v in frame.loc[rows, "stichtag"]) or failing
        detail = f"{res.get('unexpected_count', len(rows))} unerwartete Werte, z. B. " \
                 f"{(res.get('partial_unexpected_list') or [])[:3]}"
    else:
        failing = frozenset(days)
        detail = f"beobachtet: {res.get('observed_value')}"
    return CheckOutcome(suite.name, _label(spec), severity, failing, detail, "great_expectations")


def _as_date(value) -> dt.date:
    return value.date() if hasattr(value, "date") else value
