"""CSV deliveries, strictly by their contract: a file that cannot be decoded is rejected as a whole; a line
with the wrong number of fields is rejected on its own, with its line number."""

from __future__ import annotations

import csv
import io

from sources.contract import Contract
from sources.readers.base import (
    ParsedFile,
    data_line_numbers,
    decode,
    header_error,
    header_is_a_record,
    line_too_long,
)


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
    err = header_error(header, expected)
    if err:
        out.file_error = err
        # a data record where the header should be is a delivered row too: it is counted and quarantined
        out.data_lines = line_no[data | ((line_no == 1) & header_is_a_record(header, expected))].tolist()
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
    err = header_error(header, expected)
    if err:
        empty.file_error = err
        empty.data_lines = ([1] if header_is_a_record(header, expected) else []) + data_line_numbers(data)
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
