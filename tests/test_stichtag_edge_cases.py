"""A hand-written mini delivery: births, deaths and moves ON the Stichtag, a late report and a
correction (Storno). The population at the end of each day around the Stichtag is exactly right."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from generator.melderegister import AENDERUNG_COLUMNS, BESTAND_COLUMNS
from orchestration.lib.execute import run_stichtag_job
from stichtag.publish import kpi_export_path
from tests.conftest import TEST_KEY_HEX, make_settings

A, B, C = "01056001", "01056002", "01056025"  # Appen, Barmstedt, Helgoland
D = "15.03.2016"  # the Stichtag


def person(om: str, ags: str, birth: str = "01.06.1980") -> dict[str, str]:
    return {"Ordnungsmerkmal": om, "Familienname": "Testfall", "Vornamen": "Erika", "Geschlecht": "w",
            "Geburtsdatum": birth, "Geburtsort": "Kiel", "Staatsangehörigkeit": "000", "Straße": "Testweg",
            "Hausnummer": om[-1], "PLZ": "25482", "Gemeindeschlüssel": ags, "Steuer-ID": "12345678901"}


def event(nr: int, art: str, day: str, reported: str, who: dict[str, str], ags: str | None = None,
          bezug: int | None = None) -> dict[str, str]:
    row = {**who, "Vorgangsnummer": str(nr), "Ereignisart": art, "Ereignisdatum": day, "Meldedatum": reported,
           "Bezugsvorgang": "" if bezug is None else str(bezug)}
    if ags:
        row["Gemeindeschlüssel"] = ags
    return row


def write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [";".join(columns)] + [";".join(r.get(c, "") for c in columns) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("mini"))
    inbox = settings.inbox / "melderegister"
    a1, a2, a3 = person("100000000001", A), person("100000000002", A), person("100000000003", A)
    b1, b2, b3 = person("100000000011", B), person("100000000012", B), person("100000000013", B)
    c1 = person("100000000021", C)
    write(inbox / "EWO_BESTAND_20141231.csv", BESTAND_COLUMNS,
          [{**p, "Einzugsdatum": "01.01.2010"} for p in (a1, a2, a3, b1, b2, b3, c1)])
    newborn = person("100000000031", A, birth=D)
    z1, t1 = person("100000000032", B), person("100000000033", C)
    late, corrected = person("100000000034", C), person("100000000035", A)
    write(inbox / "EWO_AENDERUNGEN_201603.csv", AENDERUNG_COLUMNS, [
        event(1, "Geburt", D, D, newborn),
        event(2, "Tod", D, "16.03.2016", a1),
        event(3, "Zuzug", D, D, z1),
        event(4, "Fortzug", D, D, b1),
        event(5, "Umzug", D, D, a2, ags=C),              # A → C
        event(6, "Umzug", D, D, b2),                     # within B
        event(7, "Zuzug", D, D, t1),                     # in and out on the same day
        event(8, "Fortzug", D, D, t1),
        event(9, "Zuzug", "10.02.2016", "20.03.2016", late),   # late report of a February event
        event(10, "Zuzug", "10.03.2016", "12.03.2016", corrected),  # wrong date, cancelled in April
    ])
    write(inbox / "EWO_AENDERUNGEN_201604.csv", AENDERUNG_COLUMNS, [
        event(11, "Storno", "02.04.2016", "02.04.2016", corrected, bezug=10),
        event(12, "Zuzug", "17.03.2016", "02.04.2016", corrected),
    ])
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STICHTAG_LAKE", str(settings.lake))
        mp.setenv("STICHTAG_INBOX", str(settings.inbox))
        mp.setenv("STICHTAG_PSEUDONYM_KEY", TEST_KEY_HEX)
        mp.delenv("DAGSTER_HOME", raising=False)
        result = run_stichtag_job(dt.date(2016, 2, 9), dt.date(2016, 3, 18))
        assert result.success
    return settings


def einwohner(settings, day: dt.date) -> dict[str, float]:
    return dict(duckdb.execute(f"""select gebiet_id, value from read_parquet('{kpi_export_path(settings, day)}')
        where kpi_id = 'einwohner' and gebiet_id in ('{A}', '{B}', '{C}', '01056')""").fetchall())


@pytest.mark.parametrize(("day", "expected"), [
    (dt.date(2016, 2, 9), {A: 3, B: 3, C: 1, "01056": 7}),    # before the late-reported Zuzug
    (dt.date(2016, 2, 10), {A: 3, B: 3, C: 2, "01056": 8}),   # late report counts from its Ereignisdatum
    (dt.date(2016, 3, 14), {A: 3, B: 3, C: 2, "01056": 8}),   # cancelled wrong-date Zuzug never counts
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
        '{kpi_export_path(mini, dt.date(2016, 3, 14))}') where kpi_id = 'geburtenrate'""").fetchall())
    assert before[A] == 0


def test_quarantine_is_empty_for_a_valid_mini_delivery(mini) -> None:
    assert not list(mini.quarantine.rglob("*.parquet"))
