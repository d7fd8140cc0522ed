"""The digital social report (report/), opened from disk in a real headless Chromium.

The public zone here is synthetic but has the export's schema and every case the page must draw: 49
Gemeinden, the Kreis, Land and Bund, suppressed cells, a suppressed year in a series, and an official
comparison value with its own reference date."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil

import duckdb
import pyarrow as pa
import pytest

from kernel.catalogue import load_catalogue
from kernel.files import atomic_write_text
from kernel.reference import gemeinden
from kernel.settings import PROJECT_ROOT
from publication.public_zone import public_path
from publication.versions import latest_pointer
from report.build import build_report
from report.data import ReportError
from report.geometry import ATTRIBUTION, map_geometry
from tests.conftest import make_settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTEFACTS = PROJECT_ROOT / "test-artifacts"
DAYS = [dt.date(y, 12, 31) for y in range(2015, 2026)] + [dt.date(2026, 10, 31)]
MONTH_END = dt.date(2026, 9, 30)  # published too, but no year end: not in the series
KPI, GEMEINDE = "sgb2_quote", "01056039"  # Pinneberg
SUPPRESSED_NOW = {"01056025", "01056011"}  # Helgoland and Bullenkuhlen (392 residents)
SUPPRESSED_YEAR = dt.date(2018, 12, 31)  # Pinneberg's SGB II-Quote hidden in that year
DATENSTAND = "20261105T060000Z"
COUNT = "einwohner"
SCALE = {"gemeinde": 5_000, "amt": 12_000, "kreis": 320_000, "land": 2_950_000, "bund": 83_500_000}


AEMTER = sorted({(g.amt_ars, f"Amt {g.amt_name}", "amt") for g in gemeinden() if g.amt_ars})


def _value(kpi: str, area: str, day: dt.date) -> float:
    h = int(hashlib.sha256(f"{kpi}|{area}|{day}".encode()).hexdigest()[:8], 16)
    return round(2 + (h % 10_000) / 1000 + (day.year - 2015) * 0.1, 4)


def _rows(day: dt.date) -> list[tuple]:
    catalogue = load_catalogue()
    areas = [(g.ags, g.name, "gemeinde") for g in gemeinden()] + AEMTER + [("01056", "Kreis Pinneberg", "kreis"),
                                                                  ("01", "Schleswig-Holstein", "land"),
                                                                  ("DG", "Deutschland", "bund")]
    rows = []
    for k in catalogue.kpis:
        for ags, name, level in areas:
            status, value, bezug = "ok", _value(k.id, ags, day), day
            if k.id == COUNT:  # residents at their real scale: a Gemeinde's thousands against Germany's millions
                value = round(SCALE[level] * value / 5)
            if level in ("land", "bund"):
                if not k.compared:
                    continue
                bezug = dt.date(day.year, 6, 30) if day.month == 12 else dt.date(day.year, 9, 30)
            if k.id == KPI and ((day == DAYS[-1] and ags in SUPPRESSED_NOW) or (day == SUPPRESSED_YEAR
                                                                                and ags == GEMEINDE)):
                status, value = "gesperrt", None
            rows.append((k.id, ags, name, level, day, value, None if value is None else 10.0,
                         None if value is None else 100.0, k.unit_label, status, bezug,
                         "amtlich" if level in ("land", "bund") else "intern"))
    return rows


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[tuple]) -> None:
    """Rows into a typed table in one statement: `executemany` runs one per row (28 s for this module's data)."""
    columns = [c[0] for c in con.execute(f"describe {table}").fetchall()]
    data = pa.table({c: [row[i] for row in rows] for i, c in enumerate(columns)})  # noqa: F841 (read by name)
    con.execute(f"insert into {table} select * from data")


def _publish(settings, day: dt.date) -> None:
    con = duckdb.connect()
    con.execute("""create table t (kpi_id varchar, gebiet_id varchar, gebiet_name varchar, gebiet_ebene varchar,
        stichtag date, value double, numerator double, denominator double, unit varchar, status varchar,
        bezugsdatum date, quelle varchar)""")
    _insert(con, "t", _rows(day))
    target = public_path(settings, day)
    target.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"copy t to '{target}' (format parquet)")
    con.close()


