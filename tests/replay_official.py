"""Independent reading of the BA workbooks for the tests: straight from the cells (fixed positions of the
generated layout), no code shared with the pipeline's anchor-searching reader or the dbt models."""

from __future__ import annotations

import calendar
import datetime as dt
from pathlib import Path


def _number(cell: object) -> float | None:
    text = "" if cell is None else str(cell).strip()
    if text == "-":
        return 0.0
    if text in ("*", "x", ""):
        return None
    return float(text)


def ba_tables(inbox: Path) -> dict[dt.date, dict[str, list[float | None]]]:
    """Month end → region key → [insgesamt, SGB III, SGB II, 15-24, langzeit, quote]."""

    out = {}
    for path in sorted((inbox / "amtlich").glob("BA_ALO_GEMEINDEN_*.xlsx")):
        y, m = int(path.stem[-6:-2]), int(path.stem[-2:])
        out[dt.date(y, m, calendar.monthrange(y, m)[1])] = _ba_sheet(path, "Gemeinden", 6)
    return out


def _ba_sheet(path: Path, sheet: str, n_values: int) -> dict[str, list[float | None]]:
    """Region key → the first `n_values` figures of each row of a BA workbook sheet, until the © footer."""
    import fastexcel

    rows = fastexcel.read_excel(path.read_bytes()).load_sheet(sheet, header_row=None,
                                                               dtypes="string").to_polars().rows()
    table = {}
    for r in rows[8:]:
        if r[0] and str(r[0]).strip().startswith("©"):
            break
        if r[0]:
            table[str(r[0]).strip()] = [_number(c) for c in r[2:2 + n_values]]
    return table


def labour_kpis(tables: dict, day: dt.date, pop_15_64: dict[str, int], pop_15_24: dict[str, int]) -> dict:
    """(kpi_id, area) → (numerator, denominator) from the newest workbook on or before `day`."""
    month = max(d for d in tables if d <= day)
    table = tables[month]
    out = {}
    for area, row in table.items():
        total, _, sgb2, youth, long_term, quote = row
        if area in pop_15_64 and total is not None:
            out[("al_anteil", area)] = (total, pop_15_64[area])
        if area in pop_15_24 and youth is not None:
            out[("jugend_al_anteil", area)] = (youth, pop_15_24[area])
        if total:
            if long_term is not None:
                out[("langzeit_al", area)] = (long_term, total)
            if sgb2 is not None:
                out[("al_sgb2_anteil", area)] = (sgb2, total)
            if quote:
                out[("alq", area)] = (total, total * 100 / quote)
    return out


def svb_tables(inbox: Path) -> dict[dt.date, dict[str, list[float | None]]]:
    """30 June → region key → [SvB am Wohnort, am Arbeitsort, Einpendler, Auspendler]."""
    return {dt.date(int(path.stem[-6:-2]), 6, 30): _ba_sheet(path, "Wohnort - Arbeitsort", 4)
            for path in sorted((inbox / "amtlich").glob("BA_SVB_PENDLER_*.xlsx"))}


def ffcsv_values(inbox: Path, table: str) -> dict[dt.date, dict[str, float | None]]:
    """Reference date → region code → value of a one-variable GENESIS ffcsv (zipped), read with csv."""
    import csv
    import io
    import zipfile

    (path,) = (inbox / "amtlich").glob(f"{table}_*_de_flat.zip")
    with zipfile.ZipFile(path) as z:
        text = z.read(z.namelist()[0]).decode("utf-8-sig")
    out: dict[dt.date, dict[str, float | None]] = {}
    for r in csv.DictReader(io.StringIO(text), delimiter=";"):
        day = dt.date(int(r["time"]), 12, 31) if r["time_code"] == "JAHR" else dt.date.fromisoformat(r["time"])
        value = r["value"].strip()
        number = 0.0 if value == "-" else None if not value[:1].isdigit() else float(value.replace(",", "."))
        out.setdefault(day, {})[r["1_variable_attribute_code"]] = number
    return out


def ffcsv_rows(inbox: Path, table: str) -> list[dict[str, str]]:
    """Every line of a zipped GENESIS ffcsv as a dict of its header's columns, read with csv."""
    import csv
    import io
    import zipfile

    (path,) = (inbox / "amtlich").glob(f"{table}_*_de_flat.zip")
    with zipfile.ZipFile(path) as z:
        text = z.read(z.namelist()[0]).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text), delimiter=";"))


def sgb2_laender(inbox: Path) -> dict[dt.date, dict[str, dict[str, float | None]]]:
    """Month end → region key (D, 01) → column header → value of the BA SGB II workbooks of Land and Bund."""
    import fastexcel

    out = {}
    for path in sorted((inbox / "amtlich").glob("BA_SGB2_LAENDER_*.xlsx")):
        y, m = int(path.stem[-6:-2]), int(path.stem[-2:])
        rows = fastexcel.read_excel(path.read_bytes()).load_sheet("Länder", header_row=None,
                                                                   dtypes="string").to_polars().rows()
        header = [str(c).strip() for c in rows[6][2:]]
        out[dt.date(y, m, calendar.monthrange(y, m)[1])] = {
            str(r[0]).strip(): dict(zip(header, (_number(c) for c in r[2:]), strict=False))
            for r in rows[8:10]}
    return out
