"""Ingest: anonymisation on the way in, accounting, idempotency, quarantine."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from generator.canaries import canary_birth_dates_iso, canary_strings
from sources.ingest import delivery_files, ingest_file, ingest_inbox, read_ingest_log
from sources.pseudonym import load_key
from tests.conftest import make_settings
from tests.leaks import scan_for_leaks


def test_every_delivered_row_lands_or_is_quarantined(small_kreis) -> None:
    log = read_ingest_log(small_kreis)
    database_extracts = [e for e in log if e["file"].startswith("postgresql:")]
    assert len(log) == len(delivery_files(small_kreis.inbox)) + len(database_extracts)
    assert database_extracts  # the SGB VIII database was read
    for entry in log:
        assert entry["rows_delivered"] == entry["rows_landed"] + entry["rows_quarantined"]
    for source in {e["source"] for e in log}:
        landed = duckdb.execute(f"select count(*) from '{small_kreis.raw}/{source}/*/*/*.parquet'").fetchone()[0]
        assert landed == sum(e["rows_landed"] for e in log if e["source"] == source) > 0
    registry = sum(e["rows_landed"] for e in log if e["source"] == "melderegister")
    assert registry > 20_000


def test_raw_rows_carry_their_provenance(small_kreis) -> None:
    row = duckdb.execute(f"""select lieferung_id, received_at, source_file_sha256, source_line, key_id, lieferung
        from '{small_kreis.raw}/melderegister/aenderungen/*/*.parquet' where source_line = 2
        order by lieferung_id limit 1""").fetchone()
    assert row[0] == row[5] == "EWO_AENDERUNGEN_201501" and len(row[2]) == 64 and row[3] == 2
    assert row[4] == load_key(small_kreis).key_id


def test_no_clear_text_personal_data_reaches_the_lake(small_kreis) -> None:
    assert scan_for_leaks(small_kreis.lake, canary_strings(), canary_birth_dates_iso()) == []


def test_raw_zone_has_only_the_contracts_output_columns(small_kreis) -> None:
    cols = [r[0] for r in duckdb.execute(
        f"describe select * from '{small_kreis.raw}/melderegister/bestand/*/*.parquet'").fetchall()]
    assert "familienname" not in cols and "geburtsdatum" not in cols and "strasse" not in cols
    assert {"person_pseudonym", "geburtsjahr", "geburtsmonat", "gemeinde_ags"} <= set(cols)


def test_the_same_person_gets_the_same_pseudonym_in_every_delivery(small_kreis) -> None:
    key = load_key(small_kreis)
    canary = key.python("990000000001", "person_pseudonym")
    hits = duckdb.execute(f"""select count(distinct lieferung_id) from
        '{small_kreis.raw}/melderegister/*/*/*.parquet' where person_pseudonym = '{canary}'""").fetchone()[0]
    assert hits >= 1
    both = duckdb.execute(f"""select count(*) from (
        select person_pseudonym from '{small_kreis.raw}/melderegister/bestand/*/*.parquet'
        intersect select person_pseudonym from '{small_kreis.raw}/melderegister/aenderungen/*/*.parquet')""")
    assert both.fetchone()[0] > 100


def test_ingesting_the_same_delivery_twice_changes_nothing(small_kreis, tmp_path: Path) -> None:
    s = make_settings(tmp_path)
    shutil.copytree(small_kreis.inbox, s.inbox)
    key = load_key(s)
    first = ingest_inbox(s, key, progress=False)
    snapshot = {p: p.stat().st_mtime_ns for p in s.lake.rglob("*")}
    second = ingest_inbox(s, key, progress=False)
    assert {r.status for r in second} == {"already_ingested"}
    assert [r.rows_landed for r in first] == [r.rows_landed for r in second]
    assert {p: p.stat().st_mtime_ns for p in s.lake.rglob("*")} == snapshot


def test_a_rerun_over_known_deliveries_reads_no_file(small_kreis, tmp_path: Path, monkeypatch) -> None:
    s = make_settings(tmp_path)
    shutil.copytree(small_kreis.inbox, s.inbox)
    key = load_key(s)
    first = ingest_inbox(s, key, progress=False)

    def no_reading(self, *args, **kwargs):
        raise AssertionError(f"{self} read again")

    monkeypatch.setattr(Path, "read_bytes", no_reading)
    waits = []
    monkeypatch.setattr("sources.ingest.time.sleep", waits.append)  # the growth check: only for unknown files
    second = ingest_inbox(s, key, progress=False)
    assert {r.status for r in second} == {"already_ingested"}
    assert [(r.lieferung_id, r.sha256) for r in second] == [(r.lieferung_id, r.sha256) for r in first]
    assert waits == []


def test_a_file_still_growing_during_the_run_waits_for_the_next_one(small_kreis, tmp_path: Path,
                                                                     monkeypatch) -> None:
    s = make_settings(tmp_path)
    src = small_kreis.inbox / "melderegister" / "EWO_AENDERUNGEN_201502.csv"
    target = s.inbox / "melderegister" / src.name
    target.parent.mkdir(parents=True)
    target.write_bytes(src.read_bytes()[:1000])

    def transfer_goes_on(seconds: float) -> None:  # the sender appends while the check watches
        with target.open("ab") as f:
            f.write(src.read_bytes()[1000:2000])

    monkeypatch.setattr("sources.ingest.time.sleep", transfer_goes_on)
    assert ingest_inbox(s, load_key(s), progress=False) == []
    assert not s.raw.exists() or not any(s.raw.rglob("*.parquet"))


def test_only_recently_modified_files_are_watched_for_growth(tmp_path: Path, monkeypatch) -> None:
    from sources.ingest import QUIET_S, still_growing

    quiet, recent, future = (tmp_path / n for n in ("ruhig.csv", "neu.csv", "zukunft.csv"))
    for p in (quiet, recent, future):
        p.write_bytes(b"x")
    now = time.time()
    os.utime(quiet, (now - 2 * QUIET_S, now - 2 * QUIET_S))
    os.utime(future, (now + 3600, now + 3600))  # a share's clock ahead of ours
    watched: list[float] = []

    def appending(seconds: float) -> None:  # every file grows while the check watches
        watched.append(seconds)
        for p in (quiet, recent, future):
            with p.open("ab") as f:
                f.write(b"y")

    monkeypatch.setattr("sources.ingest.time.sleep", appending)
    assert still_growing([quiet]) == set() and watched == []  # quiet for long: no wait at all
    assert still_growing([quiet, recent, future]) == {recent, future} and len(watched) == 1


def test_a_delivery_rewritten_in_place_with_the_same_size_is_read_again_and_refused(small_kreis, tmp_path) -> None:
    s, first = _bad_delivery(tmp_path, small_kreis, "EWO_AENDERUNGEN_201502.csv", lambda b: b)
    path = s.inbox / "melderegister" / "EWO_AENDERUNGEN_201502.csv"
    data = bytearray(path.read_bytes())
    i = data.index(b"\r\n") + 3  # a byte of the first record: same size, new content, new mtime
    data[i] = ord("7") if data[i] != ord("7") else ord("8")
    path.write_bytes(bytes(data))
    second = ingest_file(path, s, load_key(s))
    assert second.status == "quarantined" and "anderem Inhalt" in next(iter(second.reasons))
    assert second.sha256 != first.sha256


def _bad_delivery(tmp_path: Path, small_kreis, name: str, mutate) -> tuple:
    s = make_settings(tmp_path)
    src = small_kreis.inbox / "melderegister" / "EWO_AENDERUNGEN_201502.csv"
    target = s.inbox / "melderegister" / name
    target.parent.mkdir(parents=True)
    target.write_bytes(mutate(src.read_bytes()))
    res = ingest_file(target, s, load_key(s))
    return s, res


def _quarantine(s, res) -> list[tuple[int, str]]:
    files = list(s.quarantine.rglob("quarantine.parquet"))
    if not files:
        return []
    return duckdb.execute(f"select source_line, reason from '{files[0]}' order by 1").fetchall()


def test_utf8_delivery_is_quarantined_as_a_whole_with_its_encoding_named(small_kreis, tmp_path) -> None:
    s, res = _bad_delivery(tmp_path, small_kreis, "EWO_AENDERUNGEN_201502.csv",
                           lambda b: b.decode("cp1252").encode("utf-8"))
    assert res.status == "quarantined" and res.rows_landed == 0
    assert res.rows_delivered == res.rows_quarantined > 0
    assert "UTF-8" in next(iter(res.reasons))
    assert len(_quarantine(s, res)) == res.rows_quarantined


@pytest.mark.parametrize(("mutate", "expected"), [
    (lambda b: b.replace(b";Steuer-ID\r\n", b";Steuer-ID;Religion\r\n", 1), "nicht im Vertrag"),
    (lambda b: b.replace(b";Steuer-ID\r\n", b"\r\n", 1), "fehlende Spalten"),
])
def test_header_not_matching_the_contract_quarantines_the_file(small_kreis, tmp_path, mutate, expected) -> None:
    s, res = _bad_delivery(tmp_path, small_kreis, "EWO_AENDERUNGEN_201502.csv", mutate)
    assert res.status == "quarantined" and expected in next(iter(res.reasons))
    assert res.rows_delivered == res.rows_quarantined == len(_quarantine(s, res))


def test_malformed_date_quarantines_only_that_row_without_echoing_it(small_kreis, tmp_path) -> None:
    def mutate(b: bytes) -> bytes:
        lines = b.split(b"\r\n")
        fields = lines[5].split(b";")
        fields[9] = b"31.02.1970"  # Geburtsdatum
        lines[5] = b";".join(fields)
        return b"\r\n".join(lines)

    s, res = _bad_delivery(tmp_path, small_kreis, "EWO_AENDERUNGEN_201502.csv", mutate)
    assert res.status == "partly_quarantined" and res.rows_quarantined == 1
    assert res.rows_delivered == res.rows_landed + 1
    [(line, reason)] = _quarantine(s, res)
    assert line == 6 and "Geburtsdatum" in reason and "31.02.1970" not in reason


def test_row_with_wrong_field_count_is_quarantined(small_kreis, tmp_path) -> None:
    def mutate(b: bytes) -> bytes:
        lines = b.split(b"\r\n")
        lines[3] = lines[3] + b";zuviel"
        return b"\r\n".join(lines)

    s, res = _bad_delivery(tmp_path, small_kreis, "EWO_AENDERUNGEN_201502.csv", mutate)
    assert res.rows_quarantined == 1 and _quarantine(s, res)[0][0] == 4


def test_duplicate_delivery_under_another_name_is_quarantined(small_kreis, tmp_path) -> None:
    s = make_settings(tmp_path)
    src = small_kreis.inbox / "melderegister" / "EWO_AENDERUNGEN_201502.csv"
    (s.inbox / "melderegister").mkdir(parents=True)
    a = s.inbox / "melderegister" / src.name
    b = s.inbox / "melderegister" / "EWO_AENDERUNGEN_201502_nochmal.csv"
    shutil.copy(src, a)
    shutil.copy(src, b)
    first, second = ingest_inbox(s, load_key(s), progress=False)
    assert first.status == "landed"
    assert second.status == "quarantined" and "Doppelte Lieferung" in next(iter(second.reasons))
    assert second.rows_delivered == first.rows_delivered == second.rows_quarantined


def test_replacement_with_the_same_name_but_new_content_does_not_overwrite(small_kreis, tmp_path) -> None:
    s, first = _bad_delivery(tmp_path, small_kreis, "EWO_AENDERUNGEN_201502.csv", lambda b: b)
    path = s.inbox / "melderegister" / "EWO_AENDERUNGEN_201502.csv"
    path.write_bytes(path.read_bytes() + path.read_bytes().split(b"\r\n")[1] + b"\r\n")
    second = ingest_file(path, s, load_key(s))
    assert second.status == "quarantined" and "anderem Inhalt" in next(iter(second.reasons))
    log = json.loads((s.ingest_log / "melderegister" / "EWO_AENDERUNGEN_201502.json").read_text())
    assert log["sha256"] == first.sha256


def test_unsafe_file_name_is_quarantined_with_a_clear_reason(small_kreis, tmp_path) -> None:
    _, res = _bad_delivery(tmp_path, small_kreis, "EWO_AENDERUNGEN_2015 02;x.csv", lambda b: b)
    assert res.status == "quarantined" and "Dateiname als Lieferungskennung nicht zulässig" in next(iter(res.reasons))


def test_key_rotation_repseudonymises_the_whole_raw_zone_and_loses_no_row(tmp_path, monkeypatch) -> None:
    from generator.run import generate
    from sources.ingest import check_key, repseudonymise
    from sources.pseudonym import KeyError_, init_demo_key, rotate_key
    from tests.conftest import SMALL_CONFIG

    monkeypatch.delenv("STICHTAG_PSEUDONYM_KEY")
    s = make_settings(tmp_path)
    generate(SMALL_CONFIG, s.inbox, progress=False, sources=("kita",))
    old, _ = init_demo_key(s)
    before = ingest_inbox(s, old, progress=False)
    glob = f"'{s.raw}/kita/belegung/*/*.parquet'"
    old_pseudonyms = duckdb.execute(f"select vertrag_pseudonym, linkage_pseudonym from {glob}").fetchall()
    retired, new = rotate_key(s)
    with pytest.raises(KeyError_, match="repseudonymise"):
        check_key(read_ingest_log(s), new)  # deliveries under the new key would never join the old pseudonyms
    after = repseudonymise(s, new, progress=False)
    assert [(r.rows_landed, r.rows_quarantined) for r in after] == [(r.rows_landed, r.rows_quarantined)
                                                                     for r in before]
    rows = duckdb.execute(f"select vertrag_pseudonym, linkage_pseudonym, key_id from {glob}").fetchall()
    assert len(rows) == len(old_pseudonyms) and {r[2] for r in rows} == {new.key_id}
    old_values = {v for pair in old_pseudonyms for v in pair}
    assert not old_values & {v for r in rows for v in r[:2]}
    assert {e["key_id"] for e in read_ingest_log(s)} == {new.key_id} and retired == old


def test_no_exact_birth_date_reaches_the_lake_not_even_as_a_birth_event(small_kreis) -> None:
    glob = f"'{small_kreis.raw}/melderegister/aenderungen/*/*.parquet'"
    births, other_days = duckdb.execute(f"""select
        count(*) filter (where ereignisart = 'Geburt'),
        count(distinct day(ereignisdatum)) filter (where ereignisart <> 'Geburt') from {glob}""").fetchone()
    assert births > 100 and other_days > 20  # moves keep their day: the daily state needs it
    days = duckdb.execute(f"select distinct day(ereignisdatum) from {glob} where ereignisart = 'Geburt'").fetchall()
    assert days == [(1,)]  # a birth counts from the first of its month
    clear = [line.split(";") for p in sorted(small_kreis.inbox.rglob("EWO_AENDERUNGEN_*.csv"))[:3]
             for line in p.read_text(encoding="windows-1252").splitlines()[1:]]
    assert any(f[1] == "Geburt" and not f[2].startswith("01.") for f in clear)  # delivered to the day


def raw_files(s, like: dict | None = None) -> dict[str, bytes]:
    """The raw zone's Parquet files by path (those of `like`, if given)."""
    files = {str(p.relative_to(s.raw)): p for p in sorted(s.raw.rglob("*.parquet"))}
    return {k: p.read_bytes() for k, p in files.items() if like is None or k in like}


