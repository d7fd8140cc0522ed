"""Keyed pseudonyms: HMAC-SHA256 with a secret key kept outside the repository and the lake.

A plain or salted hash of an id can be reversed by hashing every possible id; a keyed HMAC cannot
without the key. The HMAC is computed inside DuckDB (vectorised C++), never in a per-row Python loop.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kernel.settings import PROJECT_ROOT, Settings

if TYPE_CHECKING:
    import duckdb

KEY_ENV = "STICHTAG_PSEUDONYM_KEY"
MIN_KEY_BYTES = 32
BLOCK = 64  # SHA-256 block size


class KeyError_(RuntimeError):
    """No usable pseudonym key."""


KEY_TABLE = "_pseudonym_keys"  # registered per connection: key material never enters SQL text


@dataclass(frozen=True, repr=False)
class PseudonymKey:
    """The master key; every pseudonym column (its domain) is keyed with a key derived from it.

    One key per domain means the same number in two id columns (a case id and a person id) gives two
    unrelated pseudonyms; columns that must link across sources share a name, and so a domain."""

    secret: bytes

    @property
    def key_id(self) -> str:
        """Identifies the key and the derivation scheme (v2: a key per column) without revealing either: a raw
        zone pseudonymised under the v1 scheme (one key for every column) has another id, so ingest refuses
        to mix the two and asks for `stichtag key repseudonymise`."""
        return hashlib.sha256(b"stichtag-key-id:v2:" + self.secret).hexdigest()[:12]

    def __repr__(self) -> str:  # never print the secret
        return f"PseudonymKey(key_id={self.key_id})"

    def domain_secret(self, domain: str) -> bytes:
        return hmac.new(self.secret, b"stichtag/pseudonym/v1/" + domain.encode("utf-8"), hashlib.sha256).digest()

    def register(self, con: duckdb.DuckDBPyConnection, domains: Iterable[str]) -> None:
        """Make the derived keys of `domains` available to `sql()` on this connection, as HMAC pads in a
        registered Arrow table (not as literals: SQL text can end up in profiles, logs and errors)."""
        import pyarrow as pa

        rows = {"domain": [], "ipad": [], "opad": []}
        for domain in sorted(set(domains)):
            k = self.domain_secret(domain).ljust(BLOCK, b"\0")
            rows["domain"].append(domain)
            rows["ipad"].append(bytes(b ^ 0x36 for b in k))
            rows["opad"].append(bytes(b ^ 0x5C for b in k))
        con.register(KEY_TABLE, pa.table({"domain": pa.array(rows["domain"], pa.string()),
                                          "ipad": pa.array(rows["ipad"], pa.binary()),
                                          "opad": pa.array(rows["opad"], pa.binary())}))

    @staticmethod
    def sql(expr: str, domain: str) -> str:
        """SQL for the lowercase hex HMAC-SHA256 of the VARCHAR `expr` under the domain's key (NULL stays
        NULL); the connection must have `register`ed the domain. The pads are uncorrelated scalar
        subqueries: DuckDB evaluates them once, the hashing stays vectorised."""
        if "'" in domain:
            raise ValueError("a pseudonym domain is a column name, without quotes")
        pad = f"(select {{}} from {KEY_TABLE} where domain = '{domain}')"
        return f"sha256({pad.format('opad')} || unhex(sha256({pad.format('ipad')} || encode({expr}))))"

    def python(self, value: str, domain: str) -> str:
        """Reference implementation, for tests and single look-ups."""
        return hmac.new(self.domain_secret(domain), value.encode("utf-8"), hashlib.sha256).hexdigest()


def _check_location(path: Path, settings: Settings) -> None:
    for forbidden in (PROJECT_ROOT, settings.lake):
        if path.is_relative_to(forbidden):
            raise KeyError_(f"pseudonym key file {path} lies inside {forbidden}; keep it outside the "
                            "repository and the lake (set STICHTAG_PSEUDONYM_KEY_FILE)")


def _parse(raw: str, source: str) -> PseudonymKey:
    try:
        secret = bytes.fromhex(raw)
    except ValueError as e:
        raise KeyError_(f"pseudonym key from {source} is not hex") from e
    if len(secret) < MIN_KEY_BYTES:
        raise KeyError_(f"pseudonym key from {source} has {len(secret)} bytes; at least {MIN_KEY_BYTES} needed")
    return PseudonymKey(secret)


def load_keyring(settings: Settings) -> list[PseudonymKey]:
    """Every key of the key file, oldest first; the last one is active. Retired keys stay so that an
    old version can be rebuilt byte for byte; delete their lines when that is no longer wanted."""
    raw = os.environ.get(KEY_ENV)
    if raw:
        return [_parse(raw.strip(), f"${KEY_ENV}")]
    _check_location(settings.key_file, settings)
    if not settings.key_file.exists():
        raise KeyError_(f"no pseudonym key: set ${KEY_ENV} (hex) or create {settings.key_file} "
                        "with `stichtag key init`")
    lines = [line.split("#", 1)[0].strip() for line in settings.key_file.read_text(encoding="ascii").splitlines()]
    keys = [_parse(line, f"{settings.key_file} line {n}") for n, line in enumerate(lines, 1) if line]
    if not keys:
        raise KeyError_(f"pseudonym key file {settings.key_file} holds no key")
    return keys


def load_key(settings: Settings) -> PseudonymKey:
    """The active key."""
    return load_keyring(settings)[-1]


def _write_keyring(settings: Settings, lines: list[str]) -> None:
    tmp = settings.key_file.with_name(f".{settings.key_file.name}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, settings.key_file)


def init_demo_key(settings: Settings) -> tuple[PseudonymKey, bool]:
    """Create a random local key on first use. Returns (key, created)."""
    if os.environ.get(KEY_ENV) or settings.key_file.exists():
        return load_key(settings), False
    _check_location(settings.key_file, settings)
    settings.key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(settings.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(secrets.token_hex(32) + "\n")
    return load_key(settings), True


def rotate_key(settings: Settings) -> tuple[PseudonymKey, PseudonymKey]:
    """Append a new active key to the key file. Returns (retired, new)."""
    if os.environ.get(KEY_ENV):
        raise KeyError_(f"the key comes from ${KEY_ENV}: rotate it where it is managed, then re-pseudonymise "
                        "with `stichtag key repseudonymise`")
    old = load_key(settings)
    new = PseudonymKey(secrets.token_bytes(32))
    lines = settings.key_file.read_text(encoding="ascii").splitlines()
    _write_keyring(settings, [*lines, f"{new.secret.hex()}  # key_id {new.key_id}, aktiv seit "
                                      f"{dt.date.today().isoformat()}; davor {old.key_id}"])
    return old, load_key(settings)
