"""The lake as a Dagster resource: one place that resolves paths, for every asset."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from kernel.settings import Settings, get_settings


class LakeResource(dg.ConfigurableResource):
    """Paths of the lake, the inbox and the pseudonym key file. Empty = the environment's defaults
    (STICHTAG_LAKE, STICHTAG_INBOX, STICHTAG_PSEUDONYM_KEY_FILE, see README)."""

    lake: str = ""
    inbox: str = ""
    key_file: str = ""

    def settings(self) -> Settings:
        base = get_settings()
        return Settings(lake=Path(self.lake).resolve() if self.lake else base.lake,
                        inbox=Path(self.inbox).resolve() if self.inbox else base.inbox,
                        key_file=Path(self.key_file).resolve() if self.key_file else base.key_file)
