"""Decoding and splitting a delivered CSV file, strictly by its contract.

Problems are reported, never repaired silently: a file that cannot be decoded is rejected as a
whole; a line with the wrong number of fields is rejected on its own, with its line number.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sources.contract import Contract
from sources.limits import long_line, max_line_bytes

if TYPE_CHECKING:
    import polars as pl

UTF8_BOM = b"\xef\xbb\xbf"


@dataclass
class ParsedFile:
    columns: dict[str, list[str] | pl.Series]
    line_numbers: list[int]
    row_errors: list[tuple[int, str]] = field(default_factory=list)
    file_error: str | None = None
    data_lines: list[int] = field(default_factory=list)  # every delivered row's line, for file rejects

    @property
    def rows_delivered(self) -> int:
        return len(self.line_numbers) + len(self.row_errors) if self.file_error is None else len(self.data_lines)


def data_line_numbers(data: bytes) -> list[int]:
    """Line numbers of non-empty lines after the header, without decoding (for rejected files)."""
    lines = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    return [i + 1 for i, line in enumerate(lines) if i > 0 and line.strip()]


def line_too_long(data: bytes) -> str | None:
    if (n := long_line(data)) is not None:
        return (f"Zeile {n} ist länger als {max_line_bytes():,} Bytes (STICHTAG_MAX_LINE_BYTES): "
                "keine Datensatzzeile, Datei abgelehnt")
    return None


def decode(data: bytes, encoding: str) -> str:
    """Decode strictly; raise ValueError with a reason a data steward understands."""
    enc = encoding.lower()
    for bom, name in ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"),
                      (b"\xfe\xff", "UTF-16")):
        if data.startswith(bom):
            raise ValueError(f"Datei ist {name} kodiert (Byte-Order-Mark {bom.hex(' ').upper()}), "
                             f"laut Vertrag {encoding}")
    if enc in ("windows-1252", "cp1252", "latin-1", "iso-8859-1"):
        if data.startswith(UTF8_BOM):
            raise ValueError(f"Datei beginnt mit UTF-8-BOM, laut Vertrag ist sie {encoding} kodiert")
        if any(b >= 0x80 for b in data[:1_000_000]):
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                raise ValueError(f"Datei ist UTF-8 kodiert (z. B. 'ä' als C3 A4), laut Vertrag {encoding}")
        codec = "cp1252" if enc in ("windows-1252", "cp1252") else "latin-1"
        try:
            return data.decode(codec)
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise ValueError(f"ein Byte in Zeile {line} ist in {encoding} nicht definiert") from e
    if enc in ("utf-8", "utf-8-sig"):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise ValueError(f"ungültiges UTF-8 in Zeile {line}") from e
    raise ValueError(f"Kodierung {encoding!r} wird nicht unterstützt")


def parse(data: bytes, contract: Contract) -> ParsedFile:
    """Split a delivery into text columns by its contract's format; nothing is typed or repaired here."""
    if contract.format == "fixed_width":
        from sources.readers.fixed_width import parse_fixed_width

        return parse_fixed_width(data, contract)
    if contract.format == "xlsx":
        from sources.readers.xlsx import parse_xlsx

        return parse_xlsx(data, contract)
    if contract.format == "genesis_ffcsv":
        from sources.readers.genesis import parse_ffcsv

        return parse_ffcsv(data, contract)
    if contract.format == "genesis_table":
        from sources.readers.genesis import parse_table

        return parse_table(data, contract)
    if contract.format == "ba_xlsx":
        from sources.readers.ba import parse_ba_xlsx

        return parse_ba_xlsx(data, contract)
    if contract.format == "xml":
        from sources.readers.xml import parse_xml

        return parse_xml(data, contract)
    return parse_csv(data, contract)


def parse_csv(data: bytes, contract: Contract) -> ParsedFile:
    expected = contract.column_names
    empty = ParsedFile(columns={c: [] for c in expected}, line_numbers=[])
    if not data.strip():
        empty.file_error = "leere Datei (keine Kopfzeile)"
        return empty
    if (err := line_too_long(data)) is not None:
        empty.file_error = err
        empty.data_lines = data_line_numbers(data)
        return empty
    try:
        text = decode(data, contract.encoding)
    except ValueError as e:
        empty.file_error = str(e)
        empty.data_lines = data_line_numbers(data)
        return empty
    if "\x00" in text:
        empty.file_error = "Datei enthält NUL-Bytes (binär oder abgeschnitten)"
        empty.data_lines = data_line_numbers(data)
        return empty

    if '"' not in text:
        return _parse_unquoted(text, contract)
    return _parse_quoted(text, contract, data)


