"""A build keeps the window-independent models of the last build when its inputs are exactly the same."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import dagster as dg
import pytest

from kernel.window import StichtagWindow
from orchestration.lib.execute import materialisation_metadata
from publication.publish import kpi_export_path
from tests.conftest import make_settings, run_job, up_to_the_exports
from tests.mini import write_mini_delivery
from warehouse.datenstand import read_build_info
from warehouse.lineage import window_models
from warehouse.reuse import take_record

# neither is a month end: the public zone and its attack audit (≈ 12 s a month end on a mini lake) read the
# export, not the models a build keeps, and are proved in test_pipeline
DAY, OTHER = dt.date(2016, 3, 15), dt.date(2016, 4, 29)


def materialise(settings, day: dt.date, datenstand: dt.date | None = None, assets=None):
    result = run_job(settings, StichtagWindow(day, day, datenstand=datenstand), assets=assets)
    assert result.success
    return result


def built_models(settings) -> set[str]:
    """The models the last dbt invocation ran."""
    results = json.loads((settings.lake / "warehouse" / "dbt-target" / "run_results.json").read_text())
    return {r["unique_id"].split(".")[-1] for r in results["results"] if r["unique_id"].startswith("model.")}


@pytest.fixture(scope="module")
def two_windows(tmp_path_factory):
    """A lake that built DAY and then OTHER with the same inputs: the models each build ran, the second run."""
    s = make_settings(tmp_path_factory.mktemp("reuse"))
    write_mini_delivery(s.inbox)
    materialise(s, DAY)
    first = built_models(s)
    second = materialise(s, OTHER)
    return s, first, built_models(s), second


def test_a_second_window_with_the_same_inputs_keeps_the_window_independent_models(two_windows, tmp_path) -> None:
    s, first, then, second = two_windows
    assert {"int_wohnzeitraeume", "fct_kpi_werte"} <= first
    assert "int_wohnzeitraeume" not in then and "fct_kpi_werte" in then
    # what reads the kept models still runs: the forecast (here: no whole base year yet) and the report
    for key in (["prognose", "bevoelkerung"], ["report", "sozialbericht"]):
        assert materialisation_metadata(second, key) is not None, key
    # the same bytes as a lake that built OTHER from scratch
    fresh = make_settings(tmp_path / "fresh")
    write_mini_delivery(fresh.inbox)
    materialise(fresh, OTHER, assets=up_to_the_exports())  # the export is what is compared
    assert "int_wohnzeitraeume" in built_models(fresh)
    assert kpi_export_path(s, OTHER).read_bytes() == kpi_export_path(fresh, OTHER).read_bytes()


def test_another_datenstand_rebuilds_every_model_and_a_record_is_used_once(two_windows) -> None:
    s = two_windows[0]  # built last with every delivery
    materialise(s, DAY, datenstand=dt.date(2016, 4, 30))  # fewer deliveries: other inputs
    assert "int_wohnzeitraeume" in built_models(s)
    # a build that takes the record forgets it: only its own success writes a new one (a crash leaves none)
    info = read_build_info(s)
    assert "int_wohnzeitraeume" in take_record(s, info)[0]
    assert take_record(s, info)[0] == []


def test_a_build_of_some_models_leaves_nothing_to_keep_and_the_next_refreshes_in_full(two_windows) -> None:
    """A selection in the launchpad builds some models: the others are not what these inputs make, and the
    models incremental by person would miss the persons their driver marked for them. So such a build
    writes no record; the next one keeps nothing and builds the incremental models anew."""
    s = two_windows[0]
    materialise(s, DAY)  # every model: the next build with these inputs may keep some
    record = s.warehouse.parent / "reusable_models.json"
    assert record.exists()
    some = [dg.AssetKey(["intermediate", "int_personenstaende"]), dg.AssetKey(["intermediate", "int_meldezustaende"])]
    result = run_job(s, StichtagWindow(DAY, DAY), assets=some)
    assert result.success
    assert built_models(s) <= {"int_personenstaende", "int_meldezustaende"}
    assert not record.exists() and take_record(s, read_build_info(s)) == ([], True)


def test_the_window_models_are_those_that_read_the_window_directly_or_through_a_model_or_macro(tmp_path) -> None:
    found = window_models()
    assert {"int_stichtage", "int_bevoelkerung", "fct_kpi_werte"} <= found
    assert not {"int_wohnzeitraeume", "int_ereignisse_bereinigt", "stg_melderegister__ereignisse"} & found
    project = tmp_path / "project"
    (project / "macros").mkdir(parents=True)
    (project / "models").mkdir()
    (project / "macros" / "bis.sql").write_text("{% macro bis_heute() -%}{{ max_date() }}{%- endmacro %}")
    (project / "models" / "a.sql").write_text("select 1 as x")
    (project / "models" / "b.sql").write_text("select {{ bis_heute() }} as d from {{ ref('a') }}")
    (project / "models" / "c.sql").write_text("select * from {{ ref('b') }}")
    assert window_models(Path(project)) == {"b", "c"}


def test_a_long_window_of_only_window_models_builds_them_one_at_a_time() -> None:
    from warehouse.dbt import SERIAL_FROM_STICHTAGE, dbt_threads

    assert dbt_threads(132, only_window_models=True) == 1
    assert dbt_threads(SERIAL_FROM_STICHTAGE - 1, only_window_models=True) is None  # the profile's two threads
    assert dbt_threads(132, only_window_models=False) is None  # the window-independent models are many and small