FORECAST_BASIS = dt.date(2025, 12, 31)
VARIANTS = {"basis": ("Basisvariante", 1.0), "hoch": ("Hohe Zuwanderung", 1.05),
            "niedrig": ("Niedrige Zuwanderung", 0.95)}
WITHHELD = ("anteil_80plus", "01056025")  # Helgoland's share of over-80s: a quota over too few projected persons


def _publish_forecast(settings) -> None:
    """A public forecast with the product's schema: counts rounded to 10, one withheld quota."""
    from prognose.ergebnis import COLUMNS, basis_dir

    areas = [(g.ags, g.name, "gemeinde") for g in gemeinden()] + [("01056", "Kreis Pinneberg", "kreis")]
    rows = []
    for variant, (vname, factor) in VARIANTS.items():
        for ags, name, level in areas:
            for year in range(2026, 2041):
                grow = factor ** (year - 2025)
                for merkmal, mname, art, unit, value in (
                        ("einwohner", "Einwohner", "kpi", "anzahl", SCALE[level] * grow),
                        ("bev_u3", "Einwohner unter 3 Jahre", "altersgruppe", "anzahl", SCALE[level] * 0.03 * grow),
                        ("anteil_80plus", "Anteil 80+", "kpi", "prozent", 7.0 + (year - 2025) * 0.1)):
                    status = "ok"
                    value = round(value / 10) * 10 if unit == "anzahl" else value
                    if (merkmal, ags) == WITHHELD:
                        status, value = "gesperrt", None
                    rows.append(("Vorausberechnung", FORECAST_BASIS, DATENSTAND, variant, vname,
                                 dt.date(year, 12, 31), ags, name, level, merkmal, mname, art, value, unit, status))
    con = duckdb.connect()
    con.execute(f"create table t ({', '.join(f'{c} varchar' for c in COLUMNS)})")
    _insert(con, "t", rows)
    target = basis_dir(settings, "public", FORECAST_BASIS) / "prognose.parquet"
    target.parent.mkdir(parents=True)
    con.execute(f"""copy (select * replace (basis_stichtag::date as basis_stichtag, stichtag::date as stichtag,
        value::double as value) from t) to '{target}' (format parquet)""")
    con.close()


SI_CLASSES = ("hoch", "mittel", "niedrig", "sehr niedrig")


def _publish_sozialindex(settings) -> None:
    """Public Sozialindex classes of the report's Stichtag (classes only); the suppressed Gemeinden gesperrt."""
    from publication.public_sozialindex import public_sozialindex_path

    target = public_sozialindex_path(settings, DAYS[-1])
    target.parent.mkdir(parents=True)
    con = duckdb.connect()
    rows = [(DAYS[-1], g.ags, g.name, None if g.ags in SUPPRESSED_NOW else SI_CLASSES[i % 4],
             None if g.ags in SUPPRESSED_NOW else "stabil", 6, "gesperrt" if g.ags in SUPPRESSED_NOW else "ok")
            for i, g in enumerate(gemeinden())]
    con.execute("""create table s (stichtag date, gebiet_id varchar, gebiet_name varchar, status varchar,
        dynamik varchar, indikatoren bigint, veroeffentlicht varchar)""")
    _insert(con, "s", rows)
    con.execute(f"copy s to '{target}' (format parquet)")
    con.close()


@pytest.fixture(scope="module")
def public_zone(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("report"))
    for day in [*DAYS, MONTH_END]:
        _publish(settings, day)
    _publish_forecast(settings)
    _publish_sozialindex(settings)
    atomic_write_text(latest_pointer(settings, DAYS[-1]), json.dumps(
        {"stichtag": DAYS[-1].isoformat(), "datenstand": DATENSTAND, "build": "f" * 64}))
    return settings


@pytest.fixture(scope="module")
def report(public_zone):
    return build_report(public_zone)


def test_report_is_built_from_the_public_zone_alone_per_stichtag_and_datenstand(public_zone, report) -> None:
    assert not public_zone.exports.exists()  # nothing restricted to read
    assert report.path == (public_zone.lake / "report" / f"stichtag={DAYS[-1]}" / f"datenstand={DATENSTAND}"
                           / "index.html")
    assert report.series_points == len(DAYS) and report.gemeinden == 49 and report.kpis == len(load_catalogue().kpis)
    index = (public_zone.lake / "report" / "index.html").read_text(encoding="utf-8")
    assert report.path.relative_to(public_zone.lake / "report").as_posix() in index


