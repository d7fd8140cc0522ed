"""Official statistics downloads from GENESIS-Online and the Regionaldatenbank.

* flat-file CSV (ffcsv): zipped (exactly one member) or bare, UTF-8 with or without BOM; the fixed header
  is checked by the CSV reader against the contract;
* table CSV (the human-readable download): title lines, header block, `code;name;values…` lines with
  indented names, `__________`, quoted multi-line footnotes, `Stand:`. Read into long rows
  (Zeit, Regionalschlüssel, Region, Merkmal, Wert), so the same validation types every value.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile

from sources.contract import Contract
from sources.limits import max_delivery_bytes, size_error, zip_error
from sources.readers.base import ParsedFile, data_line_numbers, decode, line_too_long
from sources.readers.csv import parse_csv

REGION_KEY = re.compile(r"^(DG|[0-9]{2}|[0-9]{5}|[0-9]{8})$")
PERIOD = re.compile(r"^([0-9]{2}\.[0-9]{2}\.[0-9]{4}|[0-9]{4})$")


def unzip_single(data: bytes) -> tuple[bytes | None, str | None]:
    """The one member of a GENESIS ZIP, or the data itself when it is no ZIP. The member's declared size
    and compression ratio are checked before inflating, and inflating stops at the limit whatever the
    header declares (a ZIP bomb lies about its size)."""
    if not data.startswith(b"PK\x03\x04"):
        return data, None
    if (err := zip_error(data)) is not None:  # declared size and ratio, before inflating
        return None, err
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            members = [m for m in z.infolist() if not m.is_dir()]
            if len(members) != 1:
                return None, f"ZIP enthält {len(members)} Dateien statt genau einer"
            limit = max_delivery_bytes()
            with z.open(members[0]) as f:
                member = f.read(limit + 1)
            if len(member) > limit:
                return None, size_error(len(member), "Die Datei im ZIP")
            return member, None
    except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError, RuntimeError) as e:
        return None, f"ZIP-Archiv beschädigt oder nicht lesbar ({type(e).__name__})"


def parse_ffcsv(data: bytes, contract: Contract) -> ParsedFile:
    member, error = unzip_single(data)
    if error:
        out = ParsedFile(columns={c: [] for c in contract.column_names}, line_numbers=[], file_error=error)
        return out
    return parse_csv(member, contract)


def _decode_detected(data: bytes) -> str:
    """Table downloads were Latin-1 (2017); newer ones may be UTF-8: BOM, valid UTF-8, else Latin-1."""
    if data.startswith(b"\xef\xbb\xbf"):
        return decode(data, "utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_table(data: bytes, contract: Contract) -> ParsedFile:
    names = contract.column_names  # Zeit, Regionalschlüssel, Region, Merkmal, Wert
    out = ParsedFile(columns={c: [] for c in names}, line_numbers=[])
    if (err := line_too_long(data)) is not None:
        out.file_error, out.data_lines = err, data_line_numbers(data)
        return out
    text = _decode_detected(data)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";", quotechar='"'))
    line_of, line = [], 1
    for r in rows:  # a quoted footnote spans several physical lines
        line_of.append(line)
        line += sum(cell.count("\n") for cell in r) + 1
    if not rows or not rows[0] or not rows[0][0].startswith("GENESIS-Tabelle:"):
        out.file_error = "keine GENESIS-Tabelle (erste Zeile 'GENESIS-Tabelle: <Code>' fehlt)"
        out.data_lines = [i + 1 for i in range(len(rows))]
        return out
    data_start = next((i for i, r in enumerate(rows) if len(r) > 2 and REGION_KEY.match(r[0].strip())
                       and r[1].strip() and not REGION_KEY.match(r[1].strip())), None)
    end = next((i for i, r in enumerate(rows) if r and r[0].startswith("___")), len(rows))
    if data_start is None:
        out.file_error = "keine Datenzeilen (Regionalschlüssel in Spalte 1) gefunden"
        return out
    header = [r for r in rows[:data_start] if len(r) > 2 and not r[0].strip() and not r[1].strip()]
    times = next((r for r in header if all(PERIOD.match(c.strip()) for c in r[2:] if c.strip())), None)
    categories = next((r for r in header if r is not times), None)
    if times is None or categories is None:
        out.file_error = "Kopfblock ohne Zeit- und Merkmalszeile"
        return out
    width = len(times)
    out.data_lines = [line_of[i] for i in range(data_start, end) if any(c.strip() for c in rows[i])]
    for i in range(data_start, end):
        r = rows[i]
        if not any(c.strip() for c in r):
            continue
        if len(r) != width:
            out.row_errors.append((line_of[i], f"{len(r)} Felder statt {width}"))
            continue
        for j in range(2, width):
            out.line_numbers.append(line_of[i])
            zeit = times[j].strip()
            out.columns[names[0]].append(zeit if len(zeit) == 10 else f"31.12.{zeit}")
            out.columns[names[1]].append(r[0].strip())
            out.columns[names[2]].append(r[1].strip())  # indentation stripped: the code carries the level
            out.columns[names[3]].append(categories[j].strip())
            out.columns[names[4]].append(r[j].strip())
    return out
