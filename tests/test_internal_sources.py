"""The district's own benefit and care systems: each reader on generated deliveries and on broken ones,
linkage by pseudonym, and the SGB VIII database read incrementally from a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

import duckdb
import pytest

from sources.contract import load_contracts
from sources.ingest import ingest_database, ingest_file, read_ingest_log
from sources.pseudonym import load_key
from sources.systems import SourceUnavailable, conninfo
from tests.conftest import make_settings

FILE_SOURCES = ("jobcenter", "sozialamt", "kita", "wohngeld")


def _contract(source: str):
    return next(c for c in load_contracts() if c.source == source)


def _one_delivery(small_kreis, source: str) -> Path:
    return sorted((small_kreis.inbox / source).iterdir())[2]


def _ingest_variant(tmp_path: Path, source: str, name: str, data: bytes):
    """Ingest a hand-made variant of a delivery into a fresh lake; returns its result."""
    s = make_settings(tmp_path / "variant")
    path = s.inbox / source / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    res = ingest_file(path, s, load_key(s))
    assert res.rows_delivered == res.rows_landed + res.rows_quarantined
    return res


@pytest.mark.parametrize("source", [*FILE_SOURCES, "jugendamt"])
def test_generated_deliveries_of_each_source_land_completely(small_kreis, source) -> None:
    log = [e for e in read_ingest_log(small_kreis) if e["source"] == source]
    assert log, f"nothing of {source} was ingested"
    assert all(e["status"] == "landed" and e["rows_quarantined"] == 0 for e in log), log
    landed = duckdb.execute(f"select count(*) from '{small_kreis.raw}/{source}/*/*/*.parquet'").fetchone()[0]
    assert landed == sum(e["rows_landed"] for e in log) > 0


def test_only_contract_targets_reach_the_lake(small_kreis) -> None:
    for c in load_contracts():
        files = sorted((small_kreis.raw / c.source / c.table).glob("lieferung=*/data.parquet"))
        query = f"select * from read_parquet('{files[-1]}', hive_partitioning = false) limit 0"
        cols = [d[0] for d in duckdb.execute(query).description]
        provenance = ["lieferung_id", "received_at", "source_file_sha256", "source_line", "key_id"]
        assert cols == c.output_columns() + provenance, c.source
        dropped = [col.name for col in c.columns if col.rule == "drop"]
        assert not set(dropped) & set(cols)


def test_a_person_in_the_registry_and_in_sgb2_gets_the_same_pseudonym(small_kreis) -> None:
    raw = small_kreis.raw
    share = duckdb.execute(f"""
        with registry as (
            select linkage_pseudonym from '{raw}/melderegister/bestand/*/*.parquet'
            union select linkage_pseudonym from '{raw}/melderegister/aenderungen/*/*.parquet')
        select avg((j.linkage_pseudonym in (select linkage_pseudonym from registry))::int), count(*)
        from (select distinct linkage_pseudonym from '{raw}/jobcenter/bestand/*/*.parquet'
              where berichtsmonat <= '201602') j""").fetchone()
    # up to the last three months, when some moves are not yet reported to the registry (late reports)
    assert share[1] > 100 and share[0] == 1.0
    households = duckdb.execute(f"""
        select count(*) filter (where w.haushalt_pseudonym in (
            select haushalt_pseudonym from '{raw}/melderegister/*/*/*.parquet')) / count(*)
        from '{raw}/wohngeld/bescheide/*/*.parquet' w""").fetchone()[0]
    assert households == 1.0


# --- SGB II: CSV, UTF-8 with BOM, decimal comma ---------------------------------------------------

def test_sgb2_file_in_windows_1252_is_rejected_as_a_whole(small_kreis, tmp_path) -> None:
    original = _one_delivery(small_kreis, "jobcenter")
    data = original.read_bytes().decode("utf-8-sig").encode("cp1252")
    res = _ingest_variant(tmp_path, "jobcenter", original.name, data)
    assert res.status == "quarantined" and res.rows_quarantined > 100
    assert any("ungültiges UTF-8" in r for r in res.reasons)


def test_sgb2_file_without_bom_is_still_read(small_kreis, tmp_path) -> None:
    original = _one_delivery(small_kreis, "jobcenter")
    assert original.read_bytes().startswith(b"\xef\xbb\xbf")
    res = _ingest_variant(tmp_path, "jobcenter", original.name, original.read_bytes()[3:])
    assert res.status == "landed"


def test_sgb2_amount_with_a_decimal_point_is_quarantined_not_misread(small_kreis, tmp_path) -> None:
    original = _one_delivery(small_kreis, "jobcenter")
    lines = original.read_bytes().decode("utf-8-sig").split("\r\n")
    fields = lines[1].split(";")
    fields[-2] = fields[-2].replace(",", ".")  # "404.00" would be 40400 under German rules
    lines[1] = ";".join(fields)
    res = _ingest_variant(tmp_path, "jobcenter", original.name, "\r\n".join(lines).encode("utf-8-sig"))
    assert res.rows_quarantined == 1
    assert any("Regelbedarf: keine Dezimalzahl" in r for r in res.reasons)


def test_sgb2_revisions_use_the_newest_delivery_of_a_berichtsmonat(small_kreis) -> None:
    months = duckdb.execute(f"""
        select berichtsmonat, count(distinct lieferung_id) from '{small_kreis.raw}/jobcenter/bestand/*/*.parquet'
        group by all order by 1""").fetchall()
    assert max(n for _, n in months) == 4  # the month itself and three revisions


def test_truncated_sgb2_file_loses_only_its_last_line(small_kreis, tmp_path) -> None:
    original = _one_delivery(small_kreis, "jobcenter")
    data = original.read_bytes()
    cut = data[: data.rindex(b";", 0, len(data) - 5)]  # cut inside the last line
    res = _ingest_variant(tmp_path, "jobcenter", original.name, cut)
    assert res.rows_quarantined == 1 and res.rows_landed == data.count(b"\r\n") - 2


# --- SGB XII: fixed width, Latin-1, header and trailer ---------------------------------------------

def test_shifted_fixed_width_record_is_quarantined_alone(small_kreis, tmp_path) -> None:
    original = _one_delivery(small_kreis, "sozialamt")
    lines = original.read_bytes().split(b"\r\n")
    lines[3] = lines[3][:20] + b"X" + lines[3][20:]  # one character too many: every later field shifts
    res = _ingest_variant(tmp_path, "sozialamt", original.name, b"\r\n".join(lines))
    assert res.rows_quarantined == 1 and any("Satzlänge 162 statt 161" in r for r in res.reasons)


def test_fixed_width_file_without_trailer_is_rejected_as_incomplete(small_kreis, tmp_path) -> None:
    original = _one_delivery(small_kreis, "sozialamt")
    data = original.read_bytes()
    res = _ingest_variant(tmp_path, "sozialamt", original.name, data[: len(data) // 2])
    assert res.status == "quarantined" and any("Nachsatz (Satzart 99) fehlt" in r for r in res.reasons)


def test_fixed_width_trailer_count_must_match(small_kreis, tmp_path) -> None:
    original = _one_delivery(small_kreis, "sozialamt")
    lines = original.read_bytes().split(b"\r\n")
    del lines[2]
    res = _ingest_variant(tmp_path, "sozialamt", original.name, b"\r\n".join(lines))
    assert res.status == "quarantined" and any("Satzzahl im Nachsatz passt nicht" in r for r in res.reasons)


def test_fixed_width_file_in_utf8_is_rejected(small_kreis, tmp_path) -> None:
    original = _one_delivery(small_kreis, "sozialamt")
    text = original.read_bytes().decode("latin-1")
    assert any(ord(ch) > 127 for ch in text)
    res = _ingest_variant(tmp_path, "sozialamt", original.name, text.encode("utf-8"))
    assert res.status == "quarantined" and any("UTF-8" in r for r in res.reasons)


# --- Kita: XLSX with title block and footer -------------------------------------------------------

def _rewrite_xlsx(data: bytes, member: str, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            content = src.read(item)
            z.writestr(item, change(content) if item.filename == member else content)
    return out.getvalue()


def test_kita_workbook_with_renamed_sheet_is_rejected_without_repeating_its_sheet_names(small_kreis, tmp_path) -> None:
    original = _one_delivery(small_kreis, "kita")
    data = _rewrite_xlsx(original.read_bytes(), "xl/workbook.xml", lambda b: b.replace(b'"Belegung"', b'"Tabelle1"'))
    res = _ingest_variant(tmp_path, "kita", original.name, data)
    assert res.status == "quarantined"
    assert list(res.reasons) == ["Tabellenblatt 'Belegung' fehlt (die Mappe hat 2 andere Blätter)"]
    assert res.rows_quarantined == 0 or res.rows_delivered == res.rows_quarantined


def test_truncated_kita_workbook_is_rejected(small_kreis, tmp_path) -> None:
    original = _one_delivery(small_kreis, "kita")
    data = original.read_bytes()
    res = _ingest_variant(tmp_path, "kita", original.name, data[: len(data) // 2])
    assert res.status == "quarantined" and any("keine lesbare Excel-Arbeitsmappe" in r for r in res.reasons)


def test_kita_rows_are_read_below_the_title_block_and_above_the_footer(small_kreis) -> None:
    from sources.readers.xlsx import parse_xlsx

    parsed = parse_xlsx(_one_delivery(small_kreis, "kita").read_bytes(), _contract("kita"))
    assert parsed.file_error is None and not parsed.row_errors
    assert parsed.line_numbers[0] == 6  # Excel row 6: title in rows 1-3, header in row 5
    assert all(len(v) == 10 for v in parsed.columns["Betreuungsbeginn"])  # ISO dates from date cells


# --- Wohngeld: XML, hardened parser ---------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<WohngeldBescheide xmlns="urn:stichtag:demo:wohngeld:1"><Bescheid Nummer="&lol3;"/></WohngeldBescheide>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<WohngeldBescheide xmlns="urn:stichtag:demo:wohngeld:1"><Bescheid Nummer="&xxe;"/></WohngeldBescheide>"""


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, XXE], ids=["xml-bomb", "external-entity"])
def test_hostile_xml_is_quarantined_unexpanded(tmp_path, hostile) -> None:
    res = _ingest_variant(tmp_path, "wohngeld", "WOGG_BESCHEIDE_209901.xml", hostile)
    assert res.status == "quarantined" and res.rows_quarantined == 1
    assert any("XML abgelehnt" in r for r in res.reasons)