def test_rebuilding_the_same_public_data_gives_the_same_bytes(public_zone, report, tmp_path) -> None:
    copy = make_settings(tmp_path)
    shutil.copytree(public_zone.lake / "public", copy.lake / "public")
    first = build_report(copy)
    before = {p.relative_to(first.path.parent): p.read_bytes() for p in first.path.parent.rglob("*") if p.is_file()}
    shutil.rmtree(first.path.parent)  # built again from nothing
    again = build_report(copy)
    assert {p.relative_to(again.path.parent): p.read_bytes() for p in again.path.parent.rglob("*")
            if p.is_file()} == before


def test_a_report_of_unchanged_inputs_is_not_rebuilt_and_a_changed_input_rebuilds_it(public_zone, tmp_path) -> None:
    copy = make_settings(tmp_path)
    shutil.copytree(public_zone.lake / "public", copy.lake / "public")
    first = build_report(copy)
    stamp, page = first.path.stat().st_mtime_ns, first.path.read_text(encoding="utf-8")
    assert build_report(copy).path.stat().st_mtime_ns == stamp  # the same inputs: nothing written
    from publication.public_sozialindex import public_sozialindex_path

    index = public_sozialindex_path(copy, DAYS[-1])
    con = duckdb.connect()
    con.execute(f"copy (select * replace ('hoch' as status) from '{index}') to '{index}.neu' (format parquet)")
    con.close()
    index.with_name(index.name + ".neu").replace(index)  # a new public Sozialindex
    rebuilt = build_report(copy)
    text = rebuilt.path.read_text(encoding="utf-8")
    assert rebuilt.path.stat().st_mtime_ns != stamp and text.count('["hoch"') > page.count('["hoch"')


def test_download_files_hold_the_public_values_of_every_chart(public_zone, report) -> None:
    with (report.path.parent / "daten" / "kpi" / f"{KPI}.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert len(rows) == len(DAYS) * (49 + len(AEMTER) + 3)
    now = {r["gebiet_id"]: r for r in rows if r["stichtag"] == DAYS[-1].isoformat()}
    assert {a for a, r in now.items() if r["status"] == "gesperrt"} == SUPPRESSED_NOW
    assert all(now[a]["value"] == "" for a in SUPPRESSED_NOW)
    assert float(now[GEMEINDE]["value"].replace(",", ".")) == pytest.approx(_value(KPI, GEMEINDE, DAYS[-1]))
    parquet = report.path.parent / "daten" / "kpi_values.parquet"
    assert duckdb.execute(f"select count(*) from read_parquet('{parquet}')").fetchone()[0] == sum(
        len(_rows(d)) for d in DAYS)


def test_a_stichtag_missing_from_the_public_zone_is_a_clear_error(public_zone) -> None:
    with pytest.raises(ReportError, match="nicht öffentlich veröffentlicht"):
        build_report(public_zone, dt.date(2020, 6, 30))
    with pytest.raises(ReportError, match="öffentliche Zone .* ist leer"):
        build_report(make_settings(public_zone.lake.parent / "leer"))


def test_map_geometry_has_the_49_gemeinden_with_helgoland_in_an_inset() -> None:
    geometry = map_geometry()
    assert {s.ags for s in geometry.shapes} == {g.ags for g in gemeinden()}
    assert [s.ags for s in geometry.shapes if s.inset] == ["01056025"]
    for s in geometry.shapes:
        xs = [float(p.split(",")[0]) for part in s.path.split("Z") if part for p in part[1:].split("L")]
        assert min(xs) >= 0 and max(xs) <= geometry.width, s.name


# ------------------------------------------------------------------------------------------- real browser

@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed and could not be (make test installs Debian's package as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


@pytest.fixture
def page(browser, report):
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="de-DE")
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(report.path.as_uri())
    page.wait_for_selector("body[data-bereit='1']")
    yield page
    assert errors == []
    # nothing but the report file itself: no tiles, no CDN, no fonts, no beacons
    assert [u for u in requests if not u.startswith("file://")] == []
    context.close()


def show(page, view: str) -> None:
    """Go to a view of the page already open (a change of its hash) and wait until the page has drawn it."""
    page.goto(page.url.split("#")[0] + view)
    page.wait_for_function("(h) => document.body.dataset.gezeichnet === h", arg=view)


def test_report_opens_from_disk_and_draws_map_series_and_comparisons_in_chromium(page) -> None:
    page.select_option("#kpi-wahl", KPI)
    page.select_option("#gemeinde-wahl", GEMEINDE)
    assert page.evaluate("location.hash") == f"#/kpi/{KPI}/{GEMEINDE}"
    assert page.locator("#karte path.gemeinde").count() == 49
    # suppressed cells are hatched, not coloured as a value or as missing
    suppressed = page.locator("#karte path.gesperrt")
    assert {suppressed.nth(i).get_attribute("data-ags") for i in range(suppressed.count())} == SUPPRESSED_NOW
    assert all(suppressed.nth(i).get_attribute("fill") == "url(#schraffur)" for i in range(suppressed.count()))
    assert page.locator("#karte path.wert").count() == 47
    assert page.locator("#legende li").count() == 5 + 2  # five classes, gesperrt, kein Wert
    assert ATTRIBUTION in page.inner_text("#karte-figur")
    assert page.inner_text("#kpi-definition") == load_catalogue().kpi(KPI).definition_de  # German for the public
    # the Gemeinde's series: a point per year except the suppressed one, which gets its mark
    points = page.locator("#reihe circle.punkt[data-reihe='gemeinde']")
    assert points.count() == len(DAYS) - 1
    mark = page.locator("#reihe .gesperrt-marke[data-reihe='gemeinde']")
    assert mark.count() == 1 and mark.get_attribute("data-stichtag") == SUPPRESSED_YEAR.isoformat()
    for level in ("kreis", "land", "bund"):
        assert page.locator(f"#reihe path.vergleich[data-reihe='{level}']").count() == 1, level
        assert page.locator(f"#reihe circle.punkt[data-reihe='{level}']").count() == len(DAYS), level
    # the series table says the same; Land values name their own reference date
    table = page.text_content("#reihe-tabelle")  # inside a closed <details>: not rendered, still there
    assert "gesperrt" in table and "Stand 30.09.2026" in table
    assert "05.11.2026" in page.inner_text("#datenstand")
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "sozialbericht.png"), full_page=True)
    assert (ARTEFACTS / "sozialbericht.png").stat().st_size > 10_000


