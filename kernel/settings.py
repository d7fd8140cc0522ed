"""Where things live. One place resolves paths and secrets from the environment, for every tool.

Read lazily (never at import time) so tests can point a run at a temporary lake.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
REFERENCE_DIR = PROJECT_ROOT / "reference"
DBT_PROJECT_DIR = PROJECT_ROOT / "transform"  # the dbt project
CONTRACTS_DIR = PROJECT_ROOT / "sources" / "contracts"
# the district's own source systems, as the demo generator writes them
INTERNAL_SOURCES = ("melderegister", "jobcenter", "jugendamt", "kita", "sozialamt", "wohngeld")
# official statistics (GENESIS, Regionaldatenbank, Federal Employment Agency), generated in their published formats
EXTERNAL_SOURCES = ("amtlich",)


@dataclass(frozen=True)
class Settings:
    lake: Path
    inbox: Path
    key_file: Path

    @property
    def raw(self) -> Path:
        return self.lake / "raw"

    @property
    def quarantine(self) -> Path:
        return self.lake / "quarantine"

    @property
    def ingest_log(self) -> Path:
        return self.lake / "ingest_log"

    @property
    def warehouse(self) -> Path:
        """The build database: dbt's single writer. Readers never open it."""
        return self.lake / "warehouse" / "build.duckdb"

    @property
    def marts(self) -> Path:
        return self.lake / "marts"

    @property
    def exports(self) -> Path:
        return self.lake / "exports"

    @property
    def analytics_db(self) -> Path:
        """Views over the published Parquet only; replaced atomically, opened read-only by analysts."""
        return self.lake / "analytics.duckdb"


def get_env() -> str:
    """`ci` under CI, `local` otherwise; prod deployments set STICHTAG_ENV."""
    if os.environ.get("STICHTAG_ENV"):
        return os.environ["STICHTAG_ENV"]
    return "ci" if os.environ.get("CI") else "local"


def get_settings() -> Settings:
    lake = Path(os.environ.get("STICHTAG_LAKE", PROJECT_ROOT / "lake")).resolve()
    inbox = Path(os.environ.get("STICHTAG_INBOX", PROJECT_ROOT / "inbox")).resolve()
    config_home = Path(os.environ.get("XDG_CONFIG_HOME", Path.home() / ".config"))
    key_file = Path(
        os.environ.get("STICHTAG_PSEUDONYM_KEY_FILE", config_home / "stichtag" / "pseudonym.key")
    ).resolve()
    return Settings(lake=lake, inbox=inbox, key_file=key_file)


# Restricted data (the inbox's clear text, the raw zone's pseudonyms, exact values) is for the planning
# unit's account alone: everything the platform creates is unreadable to other users of the machine.
PRIVATE_UMASK = 0o077


def keep_files_private() -> None:
    """Files and folders created from here on get no group or world permissions."""
    os.umask(PRIVATE_UMASK)

