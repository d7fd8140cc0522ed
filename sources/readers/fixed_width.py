"""Legacy fixed-width exports: header record, data records of one length, trailer with the record count.

A record of the wrong length (a shifted field, a lost character) is rejected on its own; a missing
trailer or a wrong count means the file is incomplete, and the whole delivery is rejected.
"""

from __future__ import annotations

from sources.contract import Contract
from sources.readers.base import ParsedFile, decode, line_too_long


def parse_fixed_width(data: bytes, contract: Contract, head: int | None = None) -> ParsedFile:
    opts = contract.options
    names = contract.column_names
    out = ParsedFile(columns={c: [] for c in names}, line_numbers=[])
    length = int(opts["record_length"])
    type_width = len(str(opts["data_record"]))
    header, trailer = opts.get("header_record"), opts.get("trailer_record")
    try:
        if (too_long := line_too_long(data)) is not None:
            raise ValueError(too_long)
        text = decode(data, contract.encoding)
    except ValueError as e:
        text, out.file_error = None, str(e)
    lines = (text if text is not None else data.decode("latin-1")).replace("\r\n", "\n").split("\n")
    numbered = [(i + 1, line) for i, line in enumerate(lines) if line.strip()]
    kinds = {n: line[:type_width] for n, line in numbered}
    out.data_lines = [n for n, _ in numbered if kinds[n] not in (header, trailer)]
    if out.file_error:
        return out
    if not numbered:
        out.file_error = "leere Datei (kein Vorsatz)"
        return out
    if header is not None and kinds[numbered[0][0]] != header:
        out.file_error = f"Vorsatz (Satzart {header}) fehlt in Zeile 1"
        return out
    if head is not None:  # a sample: the first records, no trailer to check
        numbered = numbered[:head + 1]
    elif trailer is not None:
        last_no, last = numbered[-1]
        if kinds[last_no] != trailer:
            out.file_error = f"Nachsatz (Satzart {trailer}) fehlt: Datei unvollständig (abgeschnitten?)"
            return out
        start, width = opts["trailer_count"]
        announced = last[start - 1:start - 1 + width].strip()
        if not announced.isdigit() or int(announced) != len(out.data_lines):
            out.file_error = (f"die Satzzahl im Nachsatz passt nicht zu den {len(out.data_lines)} Datensätzen der "
                              "Datei: Datei unvollständig oder verändert")
            return out
    slices = [(c.name, c.start - 1, c.start - 1 + c.width) for c in contract.columns]
    for n, line in numbered:
        kind = kinds[n]
        if kind in (header, trailer):
            continue
        if kind != opts["data_record"]:
            out.row_errors.append((n, f"unbekannte Satzart (Datensätze haben Satzart {opts['data_record']})"))
        elif len(line) != length:
            out.row_errors.append((n, f"Satzlänge {len(line)} statt {length} (verschobener oder "
                                      "abgeschnittener Satz)"))
        else:
            out.line_numbers.append(n)
            for name, a, b in slices:
                out.columns[name].append(line[a:b])
    return out
