"""A new lake's first dbt build starts from the project's parse instead of parsing the whole project again.

dbt keeps a parse (partial_parse.msgpack) only while the profile's connection is unchanged, and the DuckDB
path in our profile names the lake: every new lake (each test's, a second Kreis, a benchmark's) parsed all of
the project again. Nothing else in the project names a lake (the models read its files by lake-relative
paths through DuckDB's file_search_path), so the parse of the project for SEED_LAKE is the parse for any
lake, and the seed is re-keyed to this lake's connection — only where its key proves that it was made for
SEED_LAKE's connection as computed here: a seed of another profile, target or settings (or a dbt-duckdb whose
defaults moved) is copied as it is, and dbt parses in full, as before.
"""

from __future__ import annotations

import hashlib
import os
import pprint
import shutil
from pathlib import Path

import msgpack  # dbt-core's own serialisation of the parse (a dependency of dbt-core)

from kernel.files import atomic_write_bytes
from warehouse.env import SEED_LAKE

FILE = "partial_parse.msgpack"


def profile_hash(lake: str, memory_limit: str) -> str:
    """dbt's key of the connection (ManifestLoader.build_manifest_state_check: the sorted connection_info
    of the credentials) for transform/profiles.yml's `local` output on `lake`, dbt-duckdb's defaults
    filled in."""
    connection = {"attach": None, "config_options": None, "database": "build", "disable_transactions": False,
                  "extensions": None, "external_root": ".", "filesystems": None,
                  "path": f"{lake}/warehouse/build.duckdb", "plugins": None, "remote": None, "schema": "main",
                  "settings": {"file_search_path": lake, "memory_limit": memory_limit,
                               "preserve_insertion_order": False},
                  "use_credential_provider": None}
    return hashlib.sha256(pprint.pformat(sorted(connection.items())).encode("utf-8")).hexdigest()


def rekeyed(seed: bytes, lake: str, memory_limit: str) -> bytes | None:
    """The seed (a parse for SEED_LAKE) as a parse for `lake`, or None where it is provably not the former."""
    parse = msgpack.unpackb(seed, strict_map_key=False)
    key = parse.get("state_check", {}).get("profile_hash", {})
    if key.get("name") != "sha256" or key.get("checksum") != profile_hash(SEED_LAKE, memory_limit):
        return None
    key["checksum"] = profile_hash(lake, memory_limit)
    return msgpack.packb(parse)


def seed_target(target: Path, seed: Path, lake: Path) -> str:
    """Give a lake's dbt target a parse to start from, once: `rekeyed`, `copied` (dbt will parse in full)
    or `none` (it has one, or there is no seed)."""
    if (target / FILE).exists() or not seed.exists():
        return "none"
    target.mkdir(parents=True, exist_ok=True)
    parse = rekeyed(seed.read_bytes(), str(lake), os.environ.get("STICHTAG_DUCKDB_MEMORY", "2GB"))
    if parse is None:
        shutil.copyfile(seed, target / FILE)
        return "copied"
    atomic_write_bytes(target / FILE, parse)
    return "rekeyed"
