"""The bad-input corpus: every hostile or broken delivery gets a clear, specific reason, and for every
case the rows delivered = rows landed + rows quarantined. Cases are built from one valid delivery
of each source by a named mutation, so each case documents exactly what is wrong with it."""

from __future__ import annotations

import codecs
import os
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import duckdb
import pytest

from generator.melderegister import AENDERUNG_COLUMNS, BESTAND_COLUMNS
from sources.ingest import ingest_file, ingest_inbox, read_ingest_log
from sources.pseudonym import load_key
from tests.conftest import make_settings

CRLF = b"\r\n"
AENDERUNGEN = "EWO_AENDERUNGEN_201502.csv"
BESTAND = "EWO_BESTAND_20141231.csv"
COLS = AENDERUNG_COLUMNS  # the header as the registry writes it


def lines(b: bytes) -> list[bytes]:
    return b.split(CRLF)


def set_field(row: int, column: str, value: str, cols: list[str] = COLS) -> Callable[[bytes], bytes]:
    """Replace one field of data row `row` (1 = first data row) with `value` (cp1252)."""
    def mutate(b: bytes) -> bytes:
        ls = lines(b)
        fields = ls[row].split(b";")
        fields[cols.index(column)] = value.encode("cp1252")
        ls[row] = b";".join(fields)
        return CRLF.join(ls)
    return mutate


def first_row_where(column: str, value: str) -> Callable[[bytes], int]:
    def find(b: bytes) -> int:
        for i, line in enumerate(lines(b)[1:], start=1):
            if line.split(b";")[COLS.index(column)].decode("cp1252") == value:
                return i
        raise AssertionError(f"no row with {column}={value}")
    return find


def header(transform: Callable[[list[bytes]], list[bytes]]) -> Callable[[bytes], bytes]:
    def mutate(b: bytes) -> bytes:
        ls = lines(b)
        ls[0] = b";".join(transform(ls[0].split(b";")))
        return CRLF.join(ls)
    return mutate


def recode(encoding: str, bom: bytes = b"") -> Callable[[bytes], bytes]:
    return lambda b: bom + b.decode("cp1252").encode(encoding)


# ---- file-level cases: the whole delivery is quarantined with this reason (fragment) ----------------
FILE_CASES: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "utf-8 instead of windows-1252": (recode("utf-8"), "UTF-8"),
    "utf-8 with BOM": (recode("utf-8", codecs.BOM_UTF8), "UTF-8-BOM"),
    "utf-16 LE with BOM": (recode("utf-16-le", codecs.BOM_UTF16_LE), "UTF-16"),
    "utf-16 BE with BOM": (recode("utf-16-be", codecs.BOM_UTF16_BE), "UTF-16"),
    "utf-32 with BOM": (recode("utf-32-le", codecs.BOM_UTF32_LE), "UTF-32"),
    "NUL bytes inside": (lambda b: b[:200] + b"\x00\x00" + b[200:], "NUL"),
    "binary garbage": (lambda b: bytes(range(256)) * 40, "nicht"),
    "extra column": (header(lambda h: [*h, b"Religion"]), "nicht im Vertrag"),
    "missing column": (header(lambda h: h[:-1]), "fehlende Spalten"),
    "renamed column": (header(lambda h: [b"Geburtstag" if x == b"Geburtsdatum" else x for x in h]),
                       "fehlende Spalten ['Geburtsdatum']"),
    "columns reordered": (header(lambda h: [h[1], h[0], *h[2:]]), "reihenfolge weicht ab"),
    "comma instead of semicolon": (lambda b: b.replace(b";", b","), "fehlende Spalten"),
    "tab separated": (lambda b: b.replace(b";", b"\t"), "fehlende Spalten"),
    "header in lower case": (header(lambda h: [x.lower() for x in h]), "fehlende Spalten"),
    "header missing (data only)": (lambda b: CRLF.join(lines(b)[1:]), "Kopfzeile"),
    "duplicated header line": (lambda b: CRLF.join([lines(b)[0], *lines(b)]), None),
    "xml instead of csv": (lambda b: b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                           b"<x>&e;</x>", "Kopfzeile"),
    "html error page": (lambda b: b"<html><body>502 Bad Gateway</body></html>", "Kopfzeile"),
    "zip archive under a csv name": (lambda b: b"PK\x03\x04" + b"\x00" * 40, "NUL"),
    "gzip under a csv name": (lambda b: b"\x1f\x8b\x08\x00" + b"\x00" * 40, "NUL"),
    "byte undefined in windows-1252": (lambda b: b[:300] + b"\x81" + b[300:], "nicht definiert"),
}


