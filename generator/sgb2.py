"""Job centre (SGB II): Bedarfsgemeinschaften of the simulated households and their monthly extract.

Delivery as the job centre's statistics export: CSV, UTF-8 with BOM, `;`, decimal comma, German dates.
Statistics are final only after three months: the delivery after Berichtsmonat M holds M and revises
M−1 … M−3 (Bedarfsgemeinschaften recorded late appear in the revisions; ended benefits get their
Leistungsende).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from generator import benefit_rates as rates
from generator.grouping import groups, in_sorted
from generator.melderegister import Delivery, PersonFormatter, date_strings, write_csv
from generator.population import EPOCH, Simulation, month_bounds
from generator.snapshots import Residents, person_hash
from generator.spells import OPEN, SpellTracker

SOURCE_DIR = "jobcenter"
COLUMNS = ["Berichtsmonat", "BG-Nummer", "Personennummer", "Familienname", "Vornamen", "Geburtsdatum",
           "Geschlecht", "Straße", "Hausnummer", "PLZ", "Gemeindeschlüssel", "Rolle", "Alleinerziehend",
           "Aufstocker", "Leistungsbeginn", "Leistungsende", "Regelbedarf", "Kosten der Unterkunft"]
REVISION_MONTHS = 3
CANARY_SGB2 = 0  # the first canary person always receives SGB II
REGELBEDARF = {2015: 399, 2016: 404, 2017: 409, 2018: 416, 2019: 424, 2020: 432, 2021: 446, 2022: 449,
               2023: 502, 2024: 563, 2025: 563, 2026: 563}


def file_name(year: int, month: int) -> str:
    return f"JC_SGB2_BESTAND_{year:04d}{month:02d}.csv"


class JobcenterSim:
    def __init__(self, sim: Simulation, rng: np.random.Generator) -> None:
        self.sim = sim
        self.rng = rng
        self.town = rates.town_factor(sim.gemeinden)
        self.tracker = SpellTracker(rng)
        self.active = np.empty(0, np.int64)
        self.months: dict[int, dict[str, np.ndarray]] = {}
        self._month_frames: dict[int, pl.DataFrame] = {}  # a Berichtsmonat's rows, for its four deliveries

    def observe(self, res: Residents) -> np.ndarray:
        """Advance one month; returns the households in SGB II at its end."""
        elig = np.flatnonzero(res.age < 65)
        age = res.age[elig]
        hh, first, inv = groups(res.household[elig])
        adults = np.bincount(inv, weights=age >= 15, minlength=len(hh))
        children = np.bincount(inv, weights=age < 15, minlength=len(hh))
        gem = res.gem[elig][first]
        was = in_sorted(hh, self.active)
        p_in = rates.SGB2_ENTRY * self.town[gem] * np.where(children > 0, rates.SGB2_CHILD_FACTOR, 1.0)
        p_in = p_in * np.where((adults == 1) & (children > 0), rates.SGB2_SINGLE_PARENT_FACTOR, 1.0)
        if res.state.month == 1:  # start in the steady state
            p_in = p_in / (p_in + 1 / rates.SGB2_MEAN_MONTHS)
        stay = was & ~rates.spell_exit(self.rng, len(hh), rates.SGB2_MEAN_MONTHS)
        enter = ~was & (self.rng.random(len(hh)) < p_in)
        canary = np.isin(hh, res.household[elig][res.idx[elig] == CANARY_SGB2])  # a leak would show its name
        active = (stay | enter | canary) & (adults > 0)
        self.active = hh[active]
        self.tracker.update(res.state.first_day, res.state.last_day, self.active,
                            np.ones(len(self.active), np.int8))
        members = active[inv]
        person = res.idx[elig][members]
        spell, start = self.tracker.open_spells(res.household[elig][members])
        h = inv[members]
        self.months[res.state.month] = {
            "person": person, "spell": spell, "start": start, "elb": age[members] >= 15,
            "allein": ((adults == 1) & (children > 0))[h],
            "gem": res.gem[elig][members], "street": res.street[elig][members], "house": res.house[elig][members],
        }
        return self.active

    def deliveries(self, inbox: Path) -> list[tuple[str, callable]]:
        spells = self.tracker.spells()
        end_of = np.zeros(int(spells.spell_id.max(initial=0)) + 1, np.int64)
        end_of[spells.spell_id] = spells.end
        fmt = PersonFormatter(self.sim)
        last = max(self.months)
        out = []
        for m in range(1, last + 1):
            y, mo = 2015 + (m - 1) // 12, (m - 1) % 12 + 1
            out.append((file_name(y, mo), lambda m=m, y=y, mo=mo: self._write(inbox, m, y, mo, end_of, fmt)))
        return out

    def _write(self, inbox: Path, m: int, y: int, mo: int, end_of: np.ndarray, fmt: PersonFormatter) -> Delivery:
        _, delivery_last_day = month_bounds(m)
        frames = []
        for k in range(max(1, m - REVISION_MONTHS), m + 1):
            r = self.months[k]
            lag = m - k
            # recorded late: a few new Bedarfsgemeinschaften are missing until a revision adds them
            recent = r["start"] >= month_bounds(max(1, k - 1))[0]
            late = recent & (person_hash(r["spell"], 7) < (0.08, 0.03, 0.0, 0.0)[lag])
            sel = np.flatnonzero(~late)
            frames.append(self._frame(k, r, sel, delivery_last_day, end_of, fmt))
        for k in [k for k in self._month_frames if k <= m - REVISION_MONTHS]:
            del self._month_frames[k]  # no later delivery revises month k again
        df = pl.concat(frames)
        delivered = dt.date(y + mo // 12, mo % 12 + 1, 10)
        return write_csv(df, inbox / SOURCE_DIR / file_name(y, mo), delivered, "utf-8-sig")

    def _frame(self, k: int, r: dict[str, np.ndarray], sel: np.ndarray, known_until: int,
               end_of: np.ndarray, fmt: PersonFormatter) -> pl.DataFrame:
        """Berichtsmonat k as the delivery knowing changes until `known_until` reports it: the month's
        rows (built once, for the four deliveries that report it), then the ends known by then."""
        if k not in self._month_frames:
            self._month_frames[k] = self._month_frame(k, r, fmt)
        end = end_of[r["spell"][sel]]
        end_known = (end != OPEN) & (end <= known_until)
        return self._month_frames[k][sel].with_columns(
            pl.when(pl.Series(end_known)).then(date_strings(np.where(end_known, end, 0)))
            .otherwise(None).alias("Leistungsende"),
        ).select(COLUMNS)

    def _month_frame(self, k: int, r: dict[str, np.ndarray], fmt: PersonFormatter) -> pl.DataFrame:
        person = r["person"]
        base = fmt.frame(person, r["gem"], r["street"], r["house"], self.sim.persons.nat[person])
        year = (EPOCH + dt.timedelta(days=int(month_bounds(k)[0]))).year
        elb = r["elb"]
        regel = np.where(elb, REGELBEDARF[year], round(REGELBEDARF[year] * 0.75))
        kdu_cent = 25_000 + (person_hash(person, 11) * 25_000).astype(int)  # 250,00 … 499,99 EUR
        spell = pl.Series(r["spell"])
        return base.select(["Familienname", "Vornamen", "Geburtsdatum", "Geschlecht", "Straße", "Hausnummer",
                            "PLZ", "Gemeindeschlüssel"]).with_columns(
            pl.lit(f"{year}{(k - 1) % 12 + 1:02d}").alias("Berichtsmonat"),
            ("22101BG" + spell.cast(pl.Utf8).str.zfill(7)).alias("BG-Nummer"),
            ("P" + pl.Series(person).cast(pl.Utf8).str.zfill(9)).alias("Personennummer"),
            pl.Series("Rolle", np.where(elb, "ELB", "NEF").astype(object)),
            pl.Series("Alleinerziehend", np.where(r["allein"], "J", "N").astype(object)),
            pl.Series("Aufstocker", np.where(elb & (person_hash(person, 3) < rates.SGB2_AUFSTOCKER_SHARE),
                                             "J", "N").astype(object)),
            date_strings(r["start"]).alias("Leistungsbeginn"),
            (pl.Series(regel).cast(pl.Utf8) + ",00").alias("Regelbedarf"),
            (pl.Series(kdu_cent // 100).cast(pl.Utf8) + "," + pl.Series(kdu_cent % 100).cast(pl.Utf8).str.zfill(2))
            .alias("Kosten der Unterkunft"),
        )