def test_truncated_xml_is_rejected_with_its_records_counted(small_kreis, tmp_path) -> None:
    original = _one_delivery(small_kreis, "wohngeld")
    data = original.read_bytes()
    res = _ingest_variant(tmp_path, "wohngeld", original.name, data[: int(len(data) * 0.6)])
    assert res.status == "quarantined" and any("kein wohlgeformtes XML" in r for r in res.reasons)
    assert res.rows_quarantined >= data.count(b"<Bescheid ") // 2


def test_xml_record_without_a_required_element_is_quarantined(small_kreis, tmp_path) -> None:
    original = _one_delivery(small_kreis, "wohngeld")
    data = original.read_bytes()
    start = data.index(b"<Bescheiddatum>")
    data = data[:start] + data[data.index(b"</Bescheiddatum>") + len(b"</Bescheiddatum>"):]
    res = _ingest_variant(tmp_path, "wohngeld", original.name, data)
    assert res.rows_quarantined == 1 and any("Pflichtfeld Bescheiddatum ist leer" in r for r in res.reasons)


# --- SGB VIII: a real PostgreSQL server, read incrementally ----------------------------------------

def test_sgb8_extract_reads_only_what_changed_since_the_last_extract(tmp_path) -> None:
    import psycopg

    from generator.run import generate
    from tests.conftest import SMALL_CONFIG

    s = make_settings(tmp_path / "pg")
    generate(SMALL_CONFIG, s.inbox, progress=False, sources=("jugendamt",))  # a database of its own to change
    contract, key = _contract("jugendamt"), load_key(s)
    first = ingest_database(contract, s, key, chunk_rows=50)
    total = sum(r.rows_delivered for r in first)
    assert len(first) > 1 and total > 50  # chunks of about 50 rows, one delivery each
    raw = f"'{s.raw}/jugendamt/hilfen/*/*.parquet'"
    spans = duckdb.execute(f"""select lieferung_id, min(geaendert_am), max(geaendert_am)
        from {raw} group by all order by 2""").fetchall()
    assert all(a[2] < b[1] for a, b in zip(spans, spans[1:], strict=False))  # no change time split
    assert ingest_database(contract, s, key) == []  # nothing changed: nothing delivered
    with conninfo(s.inbox) as dsn, psycopg.connect(dsn) as con:
        hid = con.execute("select hilfe_id from hilfe where ende is null order by hilfe_id limit 1").fetchone()[0]
        con.execute("update hilfe set ende = beginn + 30, geaendert_am = now() where hilfe_id = %s", (hid,))
    again = ingest_database(contract, s, key)
    assert [r.rows_delivered for r in again] == [1]
    versions = duckdb.execute(f"select count(*), count(distinct hilfe_pseudonym) from {raw}").fetchone()
    assert versions == (total + 1, total)  # the closed case is a new version of the same case