# ---- row-level cases: exactly one row quarantined, with this reason (fragment) ---------------------
def row_case(column: str, value: str, row: int = 3) -> Callable[[bytes], bytes]:
    return set_field(row, column, value)


ROW_CASES: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    # dates
    "Geburtsdatum 31 February": (row_case("Geburtsdatum", "31.02.1970"), "Geburtsdatum: kein gültiges Datum"),
    "Geburtsdatum ISO format": (row_case("Geburtsdatum", "1970-01-31"), "Geburtsdatum: kein gültiges Datum"),
    "Geburtsdatum month 13": (row_case("Geburtsdatum", "01.13.1970"), "Geburtsdatum: kein gültiges Datum"),
    "Geburtsdatum zeros": (row_case("Geburtsdatum", "00.00.0000"), "Geburtsdatum: kein gültiges Datum"),
    "Geburtsdatum text": (row_case("Geburtsdatum", "unbekannt"), "Geburtsdatum: kein gültiges Datum"),
    "Geburtsdatum empty": (row_case("Geburtsdatum", ""), "Pflichtfeld Geburtsdatum"),
    "Geburtsdatum in the future": (row_case("Geburtsdatum", "01.01.2031"), "Zukunft"),
    "Geburtsdatum before 1900": (row_case("Geburtsdatum", "01.01.1850"), "vor 1900"),
    "Ereignisdatum before birth (death before birth)": (row_case("Geburtsdatum", "01.01.2026"),
                                                        "vor dem Geburtsdatum"),
    "Ereignisdatum invalid": (row_case("Ereignisdatum", "30.02.2015"), "Ereignisdatum: kein gültiges Datum"),
    "Ereignisdatum empty": (row_case("Ereignisdatum", ""), "Pflichtfeld Ereignisdatum"),
    "Meldedatum before Ereignisdatum": (row_case("Meldedatum", "31.12.2014"), "Meldedatum liegt vor"),
    "Meldedatum invalid": (row_case("Meldedatum", "2015-02-01"), "Meldedatum: kein gültiges Datum"),
    # codes and enums
    "Ereignisart unknown": (row_case("Ereignisart", "Auswanderung"), "Ereignisart: unbekannter Wert"),
    "Ereignisart lower case": (row_case("Ereignisart", "zuzug"), "Ereignisart: unbekannter Wert"),
    "Ereignisart empty": (row_case("Ereignisart", ""), "Pflichtfeld Ereignisart"),
    "Geschlecht upper case": (row_case("Geschlecht", "M"), "Geschlecht: unbekannter Wert"),
    "Geschlecht word": (row_case("Geschlecht", "männlich"), "Geschlecht: unbekannter Wert"),
    "Geschlecht empty": (row_case("Geschlecht", ""), "Pflichtfeld Geschlecht"),
    "Staatsangehörigkeit ISO alpha": (row_case("Staatsangehörigkeit", "DE"), "Staatsangehörigkeit: ungültig"),
    "Staatsangehörigkeit four digits": (row_case("Staatsangehörigkeit", "0000"), "Staatsangehörigkeit: ungültig"),
    "Staatsangehörigkeit empty": (row_case("Staatsangehörigkeit", ""), "Pflichtfeld Staatsangehörigkeit"),
    "Gemeindeschlüssel unknown AGS": (row_case("Gemeindeschlüssel", "01056999"), "unbekannter Gemeindeschlüssel"),
    "Gemeindeschlüssel of another Kreis": (row_case("Gemeindeschlüssel", "01057001"),
                                           "unbekannter Gemeindeschlüssel"),
    "Gemeindeschlüssel seven digits": (row_case("Gemeindeschlüssel", "0105600"), "unbekannter Gemeindeschlüssel"),
    "Gemeindeschlüssel empty": (row_case("Gemeindeschlüssel", ""), "Pflichtfeld Gemeindeschlüssel"),
    "Gemeindeschlüssel SQL injection": (row_case("Gemeindeschlüssel", "01056001' or '1'='1"),
                                        "unbekannter Gemeindeschlüssel"),
    # numbers
    "Vorgangsnummer not a number": (row_case("Vorgangsnummer", "12a"), "Vorgangsnummer: keine ganze Zahl"),
    "Vorgangsnummer decimal": (row_case("Vorgangsnummer", "12,5"), "Vorgangsnummer: keine ganze Zahl"),
    "Vorgangsnummer too large": (row_case("Vorgangsnummer", "9" * 30), "Vorgangsnummer: keine ganze Zahl"),
    "Vorgangsnummer empty": (row_case("Vorgangsnummer", ""), "Pflichtfeld Vorgangsnummer"),
    "Bezugsvorgang without Storno": (row_case("Bezugsvorgang", "4711"), "Bezugsvorgang ohne Storno"),
    "Storno without Bezugsvorgang": (row_case("Ereignisart", "Storno"), "Storno ohne Bezugsvorgang"),
    "Bezugsvorgang not a number": (row_case("Bezugsvorgang", "x"), "Bezugsvorgang: keine ganze Zahl"),
    # identifiers
    "Ordnungsmerkmal empty": (row_case("Ordnungsmerkmal", ""), "Pflichtfeld Ordnungsmerkmal"),
    "Ordnungsmerkmal blank": (row_case("Ordnungsmerkmal", "   "), "Pflichtfeld Ordnungsmerkmal"),
    # structure
    "one field too many": (lambda b: CRLF.join([*lines(b)[:3], lines(b)[3] + b";zuviel", *lines(b)[4:]]),
                           f"{len(COLS) + 1} Felder statt {len(COLS)}"),
    "one field too few": (lambda b: CRLF.join([*lines(b)[:3], lines(b)[3].rsplit(b";", 1)[0], *lines(b)[4:]]),
                          f"{len(COLS) - 1} Felder statt {len(COLS)}"),
    "fixed-width shifted line (spaces instead of separators)": (
        lambda b: CRLF.join([*lines(b)[:3], lines(b)[3].replace(b";", b"  ", 3), *lines(b)[4:]]), "Felder statt"),
    "truncated last line": (lambda b: b.rstrip(CRLF)[:-25], "Felder statt"),
    "duplicate row": (lambda b: CRLF.join([*lines(b)[:4], lines(b)[3], *lines(b)[4:]]), "doppelt"),
    "duplicate Vorgangsnummer, other content": (
        lambda b: set_field(4, "Vorgangsnummer", lines(b)[3].split(b";")[0].decode())(b), "doppelt"),
}

