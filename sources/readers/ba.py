"""Federal Employment Agency (BA) Excel tables: anchors, not fixed cells.

The data sheet is the one with `© Statistik der Bundesagentur für Arbeit` in column A; data start at the
first row whose column A holds a region key (`D`, a Land, Kreis or Gemeinde key) and end at the © line; the
column headers are the row above the column numbers. `Berichtsmonat: <Monat> <Jahr>` (or, in employment
tables, `Stichtag: <Tag>. <Monat> <Jahr>`) gives the period.
Every cell is read as text and stripped (`* ` and `- ` carry a trailing blank).
"""

from __future__ import annotations

import calendar
import re

from sources.contract import Contract
from sources.limits import zip_error
from sources.readers.base import ParsedFile

COPYRIGHT = "© Statistik der Bundesagentur für Arbeit"
KEY = re.compile(r"^(D|[0-9]{2}|[0-9]{5}|[0-9]{8})$")
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")


def _text(v: object) -> str:
    if v is None:
        return ""
    s = str(v).strip()
    return s[:-2] if s.endswith(".0") and s[:-2].lstrip("-").isdigit() else s


def parse_ba_xlsx(data: bytes, contract: Contract) -> ParsedFile:
    import fastexcel

    names = contract.column_names  # Berichtsmonat, Regionalschlüssel, Region, Merkmal, Wert
    out = ParsedFile(columns={c: [] for c in names}, line_numbers=[])
    if (bomb := zip_error(data)) is not None:  # calamine would inflate it all
        out.file_error = bomb
        return out
    try:
        reader = fastexcel.read_excel(data)
    except Exception as e:  # noqa: BLE001 — calamine reports every broken container its own way
        out.file_error = f"keine lesbare Excel-Arbeitsmappe (xlsx; {type(e).__name__})"
        return out
    sheet = None
    for name in reader.sheet_names:
        rows = [[_text(v) for v in r] for r in reader.load_sheet(name, header_row=None, dtypes="string").to_polars()
                .rows()]
        if any(r and r[0] == COPYRIGHT for r in rows):
            sheet = rows
            break
    if sheet is None:
        out.file_error = f"kein Tabellenblatt mit '{COPYRIGHT}' (die Mappe hat {len(reader.sheet_names)} Blätter)"
        return out
    # unemployment tables name a Berichtsmonat, employment tables a Stichtag (always a month end)
    month = next((m for r in sheet for m in re.findall(r"(?:Berichtsmonat:|Stichtag:\s*[0-9]{1,2}\.)\s*(\S+ [0-9]{4})",
                                                       r[0] if r else "")), None)
    if month is None or month.split()[0] not in MONTHS:
        out.file_error = ("Berichtsmonat nicht gefunden ('Berichtsmonat: <Monat> <Jahr>' oder "
                          "'Stichtag: <Tag>. <Monat> <Jahr>')")
        return out
    mon, year = MONTHS.index(month.split()[0]) + 1, int(month.split()[1])
    period = f"{calendar.monthrange(year, mon)[1]:02d}.{mon:02d}.{year}"
    start = next((i for i, r in enumerate(sheet) if r and KEY.match(r[0])), None)
    end = next((i for i, r in enumerate(sheet) if r and r[0] == COPYRIGHT), len(sheet))
    if start is None or start < 2:
        out.file_error = "keine Datenzeile mit Regionalschlüssel in Spalte A gefunden"
        return out
    headers = sheet[start - 2]  # the row above the column numbers
    expected = contract.options["merkmale"]
    got = [h for h in headers[2:] if h]
    out.data_lines = [i + 1 for i in range(start, end) if any(sheet[i])]
    if got != expected:
        missing = [m for m in expected if m not in got]
        out.file_error = (f"Spaltenköpfe passen nicht zum Vertrag {expected}: "
                          + (f"fehlend {missing}" if missing else f"{len(got)} statt {len(expected)} oder umgestellt"))
        return out
    for i in range(start, end):
        r = sheet[i]
        if not any(r):
            continue
        for j, merkmal in enumerate(expected, start=2):
            out.line_numbers.append(i + 1)
            for col, value in zip(names, (period, r[0], r[1], merkmal, r[j] if j < len(r) else ""), strict=True):
                out.columns[col].append(value)
    return out