def test_a_count_is_compared_as_an_index_so_a_gemeinde_and_germany_share_one_readable_axis(page) -> None:
    page.select_option("#kpi-wahl", COUNT)
    page.select_option("#gemeinde-wahl", GEMEINDE)
    assert page.get_attribute("#reihe", "data-index") == "1" and "Index" in page.inner_text("#reihe-titel")
    for level in ("gemeinde", "kreis", "land", "bund"):
        assert page.locator(f"#reihe circle.punkt[data-reihe='{level}']").count() == len(DAYS), level
    # every line starts at 100 and every point lies inside the plot: nothing is flattened onto the axis
    first = page.locator(f"#reihe circle.punkt[data-stichtag='{DAYS[0].isoformat()}']")
    assert len({first.nth(i).get_attribute("cy") for i in range(first.count())}) == 1
    ys = [float(v) for v in page.eval_on_selector_all("#reihe circle.punkt", "cs => cs.map(c => c.getAttribute('cy'))")]
    assert min(ys) >= 16 and max(ys) <= 320 - 40
    # the axis labels are index numbers that fit beside the axis, not 83.500.000
    labels = page.eval_on_selector_all("#reihe .achse text[text-anchor='end']", "ts => ts.map(t => t.textContent)")
    assert labels and all(len(t) <= 5 for t in labels), labels
    # the table alternative keeps the counts themselves
    table = page.text_content("#reihe-tabelle")
    germany = round(SCALE["bund"] * _value(COUNT, "DG", DAYS[0]) / 5)
    assert f"{germany:,}".replace(",", ".") in table
    # a rate is drawn as it is
    page.select_option("#kpi-wahl", KPI)
    assert page.get_attribute("#reihe", "data-index") == "0"


