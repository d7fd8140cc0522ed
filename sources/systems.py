"""Connections to source systems that are databases (today: the youth welfare office's SGB VIII system).

Production: `STICHTAG_SGB8_DSN` holds a libpq connection string (host, port, dbname, user; the password
from PGPASSWORD or ~/.pgpass, never from the repository). Demo and tests: without it, the project
starts its own real PostgreSQL server (the `pgserver` wheel ships the server binaries, so this works
offline on a fresh machine) with its data directory in `systems/` beside the inbox (or STICHTAG_SYSTEMS):
the demo's source systems live next to the deliveries they send, never in the lake.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DSN_ENV = "STICHTAG_SGB8_DSN"  # the demo's one database source; a contract names its own variable


class SourceUnavailable(RuntimeError):
    """A source system cannot be reached: transient, so Dagster's retry policy tries again."""


def systems_dir(inbox: Path) -> Path:
    return Path(os.environ.get("STICHTAG_SYSTEMS", inbox.parent / "systems")).resolve()


def demo_data_dir(inbox: Path, name: str) -> Path:
    return systems_dir(inbox) / f"{name}-postgres"


def configured(inbox: Path, dsn_env: str = DSN_ENV, name: str = "sgb8") -> bool:
    """A connection string is set, or the demo server of this system has been seeded."""
    return bool(os.environ.get(dsn_env)) or (demo_data_dir(inbox, name) / "PG_VERSION").exists()


@contextmanager
def conninfo(inbox: Path, dsn_env: str = DSN_ENV, name: str = "sgb8") -> Iterator[str]:
    """The connection string of a source database; starts the demo server if none is configured."""
    if os.environ.get(dsn_env):
        yield os.environ[dsn_env]
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns about XDG_RUNTIME_DIR on servers
        import pgserver

        data = demo_data_dir(inbox, name)
        data.parent.mkdir(parents=True, exist_ok=True)
        try:
            server = pgserver.get_server(data, cleanup_mode="stop")
        except Exception as e:  # noqa: BLE001 — any start failure is the same for the caller
            raise SourceUnavailable(f"Demo-PostgreSQL {name} startet nicht ({data}): {e}") from e
    try:
        yield server.get_uri()
    finally:
        server.cleanup()  # stops the server when this process was its last user