# ---- cases that must land everything (robustness, not rejection) ---------------------------------
BENIGN_CASES: dict[str, Callable[[bytes], bytes]] = {
    "LF line endings": lambda b: b.replace(CRLF, b"\n"),
    "mixed CRLF and LF": lambda b: CRLF.join(lines(b)[:5]) + CRLF + b"\n".join(lines(b)[5:]),
    "CR only (old Mac)": lambda b: b.replace(CRLF, b"\r"),
    "trailing blank lines": lambda b: b + CRLF * 3,
    "no final line break": lambda b: b.rstrip(CRLF),
    "header with trailing blanks": header(lambda h: [x + b" " for x in h]),
    "quoted fields": lambda b: CRLF.join([lines(b)[0], *[b";".join(b'"' + f + b'"' for f in line.split(b";"))
                                                          if line else line for line in lines(b)[1:]]]),
    "blank padding around values": lambda b: CRLF.join([lines(b)[0], *[b";".join(b" " + f + b" " if f else f
                                                                                    for f in line.split(b";"))
                                                                          if line else line for line in lines(b)[1:]]]),
}


@pytest.fixture(scope="module")
def base(small_kreis) -> dict[str, bytes]:
    folder = small_kreis.inbox / "melderegister"
    # the first 60 rows of a real-looking delivery keep each case fast
    b = (folder / AENDERUNGEN).read_bytes()
    small = CRLF.join(lines(b)[:61]) + CRLF
    return {AENDERUNGEN: small}


def delivered_values(content: bytes) -> set[str]:
    """Every field of a delivery long enough to identify something, except the contract's own words."""
    from sources.contract import load_contracts

    words = {w for c in load_contracts() for col in c.columns for w in (col.name, *col.values)}
    text = content.decode("cp1252", errors="replace").replace("\r", "\n")
    return {f.strip().strip('"') for line in text.split("\n") for f in line.split(";")
            if len(f.strip().strip('"')) >= 6} - words


