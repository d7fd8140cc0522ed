"""A small XLSX writer for the demo's Excel deliveries: inline strings, numbers, four cell styles (title,
header, date, plain), merged cells, column widths, the workbook's creation time.

xlsxwriter builds Python objects per cell and writes them one by one: a Kita workbook of 18,000
contracts took 3.5 s of the generator's time (cProfile: 40 % of a Kreis generation). Here a row is one
string and a sheet one join; the package is a ZIP with fixed member times, so the same rows give the
same bytes. What office software writes beyond this (shared strings, themes) is not needed by any
reader of the format, Excel and calamine included.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import numpy as np
import polars as pl

PLAIN, TITLE, HEADER, DATE = 0, 1, 2, 3  # cell styles (cellXfs index in styles.xml)

STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="164" formatCode="dd\\.mm\\.yyyy"/></numFmts>
<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="14"/><name val="Calibri"/></font>\
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>\
<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>\
<border><left style="thin"/><right style="thin"/><top style="thin"/><bottom style="thin"/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>\
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>\
<xf numFmtId="0" fontId="2" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" \
applyAlignment="1"><alignment wrapText="1"/></xf>\
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def column_letter(i: int) -> str:
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def cell(ref: str, value: object, style: int = PLAIN) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "":
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, str):
        return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    return f'<c r="{ref}"{s}><v>{value}</v></c>'


@dataclass
class Sheet:
    name: str
    rows: dict[int, str] = field(default_factory=dict)  # 0-based row → its cells' XML
    merged: list[str] = field(default_factory=list)
    widths: list[tuple[int, int, float]] = field(default_factory=list)  # (first col, last col, width)

    def write_row(self, row: int, values: list, style: int = PLAIN, styles: dict[int, int] | None = None) -> None:
        """One row from column A; `styles` gives single columns their own style (e.g. dates)."""
        r = row + 1
        styles = styles or {}
        self.rows[row] = "".join(cell(f"{LETTERS[j]}{r}", v, styles.get(j, style)) for j, v in enumerate(values))

    def write_columns(self, first_row: int, columns: list[tuple[pl.Series, int]]) -> None:
        """Rows from column A, built column-wise (a sheet of 18,000 contracts in native code, not 250,000
        Python calls): each column a text or an integer Series with its style, the same XML as `write_row`
        gives, except that a missing number writes no cell at all (as a row that ends before it)."""
        n = len(columns[0][0])
        frame = pl.DataFrame({"_r": pl.Series(np.arange(first_row + 1, first_row + 1 + n)).cast(pl.Utf8),
                              **{f"_{j}": values for j, (values, _) in enumerate(columns)}})
        cells = []
        for j, (values, style) in enumerate(columns):
            v, s = pl.col(f"_{j}"), f' s="{style}"' if style else ""
            ref = [pl.lit(f'<c r="{LETTERS[j]}'), pl.col("_r")]
            if values.dtype == pl.Utf8:
                text = v.str.replace_all("&", "&amp;", literal=True).str.replace_all("<", "&lt;", literal=True) \
                    .str.replace_all(">", "&gt;", literal=True)
                empty = pl.concat_str([*ref, pl.lit(f'"{s}/>')]) if style else pl.lit("")
                cells.append(pl.when(v.is_null() | (v == "")).then(empty).otherwise(pl.concat_str(
                    [*ref, pl.lit(f'"{s} t="inlineStr"><is><t xml:space="preserve">'), text, pl.lit("</t></is></c>")])))
            else:
                cells.append(pl.when(v.is_null()).then(pl.lit("")).otherwise(pl.concat_str(
                    [*ref, pl.lit(f'"{s}><v>'), v.cast(pl.Utf8), pl.lit("</v></c>")])))
        rows = frame.select(pl.concat_str(cells).alias("row")).get_column("row").to_list()
        self.rows.update(zip(range(first_row, first_row + n), rows, strict=True))

    def merge(self, row: int, first_col: int, last_col: int, text: str, style: int = PLAIN) -> None:
        r = row + 1
        self.rows[row] = cell(f"{LETTERS[first_col]}{r}", text, style) + "".join(
            cell(f"{LETTERS[j]}{r}", None, style) for j in range(first_col + 1, last_col + 1))
        self.merged.append(f"{LETTERS[first_col]}{r}:{LETTERS[last_col]}{r}")

    def xml(self) -> str:
        cols = "".join(f'<col min="{a + 1}" max="{b + 1}" width="{w}" customWidth="1"/>' for a, b, w in self.widths)
        rows = "".join(f'<row r="{i + 1}">{self.rows[i]}</row>' for i in sorted(self.rows))
        merged = (f'<mergeCells count="{len(self.merged)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in self.merged)
                  + "</mergeCells>") if self.merged else ""
        return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="http://schemas.'
                'openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
                f'officeDocument/2006/relationships">{"<cols>" + cols + "</cols>" if cols else ""}<sheetData>{rows}'
                f'</sheetData>{merged}</worksheet>')


LETTERS = [column_letter(i) for i in range(64)]


def workbook(sheets: list[Sheet], created: dt.datetime) -> bytes:
    """The XLSX package of the sheets, created at `created` (the delivery's time, never the generator's)."""
    n = len(sheets)
    content_types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.'
                     'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
                     '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                     'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
                     'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                     + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.'
                               'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, n + 1))
                     + '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
                     'officedocument.spreadsheetml.styles+xml"/><Override PartName="/docProps/core.xml" '
                     'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
            'core-properties" Target="docProps/core.xml"/></Relationships>')
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties xmlns:cp="http://schemas.'
            'openxmlformats.org/package/2006/metadata/core-properties" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dcterms:created xsi:type="dcterms:W3CDTF">'
            f'{stamp}</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
            '</cp:coreProperties>')
    book = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.'
            'org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships"><sheets>' + "".join(f'<sheet name="{escape(s.name)}" sheetId="{i}" r:id="rId{i}"/>'
                                                for i, s in enumerate(sheets, 1)) + "</sheets></workbook>")
    book_rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/relationships">'
                 + "".join(f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                           f'relationships/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in range(1, n + 1))
                 + f'<Relationship Id="rId{n + 1}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                 'relationships/styles" Target="styles.xml"/></Relationships>')
    parts = [("[Content_Types].xml", content_types), ("_rels/.rels", rels), ("docProps/core.xml", core),
             ("xl/workbook.xml", book), ("xl/_rels/workbook.xml.rels", book_rels), ("xl/styles.xml", STYLES),
             *((f"xl/worksheets/sheet{i}.xml", s.xml()) for i, s in enumerate(sheets, 1))]
    buf = io.BytesIO()
    when = (created.year, created.month, created.day, created.hour, created.minute, created.second)
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode("utf-8"))
    return buf.getvalue()
