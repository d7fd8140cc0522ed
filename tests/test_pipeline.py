"""End to end through Dagster, in process, on a small generated Kreis: inbox → lake → dbt → exports."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
from pathlib import Path

import duckdb
import msgpack
import polars as pl
import pytest

from generator.canaries import canary_birth_dates_iso, canary_strings
from kernel.catalogue import load_catalogue
from kernel.reference import gemeinden
from kernel.settings import DBT_PROJECT_DIR
from kernel.window import StichtagWindow
from orchestration.lib.execute import materialisation_metadata, run_stichtag_job
from publication.public_zone import public_path
from publication.publish import kpi_export_path
from publication.schema import EXPORT_COLUMNS
from sources.systems import conninfo
from tests.conftest import SMALL_AGS, TEST_KEY_HEX, make_settings
from tests.leaks import scan_for_leaks
from tests.replay import Replay, expected_kpis
from tests.replay_benefits import BenefitReplay
from warehouse.partial_parse import profile_hash

MONTH_ENDS = [dt.date(2015, 12, 31), dt.date(2016, 1, 31), dt.date(2016, 2, 29), dt.date(2016, 3, 31),
              dt.date(2016, 4, 30), dt.date(2016, 5, 31), dt.date(2016, 6, 30)]


@pytest.fixture(scope="module")
def built(small_kreis, tmp_path_factory):
    """One single-run backfill over the month ends of the small Kreis, from an un-ingested inbox."""
    settings = make_settings(tmp_path_factory.mktemp("pipeline"))
    shutil.copytree(small_kreis.inbox, settings.inbox)
    _plant_huerup_merger(settings.inbox)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STICHTAG_LAKE", str(settings.lake))
        mp.setenv("STICHTAG_INBOX", str(settings.inbox))
        mp.setenv("STICHTAG_PSEUDONYM_KEY", TEST_KEY_HEX)
        mp.setenv("STICHTAG_SYSTEMS", str(small_kreis.inbox.parent / "systems"))  # the SGB VIII database
        mp.delenv("DAGSTER_HOME", raising=False)
        result = run_stichtag_job(StichtagWindow(dt.date(2015, 12, 1), dt.date(2016, 6, 30), "monatsende"))
        assert result.success
        yield settings, result, mp


HUERUP = {"01059126": ("Hürup", 9), "01059141": ("Maasbüll", 5), "01059101": ("Tastrup", 3)}


def _plant_huerup_merger(inbox) -> None:
    """Births 2015 of the three Gemeinden that merged into Hürup on 1 March 2023, as the 2016 download of
    12612 published them (before the merger, under their old keys)."""
    header = ("statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
              "1_variable_attribute_code;1_variable_attribute_label;value;value_unit;value_variable_code;"
              "value_variable_label;value_q")
    lines = [f"12612;Statistik der Geburten;JAHR;Jahr;2015;GEMEIN;Gemeinden;{ags};{name};{n};Anzahl;BEV001;"
             f"Lebendgeborene;e" for ags, (name, n) in HUERUP.items()]
    path = inbox / "amtlich" / "12612-01-01-4_1454284800000_de_flat.csv"
    path.write_bytes(b"\xef\xbb\xbf" + ("\n".join([header, *lines]) + "\n").encode("utf-8"))
    ts = dt.datetime(2016, 2, 1, tzinfo=dt.UTC).timestamp()
    os.utime(path, (ts, ts))


def _areas() -> dict[str, list[str]]:
    members = {a: [a] for a in SMALL_AGS}
    for g in gemeinden():
        if g.ags in SMALL_AGS and g.amt_ars:
            members.setdefault(g.amt_ars, []).append(g.ags)
    members["01056"] = list(SMALL_AGS)
    return members


def test_kpis_equal_an_independent_replay_of_the_deliveries(built) -> None:
    settings, _, _ = built
    replay = Replay(settings.inbox)
    for day in (dt.date(2015, 12, 31), dt.date(2016, 2, 29), dt.date(2016, 6, 30)):
        got = {(k, g): (n, d) for k, g, n, d in duckdb.execute(
            f"select kpi_id, gebiet_id, numerator, denominator from read_parquet('{kpi_export_path(settings, day)}')"
        ).fetchall()}
        expected = expected_kpis(replay, day, _areas())
        for key, (num, den) in expected.items():
            assert got[key][0] == pytest.approx(num), (day, key)
            if den is None:
                assert got[key][1] is None
            else:
                assert got[key][1] == pytest.approx(den), (day, key)


def test_benefit_and_care_kpis_equal_an_independent_replay_of_the_deliveries(built, small_kreis) -> None:
    settings, _, _ = built
    with conninfo(small_kreis.inbox) as dsn:
        benefits = BenefitReplay(settings.inbox, dsn)
    replay = Replay(settings.inbox)
    checked = set()
    for day in (dt.date(2015, 12, 31), dt.date(2016, 3, 31), dt.date(2016, 6, 30)):
        got = {(k, g): (n, d) for k, g, n, d in duckdb.execute(
            f"select kpi_id, gebiet_id, numerator, denominator from read_parquet('{kpi_export_path(settings, day)}')"
        ).fetchall()}
        for key, (num, den) in benefits.kpis(replay, day, _areas()).items():
            assert got[key][0] == pytest.approx(num), (day, key)
            assert got[key][1] == (None if den is None else pytest.approx(den)), (day, key)
            checked.add(key[0])
            if key[1] == "01056" and den:
                assert num > 0 or key[0] in ("inobhutnahmen", "hlu", "eingliederungshilfe_35a"), (day, key)
    assert len(checked) == 23


def test_values_are_rates_of_summed_numerators_and_denominators(built) -> None:
    settings, _, _ = built
    path = kpi_export_path(settings, dt.date(2016, 6, 30))
    scales = {k.id: k.scale for k in load_catalogue().kpis}
    rows = duckdb.execute(f"""select kpi_id, gebiet_ebene, value, numerator, denominator, status
        from read_parquet('{path}') where gebiet_id in ('01056', '01056002') and value is not null""").fetchall()
    assert len(rows) > 60
    for kpi_id, _, value, num, den, status in rows:
        assert status in ("ok", "vorlaeufig"), (kpi_id, status)
        factor = scales[kpi_id]
        assert value == pytest.approx(num if den is None else num / den * factor), kpi_id


def test_single_run_backfill_publishes_every_month_end_once(built) -> None:
    settings, result, _ = built
    published = sorted(p.name for p in (settings.exports / "kpi_values").iterdir())
    assert published == [f"stichtag={d}" for d in MONTH_ENDS]
    build_steps = [e.step_key for e in result.all_events if e.event_type_value == "STEP_START"]
    assert build_steps.count("stichtag_dbt_models") == 1  # one dbt invocation for all month ends
    export = materialisation_metadata(result, ["exports", "kpi_values"])
    assert export["stichtage"] == [d.isoformat() for d in MONTH_ENDS]  # exactly the Stichtage built
    assert sorted(export["versions"]) == export["stichtage"]
    assert all(Path(v, "manifest.json").exists() for v in export["versions"].values())
    model = materialisation_metadata(result, ["marts", "fct_kpi_werte"])
    assert (model["erster_stichtag"], model["letzter_stichtag"], model["stichtage"]) == (
        "2015-12-31", "2016-06-30", len(MONTH_ENDS))


def test_export_has_the_documented_schema_one_row_per_kpi_area_and_stichtag(built) -> None:
    settings, _, _ = built
    path = kpi_export_path(settings, dt.date(2016, 1, 31))
    con = duckdb.connect()
    cols = [r[0] for r in con.execute(f"describe select * from read_parquet('{path}')").fetchall()]
    assert tuple(cols) == EXPORT_COLUMNS
    dupes = con.execute(f"""select count(*) - count(distinct (kpi_id, gebiet_id, stichtag))
                            from read_parquet('{path}')""").fetchone()[0]
    assert dupes == 0
    levels = {r[0] for r in con.execute(f"select distinct gebiet_ebene from read_parquet('{path}')").fetchall()}
    assert levels == {"gemeinde", "amt", "kreis", "land", "bund"}


def test_einwohner_match_the_simulations_ground_truth(built) -> None:
    from generator.population import population_on, simulate
    from tests.conftest import SMALL_CONFIG

    settings, _, _ = built
    sim = simulate(SMALL_CONFIG)
    day = dt.date(2016, 3, 31)
    truth = dict(zip([g.ags for g in sim.gemeinden], population_on(sim, day).tolist(), strict=True))
    got = dict(duckdb.execute(f"""select gebiet_id, value from read_parquet('{kpi_export_path(settings, day)}')
        where kpi_id = 'einwohner' and gebiet_ebene = 'gemeinde' and value > 0""").fetchall())
    assert got == truth


def test_no_canary_anywhere_in_the_lake_after_a_full_run(built) -> None:
    settings, _, _ = built
    assert scan_for_leaks(settings.lake, canary_strings(), canary_birth_dates_iso()) == []


def test_analysts_keep_reading_during_a_materialisation(built) -> None:
    settings, _, _ = built
    reader = duckdb.connect(str(settings.analytics_db), read_only=True)
    before = reader.execute("select count(*) from kpi_values").fetchone()[0]
    result = run_stichtag_job(StichtagWindow(dt.date(2016, 3, 15), dt.date(2016, 3, 15)))  # while the reader stays open
    assert result.success
    assert reader.execute("select count(*) from kpi_values").fetchone()[0] >= before
    reader.close()
    fresh = duckdb.connect(str(settings.analytics_db), read_only=True)
    days = [r[0] for r in fresh.execute("select distinct stichtag from kpi_values order by 1").fetchall()]
    assert dt.date(2016, 3, 15) in days and len(days) == len(MONTH_ENDS) + 1


def test_official_series_are_mapped_to_the_current_gebietsstand(built) -> None:
    settings, _, _ = built
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    rows = con.execute("""select gebiet_id, wert from intermediate.int_messwerte_amtlich
        where messgroesse = 'geburten_12m' and bezugsdatum = date '2015-12-31'
          and gebiet_id like '01059%'""").fetchall()
    assert rows == [("01059126", sum(n for _, n in HUERUP.values()))]  # Maasbüll and Tastrup count to Hürup


# the catalogue says which KPIs have Land and Bund rows (comparison: {land_bund: true}); the build must agree
COMPARED = {k.id for k in load_catalogue().kpis if k.compared}


def test_export_has_land_and_bund_rows_for_every_kpi_the_statistics_have(built) -> None:
    settings, _, _ = built
    path = kpi_export_path(settings, dt.date(2016, 6, 30))
    rows = duckdb.execute(f"""select gebiet_id, gebiet_ebene, kpi_id, bezugsdatum, quelle, status, value
        from read_parquet('{path}') where gebiet_ebene in ('land', 'bund')""").fetchall()
    for area in ("01", "DG"):
        assert {r[2] for r in rows if r[0] == area} == COMPARED, area
    assert {r[1] for r in rows} == {"land", "bund"} and {r[4] for r in rows} == {"amtlich"}
    # the reference date they really have: 31.12. for the population, 1 March for child care
    dates = {(r[0], r[2]): r[3] for r in rows}
    assert dates[("01", "einwohner")] == dt.date(2015, 12, 31)
    assert dates[("01", "betreuung_u3")] == dt.date(2016, 3, 1)
    shares = {(r[0], r[2]): r[6] for r in rows}
    assert 15 < shares[("01", "anteil_u18")] < 18 and 6 < shares[("DG", "alq")] < 7


def test_land_and_bund_rows_follow_the_official_definitions_where_they_differ(built) -> None:
    """Where the catalogue names the official definition, the Land and Bund rows are the published quotas
    (BA SGB II-Quote on RLB and the population under the Regelaltersgrenze, 22151's Grundsicherung quota,
    12411's mean age); a comparison by the KPI's own formula is that formula over the published counts."""
    from tests.replay_official import ffcsv_rows, sgb2_laender

    settings, _, _ = built
    day = dt.date(2016, 6, 30)
    got = {(k, g): (v, n, d, b, q) for k, g, v, n, d, b, q in duckdb.execute(
        f"""select kpi_id, gebiet_id, value, numerator, denominator, bezugsdatum, quelle
            from read_parquet('{kpi_export_path(settings, day)}')""").fetchall()}
    # the BA publishes SGB II after three months: on 30.06.2016 the newest is December 2015
    ba = sgb2_laender(settings.inbox)[dt.date(2015, 12, 31)]
    assert max(sgb2_laender(settings.inbox)) == dt.date(2015, 12, 31)
    grusi = {r["1_variable_attribute_code"]: float(r["value"].replace(",", "."))
             for r in ffcsv_rows(settings.inbox, "22151-01-02-4")
             if r["value_variable_code"] == "EGS004" and r["time"] == "2015-12-31"}
    mean_age = {r["1_variable_attribute_code"]: float(r["value"].replace(",", "."))
                for r in ffcsv_rows(settings.inbox, "12411-07-01-4") if r["time"] == "2015-12-31"}
    pop_u15 = {}
    for r in ffcsv_rows(settings.inbox, "12411-02-03-4"):
        if r["time"] == "2015-12-31" and r["3_variable_attribute_code"] in (
                "ALT000B03", "ALT003B06", "ALT006B10", "ALT010B15"):
            area = r["1_variable_attribute_code"]
            pop_u15[area] = pop_u15.get(area, 0) + float(r["value"])
    for area, key in (("01", "01"), ("DG", "D")):
        value, numerator, _, bezug, quelle = got[("sgb2_quote", area)]
        assert value == pytest.approx(ba[key]["SGB II-Quote"], abs=1e-9) and bezug == dt.date(2015, 12, 31)
        assert numerator == ba[key]["Regelleistungsberechtigte"] and quelle == "amtlich"
        assert got[("elb_quote", area)][0] == pytest.approx(ba[key]["ELB-Quote"], abs=1e-9)
        assert got[("altersarmut", area)][0] == pytest.approx(grusi["01" if area == "01" else "DG"], abs=1e-9)
        assert got[("durchschnittsalter", area)][0] == pytest.approx(mean_age[area], abs=1e-9)
        # the KPI's own formula over the published counts: persons in BG under 15 per population under 15
        assert got[("kinderarmut", area)][1:3] == pytest.approx(
            (ba[key]["Personen in BG unter 15 Jahren"], pop_u15[area]))
    # the own areas keep the internal definition (all persons in BG under 65, from the job centre)
    kreis = got[("sgb2_quote", "01056")]
    assert kreis[4] == "intern" and kreis[3] == day


def test_registry_and_official_population_are_reconciled_not_hidden(built) -> None:
    settings, _, _ = built
    path = kpi_export_path(settings, dt.date(2015, 12, 31))
    got = dict(duckdb.execute(f"""select kpi_id, value from read_parquet('{path}')
        where gebiet_id = '01056' and kpi_id in ('einwohner', 'einwohner_amtlich', 'einwohner_abweichung')""")
               .fetchall())
    assert got["einwohner"] != got["einwohner_amtlich"]
    assert got["einwohner_abweichung"] == pytest.approx(
        (got["einwohner"] - got["einwohner_amtlich"]) / got["einwohner_amtlich"] * 100)


def test_a_kpi_whose_input_is_not_published_is_marked_not_computed(built) -> None:
    settings, _, _ = built
    path = kpi_export_path(settings, dt.date(2016, 6, 30))
    rows = duckdb.execute(f"select kpi_id, gebiet_id, status, value from read_parquet('{path}')").fetchall()
    marked = [r for r in rows if r[2] in ("geheim", "unsicher", "nicht_sinnvoll", "noch_nicht_verfuegbar",
                                          "nicht_verfuegbar")]
    assert marked and all(r[3] is None for r in marked)
    alq = {r[1]: r[2] for r in rows if r[0] == "alq"}
    assert alq["01056025"] == "nicht_sinnvoll"  # the BA publishes no rate for a Gemeinde


def test_every_sgb2_cell_of_a_provisional_berichtsmonat_is_provisional(built) -> None:
    settings, _, _ = built
    path = kpi_export_path(settings, dt.date(2016, 6, 30))  # the newest Berichtsmonat: provisional
    kpis = [k.id for k in load_catalogue().kpis if any(t.measure.startswith("sgb2_") for t in k.numerator)]
    statuses = duckdb.execute(f"""select distinct status from read_parquet('{path}')
        where kpi_id in ({", ".join(f"'{k}'" for k in kpis)}) and gebiet_ebene in ('gemeinde', 'amt', 'kreis')
          and status <> 'nicht_berechenbar'""").fetchall()
    assert statuses == [("vorlaeufig",)]


def test_a_rate_over_a_zero_denominator_publishes_no_numerator(built) -> None:
    settings, _, _ = built
    path = kpi_export_path(settings, dt.date(2016, 6, 30))
    rows = duckdb.execute(f"""select kpi_id, gebiet_id, numerator, value, status from read_parquet('{path}')
        where denominator = 0""").fetchall()
    assert rows  # bev_entwicklung_5j: five years back is before the registry's first Bestand
    assert all(num is None and value is None and status == "nicht_berechenbar" for _, _, num, value, status in rows)


def test_social_index_is_the_weighted_mean_of_z_scores_from_the_catalogue(built) -> None:
    import statistics

    settings, _, _ = built
    day = dt.date(2016, 6, 30)
    index = load_catalogue().sozialindex
    weights = {i["kpi"]: i["gewicht"] for i in index["indikatoren"]}
    values = duckdb.execute(f"""select kpi_id, gebiet_id, value from read_parquet('{kpi_export_path(settings, day)}')
        where gebiet_ebene = 'gemeinde' and value is not null""").fetchall()
    by_kpi: dict[str, dict[str, float]] = {}
    for kpi_id, gebiet, value in values:
        if kpi_id in weights:
            by_kpi.setdefault(kpi_id, {})[gebiet] = value
    expected: dict[str, list[tuple[float, float]]] = {}
    for kpi_id, per_gemeinde in by_kpi.items():
        mean, sd = statistics.mean(per_gemeinde.values()), statistics.stdev(per_gemeinde.values())
        for gebiet, v in per_gemeinde.items():
            if sd > 0:
                expected.setdefault(gebiet, []).append(((v - mean) / sd, weights[kpi_id]))
    path = settings.exports / "sozialindex" / f"stichtag={day}" / "sozialindex.parquet"
    got = {g: (s, st, d) for g, s, st, d in duckdb.execute(
        f"select gebiet_id, statusindex, status, dynamikindex from read_parquet('{path}')").fetchall()}
    assert set(got) == set(expected) and len(got) == len(SMALL_AGS)
    bounds = index["status_klassen"]
    for gebiet, parts in expected.items():
        status_index = sum(z * w for z, w in parts) / sum(w for _, w in parts)
        assert got[gebiet][0] == pytest.approx(status_index)
        klass = next((k for k, b in bounds.items() if status_index <= b), "sehr niedrig")
        assert got[gebiet][1] == klass
        assert got[gebiet][2] is None  # no Stichtag three years earlier in this build


def test_a_kpi_added_to_a_catalogue_gets_every_treatment_without_code_changes(built, small_kreis, tmp_path) -> None:
    """One catalogue entry, no code: the mart, the comparison rows, the plausibility gate, cell suppression
    in the public zone, the formatting in the report and a page in the docs."""
    import yaml

    from kernel.catalogue import CATALOGUE_FILE
    from tests.conftest import run_cli

    settings, _, _ = built
    copy = make_settings(tmp_path)
    shutil.copytree(settings.lake, copy.lake)
    shutil.copytree(settings.inbox, copy.inbox)
    draft = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    draft["kpis"].append({"id": "anteil_frauen_80plus", "name": "Anteil Frauen unter den Hochbetagten",
                          "name_en": "Women among the very old", "handlungsfeld": "Demografie",
                          "definition": "Women aged 80 and over per 100 residents aged 80 and over.",
                          "numerator": [{"measure": "bevoelkerung", "age": [80, None], "sex": "w"}],
                          "denominator": [{"measure": "bevoelkerung", "age": [80, None]}],
                          "unit": "prozent", "sources": ["melderegister"], "plausible": [{"min": 0, "max": 100}],
                          "comparison": {"land_bund": True}})
    # a count with small cells in the villages: what suppression is for
    draft["kpis"].append({"id": "maenner_95plus", "name": "Männer ab 95 Jahren", "name_en": "Men aged 95 and over",
                          "handlungsfeld": "Demografie", "definition": "Male residents aged 95 and over.",
                          "numerator": [{"measure": "bevoelkerung", "age": [95, None], "sex": "m"}],
                          "unit": "anzahl", "sources": ["melderegister"]})
    # no centenarian draws SGB II: 0 everywhere, and provisional like every SGB II cell of the month
    draft["kpis"].append({"id": "sgb2_hundertjaehrige", "name": "SGB-II-Bezug ab 100 Jahren",
                          "name_en": "SGB II recipients aged 100 and over", "handlungsfeld": "Armut",
                          "definition": "SGB II recipients aged 100 and over per 1,000 residents.",
                          "numerator": [{"measure": "sgb2_personen", "age": [100, None]}],
                          "denominator": [{"measure": "bevoelkerung"}], "unit": "je_1000",
                          "sources": ["jobcenter", "melderegister"]})
    path = tmp_path / "kpis.yml"
    path.write_text(yaml.safe_dump(draft, allow_unicode=True, sort_keys=False), encoding="utf-8")
    env = {"STICHTAG_CATALOGUE": str(path), "STICHTAG_SYSTEMS": str(small_kreis.inbox.parent / "systems")}
    day = dt.date(2016, 6, 30)
    done = run_cli(copy, "materialise", "--stichtag", day.isoformat(), extra_env=env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    export = f"read_parquet('{kpi_export_path(copy, day)}')"
    rows = duckdb.execute(f"""select gebiet_id, value, numerator, denominator, gebiet_ebene from {export}
        where kpi_id = 'anteil_frauen_80plus'""").fetchall()
    assert len(rows) == len({r[0] for r in rows}) > len(SMALL_AGS)
    kreis = next(r for r in rows if r[0] == "01056")
    assert 0 < kreis[1] < 100 and kreis[1] == pytest.approx(kreis[2] / kreis[3] * 100)
    # comparison: the official statistics publish women and all aged 80+ for the Land and Germany
    assert {r[4] for r in rows if r[1] is not None} >= {"land", "bund"}
    zeros = duckdb.execute(f"""select distinct numerator, status from {export} where kpi_id = 'sgb2_hundertjaehrige'
        and gebiet_ebene in ('gemeinde', 'amt', 'kreis') and denominator > 0""").fetchall()
    assert zeros == [(0.0, "vorlaeufig")]
    # plausibility: the entry's range is a gate of the new version
    # the version built with the draft (the copied lake also holds the one of the committed catalogue)
    draft_sha = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest = next(m for m in (json.loads(f.read_text(encoding="utf-8")) for f in (
        copy.lake / "marts" / "kpi_values" / f"stichtag={day}").glob("datenstand=*/build=*/manifest.json"))
        if m["catalogue_sha256"] == draft_sha)
    gates = [c for c in manifest["checks"] if "kpi_id=anteil_frauen_80plus" in c["check"]]
    assert gates and all(c["passed"] and c["severity"] == "blocking" for c in gates)
    # suppression: every count of 1 … min_cell−1 is hidden in the public zone
    small = [g for g, n in duckdb.execute(f"""select gebiet_id, numerator from {export}
        where kpi_id = 'maenner_95plus' and gebiet_ebene = 'gemeinde'""").fetchall() if n is not None and 0 < n < 3]
    assert small, "the test needs a small cell: choose an age bound the villages have 1 or 2 of"
    public = dict(duckdb.execute(f"""select gebiet_id, status from read_parquet('{public_path(copy, day)}')
        where kpi_id = 'maenner_95plus' and value is null""").fetchall())
    assert all(public.get(g) == "gesperrt" for g in small)
    # formatting and docs: the unit's decimals in the report, a page of its own
    page = next((copy.lake / "report" / f"stichtag={day}").glob("datenstand=*/index.html")).read_text(encoding="utf-8")
    data = json.loads(page.split("const BERICHT = ", 1)[1].split(";</script>", 1)[0].replace("<\\/", "</"))
    kpi = next(k for k in data["kpis"] if k["id"] == "anteil_frauen_80plus")
    assert kpi["stellen"] == 1 and kpi["einheit"] == "%"
    doc = (copy.lake / "docs" / "kpis" / "anteil_frauen_80plus.md").read_text(encoding="utf-8")
    assert "Anteil Frauen unter den Hochbetagten" in doc and "0 … 100 % auf allen Ebenen: sperrt die Version" in doc


def test_labour_market_kpis_equal_an_independent_reading_of_the_ba_workbooks(built) -> None:
    from tests.replay import age
    from tests.replay_official import ba_tables, labour_kpis

    settings, _, _ = built
    tables, replay = ba_tables(settings.inbox), Replay(settings.inbox)
    for day in (dt.date(2015, 12, 31), dt.date(2016, 3, 31), dt.date(2016, 6, 30)):
        ages: dict[str, list[int]] = {}
        for s in replay.population(day).values():
            ages.setdefault(s.ags, []).append(age(s.birth, day))
        areas = {**{g: [g] for g in SMALL_AGS}, "01056": list(SMALL_AGS)}
        pop_15_64 = {a: sum(15 <= x <= 64 for g in m for x in ages.get(g, [])) for a, m in areas.items()}
        pop_15_24 = {a: sum(15 <= x <= 24 for g in m for x in ages.get(g, [])) for a, m in areas.items()}
        expected = labour_kpis(tables, day, pop_15_64, pop_15_24)
        got = {(k, g): (n, d) for k, g, n, d in duckdb.execute(
            f"select kpi_id, gebiet_id, numerator, denominator from read_parquet('{kpi_export_path(settings, day)}')"
        ).fetchall()}
        checked = 0
        for (kpi_id, area), (num, den) in expected.items():
            if area in areas or area in ("01", "D"):
                key = (kpi_id, "DG" if area == "D" else area)
                if kpi_id in ("al_anteil", "jugend_al_anteil") and area in ("01", "D"):
                    continue  # Land and Bund use the official population, checked elsewhere
                assert got[key][0] == pytest.approx(num), (day, key)
                assert got[key][1] == pytest.approx(den, rel=1e-9), (day, key)
                checked += 1
        assert checked >= 15


def test_housing_and_employment_kpis_equal_an_independent_reading_of_the_published_files(built) -> None:
    from tests.replay import age
    from tests.replay_official import ffcsv_values, svb_tables

    settings, _, _ = built
    space, dwellings = ffcsv_values(settings.inbox, "31231-02-01-5"), ffcsv_values(settings.inbox, "31121-01-02-5")
    svb, replay = svb_tables(settings.inbox), Replay(settings.inbox)
    areas = {**{g: [g] for g in SMALL_AGS}, "01056": list(SMALL_AGS)}
    checked = set()
    for day in (dt.date(2015, 12, 31), dt.date(2016, 6, 30)):
        ages: dict[str, list[int]] = {}
        for s in replay.population(day).values():
            ages.setdefault(s.ags, []).append(age(s.birth, day))
        pop = {a: sum(len(ages.get(g, [])) for g in m) for a, m in areas.items()}
        pop_15_64 = {a: sum(15 <= x <= 64 for g in m for x in ages.get(g, [])) for a, m in areas.items()}
        got = {(k, g): (n, d) for k, g, n, d in duckdb.execute(
            f"select kpi_id, gebiet_id, numerator, denominator from read_parquet('{kpi_export_path(settings, day)}')"
        ).fetchall()}
        newest = max(d for d in space if d <= day)
        jobs = svb[max(d for d in svb if d <= day)]
        for area in areas:
            expected = {"wohnflaeche": (space[newest][area] * 100, pop[area]),
                        "baufertigstellungen": (dwellings[newest][area], pop[area]),
                        "beschaeftigungsquote": (jobs[area][0], pop_15_64[area]),
                        "pendlersaldo": (jobs[area][1] - jobs[area][0], jobs[area][1])}
            if area != "01056":  # the Kreis's commuters cross its own border: in − out = work − home there too
                assert jobs[area][2] - jobs[area][3] == jobs[area][1] - jobs[area][0]
            for kpi_id, (num, den) in expected.items():
                assert got[(kpi_id, area)][0] == pytest.approx(num), (day, kpi_id, area)
                assert got[(kpi_id, area)][1] == pytest.approx(den), (day, kpi_id, area)
                checked.add(kpi_id)
    assert checked == {"wohnflaeche", "baufertigstellungen", "beschaeftigungsquote", "pendlersaldo"}


def _rows(path) -> list[dict]:
    result = duckdb.execute(f"select * from read_parquet('{path}')")
    names = [d[0] for d in result.description]
    return [dict(zip(names, r, strict=True)) for r in result.fetchall()]


def test_public_zone_hides_small_cells_and_passes_the_attack_audit(built) -> None:
    import json

    from publication.public_zone import audit_path, public_path, publish_all_public

    settings, _, _ = built
    # the Dagster job of another test may have published it already: start from no public zone
    shutil.rmtree(settings.lake / "public", ignore_errors=True)
    results = publish_all_public(settings)
    assert {r.stichtag for r in results} >= set(MONTH_ENDS)
    hidden_total = 0
    for day in MONTH_ENDS:
        report = json.loads(audit_path(settings, day).read_text(encoding="utf-8"))
        assert report["audit_passed"] and report["findings"] == []
        public, restricted = _rows(public_path(settings, day)), _rows(kpi_export_path(settings, day))
        assert [(r["kpi_id"], r["gebiet_id"]) for r in public] == [(r["kpi_id"], r["gebiet_id"]) for r in restricted]
        for pub, res in zip(public, restricted, strict=True):
            if pub["status"] == "gesperrt":
                hidden_total += 1  # a hidden side is NULL, the other is published as it is
                assert pub["value"] is None and None in (pub["numerator"], pub["denominator"])
                assert all(pub[side] in (None, res[side]) for side in ("numerator", "denominator"))
            else:
                assert pub == res  # everything else is published exactly
        assert report["suppressed_cells"] >= report["primary_cells"]
    assert hidden_total > 0
    assert publish_all_public(settings) == []  # up to date: nothing rewritten


def test_an_attack_with_every_relation_over_every_published_release_recovers_no_hidden_cell(built) -> None:
    from publication.disclosure import Hierarchy, attack
    from publication.public_zone import earlier_releases, public_path, publish_all_public, years_before_releases

    settings, _, _ = built
    publish_all_public(settings)
    catalogue, hierarchy = load_catalogue(), Hierarchy.of(gemeinden())
    con = duckdb.connect()
    for day in MONTH_ENDS:
        restricted, public = _rows(kpi_export_path(settings, day)), _rows(public_path(settings, day))
        sha = hashlib.sha256(kpi_export_path(settings, day).read_bytes()).hexdigest()
        earlier = earlier_releases(settings, day, con, sha)
        before = years_before_releases(settings, day, con, catalogue)
        assert attack(restricted, public, catalogue, hierarchy, earlier=earlier, years_before=before) == []


def test_primary_suppression_alone_fails_the_attack_and_zero_stays_zero(built) -> None:
    from publication.disclosure import Hierarchy, apply, attack, release
    from publication.disclosure.model import Atoms
    from publication.disclosure.rules import primary

    settings, _, _ = built
    catalogue, hierarchy = load_catalogue(), Hierarchy.of(gemeinden())
    failing = 0
    for day in MONTH_ENDS:
        restricted = _rows(kpi_export_path(settings, day))
        rules = primary(release(restricted, catalogue, Atoms(catalogue)), catalogue)
        assert rules and all(why in ("klein", "gruppe") for why in rules.values())
        primary_only = apply(restricted, rules, catalogue)
        failing += len(attack(restricted, primary_only, catalogue, hierarchy))
        for pub, res in zip(primary_only, restricted, strict=True):
            if pub["status"] == "gesperrt" and pub["numerator"] is None and res["denominator"] is None:
                assert 0 < (res["numerator"] or 0) < 3  # a count: primary hides 1 … k-1, never a zero
    assert failing > 0  # an attacker recovers cells by subtraction from totals, overlaps and balances


def test_suppression_is_deterministic(built, tmp_path) -> None:
    from publication.public_zone import public_path, publish_public

    settings, _, _ = built
    copy = make_settings(tmp_path)
    day = MONTH_ENDS[-1]
    shutil.copytree(settings.exports, copy.exports)
    publish_public(settings, day)
    publish_public(copy, day)
    assert public_path(settings, day).read_bytes() == public_path(copy, day).read_bytes()


def test_the_job_builds_the_report_with_exactly_the_public_values(built) -> None:
    from report.data import public_stichtage

    settings, _, _ = built
    newest = public_stichtage(settings)[-1]
    pages = sorted((settings.lake / "report" / f"stichtag={newest}").glob("datenstand=*/index.html"))
    assert len(pages) == 1
    page = pages[0].read_text(encoding="utf-8")
    data = json.loads(page.split("const BERICHT = ", 1)[1].split(";</script>", 1)[0].replace("<\\/", "</"))
    assert data["stichtage"] == ["2015-12-31", newest.isoformat()]  # the year ends and the report's Stichtag
    public = duckdb.execute(f"""select kpi_id, gebiet_id, value, status
        from read_parquet('{public_path(settings, newest)}')""").fetchall()
    shown = {(k, g): p[-1] for k, areas in data["werte"].items() for g, p in areas.items()}
    assert len(shown) == len(public)
    for kpi_id, gebiet_id, value, status in public:
        point = shown[(kpi_id, gebiet_id)]
        assert point[1] == ("" if status == "ok" else status)
        assert point[0] == (None if value is None else pytest.approx(float(value), abs=1e-6)), (kpi_id, gebiet_id)


def test_quality_gates_ran_every_suite_in_sql_and_wrote_the_overview(built) -> None:
    from publication.quality import overview_path, summary_path

    settings, _, _ = built
    summary = json.loads(summary_path(settings).read_text(encoding="utf-8"))
    suites = {r["suite"] for r in summary["ergebnisse"]}
    assert {"kpi_values", "gemeinden", "summen", "veraenderung"} <= suites
    # every raw table that has deliveries was validated (in this run or, once per delivery, an earlier one)
    validated = json.loads((settings.lake / "quality" / "rohlieferungen_geprueft.json").read_text(encoding="utf-8"))
    delivered = {f"raw/{d.parent.name}/{d.name}" for d in settings.raw.glob("*/*") if any(d.glob("lieferung=*"))}
    assert {t for t, ids in validated.items() if ids} == delivered
    assert all(r["bestanden"] for r in summary["ergebnisse"] if r["schwere"] == "blocking")
    assert overview_path(settings).exists()
    manifest = json.loads(next((settings.lake / "marts" / "kpi_values" / f"stichtag={MONTH_ENDS[-1]}")
                               .glob("datenstand=*/build=*/manifest.json")).read_text(encoding="utf-8"))
    assert sum(c.get("quelle") == "sql" for c in manifest["checks"]) >= 20


def test_quality_docs_runs_great_expectations_over_the_last_build_and_agrees_with_the_gates(built, capsys) -> None:
    """`stichtag quality docs`: Great Expectations over the last build's Stichtage writes its Data Docs and
    finds exactly the violations the SQL gates find on the same build."""
    from publication.gx_docs import docs_index
    from publication.publish import built_stichtage
    from publication.quality import publication_outcomes
    from stichtag.cli import main
    from warehouse.datenstand import read_build_info

    settings, _, _ = built
    assert main(["quality", "docs"]) == 0
    out = capsys.readouterr().out
    assert docs_index(settings).exists()
    info = read_build_info(settings)
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    days = built_stichtage(con, dt.date.fromisoformat(info.min_date), dt.date.fromisoformat(info.max_date))
    sql = publication_outcomes(con, settings, days)
    con.close()
    assert f"{len(sql)} Erwartungen über {len(days)} Stichtag(e)" in out
    assert f", {sum(bool(o.failing_days) for o in sql)} verletzt" in out


def _warehouse_copy(settings, tmp_path, monkeypatch):
    """The built warehouse and raw zone in a lake of its own, prepared for a dbt command by hand."""
    from warehouse.dbt import prepare_build

    for name in ("STICHTAG_LAKE", "STICHTAG_SCALE", "STICHTAG_REFERENZ_GEMEINDEN", "STICHTAG_REFERENZ_DIR"):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after the test; prepare_build sets them
    copy = make_settings(tmp_path)
    shutil.copytree(settings.lake / "raw", copy.lake / "raw")
    (copy.lake / "warehouse").mkdir(parents=True)
    shutil.copyfile(settings.warehouse, copy.warehouse)
    prepare_build(copy)
    return copy


def _dbt(lake: Path, target: Path, command: str, *args: str, **env: str) -> None:
    """`dbt <command> <args>` on a lake prepared by hand, with the project's dirs and `target`, in this process
    as the job runs it (a child would import dbt again: ≈ 3 s each); it must succeed (the failed nodes'
    messages in the assertion otherwise)."""
    from dbt.cli.main import dbtRunner

    from orchestration.defs.warehouse.resources import close_build_db

    with pytest.MonkeyPatch.context() as mp:
        for name, value in {"STICHTAG_LAKE": str(lake), **env}.items():
            mp.setenv(name, value)
        try:
            done = dbtRunner().invoke([command, "--quiet", *args, "--project-dir", str(DBT_PROJECT_DIR),
                                       "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(target),
                                       "--log-path", str(target), "--no-send-anonymous-usage-stats"])
        finally:
            close_build_db()  # dbt-duckdb keeps the database open in the process after a run
    failed = [f"{r.node.name}: {r.message}" for r in getattr(done.result, "results", None) or []
              if str(r.status) in ("error", "fail", "runtime error")]
    assert done.success, failed or repr(done.exception)


def test_the_dbt_unit_tests_pass_on_the_built_warehouse(built, tmp_path, monkeypatch) -> None:
    """Production builds skip dbt's unit tests (they prove logic on fixtures, not data): here they run, all of
    them, against a copy of the built warehouse (dbt takes the input columns' types from it)."""
    settings, _, _ = built
    copy = _warehouse_copy(settings, tmp_path, monkeypatch)
    shutil.copyfile(settings.warehouse.parent / "fenster.json", copy.warehouse.parent / "fenster.json")
    _dbt(copy.lake, tmp_path / "target", "test", "--select", "test_type:unit")
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    results = json.loads((tmp_path / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    assert {r["unique_id"] for r in results if r["status"] == "pass"} == set(manifest["unit_tests"])
    assert len(manifest["unit_tests"]) >= 9
    # and the production build of the fixture ran none of them
    built_results = json.loads((settings.lake / "warehouse" / "dbt-target" / "run_results.json").read_text())
    assert not [r for r in built_results["results"] if r["unique_id"].startswith("unit_test.")]


REGISTRY_INCREMENTAL = ("int_ereignisse_bereinigt", "int_meldezustaende", "int_wohnzeitraeume", "int_wanderungen",
                        "int_offene_enden")


def _dbt_run(settings, select: str, datenstand: str, *extra: str) -> list[dict]:
    """`dbt run` of `select` at a Datenstand on a lake prepared by hand, as the job runs it: the Datenstand in
    the lake's window file (not `--vars`, which would make dbt parse the project anew each time) and the
    lake's target seeded with the project's parse; its run results."""
    from warehouse.dbt import window_file, write_window
    from warehouse.partial_parse import FILE, seed_target

    write_window(settings, {**json.loads(window_file(settings).read_text(encoding="utf-8")), "datenstand": datenstand})
    target = settings.lake / "warehouse" / "dbt-target"
    seed_target(target, DBT_PROJECT_DIR / "target" / FILE, settings.lake)
    _dbt(settings.lake, target, "run", "--select", select, *extra)
    return json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]


def test_the_incremental_models_equal_a_full_build_for_any_datenstand(built, tmp_path, monkeypatch) -> None:
    """int_sgb2_endstand rewrites only the Berichtsmonate whose newest delivery changed, the registry chain
    only the persons whose deliveries changed: built incrementally for an earlier Datenstand over the full
    one (months to revert and drop; events, Stornos and persons to take away), then for the full one again,
    the SGB II table holds exactly each month's newest delivery within the Datenstand, computed here by
    hand, and the registry tables exactly the rows of a full build at that Datenstand."""
    settings, _, _ = built
    copy = _warehouse_copy(settings, tmp_path / "inkrementell", monkeypatch)
    shutil.copyfile(settings.warehouse.parent / "fenster.json", copy.warehouse.parent / "fenster.json")
    raw = f"read_parquet('{copy.raw}/jobcenter/bestand/*/*.parquet')"
    received = [r[0] for r in duckdb.execute(f"select distinct received_at from {raw} order by 1").fetchall()]
    registry = " ".join(("stg_melderegister__bestand", "stg_melderegister__ereignisse", "int_personenstaende",
                         *REGISTRY_INCREMENTAL))
    full: Path | None = None
    for cutoff in (received[len(received) // 2], received[-1]):
        datenstand = cutoff.astimezone(dt.UTC).replace(microsecond=0).isoformat()
        results = _dbt_run(copy, f"stg_jobcenter__bestand int_sgb2_endstand {registry}", datenstand)
        ran = {r["unique_id"].split(".")[-1]: r for r in results}
        for model in REGISTRY_INCREMENTAL:  # the incremental branch ran, not a full build
            assert "where geaendert_in = '" in ran[model]["compiled_code"], model
        con = duckdb.connect(str(copy.warehouse), read_only=True)
        table = "intermediate.int_sgb2_endstand"
        expected = f"""select berichtsmonat, gemeinde_ags, bg_pseudonym, jc_person_pseudonym, geburtsjahr, geburtsmonat,
                geschlecht, rolle, alleinerziehend = 'J', aufstocker = 'J', leistungsbeginn, leistungsende, lieferung_id
            from {raw} where received_at <= timestamptz '{datenstand}'
            qualify received_at = max(received_at) over (partition by berichtsmonat)"""
        actual = f"""select berichtsmonat, gemeinde_ags, bg_pseudonym, jc_person_pseudonym, geburtsjahr, geburtsmonat,
                geschlecht, rolle, alleinerziehend, aufstocker, leistungsbeginn, leistungsende, lieferung_id
            from {table}"""
        assert con.execute(f"select count(*) from ({expected})").fetchone()[0] > 1000
        for a, b in ((expected, actual), (actual, expected)):
            assert con.execute(f"select count(*) from ({a} except all {b})").fetchone()[0] == 0, datenstand
        con.close()
        if cutoff == received[-1]:
            full = settings.warehouse  # the fixture's own build: the first, so a full one, at the newest Datenstand
        else:
            reference = _warehouse_copy(settings, tmp_path / "voll", monkeypatch)
            shutil.copyfile(settings.warehouse.parent / "fenster.json", reference.warehouse.parent / "fenster.json")
            _dbt_run(reference, registry, datenstand, "--full-refresh")
            full = reference.warehouse
        con = duckdb.connect()
        con.execute(f"attach '{copy.warehouse}' as inkrementell (read_only)")
        con.execute(f"attach '{full}' as voll (read_only)")
        for model in (*REGISTRY_INCREMENTAL, "int_personenstaende"):
            a, b = f"inkrementell.intermediate.{model}", f"voll.intermediate.{model}"
            if model == "int_personenstaende":  # the numbers; which build changed them differs by design
                a, b = (f"(select person_hash, personenstand from {t} where personenstand is not null)" for t in (a, b))
            if model != "int_offene_enden":  # the small Kreis's registry has none; the others must not be empty
                assert con.execute(f"select count(*) from {b}").fetchone()[0] > 100, model
            for x, y in ((a, b), (b, a)):
                assert con.execute(f"select count(*) from (from {x} except all from {y})").fetchone()[0] == 0, \
                    (model, datenstand)
        if cutoff != received[-1]:  # the earlier Datenstand changed some persons, not every one
            con.execute(f"attach '{settings.warehouse}' as neueste (read_only)")
            changed, persons = con.execute("""select count(*) filter (where n.personenstand is distinct from
                    v.personenstand), count(*)
                from neueste.intermediate.int_personenstaende as n
                full join voll.intermediate.int_personenstaende as v using (person_hash)""").fetchone()
            assert 0 < changed < persons / 2
        con.close()


def test_households_built_in_parts_are_the_same_rows(built, tmp_path, monkeypatch) -> None:
    """At Land scale int_haushaltszustaende is built in parts (one statement each, to bound memory): the
    parts together are exactly the rows of one statement."""
    from warehouse.dbt import dbt_vars

    settings, _, _ = built
    copy = _warehouse_copy(settings, tmp_path, monkeypatch)
    variables = json.dumps(dbt_vars(dt.date(2016, 6, 30), dt.date(2016, 7, 1)))
    _dbt(copy.lake, tmp_path / "target", "run", "--select", "int_haushaltszustaende", "--vars", variables,
         STICHTAG_HAUSHALT_TEILE="3")
    con = duckdb.connect()
    con.execute(f"attach '{settings.warehouse}' as ganz (read_only)")
    con.execute(f"attach '{copy.warehouse}' as teile (read_only)")
    whole, parts = "ganz.intermediate.int_haushaltszustaende", "teile.intermediate.int_haushaltszustaende"
    assert con.execute(f"select count(*) from {whole}").fetchall()[0][0] > 1000
    for a, b in ((whole, parts), (parts, whole)):
        missing = con.execute(f"select count(*) from (select * from {a} except all select * from {b})").fetchall()
        assert missing == [(0,)]


# Runs last in this module: it ingests a bad delivery into the module's lake.
def test_a_revised_delivery_missing_a_gemeinde_is_blocked_and_rechecked_only_once_its_version_is_removed(
        built, monkeypatch) -> None:
    """The blocked version is the record of its inputs: a run with a corrected gate leaves it as it is, and
    `stichtag versions prune --gescheiterte` removes it (and nothing else) so the next run checks it again."""
    from publication.public_zone import publish_all_public
    from publication.versions import read_latest

    settings, _, _ = built
    day = MONTH_ENDS[-1]
    publish_all_public(settings)
    before = {p: p.read_bytes() for p in (public_path(settings, day), kpi_export_path(settings, day))}
    latest_before = read_latest(settings, day)
    # the job centre re-delivers Berichtsmonat 2016-06 — without Appen's Bedarfsgemeinschaften
    original = settings.inbox / "jobcenter" / "JC_SGB2_BESTAND_201606.csv"
    source = original.read_text(encoding="utf-8-sig")
    header, *lines = source.splitlines()
    june = [line for line in lines if line.startswith("201606;")]
    kept = [line for line in june if ";01056001;" not in line]
    assert len(june) - len(kept) >= 20
    planted = settings.inbox / "jobcenter" / "JC_SGB2_BESTAND_201607.csv"
    planted.write_text("\n".join([header, *kept]) + "\n", encoding="utf-8-sig")
    ts = original.stat().st_mtime + 86_400  # a day after the original delivery
    os.utime(planted, (ts, ts))

    result = run_stichtag_job(StichtagWindow(day, day))
    assert not result.success
    evaluations = [e for e in result.get_asset_check_evaluations() if e.check_name == "qualitaetspruefungen"]
    assert evaluations and not evaluations[0].passed
    assert read_latest(settings, day) == latest_before
    assert {p: p.read_bytes() for p in before} == before  # export and public zone unchanged
    versions = settings.lake / "marts" / "kpi_values" / f"stichtag={day}"
    manifests = [json.loads(m.read_text(encoding="utf-8")) for m in versions.glob("datenstand=*/build=*/manifest.json")]
    blocked = [m for m in manifests if not m["checks_passed"]]  # written, kept for review, not latest
    assert len(blocked) == 1 and blocked[0]["build"] != latest_before["build"]
    failed = [c for c in blocked[0]["checks"] if not c["passed"] and c.get("severity", "blocking") == "blocking"]
    assert any("verschwunden" in c["check"] and "01056001" in c["detail"] for c in failed)

    # the gate corrected (here: Appen's drop judged a real change, so a higher threshold), the same inputs
    # published again from the same build: the existing version keeps its record, nothing switches
    import publication.quality
    from publication.publish import publish_kpi_values
    from publication.versions import prune

    monkeypatch.setattr(publication.quality, "VANISHED_FROM", 10_000)
    again = publish_kpi_values(settings, day, day + dt.timedelta(days=1), raise_on_failure=False)
    assert [(p.created, p.checks_passed) for p in again] == [(False, False)]
    assert read_latest(settings, day) == latest_before
    others = {m for m in versions.glob("datenstand=*/build=*") if m.name != f"build={blocked[0]['build']}"}
    assert prune(settings, keep=None, failed=True) == [again[0].path]
    assert set(versions.glob("datenstand=*/build=*")) == others and read_latest(settings, day) == latest_before
    rechecked = publish_kpi_values(settings, day, day + dt.timedelta(days=1))
    assert [(p.created, p.checks_passed, p.latest) for p in rechecked] == [(True, True, True)]
    assert rechecked[0].path.name == f"build={blocked[0]['build']}"  # the same inputs: the same version
    assert read_latest(settings, day)["datenstand"] == blocked[0]["datenstand"]


def test_a_new_lakes_first_build_parses_nothing_again(built) -> None:
    """The lake's first dbt invocation started from the project's parse, re-keyed to this lake: dbt took it
    (no file re-parsed) and keys this lake's connection exactly as warehouse/partial_parse computes it."""
    settings = built[0]
    target = settings.lake / "warehouse" / "dbt-target"
    events = [json.loads(line) for line in (target / "dbt.log").read_text().splitlines() if line.startswith("{")]
    first = next(e for e in events if e["info"]["name"] in ("PartialParsingEnabled", "UnableToPartialParse"))
    assert first["info"]["name"] == "PartialParsingEnabled", first["info"]["msg"]
    assert first["data"] == {"added": 0, "changed": 0, "deleted": 0}
    parse = msgpack.unpackb((target / "partial_parse.msgpack").read_bytes(), strict_map_key=False)
    assert parse["state_check"]["profile_hash"]["checksum"] == profile_hash(str(settings.lake), "2GB")


def test_every_model_and_each_of_its_columns_is_documented(built) -> None:
    from orchestration.defs.warehouse.resources import dbt_project

    settings, _, _ = built
    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    docs = {n["name"]: n for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    built_columns = con.execute("""select table_name, list(column_name order by ordinal_position)
        from information_schema.columns where table_schema in ('staging', 'intermediate', 'marts') group by all""")\
        .fetchall()
    con.close()
    assert len(built_columns) >= 40
    for table, columns in built_columns:
        node = docs[table]
        assert node["description"].strip(), table
        assert [c for c in columns if not node["columns"].get(c, {}).get("description", "").strip()] == [], table
        assert set(node["columns"]) <= set(columns), f"{table}: documented columns that the model does not have"


def test_the_export_contract_is_enforced_in_the_warehouse_key_not_null_and_status(built, tmp_path) -> None:
    settings, _, _ = built
    copy = tmp_path / "build.duckdb"
    shutil.copyfile(settings.warehouse, copy)
    con = duckdb.connect(str(copy))
    kinds = {r[0] for r in con.execute("""select constraint_type from duckdb_constraints()
        where schema_name = 'marts' and table_name = 'fct_kpi_werte'""").fetchall()}
    assert {"PRIMARY KEY", "NOT NULL"} <= kinds
    row = con.execute("select * from marts.fct_kpi_werte limit 1").fetchone()
    with pytest.raises(duckdb.ConstraintException):  # the same (kpi_id, gebiet_id, stichtag) twice
        con.execute("insert into marts.fct_kpi_werte select * from marts.fct_kpi_werte limit 1")
    with pytest.raises(duckdb.ConstraintException):
        con.execute("insert into marts.fct_kpi_werte select * replace (null as status, date '1900-01-01' as stichtag)"
                    " from marts.fct_kpi_werte limit 1")
    assert row is not None
    con.close()
    from orchestration.defs.warehouse.resources import dbt_project

    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    tests = {(n["test_metadata"]["name"], n.get("column_name")) for n in manifest["nodes"].values()
             if n["resource_type"] == "test" and n.get("attached_node") == "model.stichtag.fct_kpi_werte"}
    assert {("accepted_values", "status"), ("accepted_values", "gebiet_ebene"), ("accepted_values", "quelle")} <= tests


def test_the_job_writes_a_forecast_from_the_base_stichtag_apart_from_the_observed_series(built) -> None:
    from prognose.ergebnis import RUNDUNG, basis_dir, version_dir

    settings, result, _ = built
    meta = materialisation_metadata(result, ["prognose", "bevoelkerung"])
    basis = dt.date(2015, 12, 31)  # the window ends 30.6.2016: its base is the 31.12. before
    assert meta["basis_stichtag"] == basis.isoformat() and meta["neu"]
    check = next(e for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"
                 and e.event_specific_data.check_name == "bilanzgleichung")
    assert check.event_specific_data.passed
    version = version_dir(settings, basis, meta["datenstand"])
    internal = pl.read_parquet(version / "prognose.parquet")
    assert set(internal["produkt"]) == {"Vorausberechnung"}
    assert set(internal["variante"]) == {"basis", "hoch", "niedrig"}
    assert internal["stichtag"].min() == dt.date(2016, 12, 31) and internal["stichtag"].max() == dt.date(2040, 12, 31)
    assert {"einwohner", "anteil_65plus", "durchschnittsalter", "bev_u3", "bev_6_bis_u10", "bev_80plus"} <= set(
        internal["merkmal"])
    assert "anteil_auslaender" not in set(internal["merkmal"])  # a projection has no citizenship
    # never mixed into the observed KPI series: other files, and no Stichtag after the window there
    exported = duckdb.execute(f"select max(stichtag) from '{settings.exports}/kpi_values/*/*.parquet'").fetchone()[0]
    assert exported == dt.date(2016, 6, 30)
    public = pl.read_parquet(basis_dir(settings, "public", basis) / "prognose.parquet")
    counts = public.filter(public["unit"] == "anzahl")
    assert (counts["value"] % RUNDUNG == 0).all() and counts.height == internal.filter(
        internal["unit"] == "anzahl").height
    quotas = public.filter(public["unit"] != "anzahl")
    assert quotas.filter(quotas["status"] == "gesperrt")["value"].is_null().all()
    manifest = json.loads((basis_dir(settings, "public", basis) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["datenstand"] == meta["datenstand"] and "eingaben" not in manifest  # no delivery hashes out


def test_the_forecast_starts_from_the_published_population_and_is_byte_reproducible(built) -> None:
    from prognose.annahmen import load_annahmen
    from prognose.eingaben import read_basisdaten
    from prognose.rechnen import run_prognose

    settings, _, _ = built
    basis = dt.date(2015, 12, 31)
    data = read_basisdaten(settings.warehouse, basis, load_annahmen().basisjahre)
    assert data.jahre == (2015,)  # the registry's changes start in January 2015: one whole base year
    published = dict(duckdb.execute(f"""select gebiet_id, value from '{kpi_export_path(settings, basis)}'
        where kpi_id = 'einwohner' and gebiet_ebene = 'gemeinde'""").fetchall())
    for ags in SMALL_AGS:
        assert data.bestand[-1, data.gemeinden.index(ags)].sum() == pytest.approx(published[ags])
    again = run_prognose(settings, basis)
    assert not again.created  # the same inputs: the version stands
    before = (again.path / "prognose.parquet").read_bytes()
    shutil.rmtree(again.path)
    rebuilt = run_prognose(settings, basis)
    assert rebuilt.created and (rebuilt.path / "prognose.parquet").read_bytes() == before


def test_the_public_sozialindex_has_classes_only_and_none_where_an_input_is_hidden(built) -> None:
    from publication.public_sozialindex import COLUMNS, public_sozialindex_path

    settings, _, _ = built
    inputs = [i["kpi"] for i in load_catalogue().sozialindex["indikatoren"]]
    day = MONTH_ENDS[-1]
    public = pl.read_parquet(public_sozialindex_path(settings, day))
    assert tuple(public.columns) == COLUMNS  # no statusindex or dynamikindex: their values would leak
    cells = pl.read_parquet(public_path(settings, day)).filter(pl.col("kpi_id").is_in(inputs)
                                                                & (pl.col("gebiet_ebene") == "gemeinde"))
    hidden = set(cells.filter(pl.col("value").is_null() | (pl.col("status") == "gesperrt"))["gebiet_id"])
    assert set(public.filter(pl.col("veroeffentlicht") == "gesperrt")["gebiet_id"]) == hidden & set(public["gebiet_id"])
    assert public.filter(pl.col("veroeffentlicht") == "gesperrt")["status"].is_null().all()
    restricted = pl.read_parquet(settings.exports / "sozialindex" / f"stichtag={day}" / "sozialindex.parquet")
    shown = public.filter(pl.col("veroeffentlicht") == "ok").join(restricted, on="gebiet_id", suffix="_intern")
    assert (shown["status"] == shown["status_intern"]).all()  # a published class is the mart's own
