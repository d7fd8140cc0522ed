"""Social welfare office (SGB XII): Grundsicherung im Alter / bei Erwerbsminderung and Hilfe zum
Lebensunterhalt, delivered as the legacy system's monthly fixed-width stock file.

Format: Latin-1, CRLF, one record per line: a header record (Satzart 00), data records (10) and a trailer
(99) with the number of data records. The record layout lives in the source contract
(sources/contracts/sozialamt/bestand.yml); the generator writes exactly that layout.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from generator import benefit_rates as rates
from generator.files import place
from generator.melderegister import Delivery, PersonFormatter
from generator.population import EPOCH, Simulation, month_bounds
from generator.snapshots import Residents
from generator.spells import OPEN, SpellTracker

SOURCE_DIR = "sozialamt"
KINDS = ("", "GSA", "GSEM", "HLU")
GSA, GSEM, HLU = 1, 2, 3
CANARY_SGB12 = 0
# (name, width) of a data record, as in the contract's layout
LAYOUT = (("Satzart", 2), ("Aktenzeichen", 12), ("Familienname", 30), ("Vornamen", 30), ("Geburtsdatum", 8),
          ("Geschlecht", 1), ("Straße", 30), ("Hausnummer", 6), ("PLZ", 5), ("Gemeindeschlüssel", 8),
          ("Leistungsart", 4), ("Leistungsbeginn", 8), ("Leistungsende", 8), ("Bruttobedarf", 9))
RECORD_LENGTH = sum(w for _, w in LAYOUT)


def _day_strings(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype(np.int32)).cast(pl.Date).dt.strftime("%d%m%Y")


def file_name(year: int, month: int) -> str:
    return f"SOZ12_BESTAND_{year:04d}{month:02d}.txt"


def _entry(share: float, mean_months: float) -> float:
    return share / (1 - share) / mean_months


class SozialamtSim:
    def __init__(self, sim: Simulation, rng: np.random.Generator) -> None:
        self.sim = sim
        self.rng = rng
        self.town = rates.town_factor(sim.gemeinden)
        self.kind = np.zeros(len(sim.persons.sex), np.int8)
        self.tracker = SpellTracker(rng)

    def observe(self, res: Residents) -> None:
        idx, age = res.idx, res.age
        kind = self.kind[idx]
        n = len(idx)
        mean = np.array([1.0, rates.GSA_MEAN_MONTHS, rates.GSEM_MEAN_MONTHS, rates.HLU_MEAN_MONTHS])[kind]
        kind = np.where(self.rng.random(n) < 1 / mean, 0, kind).astype(np.int8)
        kind[(kind == GSEM) & (age >= 65)] = GSA  # reaching the age limit: Grundsicherung im Alter
        kind[(kind == GSEM) & (age < 18)] = 0
        town = self.town[res.gem]
        first = res.state.month == 1
        u = self.rng.random(n)
        p_gsa = (rates.GSA_SHARE if first else _entry(rates.GSA_SHARE, rates.GSA_MEAN_MONTHS)) * town
        p_gsem = (rates.GSEM_SHARE if first else _entry(rates.GSEM_SHARE, rates.GSEM_MEAN_MONTHS)) * town
        p_hlu = (rates.HLU_SHARE if first else _entry(rates.HLU_SHARE, rates.HLU_MEAN_MONTHS)) * town
        none = kind == 0
        kind[none & (age >= 65) & (u < p_gsa)] = GSA
        kind[none & (age >= 18) & (age < 65) & (u < p_gsem)] = GSEM
        kind[none & (age < 65) & (u >= 1 - p_hlu)] = HLU
        kind[(idx == CANARY_SGB12) & (age >= 18) & (age < 65)] = GSEM  # the canary's name must never leak
        self.kind[:] = 0
        self.kind[idx] = kind
        on = kind > 0
        self.tracker.update(res.state.first_day, res.state.last_day, idx[on], kind[on],
                            gem=res.gem[on], street=res.street[on], house=res.house[on])

    def deliveries(self, inbox: Path, last_month: int) -> list[tuple[str, callable]]:
        spells = self.tracker.spells()
        fmt = PersonFormatter(self.sim)
        out = []
        for m in range(1, last_month + 1):
            y, mo = 2015 + (m - 1) // 12, (m - 1) % 12 + 1
            out.append((file_name(y, mo), lambda m=m, y=y, mo=mo: self._write(inbox, spells, fmt, m, y, mo)))
        return out

    def _write(self, inbox: Path, spells, fmt: PersonFormatter, m: int, y: int, mo: int) -> Delivery:
        first, last = month_bounds(m)
        sel = spells.overlapping(first, last)
        person = spells.unit[sel]
        a = {k: v[sel] for k, v in spells.attrs.items()}
        df = fmt.frame(person, a["gem"], a["street"], a["house"], self.sim.persons.nat[person])
        end = spells.end[sel]
        created = EPOCH + dt.timedelta(days=last + 3)

        bedarf = 45_000 + (person.astype(np.int64) * 7919 % 60_000)
        ends_known = (end != OPEN) & (end <= last)
        frame = pl.DataFrame({
            "Satzart": ["10"] * len(sel),
            "Aktenzeichen": "SH" + pl.Series(spells.spell_id[sel]).cast(pl.Utf8).str.zfill(10),
            **{c: df.get_column(c) for c in ("Familienname", "Vornamen", "Straße", "Hausnummer", "PLZ",
                                             "Gemeindeschlüssel")},
            "Geburtsdatum": df.get_column("Geburtsdatum").str.replace_all(".", "", literal=True),
            "Geschlecht": np.array(["M", "W", "D"])[self.sim.persons.sex[person]],
            "Leistungsart": np.array(KINDS)[spells.category[sel]],
            "Leistungsbeginn": _day_strings(spells.start[sel]),
            "Leistungsende": _day_strings(np.where(ends_known, end, 0)),
            "Bruttobedarf": pl.Series(bedarf).cast(pl.Utf8).str.zfill(9),
            "_ende_bekannt": ends_known,
        }).with_columns(pl.when(pl.col("_ende_bekannt")).then(pl.col("Leistungsende")).otherwise(pl.lit(""))
                        .alias("Leistungsende"))
        # a record is its fields cut and padded to their widths, in the layout's order
        records = frame.select(pl.concat_str([pl.col(name).str.slice(0, w).str.pad_end(w) for name, w in LAYOUT]))
        header = "00" + f"SOZ12BESTAND{y:04d}{mo:02d}{created:%d%m%Y}".ljust(RECORD_LENGTH - 2)
        lines = [header, *records.to_series().to_list()]
        lines.append("99" + f"{len(sel):09d}".ljust(RECORD_LENGTH - 2))
        path = inbox / SOURCE_DIR / file_name(y, mo)
        # the legacy system knows no characters beyond Latin-1: it prints '?' for them
        place(path, ("\r\n".join(lines) + "\r\n").encode("latin-1", errors="replace"), created)
        return Delivery(path, len(sel))
