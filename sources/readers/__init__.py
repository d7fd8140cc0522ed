"""The readers, one per delivery format, behind one registry: `parse` hands a delivery to the reader its
contract names. Each reader imports only the base module (sources/readers/base.py), never this registry."""

from __future__ import annotations

from collections.abc import Callable

from sources.contract import Contract
from sources.readers.ba import parse_ba_xlsx
from sources.readers.base import ParsedFile
from sources.readers.csv import parse_csv
from sources.readers.fixed_width import parse_fixed_width
from sources.readers.genesis import parse_ffcsv, parse_table
from sources.readers.xlsx import parse_xlsx
from sources.readers.xml import parse_xml

FORMATS: dict[str, Callable[[bytes, Contract], ParsedFile]] = {
    "csv": parse_csv,
    "fixed_width": parse_fixed_width,
    "xlsx": parse_xlsx,
    "genesis_ffcsv": parse_ffcsv,
    "genesis_table": parse_table,
    "ba_xlsx": parse_ba_xlsx,
    "xml": parse_xml,
}


def parse(data: bytes, contract: Contract) -> ParsedFile:
    """Split a delivery into text columns by its contract's format; nothing is typed or repaired here."""
    return FORMATS[contract.format](data, contract)
