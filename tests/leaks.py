"""The tests' leak scan: the product's PII scan (publication/pii_scan.py) as a list of strings."""

from __future__ import annotations

from pathlib import Path

from publication.pii_scan import needles_for, scan


def scan_for_leaks(root: Path, needles: list[str], iso_dates: list[str]) -> list[str]:
    return [str(f) for f in scan([root], needles_for(needles, iso_dates))]
