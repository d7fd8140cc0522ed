"""A hand-written mini delivery: births, deaths and moves ON the Stichtag, a late report and a
correction (Storno). The population at the end of each day around the Stichtag is exactly right."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from kernel.window import StichtagWindow
from publication.publish import kpi_export_path
from tests.conftest import make_settings, run_job, up_to_the_exports
from tests.mini import A, B, C, write_mini_delivery


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("mini"))
    write_mini_delivery(settings.inbox)
    # every day from before the late report to the end of April: one run for the whole module, of the
    # assets up to the exports these tests read (the public zone and the report are proved on the
    # pipeline's Kreis; here they would be three month ends of attack audits for nothing read)
    result = run_job(settings, StichtagWindow(dt.date(2016, 2, 9), dt.date(2016, 4, 30)), up_to_the_exports())
    assert result.success
    return settings


def einwohner(settings, day: dt.date) -> dict[str, float]:
    return dict(duckdb.execute(f"""select gebiet_id, value from read_parquet('{kpi_export_path(settings, day)}')
        where kpi_id = 'einwohner' and gebiet_id in ('{A}', '{B}', '{C}', '01056')""").fetchall())


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2016, 2, 9), {A: 3, B: 3, C: 1, "01056": 7}),    # before the late-reported Zuzug
    (dt.date(2016, 2, 10), {A: 3, B: 3, C: 2, "01056": 8}),   # late report counts from its Ereignisdatum
    # cancelled wrong-date Zuzug never counts; the newborn of 15.03 counts from 1.03 (a birth event keeps
    # only its month: no exact birth date in the lake)
    (dt.date(2016, 3, 14), {A: 4, B: 3, C: 2, "01056": 9}),
    (dt.date(2016, 3, 15), {A: 2, B: 3, C: 3, "01056": 8}),   # end of the Stichtag: all its events applied
    (dt.date(2016, 3, 16), {A: 2, B: 3, C: 3, "01056": 8}),
    (dt.date(2016, 3, 17), {A: 3, B: 3, C: 3, "01056": 9}),   # the corrected Zuzug
])
def test_population_is_the_state_at_the_end_of_the_day(mini, day, expected) -> None:
    assert einwohner(mini, day) == expected


def test_moves_on_the_stichtag_count_in_its_twelve_month_window(mini) -> None:
    rows = dict(duckdb.execute(f"""select gebiet_id, numerator from read_parquet(
        '{kpi_export_path(mini, dt.date(2016, 3, 15))}') where kpi_id = 'wanderungssaldo'""").fetchall())
    # B: +z1 −b1; A: −a2 (to C); C: +a2 +late, t1 in and out; within-B move is no migration
    assert (rows[A], rows[B], rows[C], rows["01056"]) == (-1, 0, 2, 1)
    births = dict(duckdb.execute(f"""select gebiet_id, numerator from read_parquet(
        '{kpi_export_path(mini, dt.date(2016, 3, 15))}') where kpi_id = 'geburtenrate'""").fetchall())
    assert births[A] == 1 and births["01056"] == 1
    before = dict(duckdb.execute(f"""select gebiet_id, numerator from read_parquet(
        '{kpi_export_path(mini, dt.date(2016, 2, 29))}') where kpi_id = 'geburtenrate'""").fetchall())
    assert before[A] == 0  # a birth counts from the first of its month, not before


def test_quarantine_is_empty_for_a_valid_mini_delivery(mini) -> None:
    assert not list(mini.quarantine.rglob("*.parquet"))


def test_a_fortzug_of_a_person_never_registered_counts_as_migration_and_as_an_open_end(mini) -> None:
    s = mini
    day = dt.date(2016, 4, 30)
    saldo = dict(duckdb.execute(f"""select gebiet_id, numerator from read_parquet('{kpi_export_path(s, day)}')
        where kpi_id = 'wanderungssaldo'""").fetchall())
    # B: +z1 −b1 (March) −the stranger (April); Kreis: +z1 −b1 +late +corrected −the stranger
    assert saldo[B] == -1 and saldo["01056"] == 1
    # the stranger was never resident: the population of B does not change by them
    assert einwohner(s, day)[B] == 3
    open_ends = duckdb.execute(f"""select gemeinde_ags, ereignisart, anzahl_12m from read_parquet(
        '{s.exports}/offene_enden/stichtag={day}/offene_enden.parquet')""").fetchall()
    assert open_ends == [(B, "Fortzug", 1)]
