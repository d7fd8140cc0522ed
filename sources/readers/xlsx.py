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
HEAD_MARGIN = 100  # rows above the header a sample allows for (title blocks are a few rows)
EXCEL_MIDNIGHT = re.compile(r"^(\d{4}-\d{2}-\d{2})(?: 00:00:00)?$")


def parse_xlsx(data: bytes, contract: Contract, head: int | None = None) -> ParsedFile:
    import fastexcel
    import polars as pl

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
    # a sample (`head`) reads the title block, the header and the first rows, not the footer
    df = reader.load_sheet(sheet, header_row=None, dtypes="string",
                           n_rows=None if head is None else head + HEAD_MARGIN).to_polars()
    # the sheet is read column by column in native code: a Python object per cell cost 18,000 contracts × 14
    # columns of work per workbook
    text = [pl.col(c).fill_null("") for c in df.columns]
    filled = df.select(pl.any_horizontal([t.str.strip_chars() != "" for t in text]).alias("f")).to_series() \
        if df.width else pl.Series("f", [False] * df.height)
    first = df.get_column(df.columns[0]).fill_null("").str.strip_chars() if df.width else pl.Series([""] * df.height)
    header_rows = (first == names[0]).arg_true()
    if header_rows.is_empty():
        out.file_error = f"Kopfzeile mit {names[0]!r} in Spalte A nicht gefunden"
        # without a header no row can be told apart as data: every non-empty row counts as delivered
        out.data_lines = (filled.arg_true() + 1).to_list()
        return out
    header_at = int(header_rows[0])
    header = [(v or "").strip() for v in df.row(header_at)]
    while header and not header[-1]:
        header.pop()
    empty_after = (~filled[header_at + 1:]).arg_true()
    end = header_at + 1 + (int(empty_after[0]) if not empty_after.is_empty() else df.height - header_at - 1)
    if head is not None:
        end = min(end, header_at + 1 + head)
    data_rows = range(header_at + 1, end)
    out.data_lines = [i + 1 for i in data_rows]
    err = header_error(header, names)
    if err:
        out.file_error = err
        return out
    footer = [] if head is not None else [str(v) for v in df.get_column(df.columns[0])[end:].to_list() if v]
    for line in footer:
        m = SUM_LINE.match(line)
        if m and int(m.group(1).replace(".", "")) != len(data_rows):
            out.file_error = (f"die Summenzeile der Fußzeile passt nicht zu den {len(data_rows)} Datenzeilen: "
                              "Tabelle unvollständig")
            return out
    dates = {i for i, c in enumerate(contract.columns) if c.type == "date"}
    rows = df.slice(header_at + 1, len(data_rows))
    out.line_numbers = list(range(header_at + 2, end + 1))  # Excel's row numbers, as the office sees them
    values = []
    for j, name in enumerate(names):
        v = pl.col(df.columns[j]).fill_null("") if j < df.width else pl.lit("", pl.Utf8)
        # whole numbers come back as floats
        number = pl.when(v.str.contains(r"^-*\d+\.0$")).then(v.str.strip_suffix(".0")).otherwise(v)
        if j in dates:
            midnight = v.str.extract(EXCEL_MIDNIGHT.pattern, 1)
            number = pl.when(midnight.is_not_null()).then(midnight).otherwise(number)
        values.append(number.alias(name))
    out.columns = {name: column for name, column in zip(names, rows.select(values).get_columns(), strict=True)}
    return out