def test_pseudonyms_from_the_run_cache_are_the_per_row_hmacs(small_kreis, tmp_path: Path, monkeypatch) -> None:
    # STICHTAG_PSEUDONYM_CACHE=0: every delivery exceeds the cache, so each pseudonym is hashed per row
    monkeypatch.setenv("STICHTAG_PSEUDONYM_CACHE", "0")
    per_row = make_settings(tmp_path / "per_row")
    shutil.copytree(small_kreis.inbox, per_row.inbox)
    ingest_inbox(per_row, load_key(per_row), progress=False)

    # the copied inbox holds the files, not the SGB VIII database: the files' raw tables are compared
    hashed_per_row = raw_files(per_row)
    assert len(hashed_per_row) > 50 and hashed_per_row == raw_files(small_kreis, hashed_per_row)
    key = load_key(small_kreis)
    person = duckdb.execute(f"select person_pseudonym from '{small_kreis.raw}/melderegister/bestand/*/*.parquet' "
                            f"where person_pseudonym = '{key.python('990000000001', 'person_pseudonym')}'")
    assert person.fetchall()  # and the pseudonym is the reference HMAC of the delivered id


def test_the_pseudonym_cache_starts_again_instead_of_growing_past_its_limit(small_kreis, tmp_path: Path,
                                                                             monkeypatch) -> None:
    from sources.pseudonym_cache import PseudonymCache

    limit = 3000
    monkeypatch.setenv("STICHTAG_PSEUDONYM_CACHE", str(limit))
    sizes, restarts = [0], [0]
    register = PseudonymCache.register

    def recording(self, *args) -> None:
        register(self, *args)
        sizes.extend(table.num_rows for table in self._tables.values())
        restarts.append(self.restarts)

    monkeypatch.setattr(PseudonymCache, "register", recording)
    s = make_settings(tmp_path)
    shutil.copytree(small_kreis.inbox, s.inbox)
    ingest_inbox(s, load_key(s), progress=False)
    assert max(restarts) > 0 and max(sizes) <= limit
    restarted = raw_files(s)
    assert restarted == raw_files(small_kreis, restarted)


