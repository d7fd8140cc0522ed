"""Official statistics in the formats the offices publish: GENESIS flat files, Regionaldatenbank table CSV,
BA Excel; typed special values with status; AGS history; Land and Bund comparison rows."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from sources.contract import load_contracts
from sources.ingest import ingest_file, read_ingest_log
from sources.pseudonym import load_key
from tests.conftest import make_settings

BIRTHS_HEADER = ("statistics_code;statistics_label;time_code;time_label;time;1_variable_code;1_variable_label;"
                 "1_variable_attribute_code;1_variable_attribute_label;value;value_unit;value_variable_code;"
                 "value_variable_label;value_q")


def _births_line(region: str, name: str, value: str, year: int = 2022, q: str = "e") -> str:
    var, label = ("GEMEIN", "Gemeinden") if len(region) == 8 else ("KREISE", "Kreise und kreisfreie Städte")
    return (f"12612;Statistik der Geburten;JAHR;Jahr;{year};{var};{label};{region};{name};{value};Anzahl;BEV001;"
            f"Lebendgeborene;{q}")


def _ffcsv(lines: list[str], bom: bool = True, zipped: bool = True) -> bytes:
    data = (b"\xef\xbb\xbf" if bom else b"") + ("\n".join([BIRTHS_HEADER, *lines]) + "\n").encode("utf-8")
    if not zipped:
        return data
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("12612-01-01-4_1700000000000_de_flat.csv", data)
    return buf.getvalue()


def _ingest(tmp_path: Path, name: str, data: bytes):
    s = make_settings(tmp_path / name.replace(".", "_"))
    path = s.inbox / "amtlich" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    res = ingest_file(path, s, load_key(s))
    assert res.rows_delivered == res.rows_landed + res.rows_quarantined
    rows = []
    for f in (s.raw / "amtlich").rglob("data.parquet"):
        result = duckdb.execute(f"select * from read_parquet('{f}', hive_partitioning = false)")
        names = [d[0] for d in result.description]
        rows += [dict(zip(names, r, strict=True)) for r in result.fetchall()]
    return res, rows


def test_generated_official_files_land_completely(small_kreis) -> None:
    log = [e for e in read_ingest_log(small_kreis) if e["source"] == "amtlich"]
    tables = {e["table"] for e in log}
    assert {c.table for c in load_contracts() if c.source == "amtlich"} == tables
    assert all(e["status"] == "landed" and e["rows_delivered"] > 0 for e in log)


@pytest.mark.parametrize(("bom", "zipped"), [(True, True), (False, True), (True, False), (False, False)],
                         ids=["zip+bom", "zip", "bom", "bare"])
def test_ffcsv_reads_the_same_zipped_or_bare_with_or_without_bom(tmp_path, bom, zipped) -> None:
    name = "12612-01-01-4_1700000000000_de_flat." + ("zip" if zipped else "csv")
    res, rows = _ingest(tmp_path, name, _ffcsv([_births_line("01056001", "Appen", "53")], bom, zipped))
    assert res.status == "landed"
    assert [(r["auspraegung_1"], r["wert"], r["wert_status"]) for r in rows] == [("01056001", Decimal("53"), "ok")]


def test_numbers_survive_the_round_trip_exactly(tmp_path) -> None:
    lines = [_births_line("01056001", "Appen", "3391,228"), _births_line("01056002", "Barmstedt", "-0,5"),
             _births_line("01056003", "Bevern", "83577140")]
    _, rows = _ingest(tmp_path, "12612-01-01-4_1700000000000_de_flat.zip", _ffcsv(lines))
    assert sorted(r["wert"] for r in rows) == [Decimal("-0.5"), Decimal("3391.228"), Decimal("83577140")]


def test_special_values_are_typed_with_their_status_never_zero(tmp_path) -> None:
    symbols = {"-": ("nichts", Decimal("0")), ".": ("geheim", None), "/": ("unsicher", None),
               "x": ("nicht_sinnvoll", None), "...": ("noch_nicht_verfuegbar", None)}
    lines = [_births_line(f"0105600{i + 1}", "G", sym, q="") for i, sym in enumerate(symbols)]
    res, rows = _ingest(tmp_path, "12612-01-01-4_1700000000000_de_flat.zip", _ffcsv(lines))
    assert res.status == "landed"
    got = {r["auspraegung_1"]: (r["wert_status"], r["wert"]) for r in rows}
    assert got == {f"0105600{i + 1}": v for i, v in enumerate(symbols.values())}


def test_a_new_special_value_is_quarantined_by_its_line_without_repeating_it(tmp_path) -> None:
    lines = [_births_line("01056001", "Appen", "53"), _births_line("01056002", "Barmstedt", "#")]
    res, rows = _ingest(tmp_path, "12612-01-01-4_1700000000000_de_flat.zip", _ffcsv(lines))
    assert res.rows_landed == 1 and res.rows_quarantined == 1
    assert list(res.reasons) == ["value: unbekanntes Zeichen oder keine Zahl"]


def test_a_line_not_starting_with_a_statistics_code_is_quarantined_not_fatal(tmp_path) -> None:
    lines = [_births_line("01056001", "Appen", "53"), ";".join(["Hinweis"] + [""] * 13)]
    res, _ = _ingest(tmp_path, "12612-01-01-4_1700000000000_de_flat.zip", _ffcsv(lines))
    assert res.rows_landed == 1 and res.rows_quarantined == 1


def test_zip_with_two_members_is_rejected(tmp_path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.csv", "x")
        z.writestr("b.csv", "y")
    res, _ = _ingest(tmp_path, "12612-01-01-4_1700000000000_de_flat.zip", buf.getvalue())
    assert res.status == "quarantined" and "ZIP enthält 2 Dateien statt genau einer" in res.reasons


# --- Regionaldatenbank table CSV ------------------------------------------------------------------------

def _table(small_kreis) -> bytes:
    return (small_kreis.inbox / "amtlich" / "12411-01-01-5.csv").read_bytes()


def test_table_csv_is_melted_below_the_title_and_above_the_footnotes(small_kreis, tmp_path) -> None:
    res, rows = _ingest(tmp_path, "12411-01-01-5.csv", _table(small_kreis))
    assert res.status == "landed"
    regions = {r["region_code"] for r in rows}
    assert {"DG", "01", "01056", "01056025"} <= regions
    assert {r["merkmal"] for r in rows} == {"Insgesamt", "männlich", "weiblich"}
    assert all(r["region_name"] == r["region_name"].strip() for r in rows)  # indentation stripped


def test_table_csv_with_an_extra_footnote_and_in_utf8_reads_the_same(small_kreis, tmp_path) -> None:
    original = _table(small_kreis)
    _, expected = _ingest(tmp_path, "12411-01-01-5.csv", original)
    footnote = '__________\r\n"Fußnote: neu ""eingefügt"";\r\nzweite Zeile"\r\n'
    text = original.decode("latin-1").replace("__________\r\n", footnote)
    res, rows = _ingest(tmp_path / "v", "12411-01-01-5.csv", text.encode("utf-8"))
    assert res.status == "landed"
    key = ("zeit", "region_code", "merkmal", "wert", "wert_status")
    assert sorted(tuple(r[k] for k in key) for r in rows) == sorted(tuple(r[k] for k in key) for r in expected)


# --- BA Excel ---------------------------------------------------------------------------------------------

def test_ba_workbook_found_by_its_copyright_line_with_typed_suppression(small_kreis, tmp_path) -> None:
    original = sorted((small_kreis.inbox / "amtlich").glob("BA_*.xlsx"))[0]
    res, rows = _ingest(tmp_path, original.name, original.read_bytes())
    assert res.status == "landed"
    quotes = {r["region_code"]: r["wert_status"] for r in rows if r["merkmal"].startswith("bezogen")}
    assert quotes["01056025"] == "nicht_sinnvoll" and quotes["01056"] == "ok"  # Gemeinde rates not published
    assert all((r["wert"] is None) == (r["wert_status"] in ("geheim", "nicht_sinnvoll")) for r in rows)


def test_ba_workbook_with_changed_columns_is_rejected_naming_the_missing_ones(small_kreis, tmp_path) -> None:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf)
    ws = wb.add_worksheet("Gemeinden")
    ws.write(2, 0, "Berichtsmonat: Dezember 2015")
    ws.write_row(6, 0, ["", "", "Insgesamt", "Frauen"])
    ws.write_row(7, 0, ["", "", 1, 2])
    ws.write_row(8, 0, ["01056", "Pinneberg", 9310, "* "])
    ws.write(10, 0, "© Statistik der Bundesagentur für Arbeit")
    wb.close()
    res, _ = _ingest(tmp_path, "BA_ALO_GEMEINDEN_201512.xlsx", buf.getvalue())
    assert res.status == "quarantined"
    [reason] = res.reasons
    assert reason.startswith("Spaltenköpfe passen nicht zum Vertrag") and "fehlend" in reason and "* " not in reason
