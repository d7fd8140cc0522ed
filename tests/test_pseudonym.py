import duckdb
import pytest

from sources.pseudonym import KeyError_, PseudonymKey, init_demo_key, load_key
from stichtag.settings import PROJECT_ROOT, Settings


def test_sql_hmac_equals_python_hmac_for_every_value() -> None:
    key = PseudonymKey(bytes(range(32)))
    values = ["990000000001", "Müller|Jörg|1964-02", "", "ß" * 100]
    con = duckdb.connect()
    con.execute("create table t as select unnest(?::varchar[]) as v", [values])
    got = con.execute(f"select v, {key.sql('v')} from t").fetchall()  # one vectorised query
    assert got == [(v, key.python(v)) for v in values]


def test_key_longer_than_a_block_is_hashed_first_like_hmac() -> None:
    key = PseudonymKey(b"k" * 100)
    assert duckdb.execute(f"select {key.sql('?')}", ["x"]).fetchone()[0] == key.python("x")


def test_key_id_identifies_without_revealing() -> None:
    key = PseudonymKey(b"\x01" * 32)
    assert len(key.key_id) == 12 and key.key_id not in (b"\x01" * 32).hex()
    assert "01010101" not in repr(key)


def test_key_file_inside_the_repository_is_refused(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("STICHTAG_PSEUDONYM_KEY")
    s = Settings(lake=tmp_path / "lake", inbox=tmp_path / "inbox", key_file=PROJECT_ROOT / "k.key")
    with pytest.raises(KeyError_, match="outside the repository"):
        init_demo_key(s)


def test_demo_key_is_created_once_and_reused(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("STICHTAG_PSEUDONYM_KEY")
    s = Settings(lake=tmp_path / "lake", inbox=tmp_path / "inbox", key_file=tmp_path / "keys" / "p.key")
    k1, created1 = init_demo_key(s)
    k2, created2 = init_demo_key(s)
    assert created1 and not created2 and k1 == k2 == load_key(s)
    assert (s.key_file.stat().st_mode & 0o777) == 0o600


def test_short_key_is_refused(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("STICHTAG_PSEUDONYM_KEY", "ab" * 8)
    with pytest.raises(KeyError_, match="at least 32"):
        load_key(Settings(lake=tmp_path, inbox=tmp_path, key_file=tmp_path / "x"))


def test_key_that_is_not_hex_is_refused(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("STICHTAG_PSEUDONYM_KEY", "not-a-hex-key-" * 5)
    with pytest.raises(KeyError_, match="not hex"):
        load_key(Settings(lake=tmp_path, inbox=tmp_path, key_file=tmp_path / "x"))