def test_sgb8_delivery_names_and_watermarks_carry_no_case_id(tmp_path) -> None:
    from generator.run import generate
    from tests.conftest import SMALL_CONFIG

    s = make_settings(tmp_path / "pg")
    generate(SMALL_CONFIG, s.inbox, progress=False, sources=("jugendamt",))
    ingest_database(_contract("jugendamt"), s, load_key(s), chunk_rows=50)
    log = [e for e in read_ingest_log(s) if e["source"] == "jugendamt"]
    assert len(log) > 1
    for entry in log:  # a change time and nothing else: no id to read back
        assert re.fullmatch(r"HILFEN_[0-9]{8}T[0-9]{6}_[0-9]{6}", entry["lieferung_id"])
        assert dt.datetime.fromisoformat(entry["watermark"]).tzinfo is not None
    lieferungen = duckdb.execute(f"select distinct lieferung_id from '{s.raw}/jugendamt/hilfen/*/*.parquet'")
    assert {r[0] for r in lieferungen.fetchall()} == {e["lieferung_id"] for e in log}


def test_unreachable_sgb8_database_fails_with_a_clear_error(small_kreis, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STICHTAG_SGB8_DSN", f"host={tmp_path} port=1 dbname=jugendamt connect_timeout=1")
    s = make_settings(tmp_path / "down")
    with pytest.raises(SourceUnavailable, match="Datenbank von jugendamt nicht erreichbar"):
        ingest_database(_contract("jugendamt"), s, load_key(s))
    assert read_ingest_log(s) == []


def test_database_ingest_asset_retries_with_backoff() -> None:
    import dagster as dg

    from orchestration.definitions import defs

    asset = defs.resolve_assets_def(dg.AssetKey(["raw", "jugendamt", "hilfen"]))
    policy = asset.op.retry_policy
    assert policy is not None and policy.max_retries >= 3 and policy.backoff is not None


def test_a_workbook_that_would_inflate_like_a_zip_bomb_is_refused_before_reading(small_kreis, tmp_path) -> None:
    original = _one_delivery(small_kreis, "kita")
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original.read_bytes())) as src, \
            zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            out.writestr(item, src.read(item))
        out.writestr("xl/worksheets/sheet9.xml", b"\0" * (64 * 1024 * 1024))  # a few dozen KiB compressed
    res = _ingest_variant(tmp_path, "kita", original.name, buf.getvalue())
    assert res.status == "quarantined" and "ZIP-Bombe" in next(iter(res.reasons)), res.reasons
