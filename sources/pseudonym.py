"""Keyed pseudonyms: HMAC-SHA256 with a secret key kept outside the repository and the lake.

A plain or salted hash of an id can be reversed by hashing every possible id; a keyed HMAC cannot
without the key. The HMAC is computed inside DuckDB (vectorised C++), never in a per-row Python loop.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from stichtag.settings import PROJECT_ROOT, Settings

KEY_ENV = "STICHTAG_PSEUDONYM_KEY"
MIN_KEY_BYTES = 32
BLOCK = 64  # SHA-256 block size


class KeyError_(RuntimeError):
    """No usable pseudonym key."""


@dataclass(frozen=True, repr=False)
class PseudonymKey:
    secret: bytes

    @property
    def key_id(self) -> str:
        """Identifies the key (for rotation) without revealing it."""
        return hashlib.sha256(b"stichtag-key-id:" + self.secret).hexdigest()[:12]

    def __repr__(self) -> str:  # never print the secret
        return f"PseudonymKey(key_id={self.key_id})"

    def sql(self, expr: str) -> str:
        """SQL for the lowercase hex HMAC-SHA256 of the VARCHAR expression `expr` (NULL stays NULL)."""
        k = self.secret if len(self.secret) <= BLOCK else hashlib.sha256(self.secret).digest()
        k = k.ljust(BLOCK, b"\0")
        ipad = bytes(b ^ 0x36 for b in k).hex()
        opad = bytes(b ^ 0x5C for b in k).hex()
        return f"sha256(unhex('{opad}') || unhex(sha256(unhex('{ipad}') || encode({expr}))))"

    def python(self, value: str) -> str:
        """Reference implementation, for tests and single look-ups."""
        return hmac.new(self.secret, value.encode("utf-8"), hashlib.sha256).hexdigest()


def _check_location(path: Path, settings: Settings) -> None:
    for forbidden in (PROJECT_ROOT, settings.lake):
        if path.is_relative_to(forbidden):
            raise KeyError_(f"pseudonym key file {path} lies inside {forbidden}; keep it outside the "
                            "repository and the lake (set STICHTAG_PSEUDONYM_KEY_FILE)")


def load_key(settings: Settings) -> PseudonymKey:
    raw = os.environ.get(KEY_ENV)
    if raw:
        source = f"${KEY_ENV}"
    else:
        _check_location(settings.key_file, settings)
        if not settings.key_file.exists():
            raise KeyError_(f"no pseudonym key: set ${KEY_ENV} (hex) or create {settings.key_file} "
                            "with `stichtag key init`")
        raw = settings.key_file.read_text(encoding="ascii").strip()
        source = str(settings.key_file)
    try:
        secret = bytes.fromhex(raw)
    except ValueError as e:
        raise KeyError_(f"pseudonym key from {source} is not hex") from e
    if len(secret) < MIN_KEY_BYTES:
        raise KeyError_(f"pseudonym key from {source} has {len(secret)} bytes; at least {MIN_KEY_BYTES} needed")
    return PseudonymKey(secret)


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