def test_the_comparison_says_whose_definition_it_follows_or_why_there_is_none(page) -> None:
    catalogue = load_catalogue()
    page.select_option("#kpi-wahl", KPI)
    assert catalogue.kpi(KPI).comparison_definition_de in page.inner_text("#kpi-vergleich")
    missing = next(k for k in catalogue.kpis if not k.compared)
    page.select_option("#kpi-wahl", missing.id)
    assert page.inner_text("#kpi-vergleich").startswith("Keine Vergleichswerte")
    assert page.locator("#reihe circle.punkt[data-reihe='land']").count() == 0


def test_ranking_lists_the_gemeinden_by_value_with_suppressed_ones_last(page) -> None:
    page.select_option("#kpi-wahl", KPI)
    rows = page.locator("#rangliste tbody tr")
    assert rows.count() == 49
    expected = sorted((g.ags for g in gemeinden() if g.ags not in SUPPRESSED_NOW),
                      key=lambda a: -_value(KPI, a, DAYS[-1]))
    first = rows.nth(0).inner_text()
    assert next(g.name for g in gemeinden() if g.ags == expected[0]) in first
    assert "gesperrt" in rows.nth(48).inner_text() and "gesperrt" in rows.nth(47).inner_text()


def test_map_is_usable_with_the_keyboard_alone(page) -> None:
    page.select_option("#kpi-wahl", KPI)
    target = page.locator("#karte path[data-ags='01056001']")
    target.focus()
    page.keyboard.press("Enter")
    assert page.input_value("#gemeinde-wahl") == "01056001"
    assert page.locator("#karte path.gewaehlt").get_attribute("data-ags") == "01056001"
    assert page.locator("#rangliste tr.gewaehlt").count() == 1
    assert "Appen" in page.inner_text("#reihe-titel")


def test_gemeinde_profile_shows_every_kpi_against_kreis_land_and_bund(page) -> None:
    page.goto(page.url.split("#")[0] + f"#/profil/{GEMEINDE}")
    page.wait_for_selector("#ansicht-profil:not([hidden])")
    assert page.locator("#profil-inhalt tbody tr").count() == len(load_catalogue().kpis)
    assert page.locator("#profil-inhalt h3").count() == len({k.handlungsfeld for k in load_catalogue().kpis})
    header = page.inner_text("#profil-inhalt thead >> nth=0")
    assert all(name in header for name in ("Gemeinde", "Kreis Pinneberg", "Schleswig-Holstein", "Deutschland"))
    # Land and Bund columns carry a value for every KPI with an official counterpart, "–" for the others
    catalogue = load_catalogue()
    for k in catalogue.kpis:
        link = page.locator(f"#profil-inhalt a[href='#/kpi/{k.id}/{GEMEINDE}']")
        cells = link.locator("xpath=ancestor::tr").locator("td.zahl")
        land, bund = cells.nth(2).inner_text(), cells.nth(3).inner_text()
        assert (land != "–" and bund != "–") == k.compared, k.id
    # a click on an indicator leads to its map and series for the same Gemeinde
    page.click(f"#profil-inhalt a[href='#/kpi/{KPI}/{GEMEINDE}']")
    page.wait_for_selector("#ansicht-kpi:not([hidden])")
    assert page.input_value("#kpi-wahl") == KPI


def test_download_links_point_at_files_beside_the_page(page, report) -> None:
    page.select_option("#kpi-wahl", KPI)
    for href in [page.get_attribute("#download-kpi", "href"), "daten/kpi_values.csv", "daten/kpi_values.parquet"]:
        assert (report.path.parent / href).is_file(), href
    assert page.locator("a[href='daten/kpi_values.csv']").count() == 1




