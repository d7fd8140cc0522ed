import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pytest

from generator.canaries import CANARY_PERSONS
from generator.population import EVENT_NAMES, GeneratorConfig, population_on, residents_on, simulate, to_days
from generator.run import generate
from kernel.reference import gemeinden
from tests.conftest import SMALL_CONFIG


def _digest(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_same_seed_gives_byte_identical_deliveries_of_every_source(tmp_path: Path) -> None:
    sources = ("melderegister", "jobcenter", "kita", "sozialamt", "wohngeld")  # files; the database is tested apart
    generate(SMALL_CONFIG, tmp_path / "a" / "inbox", progress=False, sources=sources)
    generate(SMALL_CONFIG, tmp_path / "b" / "inbox", progress=False, sources=sources)
    a, b = _digest(tmp_path / "a" / "inbox"), _digest(tmp_path / "b" / "inbox")
    # 18 months: Bestand + 18 registry months, 18 SGB II and SGB XII and Wohngeld months, 3 Kita half-years
    assert len(a) == 19 + 18 * 3 + 3 and a == b


def test_deliveries_look_like_legacy_registry_exports(small_kreis) -> None:
    raw = (small_kreis.inbox / "melderegister" / "EWO_AENDERUNGEN_201503.csv").read_bytes()
    header = raw.split(b"\r\n", 1)[0].decode("cp1252")
    assert header.startswith("Vorgangsnummer;Ereignisart;Ereignisdatum;Meldedatum;Bezugsvorgang;Ordnungsmerkmal")
    assert "Straße" in header and "Steuer-ID" in header
    with_umlaut = raw.decode("cp1252")
    assert "\r\n" in with_umlaut and ".2015;" in with_umlaut  # German dates


def test_late_reports_arrive_in_a_later_delivery(small_kreis) -> None:
    text = (small_kreis.inbox / "melderegister" / "EWO_AENDERUNGEN_201505.csv").read_text("cp1252")
    rows = [line.split(";") for line in text.splitlines()[1:]]
    event_months = {r[2][3:] for r in rows}
    assert "05.2015" in event_months and any(m < "05.2015" and m.endswith("2015") for m in event_months)


def test_canaries_are_planted_in_clear_text(small_kreis) -> None:
    text = (small_kreis.inbox / "melderegister" / "EWO_BESTAND_20141231.csv").read_text("cp1252")
    for p in CANARY_PERSONS[::2]:  # the second canary arrives later, by Zuzug
        assert p.familienname in text and p.ordnungsmerkmal in text and p.geburtsdatum in text


@pytest.fixture(scope="module")
def full_kreis():
    return simulate(GeneratorConfig(until_year=2023, until_month=1))


def test_full_kreis_is_calibrated_to_the_official_population_of_2022(full_kreis) -> None:
    pop = population_on(full_kreis, dt.date(2022, 12, 31))
    reference = np.array([g.population_2022 for g in gemeinden()])
    deviation = np.abs(pop - reference) / reference
    assert deviation.max() < 0.01, deviation.max()
    assert abs(pop.sum() - 322_130) / 322_130 < 0.005


@pytest.mark.parametrize(("day", "foreign", "under_18", "over_65"), [
    (dt.date(2015, 12, 31), 8.4, 16.8, 22.1),   # Regionaldatenbank 12411, Kreis Pinneberg
    (dt.date(2022, 12, 31), 11.7, 18.1, 23.0),  # Zensus 2022 press release of the Kreis; 65+ extrapolated
])
def test_age_structure_and_foreign_share_are_plausible_for_the_kreis(full_kreis, day, foreign, under_18,
                                                                      over_65) -> None:
    gem, nat = residents_on(full_kreis, day)
    res = gem >= 0
    age = (to_days(day) - full_kreis.persons.birth[res]) / 365.25
    assert abs((nat[res] != 0).mean() * 100 - foreign) < 1.0
    assert abs((age < 18).mean() * 100 - under_18) < 1.5
    assert abs((age >= 65).mean() * 100 - over_65) < 1.5


def test_births_and_deaths_per_1000_match_the_official_rates(full_kreis) -> None:
    ev = full_kreis.events
    start, end = to_days(dt.date(2022, 1, 1)), to_days(dt.date(2022, 12, 31))
    in_2022 = (ev["day"] >= start) & (ev["day"] <= end)
    pop = population_on(full_kreis, dt.date(2022, 6, 30)).sum()
    births = (in_2022 & (ev["kind"] == EVENT_NAMES.index("Geburt"))).sum() / pop * 1000
    deaths = (in_2022 & (ev["kind"] == EVENT_NAMES.index("Tod"))).sum() / pop * 1000
    assert 8.0 < births < 10.0 and 10.5 < deaths < 13.0


def test_the_xlsx_writer_gives_calamine_dates_merged_titles_and_the_same_bytes_twice() -> None:
    import datetime as dt

    import fastexcel

    from generator.xlsx import DATE, TITLE, Sheet, workbook

    def book() -> bytes:
        ws = Sheet("Belegung", widths=[(1, 1, 11)])
        ws.merge(0, 0, 2, "Titel & <Block>", TITLE)
        ws.write_row(2, ["Nummer", "Beginn", "Name"])
        ws.write_row(3, ["E1", 45292, "Müller"], styles={1: DATE})
        return workbook([Sheet("Deckblatt"), ws], dt.datetime(2024, 7, 5, 6))

    data = book()
    assert data == book()
    sheet = fastexcel.read_excel(data).load_sheet("Belegung", header_row=None, dtypes="string").to_polars()
    rows = sheet.rows()
    assert rows[0][0] == "Titel & <Block>" and rows[2] == ("Nummer", "Beginn", "Name")
    assert rows[3][0] == "E1" and rows[3][1].startswith("2024-01-01") and rows[3][2] == "Müller"


def test_the_simulations_group_operations_give_what_numpys_unique_isin_and_lexsort_give() -> None:
    """generator/grouping.py replaces numpy's general functions in the monthly simulation for speed: on
    random households with repeated keys and ties of age, every result must be numpy's, index for index."""
    from generator.grouping import first_of_greatest, groups, in_sorted

    rng = np.random.default_rng(7)
    for _ in range(40):
        n = int(rng.integers(0, 3000))
        keys = rng.integers(0, max(1, n // 3), n).astype(np.int64) * 100_000 + rng.integers(0, 3, n)
        ages = rng.integers(0, 100, n)
        expected = np.unique(keys, return_index=True, return_inverse=True)
        got = groups(keys)
        assert all(np.array_equal(e, g) for e, g in zip(expected, got, strict=True))
        hh, _, inverse = got
        order = np.lexsort((-ages, inverse))
        oldest = order[np.searchsorted(inverse[order], np.arange(len(hh)))]
        assert np.array_equal(first_of_greatest(inverse, ages, len(hh)), oldest)
        active = np.sort(rng.choice(hh, size=int(rng.integers(0, len(hh) + 1)), replace=False))
        assert np.array_equal(in_sorted(hh, active), np.isin(hh, active))
        assert np.array_equal(in_sorted(keys, active), np.isin(keys, active))
