"""The benchmark harness's own measuring parts (the harness itself is `make bench`, not a test)."""

from __future__ import annotations

from pathlib import Path

from benchmarks.ingest_floor import copy_floor
from sources.contract import Contract, load_contracts


def _contract(source: str, table: str) -> Contract:
    return next(c for c in load_contracts() if c.source == source and c.table == table)


def _write_csv(path: Path, columns: list[str], rows: int, encoding: str, bom: bool = False) -> None:
    lines = [";".join(columns)] + [";".join(f"Wert {r} ä" for _ in columns) for r in range(rows)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + ("\r\n".join(lines) + "\r\n").encode(encoding))


def test_the_ingest_floor_copies_every_row_of_the_chosen_sources_csv_deliveries_and_no_other(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    jc, ewo = _contract("jobcenter", "bestand"), _contract("melderegister", "aenderungen")
    _write_csv(inbox / "jobcenter" / "JC_SGB2_BESTAND_202001.csv", jc.column_names, 7, "utf-8", bom=True)
    _write_csv(inbox / "jobcenter" / "JC_SGB2_BESTAND_202002.csv", jc.column_names, 5, "utf-8", bom=True)
    _write_csv(inbox / "melderegister" / "EWO_AENDERUNGEN_202001.csv", ewo.column_names, 3, "cp1252")
    _write_csv(inbox / "melderegister" / "EWO_BESTAND_201412.csv", _contract("melderegister", "bestand").column_names,
               4, "cp1252")
    (inbox / "wohngeld").mkdir()
    (inbox / "wohngeld" / "WOGG_BESCHEIDE_202001.xml").write_text("<bescheide/>", encoding="utf-8")

    rows, seconds = copy_floor(inbox, ("jobcenter", "melderegister"))

    assert rows == 7 + 5 + 3 + 4
    assert seconds > 0
    assert copy_floor(inbox, ("melderegister",))[0] == 3 + 4
    assert copy_floor(inbox, ("wohngeld",))[0] == 0  # not a CSV delivery: not the floor's