def test_the_forecast_continues_the_series_as_a_band_of_its_variants_and_fills_the_profile(page) -> None:
    page.select_option("#kpi-wahl", COUNT)
    page.select_option("#gemeinde-wahl", GEMEINDE)
    for level in ("gemeinde", "kreis"):  # a forecast for the Gemeinde and the Kreis, none for Land and Bund
        assert page.locator(f"#reihe path.band[data-prognose='{level}']").count() == 1, level
        assert page.locator(f"#reihe path.prognose-linie[data-prognose='{level}']").count() == 1, level
    assert page.locator("#reihe [data-prognose='land']").count() == 0
    # the band lies after the last observed point, on a time axis that reaches 2040
    last_x = max(float(x) for x in page.eval_on_selector_all(
        "#reihe circle.punkt[data-reihe='gemeinde']", "cs => cs.map(c => c.getAttribute('cx'))"))
    band_xs = [float(p.split(",")[0]) for p in page.get_attribute(
        "#reihe path.band[data-prognose='gemeinde']", "d").strip("MZ").replace("L", " ").split()]
    assert min(band_xs) >= last_x - 60 and max(band_xs) > last_x + 200
    assert "2040" in page.text_content("#reihe .achse") and "31.12.2040" in page.inner_text("#reihe-titel")
    assert "Vorausberechnung ab 31.12.2025" in page.inner_text("#reihe-legende")
    # the table: the basis variant and the span of the variants, per projected year
    table = page.text_content("#reihe-tabelle")
    low, mid, high = (round(SCALE["gemeinde"] * f ** 15 / 10) * 10 for f in (0.95, 1.0, 1.05))
    assert "31.12.2040 (Vorausberechnung)" in table
    assert f"{mid:,} ({low:,} – {high:,})".replace(",", ".") in table
    # a withheld quota stays withheld, in the chart's table as in the profile
    page.select_option("#kpi-wahl", WITHHELD[0])
    page.select_option("#gemeinde-wahl", WITHHELD[1])
    assert page.locator("#reihe path.prognose-linie[data-prognose='gemeinde']").count() == 0
    rows = page.locator("#reihe-tabelle tr.prognose")
    assert rows.count() == 15 and all("gesperrt" in rows.nth(i).text_content() for i in range(15))
    show(page, f"#/profil/{GEMEINDE}")
    profile = page.inner_text("#profil-prognose")
    assert "Vorausberechnung der Bevölkerung (ab 31.12.2025)" in profile and "Modellrechnung" in profile
    assert "unter 3 Jahre" in profile and "2040" in profile


def test_a_planners_page_shows_live_values_of_this_version_and_is_found_by_search(page) -> None:
    page.click("#nav-seiten")
    page.wait_for_selector("#ansicht-seite:not([hidden])")
    assert page.locator("#seiten-liste a").count() >= 13  # background, organisation, report, 10 fields, advice
    page.click("#seiten-liste a[href='#/seite/02_bericht_ueberblick']")
    assert page.evaluate("location.hash") == "#/seite/02_bericht_ueberblick"
    page.wait_for_function("() => document.body.dataset.gezeichnet === location.hash")  # drawn on hashchange
    text = page.inner_text("#seite-inhalt")
    kreis = f"{_value(KPI, '01056', DAYS[-1]):.1f}".replace(".", ",")
    pinneberg = f"{_value(KPI, GEMEINDE, DAYS[-1]):.1f}".replace(".", ",")
    assert f"liegt bei {kreis} %" in text and f"Pinneberg liegt die SGB II-Quote bei {pinneberg} %" in text
    assert "Datenstand 05.11.2026" in text  # the values name the version they come from
    # the Handlungsempfehlungen with their status
    show(page, "#/seite/90_handlungsempfehlungen")
    assert page.locator("#seite-inhalt table.empfehlungen tbody tr").count() >= 3
    assert "in Umsetzung" in page.inner_text("#seite-inhalt")
    # search finds pages and indicators; a KPI links to its Handlungsfeld's page
    page.fill("#suche", "Kita")
    hits = page.inner_text("#suche-treffer")
    assert "Kindertagesbetreuung (Bericht)" in hits
    show(page, f"#/kpi/{KPI}/{GEMEINDE}")
    page.click("#kpi-seite a")
    assert page.evaluate("location.hash") == "#/seite/11_armut"


