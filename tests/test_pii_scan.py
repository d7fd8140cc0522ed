"""The product's PII scan (`stichtag pii-scan`) finds what must never reach the lake, wherever it hides."""

from __future__ import annotations

import duckdb

from stichtag.cli import main


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
