"""Excel workbooks from office software: find the data by anchors, not by fixed cells.

The sheet is named in the contract; the header row is the first row whose first cell is the first
contract column (title blocks above it vary); data end at the first empty row (footers follow).
A footer line `Summe …: N` is checked against the rows read.
"""

from __future__ import annotations

import re

from sources.contract import Contract
from sources.limits import zip_error
from sources.readers.base import ParsedFile, header_error

SUM_LINE = re.compile(r"^\s*Summe[^:]*:\s*([0-9.]+)\s*$")
EXCEL_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?: 00:00:00)?$")


def parse_xlsx(data: bytes, contract: Contract) -> ParsedFile:
    import fastexcel

    names = contract.column_names
    out = ParsedFile(columns={c: [] for c in names}, line_numbers=[])
    if (bomb := zip_error(data)) is not None:  # calamine would inflate it all
        out.file_error = bomb
        return out
    try:
        reader = fastexcel.read_excel(data)
    except Exception as e:  # noqa: BLE001 — calamine reports every broken container its own way
        out.file_error = f"keine lesbare Excel-Arbeitsmappe (xlsx; {type(e).__name__})"
        return out
    sheet = contract.options["sheet"]
    if sheet not in reader.sheet_names:  # the delivered sheet names are never repeated
        out.file_error = f"Tabellenblatt {sheet!r} fehlt (die Mappe hat {len(reader.sheet_names)} andere Blätter)"
        return out
    df = reader.load_sheet(sheet, header_row=None, dtypes="string").to_polars()
    rows = df.rows()
    header_at = next((i for i, r in enumerate(rows) if r and (r[0] or "").strip() == names[0]), None)
    if header_at is None:
        out.file_error = f"Kopfzeile mit {names[0]!r} in Spalte A nicht gefunden"
        # without a header no row can be told apart as data: every non-empty row counts as delivered
        out.data_lines = [i + 1 for i, r in enumerate(rows) if any(v is not None and str(v).strip() for v in r)]
        return out
    header = [(v or "").strip() for v in rows[header_at]]
    while header and not header[-1]:
        header.pop()
    end = header_at + 1
    while end < len(rows) and any(v is not None and str(v).strip() for v in rows[end]):
        end += 1
    data_rows = range(header_at + 1, end)
    out.data_lines = [i + 1 for i in data_rows]
    err = header_error(header, names)
    if err:
        out.file_error = err
        return out
    footer = [str(r[0]) for r in rows[end:] if r and r[0]]
    for line in footer:
        m = SUM_LINE.match(line)
        if m and int(m.group(1).replace(".", "")) != len(data_rows):
            out.file_error = (f"die Summenzeile der Fußzeile passt nicht zu den {len(data_rows)} Datenzeilen: "
                              "Tabelle unvollständig")
            return out
    dates = {i for i, c in enumerate(contract.columns) if c.type == "date"}
    for i in data_rows:
        row = rows[i]
        out.line_numbers.append(i + 1)  # Excel's row number, as the office sees it
        for j, name in enumerate(names):
            v = row[j] if j < len(row) else None
            v = "" if v is None else str(v)
            if j in dates and (m := EXCEL_MIDNIGHT.match(v)):
                v = m.group(1)
            elif v.endswith(".0") and v[:-2].lstrip("-").isdigit():
                v = v[:-2]  # whole numbers come back as floats
            out.columns[name].append(v)
    return out