def test_up_to_five_gemeinden_are_compared_side_by_side_and_the_link_reproduces_the_view(page) -> None:
    chosen = ["01056039", "01056015", "01056050", "01056002", "01056041", "01056001"]  # six asked, five kept
    show(page, f"#/vergleich/{KPI}/{','.join(chosen)}")
    for i, ags in enumerate(chosen[:5]):
        assert page.locator(f"#vergleich-reihe path[data-reihe='g{i}']").count() == 1, ags
        assert page.input_value(f"#vergleich-wahl select[data-platz='{i}']") == ags
    assert page.locator("#vergleich-reihe path[data-reihe='kreis']").count() == 1  # the Kreis as reference
    assert page.locator("#vergleich-reihe [data-reihe='g5']").count() == 0
    rows = page.locator("#vergleich-tabelle tbody tr")
    assert rows.count() == 6 and "Kreis Pinneberg" in rows.nth(5).inner_text()
    pinneberg = f"{_value(KPI, GEMEINDE, DAYS[-1]):.1f}".replace(".", ",")
    assert pinneberg in rows.nth(0).inner_text()
    # a change of the selection is in the URL: the link reproduces the view
    page.select_option("#vergleich-wahl select[data-platz='4']", "")
    assert page.evaluate("location.hash") == f"#/vergleich/{KPI}/{','.join(chosen[:4])}"
    link = page.get_attribute("#vergleich-link", "href")
    show(page, "#/sozialindex")  # elsewhere first: the link alone must bring the view back
    show(page, link)
    assert page.locator("#vergleich-tabelle tbody tr").count() == 5


def test_on_a_tablet_nothing_scrolls_sideways_and_every_control_is_touch_sized(browser, report) -> None:
    context = browser.new_context(viewport={"width": 768, "height": 1024}, has_touch=True, is_mobile=True,
                                  locale="de-DE")
    page = context.new_page()
    try:
        for view in (f"#/kpi/{KPI}/{GEMEINDE}", f"#/profil/{GEMEINDE}", f"#/vergleich/{KPI}/{GEMEINDE},01056015",
                     "#/seite/11_armut"):
            page.goto(report.path.as_uri() + view)
            page.wait_for_function("(h) => document.body.dataset.gezeichnet === h", arg=view)
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), view
            small = page.evaluate("""() => [...document.querySelectorAll('select, input, nav a, #seiten-liste a')]
                .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
                .map((e) => e.id || e.textContent.trim())""")
            assert small == [], (view, small)
        # the map is operated by touch too: a tap selects the Gemeinde (tapped once the view is drawn: a tap on
        # the map being replaced would be lost, as it would for a user)
        show(page, f"#/kpi/{KPI}/{GEMEINDE}")
        page.tap("#karte path[data-ags='01056001']")
        page.wait_for_function("() => document.querySelector('#gemeinde-wahl').value === '01056001'", timeout=5000)
        assert page.input_value("#gemeinde-wahl") == "01056001"
    finally:
        context.close()


def test_the_sozialindex_map_shows_classes_hatches_hidden_inputs_and_explains_itself(page) -> None:
    page.click("#nav-sozialindex")
    page.wait_for_selector("#ansicht-sozialindex:not([hidden])")
    assert page.locator("#si-karte path.gemeinde").count() == 49
    hatched = page.locator("#si-karte path.gesperrt")
    assert {hatched.nth(i).get_attribute("data-ags") for i in range(hatched.count())} == SUPPRESSED_NOW
    assert all(hatched.nth(i).get_attribute("fill") == "url(#si-schraffur)" for i in range(hatched.count()))
    shown = page.eval_on_selector_all("#si-karte path.wert", "ps => ps.map(p => p.getAttribute('data-status'))")
    assert len(shown) == 47 and set(shown) == set(SI_CLASSES)
    text = page.inner_text("#si-erklaerung")
    index = load_catalogue().sozialindex
    for i in index["indikatoren"]:
        assert load_catalogue().kpi(i["kpi"]).name in text
    assert "Gewicht 0,5" in text and "hoch bis -0,5" in text.replace("−", "-")
    # the table alternative: every Gemeinde with its class and the inputs' public values
    assert page.locator("#si-tabelle tbody tr").count() == 49
    assert page.locator("#si-tabelle tbody tr.gesperrt").count() == len(SUPPRESSED_NOW)


