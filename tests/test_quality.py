"""The quality gates' suites (expectations/*.yml) and how a failure is attributed to its Stichtag."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from kernel.reference import gemeinden
from publication.quality import SuiteError, load_suites, run_quality_gates
from tests.conftest import make_settings

DAYS = [dt.date(2024, 12, 31), dt.date(2025, 12, 31)]


def test_every_suite_names_known_expectations_severities_and_parameters() -> None:
    import great_expectations as gx

    from publication.quality import _fill, parameters

    suites = load_suites()
    assert {s.name for s in suites if not s.table.startswith("raw/")} == {"kpi_values", "gemeinden", "summen",
                                                                          "veraenderung", "verlauf"}
    from sources.contract import load_contracts

    assert {s.table for s in suites if s.table.startswith("raw/")} == {f"raw/{c.source}/{c.table}"
                                                                       for c in load_contracts()}
    params = parameters()
    for suite in suites:
        for spec in suite.expectations:
            assert hasattr(gx.expectations, "".join(p.capitalize() for p in spec.type.split("_"))), spec.type
            for value in spec.kwargs.values():
                _fill(value, params)  # raises on an unknown ${parameter}


@pytest.mark.parametrize(("text", "message"), [
    ("suite: x\ntable: t\nexpectations:\n  - {type: expect_column_values_to_not_be_null, kwargs: {column: a}}\n",
     "severity must be one of"),
    ("suite: x\ntable: t\nexpectations:\n  - {type: not_an_expectation, severity: warning}\n",
     "type must name an expectation"),
    ("suite: x\nexpectations: []\n", "needs suite, table and expectations"),
])
def test_an_invalid_suite_is_a_clear_error_naming_the_file(tmp_path, text, message) -> None:
    (tmp_path / "kaputt.yml").write_text(text, encoding="utf-8")
    with pytest.raises(SuiteError, match=f"kaputt.yml.*{message}"):
        load_suites(tmp_path)


def _warehouse(negative_on: dt.date) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("create schema marts")
    con.execute("""create table marts.fct_kpi_werte (kpi_id varchar, gebiet_id varchar, gebiet_name varchar,
        gebiet_ebene varchar, stichtag date, value double, numerator double, denominator double, unit varchar,
        status varchar, bezugsdatum date, quelle varchar)""")
    con.execute("create table marts.dim_gebiete (gebiet_id varchar, gebiet_name varchar, gebiet_ebene varchar, "
                "uebergeordnet_id varchar)")
    for day in DAYS:
        for g in gemeinden():
            denominator = -5.0 if (day == negative_on and g.ags == "01056001") else 100.0
            con.execute("insert into marts.fct_kpi_werte values ('sgb2_quote', ?, ?, 'gemeinde', ?, 5, 5, ?, '%', "
                        "'ok', ?, 'intern')", [g.ags, g.name, day, denominator, day])
    return con


def test_a_failed_blocking_expectation_blocks_only_the_stichtag_it_fails_on(tmp_path) -> None:
    settings = make_settings(tmp_path)
    suites = [s for s in load_suites() if s.name == "kpi_values"]
    outcomes = run_quality_gates(_warehouse(negative_on=DAYS[1]), settings, DAYS, suites)
    failed = [o for o in outcomes if o.failing_days]
    assert [o.expectation for o in failed] == ["expect_column_values_to_be_between denominator"]
    assert failed[0].severity == "blocking" and failed[0].failing_days == {DAYS[1]}
    assert "01056001" in failed[0].detail
    assert failed[0].for_day(DAYS[0])["passed"] and not failed[0].for_day(DAYS[1])["passed"]
    overview = (settings.lake / "quality" / "index.html").read_text(encoding="utf-8")
    assert "BLOCKIERT" in overview and "https://" not in overview  # the offline entry page names the failure


def _planted(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """Violations of every kind of the publication suites, some on one Stichtag only: an unknown KPI id, a
    Kreis population that jumps, an Amt whose numerator is not the sum of its Gemeinden's, a value beyond its
    plausible range."""
    first_three = [g.ags for g in gemeinden()[:3]]
    for g in gemeinden():
        con.execute("insert into marts.dim_gebiete values (?, ?, 'gemeinde', ?)",
                    [g.ags, g.name, "AMT1" if g.ags in first_three else "KREIS"])
    con.execute("insert into marts.dim_gebiete values ('AMT1', 'Amt', 'amt', 'KREIS'), "
                "('KREIS', 'Kreis', 'kreis', null)")
    for day, einwohner, amt in ((DAYS[0], 1000.0, 15.0), (DAYS[1], 2000.0, 16.0)):
        con.execute("insert into marts.fct_kpi_werte values ('sgb2_quote', 'AMT1', 'Amt', 'amt', ?, 5, ?, 300, '%', "
                    "'ok', ?, 'intern')", [day, amt, day])
        con.execute("insert into marts.fct_kpi_werte values ('einwohner', 'KREIS', 'Kreis', 'kreis', ?, ?, ?, null, "
                    "'Personen', 'ok', ?, 'intern')", [day, einwohner, einwohner, day])
    con.execute("insert into marts.fct_kpi_werte values ('keine_kennzahl', '01056002', 'x', 'gemeinde', ?, 5, 5, "
                "100, '%', 'ok', ?, 'intern')", [DAYS[1], DAYS[1]])
    con.execute("update marts.fct_kpi_werte set value = 250 where kpi_id = 'sgb2_quote' and gebiet_id = '01056003' "
                "and stichtag = ?", [DAYS[0]])
    return con


def test_the_sql_gates_give_great_expectations_own_results_passing_and_failing(tmp_path) -> None:
    from publication.gx_docs import docs_index, validate_with_gx
    from publication.quality import publication_outcomes

    settings = make_settings(tmp_path)
    con = _planted(_warehouse(negative_on=DAYS[1]))
    sql = {(o.suite, o.expectation): o.failing_days for o in publication_outcomes(con, settings, DAYS)}
    gx = {(o.suite, o.expectation): o.failing_days for o in validate_with_gx(con, settings, DAYS)}
    assert sql == gx
    failed = {k for k, days in sql.items() if days}
    # each planted violation fails, on its own Stichtag where it has one
    assert sql[("kpi_values", "expect_column_values_to_be_in_set kpi_id")] == {DAYS[1]}
    assert sql[("kpi_values", "expect_column_values_to_be_between denominator")] == {DAYS[1]}
    assert sql[("summen", "expect_column_pair_values_to_be_equal zaehler = zaehler_summe_kinder")] == {DAYS[1]}
    assert sql[("verlauf", "expect_column_values_to_be_in_set ausserhalb")] == {DAYS[1]}
    assert any(s == "kpi_values" and "value wo kpi_id=sgb2_quote" in e for s, e in failed)
    assert len(failed) >= 6 and len(sql) - len(failed) >= 20  # and the rest passes in both engines
    assert docs_index(settings).exists()


def test_raw_suites_are_generated_from_the_source_contracts_and_current(tmp_path) -> None:
    from publication.quality import RAW_DIR, write_raw_suites
    from sources.contract import load_contracts

    written = write_raw_suites(tmp_path)
    assert len(written) == len(load_contracts())
    for path in written:
        assert (RAW_DIR / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{path.name} is stale: run `stichtag quality suites`")


def _raw_delivery(settings, name: str, geburtsjahr: int | None) -> None:
    from publication.quality import LINEAGE_COLUMNS
    from sources.contract import load_contracts

    contract = next(c for c in load_contracts() if (c.source, c.table) == ("jobcenter", "bestand"))
    targets = [t for c in contract.columns if c.rule != "drop" for t in c.target] + [d.target for d in contract.derived]
    values = {t: "x" for t in [*targets, *LINEAGE_COLUMNS]}
    values.update(geschlecht="w", rolle="ELB", alleinerziehend="N", aufstocker="J", gemeinde_ags="01056001",
                  geburtsmonat=5, geburtsjahr=geburtsjahr, lieferung_id=name)
    target = settings.raw / "jobcenter" / "bestand" / f"lieferung={name}" / "data.parquet"
    target.parent.mkdir(parents=True)
    columns = ", ".join(f"{v!r} as {k}" if v is not None else f"null::integer as {k}" for k, v in values.items())
    duckdb.execute(f"copy (select {columns}) to '{target}' (format parquet)")


def test_a_raw_delivery_is_validated_once_and_a_bad_one_blocks_until_it_is_fixed(tmp_path) -> None:
    from publication.quality import validated_path

    settings = make_settings(tmp_path)
    suites = [s for s in load_suites() if s.name == "raw__jobcenter__bestand"]
    _raw_delivery(settings, "JC_SGB2_BESTAND_202401", 1970)
    _raw_delivery(settings, "JC_SGB2_BESTAND_202402", None)  # a required column empty
    outcomes = run_quality_gates(_warehouse(negative_on=dt.date(1900, 1, 1)), settings, DAYS, suites)
    failed = [o for o in outcomes if o.failing_days]
    assert [o.expectation for o in failed] == ["expect_column_values_to_not_be_null geburtsjahr"]
    assert failed[0].failing_days == set(DAYS)  # a raw table blocks every Stichtag of the build
    assert "Lieferungen JC_SGB2_BESTAND_202402" in failed[0].detail
    assert not validated_path(settings).exists() or "JC_SGB2_BESTAND_202402" not in validated_path(settings).read_text()
    # the job centre replaces the delivery: validated, remembered, not validated again
    import shutil

    shutil.rmtree(settings.raw / "jobcenter" / "bestand" / "lieferung=JC_SGB2_BESTAND_202402")
    _raw_delivery(settings, "JC_SGB2_BESTAND_202402b", 1971)
    assert not any(o.failing_days for o in run_quality_gates(_warehouse(dt.date(1900, 1, 1)), settings, DAYS, suites))
    assert "JC_SGB2_BESTAND_202402b" in validated_path(settings).read_text()
    assert [o for o in run_quality_gates(_warehouse(dt.date(1900, 1, 1)), settings, DAYS, suites)] == []


def test_raw_gates_find_every_kind_of_violation_and_name_deliveries_never_values(tmp_path) -> None:
    from publication.raw_gates import UnsupportedExpectation, evaluate

    def delivery(name: str, select: str):
        folder = tmp_path / f"lieferung={name}"
        folder.mkdir()
        duckdb.execute(f"copy (select '{name}' as lieferung_id, {select}) to '{folder}/data.parquet' (format parquet)")
        return folder

    good = "'01056001' as gemeinde_ags, 'w' as geschlecht, 1970 as geburtsjahr"
    deliveries = {"GUT": delivery("GUT", good),
                  "FREMD": delivery("FREMD", "'99887766' as gemeinde_ags, 'w' as geschlecht, 1970 as geburtsjahr"),
                  "ALT": delivery("ALT", "'01056001' as gemeinde_ags, null as geschlecht, 1789 as geburtsjahr"),
                  "SCHMAL": delivery("SCHMAL", "'01056001' as gemeinde_ags, 'w' as geschlecht")}
    expectations = [
        ("expect_table_columns_to_match_set",
         {"column_set": ["lieferung_id", "gemeinde_ags", "geschlecht", "geburtsjahr"], "exact_match": True}),
        ("expect_column_values_to_not_be_null", {"column": "geschlecht"}),
        ("expect_column_values_to_be_in_set", {"column": "gemeinde_ags", "value_set": ["01056001", "01056002"]}),
        ("expect_column_values_to_be_between", {"column": "geburtsjahr", "min_value": 1900, "max_value": 2100}),
        ("expect_column_values_to_not_be_null", {"column": "geburtsjahr"}),  # SCHMAL has no such column
    ]
    results = evaluate(duckdb.connect(), deliveries, expectations)
    assert [r.passed for r in results] == [False, False, False, False, False]
    assert [r.detail.split("Lieferungen ")[1] for r in results] == ["SCHMAL", "ALT", "FREMD", "ALT", "SCHMAL"]
    assert not any(value in r.detail for r in results for value in ("99887766", "1789"))
    assert all(r.passed for r in evaluate(duckdb.connect(), {"GUT": deliveries["GUT"]}, expectations))
    empty_set = ("expect_column_values_to_be_in_set", {"column": "gemeinde_ags", "value_set": []})
    assert not evaluate(duckdb.connect(), {"GUT": deliveries["GUT"]}, [empty_set])[0].passed
    with pytest.raises(UnsupportedExpectation):  # an argument it cannot honour fails loudly, never passes
        evaluate(duckdb.connect(), deliveries, [("expect_column_values_to_not_be_null",
                                                 {"column": "geschlecht", "mostly": 0.9})])


def test_plausible_ranges_come_from_the_catalogue_and_block_an_absurd_value(tmp_path) -> None:
    """The 2099 build: a Kreis Durchschnittsalter of 117.7 years must stop the version."""
    from publication.quality import plausibility_specs

    specs = plausibility_specs()
    assert {s.where["kpi_id"] for s in specs} >= {"durchschnittsalter", "anteil_65plus", "einwohner"}
    settings = make_settings(tmp_path)
    con = _warehouse(negative_on=DAYS[0] - dt.timedelta(days=1))  # no negative denominator
    con.execute("insert into marts.fct_kpi_werte values ('durchschnittsalter', '01056', 'Kreis Pinneberg', "
                "'kreis', ?, 117.7, 1000, 8.5, 'Jahre', 'ok', ?, 'intern')", [DAYS[1], DAYS[1]])
    suites = [s for s in load_suites() if s.name == "kpi_values"]
    failed = [o for o in run_quality_gates(con, settings, DAYS, suites) if o.failing_days]
    assert failed and all(o.failing_days == {DAYS[1]} for o in failed)
    assert any(o.severity == "blocking" and "value" in o.expectation for o in failed)


def test_a_population_jump_between_stichtage_blocks_the_later_one(tmp_path) -> None:
    settings = make_settings(tmp_path)
    con = _warehouse(negative_on=DAYS[0] - dt.timedelta(days=1))
    days = [*DAYS, dt.date(2026, 1, 31)]
    for day, einwohner in zip(days, [320_000, 325_000, 640_000], strict=True):  # the third: a Bestand twice
        con.execute("insert into marts.fct_kpi_werte values ('einwohner', '01056', 'Kreis Pinneberg', 'kreis', "
                    "?, ?, ?, null, 'Personen', 'ok', ?, 'intern')", [day, einwohner, einwohner, day])
    suites = [s for s in load_suites() if s.name == "verlauf"]
    failed = [o for o in run_quality_gates(con, settings, days, suites) if o.failing_days]
    assert [o.failing_days for o in failed] == [{days[2]}]
    assert failed[0].severity == "blocking"


def test_the_population_course_is_each_kreis_own_so_a_land_of_many_kreise_passes_and_a_jump_in_one_fails(
        tmp_path) -> None:
    settings = make_settings(tmp_path)
    con = _warehouse(negative_on=DAYS[0] - dt.timedelta(days=1))
    days = [*DAYS, dt.date(2026, 1, 31)]
    # two Kreise of very different size, each steady: comparing one with the other would be a jump every day
    for gebiet, series in (("01056", [320_000, 321_000, 322_000]), ("01001", [90_000, 90_500, 180_000])):
        for day, einwohner in zip(days, series, strict=True):  # 01001's third: a Bestand twice
            con.execute("insert into marts.fct_kpi_werte values ('einwohner', ?, 'Kreis', 'kreis', ?, ?, ?, null, "
                        "'Personen', 'ok', ?, 'intern')", [gebiet, day, einwohner, einwohner, day])
    suites = [s for s in load_suites() if s.name == "verlauf"]
    failed = [o for o in run_quality_gates(con, settings, days, suites) if o.failing_days]
    assert [o.failing_days for o in failed] == [{days[2]}]