def test_a_batch_that_does_not_fit_the_ingest_memory_lands_in_parts_with_the_same_result(small_kreis, tmp_path,
                                                                                          monkeypatch) -> None:
    import sources.ingest as ingest

    real, tried = ingest._land, []

    def tight(batch, *args):  # as DuckDB fails a batch past STICHTAG_INGEST_MEMORY (Land-scale registry events)
        tried.append(len(batch))
        if len(batch) > 1:
            raise duckdb.OutOfMemoryException("Out of Memory Error: failed to pin block")
        return real(batch, *args)

    monkeypatch.setattr(ingest, "_land", tight)
    s = make_settings(tmp_path)
    shutil.copytree(small_kreis.inbox, s.inbox)
    ingest_inbox(s, load_key(s), progress=False)
    assert max(tried) > 1  # whole batches were tried first
    in_parts = raw_files(s)
    assert len(in_parts) > 50 and in_parts == raw_files(small_kreis, in_parts)

    def accounts(settings) -> dict:
        return {e["lieferung_id"]: (e["status"], e["rows_delivered"], e["rows_landed"], e["rows_quarantined"],
                                    e["reasons"]) for e in read_ingest_log(settings)}

    mine = accounts(s)
    assert mine == {k: v for k, v in accounts(small_kreis).items() if k in mine}


def test_a_delivery_that_alone_does_not_fit_the_ingest_memory_stops_with_a_clear_error(tmp_path) -> None:
    from tests.conftest import run_cli
    from tests.mini import write_mini_delivery

    s = make_settings(tmp_path)
    write_mini_delivery(s.inbox)
    done = run_cli(s, "ingest", "--quiet", extra_env={"STICHTAG_INGEST_MEMORY": "1MB"})
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "passt nicht in den Arbeitsspeicher des Ingests (STICHTAG_INGEST_MEMORY=1MB)" in done.stderr
    assert not read_ingest_log(s) and not list(s.raw.rglob("*.parquet"))