def written_text(s, res) -> str:
    """What ingest wrote outside the raw zone (log, quarantine, operations log) and returned."""
    parts = [repr(asdict(res))]
    for p in s.lake.rglob("*"):
        if p.is_file() and not p.is_relative_to(s.raw):
            if p.suffix == ".parquet":
                parts.append(str(duckdb.execute(f"select * from read_parquet('{p}')").fetchall()))
            else:
                parts.append(p.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


def assert_nothing_echoed(s, res, content: bytes) -> None:
    text = written_text(s, res)
    echoed = sorted(v for v in delivered_values(content) if v in text)
    assert not echoed, f"{len(echoed)} delivered values echoed, e.g. line {echoed[:1]}"


def ingest_case(tmp_path: Path, name: str, content: bytes):
    s = make_settings(tmp_path)
    target = s.inbox / "melderegister" / name
    target.parent.mkdir(parents=True)
    target.write_bytes(content)
    res = ingest_file(target, s, load_key(s))
    assert res.rows_delivered == res.rows_landed + res.rows_quarantined, res
    quarantined = 0
    for q in s.quarantine.rglob("quarantine.parquet"):
        quarantined += duckdb.execute(f"select count(*) from read_parquet('{q}')").fetchone()[0]
    assert quarantined == res.rows_quarantined
    assert_nothing_echoed(s, res, content)  # reasons come from the contract, never from the data
    return s, res


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_broken_file_is_quarantined_as_a_whole_with_a_specific_reason(base, tmp_path, case) -> None:
    mutate, reason = FILE_CASES[case]
    _, res = ingest_case(tmp_path, AENDERUNGEN, mutate(base[AENDERUNGEN]))
    assert res.rows_landed == 0 or reason is None, res
    if reason is not None:
        assert res.status == "quarantined" and reason in next(iter(res.reasons)), res.reasons


@pytest.mark.parametrize("case", sorted(ROW_CASES))
def test_broken_row_is_quarantined_alone_with_a_specific_reason(base, tmp_path, case) -> None:
    mutate, reason = ROW_CASES[case]
    content = mutate(base[AENDERUNGEN])
    _, res = ingest_case(tmp_path, AENDERUNGEN, content)
    assert res.rows_quarantined == 1, res.reasons
    assert any(reason in r for r in res.reasons), res.reasons


@pytest.mark.parametrize("case", sorted(BENIGN_CASES))
def test_harmless_variation_lands_every_row(base, tmp_path, case) -> None:
    _, res = ingest_case(tmp_path, AENDERUNGEN, BENIGN_CASES[case](base[AENDERUNGEN]))
    assert res.rows_quarantined == 0 and res.rows_landed == 60, res.reasons


@pytest.mark.parametrize("content", [b"", b"   \r\n", CRLF * 5])
def test_empty_file_is_quarantined_with_a_clear_reason(tmp_path, content) -> None:
    _, res = ingest_case(tmp_path, AENDERUNGEN, content)
    assert res.status == "quarantined" and res.rows_delivered == 0 and "leer" in next(iter(res.reasons))


def test_header_only_delivers_zero_rows_and_is_logged(base, tmp_path) -> None:
    _, res = ingest_case(tmp_path, AENDERUNGEN, lines(base[AENDERUNGEN])[0] + CRLF)
    assert res.rows_delivered == 0 and res.rows_quarantined == 0 and res.status == "landed"


UNSAFE_NAMES = ["EWO_AENDERUNGEN_201502 (1).csv", "EWO_AENDERUNGEN_201502;rm.csv", "EWO_AENDERUNGEN_2099 02;rm -rf.csv",
                "EWO_AENDERUNGEN_2015\u00a002.csv", "-EWO_AENDERUNGEN_201502.csv", "EWO_AENDERUNGEN_$(id).csv"]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_unsafe_file_name_is_quarantined_under_a_hash_and_never_repeated(base, tmp_path, name) -> None:
    s, res = ingest_case(tmp_path, name, base[AENDERUNGEN])
    assert res.status == "quarantined" and res.rows_quarantined == 60
    assert res.lieferung_id.startswith("unsicherer-name-") and res.file == res.lieferung_id
    assert "Dateiname als Lieferungskennung nicht zulässig" in next(iter(res.reasons))
    assert name not in written_text(s, res) and name.split("_")[-1] not in written_text(s, res)


def test_an_unsafe_file_name_does_not_stop_the_other_deliveries(base, tmp_path) -> None:
    from tests.conftest import run_cli

    s = make_settings(tmp_path)
    folder = s.inbox / "melderegister"
    folder.mkdir(parents=True)
    (folder / "EWO_AENDERUNGEN_2099 02;rm -rf.csv").write_bytes(base[AENDERUNGEN])
    (folder / "EWO_AENDERUNGEN_201503.csv").write_bytes(base[AENDERUNGEN].replace(b";Zuzug;", b";Umzug;"))
    done = run_cli(s, "ingest", "--quiet")
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "Abgelehnt (ganz in Quarantäne): 1 Lieferungen" in done.stdout and "rm -rf" not in done.stdout
    strict = run_cli(s, "ingest", "--quiet", "--strict")
    assert strict.returncode == 0  # nothing new: the refusal was reported by the run that saw it
    landed = [e for e in read_ingest_log(s) if e["rows_landed"]]
    assert [e["lieferung_id"] for e in landed] == ["EWO_AENDERUNGEN_201503"]


def test_a_headerless_delivery_is_refused_without_repeating_its_first_record(base, tmp_path) -> None:
    content = CRLF.join(lines(base[AENDERUNGEN])[1:])
    s, res = ingest_case(tmp_path, AENDERUNGEN, content)
    assert res.status == "quarantined" and res.rows_delivered == 60  # the record in the header's place counts
    assert "Kopfzeile fehlt" in next(iter(res.reasons))


def test_a_zip_bomb_is_refused_before_it_is_inflated(tmp_path) -> None:
    import io
    import resource
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("12411-02-03-4_flat.csv", b"x" * (512 * 1024 * 1024))  # one 512 MiB "line"
    s = make_settings(tmp_path)
    target = s.inbox / "amtlich" / "12411-02-03-4_1735686000000_de_flat.zip"
    target.parent.mkdir(parents=True)
    target.write_bytes(buf.getvalue())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    res = ingest_file(target, s, load_key(s))
    grown_mib = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert res.status == "quarantined" and "ZIP-Bombe" in next(iter(res.reasons)), res.reasons
    assert grown_mib < 200 and all(p.stat().st_size < 10_000 for p in s.lake.rglob("*") if p.is_file())


def test_a_line_beyond_the_limit_refuses_the_file_without_decoding_it(base, tmp_path) -> None:
    huge = CRLF.join([*lines(base[AENDERUNGEN])[:5], b"A" * (256 * 1024), *lines(base[AENDERUNGEN])[5:]])
    s, res = ingest_case(tmp_path, AENDERUNGEN, huge)
    assert res.status == "quarantined" and "Zeile 6 ist länger als" in next(iter(res.reasons))
    assert all(p.stat().st_size < 20_000 for p in s.lake.rglob("*") if p.is_file())


def test_a_delivery_above_the_size_limit_is_counted_and_refused_unread(base, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("STICHTAG_MAX_DELIVERY_BYTES", "1000")
    s, res = ingest_case(tmp_path, AENDERUNGEN, base[AENDERUNGEN])
    assert res.status == "quarantined" and res.rows_quarantined == 60
    assert "STICHTAG_MAX_DELIVERY_BYTES" in next(iter(res.reasons))


def test_file_without_a_contract_is_quarantined(base, tmp_path) -> None:
    _, res = ingest_case(tmp_path, "EINWOHNER_EXPORT.csv", base[AENDERUNGEN])
    assert res.status == "quarantined" and "kein Quellvertrag" in next(iter(res.reasons))
    assert res.rows_delivered == 60


def test_partial_transfer_is_not_ingested_yet(base, tmp_path) -> None:
    s = make_settings(tmp_path)
    folder = s.inbox / "melderegister"
    folder.mkdir(parents=True)
    (folder / f"{AENDERUNGEN}.part").write_bytes(base[AENDERUNGEN][:500])
    (folder / f".{AENDERUNGEN}").write_bytes(base[AENDERUNGEN])
    assert ingest_inbox(s, load_key(s), progress=False) == []


def test_symlink_out_of_the_inbox_is_not_followed(base, tmp_path) -> None:
    s = make_settings(tmp_path)
    outside = tmp_path / "secret.csv"
    outside.write_bytes(base[AENDERUNGEN])
    (s.inbox / "melderegister").mkdir(parents=True)
    os.symlink(outside, s.inbox / "melderegister" / AENDERUNGEN)
    results = ingest_inbox(s, load_key(s), progress=False)
    assert [r.status for r in results] == ["quarantined"]
    assert "symbolische Verknüpfung" in next(iter(results[0].reasons))


def test_duplicate_vorgangsnummer_across_deliveries_is_quarantined(base, tmp_path) -> None:
    s = make_settings(tmp_path)
    folder = s.inbox / "melderegister"
    folder.mkdir(parents=True)
    (folder / AENDERUNGEN).write_bytes(base[AENDERUNGEN])
    again = CRLF.join(lines(base[AENDERUNGEN])[:3]) + CRLF  # two rows delivered again next month
    (folder / "EWO_AENDERUNGEN_201503.csv").write_bytes(again)
    first, second = ingest_inbox(s, load_key(s), progress=False)
    assert first.rows_landed == 60
    assert second.rows_quarantined == 2 and "bereits geliefert" in next(iter(second.reasons))


def test_deliveries_landed_in_one_batch_give_what_one_by_one_gives(base, tmp_path, monkeypatch) -> None:
    # three deliveries of one contract: the second repeats a key the first landed and a key whose first
    # delivery was refused (a bad date), the third the key the second landed, and one the first landed twice
    first = set_field(2, "Ereignisdatum", "32.01.2015")(base[AENDERUNGEN])
    key_of = {n: lines(first)[n].split(b";")[0] for n in (1, 2)}
    second = CRLF.join([lines(first)[0], lines(base[AENDERUNGEN])[1], lines(base[AENDERUNGEN])[2]]) + CRLF
    third = CRLF.join([lines(first)[0], lines(base[AENDERUNGEN])[2], lines(base[AENDERUNGEN])[5],
                       lines(base[AENDERUNGEN])[5]]) + CRLF
    outcomes = []
    for batch_rows in ("1", "1000000"):  # one delivery per DuckDB pass, then all three in one
        monkeypatch.setenv("STICHTAG_INGEST_BATCH_ROWS", batch_rows)
        s = make_settings(tmp_path / batch_rows)
        folder = s.inbox / "melderegister"
        folder.mkdir(parents=True)
        for name, data in (("EWO_AENDERUNGEN_201502.csv", first), ("EWO_AENDERUNGEN_201503.csv", second),
                           ("EWO_AENDERUNGEN_201504.csv", third)):
            (folder / name).write_bytes(data)
            os.utime(folder / name, (1_430_000_000, 1_430_000_000))
        results = ingest_inbox(s, load_key(s), progress=False)
        raw = {p.relative_to(s.lake).as_posix(): p.read_bytes() for p in sorted(s.lake.rglob("*.parquet"))}
        outcomes.append(([(r.rows_landed, r.rows_quarantined, r.reasons) for r in results], raw))
    assert outcomes[0] == outcomes[1]
    (landed, _, _), (_, _, reasons_2), (_, _, reasons_3) = outcomes[0][0]
    assert landed == 59 and key_of[1] != key_of[2]
    # row 1 was landed by the first delivery; row 2's key lands now, its first delivery having been refused
    assert reasons_2 == {"Vorgangsnummer wurde bereits geliefert (frühere Lieferung)": 1}
    assert reasons_3 == {"Vorgangsnummer wurde bereits geliefert (frühere Lieferung)": 2,
                         "Vorgangsnummer doppelt in dieser Lieferung; Vorgangsnummer wurde bereits geliefert "
                         "(frühere Lieferung)": 1}


# ---- the Bestand extract -------------------------------------------------------------------------
BESTAND_COLS = BESTAND_COLUMNS

BESTAND_ROW_CASES: dict[str, tuple[Callable[[bytes], bytes], str]] = {
    "Einzugsdatum before birth": (set_field(2, "Einzugsdatum", "01.01.1901", BESTAND_COLS), "Einzugsdatum liegt vor"),
    "Einzugsdatum invalid": (set_field(2, "Einzugsdatum", "32.01.2000", BESTAND_COLS), "Einzugsdatum: kein gültiges"),
    "Ordnungsmerkmal twice": (lambda b: set_field(3, "Ordnungsmerkmal", lines(b)[2].split(b";")[0].decode(),
                                                  BESTAND_COLS)(b), "Ordnungsmerkmal doppelt"),
    "Geburtsdatum in the future": (set_field(2, "Geburtsdatum", "01.01.2099", BESTAND_COLS), "Zukunft"),
    "Gemeindeschlüssel of Hamburg": (set_field(2, "Gemeindeschlüssel", "02000000", BESTAND_COLS),
                                     "unbekannter Gemeindeschlüssel"),
    "Geschlecht unknown": (set_field(2, "Geschlecht", "u", BESTAND_COLS), "Geschlecht: unbekannter Wert"),
}


@pytest.mark.parametrize("case", sorted(BESTAND_ROW_CASES))
def test_broken_bestand_row_is_quarantined_alone(small_kreis, tmp_path, case) -> None:
    mutate, reason = BESTAND_ROW_CASES[case]
    b = (small_kreis.inbox / "melderegister" / BESTAND).read_bytes()
    small = CRLF.join(lines(b)[:41]) + CRLF
    _, res = ingest_case(tmp_path, BESTAND, mutate(small))
    assert res.rows_quarantined == 1 and res.rows_landed == 39, res.reasons
    assert any(reason in r for r in res.reasons), res.reasons


def test_reasons_never_echo_sensitive_values(base, tmp_path) -> None:
    s, res = ingest_case(tmp_path, AENDERUNGEN, set_field(3, "Geburtsdatum", "31.02.1970")(base[AENDERUNGEN]))
    [q] = s.quarantine.rglob("quarantine.parquet")
    text = str(duckdb.execute(f"select * from read_parquet('{q}')").fetchall())
    assert "31.02.1970" not in text and "Geburtsdatum" in text


def test_a_file_still_being_written_is_not_ingested_until_it_settles(base, tmp_path) -> None:
    import threading

    s = make_settings(tmp_path)
    folder = s.inbox / "melderegister"
    folder.mkdir(parents=True)
    target = folder / AENDERUNGEN
    content = base[AENDERUNGEN]
    target.write_bytes(content[:100])
    stop = threading.Event()

    def keep_writing() -> None:  # a slow transfer without a completion marker
        with target.open("ab") as f:
            for i in range(100, len(content), 50):
                if stop.is_set():
                    return
                f.write(content[i:i + 50])
                f.flush()
                time.sleep(0.02)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        assert ingest_inbox(s, load_key(s), progress=False) == []
    finally:
        stop.set()
        writer.join()
    target.write_bytes(content)
    [res] = ingest_inbox(s, load_key(s), progress=False)
    assert res.status == "landed" and res.rows_landed == 60


def test_the_whole_corpus_through_the_cli_prints_no_traceback_and_accounts_for_every_row(base, tmp_path) -> None:
    from tests.conftest import run_cli

    s = make_settings(tmp_path)
    folder = s.inbox / "melderegister"
    folder.mkdir(parents=True)
    # every file-level case (where a reader fails), and the row cases of one structural kind each
    cases = {**FILE_CASES, **{k: v for k, v in ROW_CASES.items() if k in (
        "Geburtsdatum 31 February", "Gemeindeschlüssel SQL injection", "one field too many", "duplicate row")}}
    for i, case in enumerate(sorted(cases)):  # one delivery per case, each under its own month
        year, month = 2016 + i // 12, i % 12 + 1
        (folder / f"EWO_AENDERUNGEN_{year}{month:02d}.csv").write_bytes(cases[case][0](base[AENDERUNGEN]))
    (folder / "EWO_AENDERUNGEN_2099 02;rm -rf.csv").write_bytes(base[AENDERUNGEN])
    done = run_cli(s, "ingest", "--quiet")
    assert done.returncode == 0 and "Traceback" not in done.stdout + done.stderr, done.stderr[-3000:]
    log = read_ingest_log(s)
    assert len(log) == len(cases) + 1
    assert all(e["rows_delivered"] == e["rows_landed"] + e["rows_quarantined"] for e in log)
    echoed = sorted(v for v in delivered_values(base[AENDERUNGEN]) if v in done.stdout + done.stderr)
    assert not echoed, f"{len(echoed)} delivered values in the CLI output"
