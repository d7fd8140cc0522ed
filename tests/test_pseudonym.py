import duckdb
import pytest

from kernel.settings import PROJECT_ROOT, Settings
from sources.pseudonym import KeyError_, PseudonymKey, init_demo_key, load_key, load_keyring, rotate_key


def test_sql_hmac_equals_python_hmac_for_every_value() -> None:
    key = PseudonymKey(bytes(range(32)))
    values = ["990000000001", "Müller|Jörg|1964-02", "", "ß" * 100]
    con = duckdb.connect()
    key.register(con, ["person_pseudonym"])
    con.execute("create table t as select unnest(?::varchar[]) as v", [values])
    got = con.execute(f"select v, {key.sql('v', 'person_pseudonym')} from t").fetchall()  # one vectorised query
    assert got == [(v, key.python(v, "person_pseudonym")) for v in values]


def test_each_pseudonym_column_has_its_own_key() -> None:
    key = PseudonymKey(bytes(range(32)))
    con = duckdb.connect()
    key.register(con, ["hilfe_pseudonym", "ja_person_pseudonym"])
    case, person = con.execute(f"select {key.sql('?', 'hilfe_pseudonym')}, {key.sql('?', 'ja_person_pseudonym')}",
                               ["16381", "16381"]).fetchone()
    assert case != person  # the same number as a case id and as a person id: unrelated pseudonyms
    assert (case, person) == (key.python("16381", "hilfe_pseudonym"), key.python("16381", "ja_person_pseudonym"))


def test_key_material_never_appears_in_sql_text() -> None:
    key = PseudonymKey(bytes(range(32)))
    sql = key.sql("v", "person_pseudonym")
    pads = [bytes(b ^ x for b in key.domain_secret("person_pseudonym").ljust(64, b"\0")).hex() for x in (0x36, 0x5C)]
    assert key.secret.hex() not in sql and not any(p[:16] in sql for p in pads)


def test_key_longer_than_a_block_is_hashed_first_like_hmac() -> None:
    key = PseudonymKey(b"k" * 100)
    con = duckdb.connect()
    key.register(con, ["d"])
    assert con.execute(f"select {key.sql('?', 'd')}", ["x"]).fetchone()[0] == key.python("x", "d")


def test_rotation_adds_an_active_key_and_keeps_the_retired_one(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("STICHTAG_PSEUDONYM_KEY")
    s = Settings(lake=tmp_path / "lake", inbox=tmp_path / "inbox", key_file=tmp_path / "keys" / "p.key")
    first, _ = init_demo_key(s)
    retired, new = rotate_key(s)
    assert retired == first and new != first and load_key(s) == new
    assert load_keyring(s) == [first, new] and (s.key_file.stat().st_mode & 0o777) == 0o600


def test_rotation_of_a_key_from_the_environment_is_refused(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("STICHTAG_PSEUDONYM_KEY", "ab" * 32)
    with pytest.raises(KeyError_, match="rotate it where it is managed"):
        rotate_key(Settings(lake=tmp_path, inbox=tmp_path, key_file=tmp_path / "x"))


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