def _header_error(header: list[str], expected: list[str]) -> str | None:
    """What is wrong with the header, in the contract's words only: the delivered header may be a data
    record (a common export fault), so none of its fields is ever repeated."""
    if header == expected:
        return None
    if len(header) == 1 and len(expected) > 1:
        return (f"Kopfzeile passt nicht zum Vertrag: fehlende Spalten {expected} (die Kopfzeile hat nur ein "
                "Feld: ein anderes Trennzeichen als im Vertrag?)")
    if _header_is_a_record(header, expected):
        return (f"Kopfzeile fehlt oder ist unlesbar: die erste Zeile hat {len(header)} Felder und keinen der "
                f"{len(expected)} Spaltennamen des Vertrags (z. B. {expected[0]!r}); ist sie ein Datensatz, "
                "fehlt die Kopfzeile")
    missing = [c for c in expected if c not in header]
    extra = [i for i, c in enumerate(header, 1) if c not in expected]
    parts = []
    if missing:
        parts.append(f"fehlende Spalten {missing}")
    if extra:
        parts.append(f"{len(extra)} Spalten nicht im Vertrag (an Position {', '.join(map(str, extra[:10]))})")
    if not parts:
        moved = [f"{c} an Position {header.index(c) + 1} statt {i}" for i, c in enumerate(expected, 1)
                 if header.index(c) + 1 != i]
        parts.append(f"Spaltenreihenfolge weicht ab: {', '.join(moved[:5])}")
    return "Kopfzeile passt nicht zum Vertrag: " + ", ".join(parts)


def _header_is_a_record(header: list[str], expected: list[str]) -> bool:
    return len(header) > 1 and not {h.casefold() for h in header} & {e.casefold() for e in expected}


def _parse_unquoted(text: str, contract: Contract) -> ParsedFile:
    """Fast path for files without quoting (what legacy exports emit). Field counts per line are
    computed with numpy over the bytes, and polars splits the lines in native code: no Python object
    per line, so a Land-scale Bestand (millions of lines) stays within a few copies of its size."""
    import numpy as np
    import polars as pl

    expected = contract.column_names
    sep = contract.delimiter
    body = text.replace("\r\n", "\n").replace("\r", "\n").encode("utf-8")
    buf = np.frombuffer(body, dtype=np.uint8)
    newlines = np.flatnonzero(buf == 10)
    starts = np.concatenate(([0], newlines + 1))
    ends = np.concatenate((newlines, [len(buf)]))
    if starts[-1] == len(buf):  # the file ends with a line break: no last line after it
        starts, ends = starts[:-1], ends[:-1]
    header = [h.strip() for h in body[starts[0]:ends[0]].decode("utf-8").split(sep)]
    out = ParsedFile(columns={c: [] for c in expected}, line_numbers=[])
    # per-line sums with reduceat: one boolean array of the file's size, never an integer one
    fields = np.add.reduceat(buf == ord(sep), starts, dtype=np.int32) + 1
    ink = np.add.reduceat(buf > 32, starts, dtype=np.int32)  # a segment of only blanks has none
    fields[starts == ends] = 1
    blank = (ink == 0) | (starts == ends)
    line_no = np.arange(1, len(starts) + 1)
    data = ~blank & (line_no > 1)
    err = _header_error(header, expected)
    if err:
        out.file_error = err
        # a data record where the header should be is a delivered row too: it is counted and quarantined
        out.data_lines = line_no[data | ((line_no == 1) & _header_is_a_record(header, expected))].tolist()
        return out
    good = data & (fields == len(expected))
    bad = data & ~good
    out.row_errors = [(int(n), f"{int(f)} Felder statt {len(expected)}") for n, f in zip(line_no[bad], fields[bad],
                                                                                          strict=True)]
    out.line_numbers = line_no[good].tolist()
    if not good.any():
        return out
    if bad.any() or blank[1:].any():
        chunk, skip = b"\n".join(body[s:e] for s, e in zip(starts[good], ends[good], strict=True)), 0
    else:
        chunk, skip = body, 1  # every data line is good: hand polars the bytes as they are, minus the header
    del buf
    df = pl.read_csv(chunk, separator=sep, has_header=False, skip_rows=skip, quote_char=None, infer_schema=False,
                     new_columns=expected)
    out.columns = {c: df.get_column(c) for c in expected}
    return out


def _parse_quoted(text: str, contract: Contract, data: bytes) -> ParsedFile:
    """General path with CSV quoting (fields may contain the separator or line breaks)."""
    expected = contract.column_names
    empty = ParsedFile(columns={c: [] for c in expected}, line_numbers=[])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=contract.delimiter, quotechar='"', strict=True)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as e:
        empty.file_error = f"Kopfzeile nicht lesbar ({type(e).__name__})"
        empty.data_lines = data_line_numbers(data)
        return empty
    err = _header_error(header, expected)
    if err:
        empty.file_error = err
        empty.data_lines = ([1] if _header_is_a_record(header, expected) else []) + data_line_numbers(data)
        return empty

    n = len(expected)
    rows: list[list[str]] = []
    out = ParsedFile(columns={}, line_numbers=[])
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error:  # its message can quote delivered characters
            out.row_errors.append((reader.line_num, "CSV-Fehler: Anführungszeichen nicht geschlossen oder "
                                                    "unerlaubtes Zeichen nach einem Anführungszeichen"))
            continue
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # blank line, not a row
        if len(row) != n:
            out.row_errors.append((reader.line_num, f"{len(row)} Felder statt {n}"))
            continue
        out.line_numbers.append(reader.line_num)
        rows.append(row)
    out.columns = {name: [r[i] for r in rows] for i, name in enumerate(expected)}
    return out
