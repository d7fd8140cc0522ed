"""The product's PII scan (`stichtag pii-scan`) finds what must never reach the lake, wherever it hides."""

from __future__ import annotations

import shutil

import duckdb
import pytest

from stichtag.cli import main


@pytest.fixture(autouse=True)
def _empty_inbox(tmp_path, monkeypatch) -> None:
    """The scans below look up the identifiers of this inbox, not of whatever the checkout holds."""
    monkeypatch.setenv("STICHTAG_INBOX", str(tmp_path / "leerer-posteingang"))


def _clean_lake(root) -> None:
    (root / "raw").mkdir(parents=True)
    duckdb.execute(f"copy (select 'P' || range as person_pseudonym, 1964 as geburtsjahr from range(50)) "
                   f"to '{root / 'raw' / 'ok.parquet'}' (format parquet)")
    (root / "logs").mkdir()
    (root / "logs" / "run.log").write_text("Ingest fertig: 50 Zeilen\n", encoding="utf-8")


def test_a_clean_lake_passes(tmp_path, capsys) -> None:
    _clean_lake(tmp_path)
    assert main(["pii-scan", "--pfad", str(tmp_path), "--quiet"]) == 0
    assert "bestanden" in capsys.readouterr().out


def test_planted_canaries_are_found_in_parquet_duckdb_and_logs(tmp_path, capsys) -> None:
    _clean_lake(tmp_path)
    # a canary name deep inside a compressed Parquet, a canary birth date in a DuckDB table, a clear id in a log
    duckdb.execute(f"copy (select 'x' || range as a, case when range = 40 then 'Frau Zwitscherling' end as b "
                   f"from range(50000)) to '{tmp_path / 'raw' / 'leck.parquet'}' (format parquet, compression zstd)")
    con = duckdb.connect(str(tmp_path / "analyse.duckdb"))
    con.execute("create table t as select date '1987-07-13' as tag")
    con.close()
    (tmp_path / "logs" / "dagster.log").write_text("Fehler in Zeile: 990000000003;...\n", encoding="cp1252")
    assert main(["pii-scan", "--pfad", str(tmp_path), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "leck.parquet" in out and "'Zwitscherling'" in out
    assert "analyse.duckdb:main.t" in out and "1987-07-13" in out
    assert "dagster.log" in out and "990000000003" in out
    assert "ok.parquet" not in out and "run.log" not in out


def test_a_leak_in_one_of_many_versions_is_found_and_named_by_its_own_file(tmp_path, capsys) -> None:
    """Versions of one mart (same path but for their key=value folders, same schema) are scanned together;
    what is found in them is still reported per file, and a family with a leak is not passed as a whole."""
    _clean_lake(tmp_path)
    for day in ("2024-12-31", "2025-12-31", "2026-10-31"):
        folder = tmp_path / "marts" / "kpi_values" / f"stichtag={day}" / "datenstand=20261105T060000Z"
        folder.mkdir(parents=True)
        name = "'Zwitscherling'" if day == "2025-12-31" else "'ok'"
        duckdb.execute(f"copy (select 'einwohner' as kpi_id, {name} as gebiet_name, 3.0 as value) "
                       f"to '{folder / 'kpi_values.parquet'}' (format parquet)")
    assert main(["pii-scan", "--pfad", str(tmp_path), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "stichtag=2025-12-31" in out and "'Zwitscherling'" in out
    assert "stichtag=2024-12-31" not in out and "stichtag=2026-10-31" not in out


def test_a_column_named_like_a_delivered_identifier_is_found(tmp_path, capsys) -> None:
    _clean_lake(tmp_path)
    duckdb.execute(f"copy (select 'abc' as Familienname, date '2000-01-01' as geburtsdatum) "
                   f"to '{tmp_path / 'raw' / 'spalten.parquet'}' (format parquet)")
    assert main(["pii-scan", "--pfad", str(tmp_path), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "spalten.parquet:Familienname" in out and "spalten.parquet:geburtsdatum" in out


def test_a_districts_own_canaries_are_read_from_a_file(tmp_path, capsys) -> None:
    _clean_lake(tmp_path)
    (tmp_path / "logs" / "export.csv").write_text("Name;Geburtsdatum\nTestperson Meisenkind;05.05.1955\n",
                                                  encoding="utf-8")
    canaries = tmp_path.parent / "kanarien.txt"
    canaries.write_text("# eigene Testpersonen\nMeisenkind\n1955-05-05\n", encoding="utf-8")
    assert main(["pii-scan", "--pfad", str(tmp_path), "--kanarien", str(canaries), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "'Meisenkind'" in out and "'05.05.1955'" in out


def _copy_lake_and_inbox(small_kreis, tmp_path):
    from tests.conftest import make_settings

    s = make_settings(tmp_path / "kopie")
    shutil.copytree(small_kreis.inbox, s.inbox)
    shutil.copytree(small_kreis.lake, s.lake)
    return s


def test_the_demo_lake_passes_against_every_delivered_identifier(small_kreis, tmp_path, capsys) -> None:
    from publication.delivered_values import delivered_values

    values = delivered_values(small_kreis.inbox)
    assert len(values) > 1000  # ids, names and streets of every delivery's first rows, not a few canaries
    assert main(["--inbox", str(small_kreis.inbox), "pii-scan", "--pfad", str(small_kreis.lake), "--quiet"]) == 0
    assert "bestanden" in capsys.readouterr().out


def test_a_delivered_person_is_found_wherever_it_leaked_not_only_canaries(small_kreis, tmp_path, capsys) -> None:
    """No canary involved: a real delivered id and name, echoed into a log and a Parquet column."""
    from publication.delivered_values import delivered_values

    s = _copy_lake_and_inbox(small_kreis, tmp_path)
    registry = sorted((s.inbox / "melderegister").glob("EWO_AENDERUNGEN_*.csv"))[-1]
    record = registry.read_text(encoding="cp1252").splitlines()[5].split(";")
    person_id = next(f for f in record if f.isdigit() and len(f) == 12)  # the Ordnungsmerkmal
    assert person_id in delivered_values(s.inbox)
    (s.lake / "logs").mkdir(exist_ok=True)
    (s.lake / "logs" / "kaputt.jsonl").write_text(f'{{"reason": "Feld [{person_id}] unbekannt"}}\n')
    assert main(["--inbox", str(s.inbox), "pii-scan", "--pfad", str(s.lake), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "kaputt.jsonl" in out and "gelieferte Identifikatoren" in out and person_id not in out


def test_a_headerless_delivery_echoed_by_an_old_ingest_fails_the_scan(small_kreis, tmp_path, capsys) -> None:
    """What the pre-fix ingest wrote for a delivery without header: its first record in the reason."""
    s = _copy_lake_and_inbox(small_kreis, tmp_path)
    registry = sorted((s.inbox / "melderegister").glob("EWO_AENDERUNGEN_*.csv"))[0]
    first = registry.read_text(encoding="cp1252").splitlines()[1].split(";")
    reason = f"Kopfzeile passt nicht zum Vertrag: Spalten nicht im Vertrag {first}"
    (s.lake / "quarantine").mkdir(exist_ok=True)
    duckdb.execute(f"copy (select 1 as line, '{reason.replace(chr(39), chr(39) * 2)}' as reason) "
                   f"to '{s.lake / 'quarantine' / 'alt.parquet'}' (format parquet)")
    assert main(["--inbox", str(s.inbox), "pii-scan", "--pfad", str(s.lake), "--quiet"]) == 1
    assert "alt.parquet" in capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["fixed_width", "xml", "xlsx"])
def test_a_sample_of_a_delivery_is_its_first_records_read_whole(small_kreis, fmt) -> None:
    """The scan's sample of what was delivered stops after the first records (a workbook, an XML file or a
    fixed-width export is not parsed whole for 200 rows): the same records the whole file starts with."""
    from sources.contract import load_contracts
    from sources.ingest import delivery_files
    from sources.readers import parse

    contract = next(c for c in load_contracts() if c.format == fmt)
    path = max((p for p in delivery_files(small_kreis.inbox) if contract.matches(p.name)),
               key=lambda p: p.stat().st_size)
    whole, sample = parse(path.read_bytes(), contract), parse(path.read_bytes(), contract, head=5)
    assert not whole.file_error and not sample.file_error and len(whole.line_numbers) > 5
    assert sample.line_numbers == whole.line_numbers[:5]
    assert {c: list(v) for c, v in sample.columns.items()} == {c: list(v)[:5] for c, v in whole.columns.items()}
