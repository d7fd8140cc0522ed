"""The Stichtag window of a run: the one piece of run config of the one job.

Every launch — the CLI, the schedule, the sensor, the launchpad, the tests — configures it under
`resources.fenster.config`; the dbt assets build exactly its Stichtage, the export versions them.
Why run config and not daily partitions: no mart is incremental by Stichtag (a late report can change
any past interval), so a build replaces the marts with its window; 4,354 daily partitions of which a
run "materialises" a thin raster would show a record that the version store, not Dagster, keeps.
The materialisations name the Stichtage and versions they wrote instead.
"""

from __future__ import annotations

import datetime as dt

import dagster as dg

from kernel.window import RASTER, StichtagWindow, check_window, parse_date


class StichtagFenster(dg.ConfigurableResource):
    """Which Stichtage a run builds: the days of [von, bis] on the raster, and `bis` itself (a series ends
    with its newest Stichtag), as of the Datenstand. Empty `von` = today ("tagesaktuell")."""

    von: str = ""  # YYYY-MM-DD; empty = today (UTC)
    bis: str = ""  # YYYY-MM-DD, inclusive; empty = von
    raster: str = "taeglich"  # taeglich | monatsende | jahresende
    datenstand: str = ""  # YYYY-MM-DD: only deliveries received by the end of that day (empty = all)

    def window(self) -> StichtagWindow:
        """The validated window; dg.Failure with the reason a person needs, before anything is built."""
        try:
            first = parse_date(self.von, "von") if self.von else dt.datetime.now(dt.UTC).date()
            last = parse_date(self.bis, "bis") if self.bis else first
            datenstand = parse_date(self.datenstand, "datenstand") if self.datenstand else None
            if self.raster not in RASTER:
                raise ValueError(f"raster {self.raster!r} unbekannt, erlaubt: {', '.join(RASTER)}")
            if last < first:
                raise ValueError(f"bis {last} liegt vor von {first}")
            check_window(first, last, datenstand)
        except ValueError as e:
            raise dg.Failure(str(e)) from None
        return StichtagWindow(first, last, self.raster, datenstand)


def fenster_config(window: StichtagWindow) -> dict:
    """Run config of the one job for a window."""
    return {"resources": {"fenster": {"config": window.as_config()}}}
