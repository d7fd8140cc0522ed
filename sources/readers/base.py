"""What every reader shares: the parsed delivery (text columns, line numbers, row and file errors), strict
decoding, the line-length guard and the header check in the contract's words. Problems are reported,
never repaired silently."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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


def header_error(header: list[str], expected: list[str]) -> str | None:
    """What is wrong with the header, in the contract's words only: the delivered header may be a data
    record (a common export fault), so none of its fields is ever repeated."""
    if header == expected:
        return None
    if len(header) == 1 and len(expected) > 1:
        return (f"Kopfzeile passt nicht zum Vertrag: fehlende Spalten {expected} (die Kopfzeile hat nur ein "
                "Feld: ein anderes Trennzeichen als im Vertrag?)")
    if header_is_a_record(header, expected):
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


def header_is_a_record(header: list[str], expected: list[str]) -> bool:
    return len(header) > 1 and not {h.casefold() for h in header} & {e.casefold() for e in expected}


