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


# readers that can stop after the first `head` records (the PII scan's sample of what was delivered); the
# others are line-oriented (a head of the file is a head of the records) or small
HEADED: dict[str, Callable[..., ParsedFile]] = {
    "fixed_width": parse_fixed_width,
    "xlsx": parse_xlsx,
    "xml": parse_xml,
}


def parse(data: bytes, contract: Contract, head: int | None = None) -> ParsedFile:
    """Split a delivery into text columns by its contract's format; nothing is typed or repaired here.
    `head`: only the first records where the format allows it, without the checks of the whole file
    (a trailer's count, a footer's sum) — a sample, never a delivery to ingest."""
    if head is not None and contract.format in HEADED:
        return HEADED[contract.format](data, contract, head=head)
    return FORMATS[contract.format](data, contract)