def test_the_map_switches_to_the_aemter_and_to_any_stichtag_of_the_series(page) -> None:
    page.select_option("#kpi-wahl", KPI)
    page.select_option("#karte-ebene", "amt")
    rantzau = next(ars for ars, name, _ in AEMTER if name == "Amt Rantzau")
    members = page.locator(f"#karte path[data-einheit='{rantzau}']")
    assert members.count() == sum(g.amt_ars == rantzau for g in gemeinden()) > 1
    assert len({members.nth(i).get_attribute("fill") for i in range(members.count())}) == 1  # one value, one colour
    assert "Amt Rantzau" in members.nth(0).get_attribute("aria-label")
    # an amtsfreie Gemeinde stays itself; the legend counts the units, not the Gemeinden
    assert page.get_attribute(f"#karte path[data-ags='{GEMEINDE}']", "data-einheit") == GEMEINDE
    amtsfrei = {g.ags for g in gemeinden() if not g.amt_ars}
    units = len(AEMTER) + len(amtsfrei) - len(SUPPRESSED_NOW & amtsfrei)  # units with a published value
    assert "nach Ämtern und amtsfreien Gemeinden" in page.inner_text("#karte-titel")
    assert f"Quintile der {units} veröffentlichten Werte" in page.inner_text("#legende")
    # an earlier Stichtag of the series: the map shows that year's values, the title names it
    page.select_option("#karte-ebene", "gemeinde")
    page.select_option("#karte-stichtag", str(DAYS.index(SUPPRESSED_YEAR)))
    assert "31.12.2018" in page.inner_text("#karte-titel")
    assert page.get_attribute(f"#karte path[data-ags='{GEMEINDE}']", "fill") == "url(#schraffur)"  # hidden that year
    assert page.get_attribute("#karte path[data-ags='01056025']", "fill") != "url(#schraffur)"  # shown that year


def test_the_pdf_for_the_kreistag_has_the_report_and_profiles_with_stichtag_and_attribution_on_every_page(
        report) -> None:
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed and could not be (make test installs Debian's package as root)")
    import unicodedata

    from pypdf import PdfReader

    from report.pdf import build_pdfs

    def text_of(pdf) -> list[str]:  # NFKC: the PDF's ligatures (ﬁ, ﬀ) as letters
        return [" ".join(unicodedata.normalize("NFKC", p.extract_text()).split()) for p in PdfReader(pdf).pages]

    pdfs = build_pdfs(report.path, [GEMEINDE, "01056025"])
    assert [p.name for p in pdfs] == ["sozialbericht.pdf", f"gemeindeprofil_{GEMEINDE}.pdf",
                                      "gemeindeprofil_01056025.pdf"]
    for pdf in pdfs:
        pages = text_of(pdf)
        assert pages and pdf.stat().st_size > 10_000
        for flat in pages:  # the footer of every page: Stichtag, Datenstand, sources, the map's attribution
            assert "Stichtag 31.10.2026" in flat and "Datenstand 05.11.2026" in flat, pdf.name
            assert "GeoBasis-DE / BKG" in flat and "Quellen:" in flat, pdf.name
    kreis = " ".join(text_of(pdfs[0]))
    assert "Handlungsempfehlungen an den Kreistag" in kreis and "Alle Indikatoren: Kreis Pinneberg" in kreis
    profile = " ".join(text_of(pdfs[1]))
    assert "Gemeindeprofil Pinneberg" in profile


CONTRAST = """() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = ([r, g, b]) => {
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (e) => {
    for (; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const worst = [];
  for (const e of document.querySelectorAll("body *")) {
    const text = [...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (e.closest("svg") || !e.offsetParent || !text) continue;
    const [a, b] = [lum(rgb(getComputedStyle(e).color).slice(0, 3)), lum(background(e))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < 4.5) worst.push(`${e.tagName}#${e.id}.${e.className}: ${ratio.toFixed(2)}`);
  }
  return worst;
}"""


def test_every_text_of_every_view_has_sufficient_contrast(page) -> None:
    """WCAG 2.1 AA: 4.5:1 for text against its background, in every view (the charts' own text is in SVG and
    drawn in the muted grey #555, 7.5:1)."""
    for view in (f"#/kpi/{KPI}/{GEMEINDE}", f"#/profil/{GEMEINDE}", f"#/vergleich/{KPI}/{GEMEINDE},01056015",
                 "#/sozialindex", "#/seite/11_armut", "#/seite/90_handlungsempfehlungen"):
        show(page, view)
        assert page.evaluate(CONTRAST) == [], view
    # and the check sees a pale grey on white
    page.evaluate("document.querySelector('#seite-text').insertAdjacentHTML('beforeend', '<p id=blass "
                  "style=\"color:#bbb\">blass</p>')")
    assert [f for f in page.evaluate(CONTRAST) if "#blass" in f]
