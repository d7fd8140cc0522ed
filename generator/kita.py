"""Child care (Kindertageseinrichtungen and Kindertagespflege): care contracts of the simulated children,
delivered half-yearly as the Kita administration's Excel workbook.

Workbook as such offices send it: a cover sheet, then the sheet `Belegung` with a merged title block
above the header, one row per contract, and a footer (sum line, source, Stand) below a blank row.
Dates are Excel date cells; weekly hours are numbers.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl

from generator import benefit_rates as rates
from generator import xlsx
from generator.files import place
from generator.melderegister import Delivery, PersonFormatter
from generator.population import EPOCH, Simulation, month_bounds
from generator.snapshots import BirthDates, Residents, person_hash
from generator.spells import OPEN, SpellTracker

SOURCE_DIR = "kita"
SHEET = "Belegung"
CARE_TYPES = ("", "Krippe", "Elementar", "Hort", "Tagespflege")
KRIPPE, ELEMENTAR, HORT, TAGESPFLEGE = 1, 2, 3, 4
PERIOD_MONTHS = 6  # one workbook per half-year, with every contract running in it
HOURS = np.array([20, 25, 30, 35, 40, 45])
HEADER = ["Einrichtungsnummer", "Einrichtung", "Betreuungsart", "Vertragsnummer", "Familienname", "Vornamen",
          "Geburtsdatum", "Straße", "Hausnummer", "PLZ", "Gemeindeschlüssel", "Wochenstunden", "Betreuungsbeginn",
          "Betreuungsende"]
KITA_NAMES = ("Sonnenschein", "Regenbogen", "Pusteblume", "Arche Noah", "Villa Kunterbunt", "Wichtelhaus",
              "Am Park", "Zwergenland", "St. Michael", "Lüttje Lüüd")


def file_name(year: int, half: int) -> str:
    return f"KITA_BELEGUNG_{year:04d}-H{half}.xlsx"


class KitaSim:
    def __init__(self, sim: Simulation, rng: np.random.Generator, births: BirthDates) -> None:
        self.sim = sim
        self.births = births
        self.tracker = SpellTracker(rng)
        n = len(sim.persons.sex)
        p = np.arange(n)
        self.h_u3, self.h_start, self.h_tp = person_hash(p, 21), person_hash(p, 22), person_hash(p, 23)
        self.h_el, self.h_hort = person_hash(p, 24), person_hash(p, 25)
        # school entry on 1 August of the year the child is six by 30 September
        self.school_year = births.year + 6 + (births.month_day > 930)

    def observe(self, res: Residents) -> None:
        idx, am = res.idx, res.age_months
        kids = am < 12 * 11
        idx, am, gem = idx[kids], am[kids], res.gem[kids]
        date = res.state.date
        before_school = (date.year < self.school_year[idx]) | (
            (date.year == self.school_year[idx]) & (date.month < 8))
        in_school_years = ~before_school & (date.year * 12 + date.month < (self.school_year[idx] + 4) * 12 + 8)
        u3_start = 11 + (self.h_start[idx] * 8).astype(int)
        u3 = (self.h_u3[idx] < rates.u3_participation(date.year)) & (am >= u3_start) & (am < 36)
        delay = np.where(self.h_u3[idx] < rates.u3_participation(date.year), 0, (self.h_start[idx] * 6).astype(int))
        elementar = (self.h_el[idx] < rates.ELEMENTAR_SHARE) & (am >= 36 + delay) & before_school
        hort = (self.h_hort[idx] < rates.HORT_SHARE) & in_school_years
        care = np.select([u3 & (self.h_tp[idx] < rates.TAGESPFLEGE_SHARE_U3), u3, elementar, hort],
                         [TAGESPFLEGE, KRIPPE, ELEMENTAR, HORT], 0)
        on = care > 0
        # a move to another Gemeinde means a new contract with a Kita there
        self.tracker.update(res.state.first_day, res.state.last_day, idx[on], care[on] * 10_000 + gem[on],
                            gem=gem[on], street=res.street[kids][on], house=res.house[kids][on])

    def deliveries(self, inbox: Path, last_month: int) -> list[tuple[str, callable]]:
        spells = self.tracker.spells()
        fmt = PersonFormatter(self.sim)
        out = []
        for h_last in range(PERIOD_MONTHS, last_month + 1, PERIOD_MONTHS):
            y, h = 2015 + (h_last - 1) // 12, ((h_last - 1) % 12) // PERIOD_MONTHS + 1
            out.append((file_name(y, h), lambda h_last=h_last, y=y, h=h: self._write(inbox, spells, fmt, h_last, y, h)))
        return out

    def _write(self, inbox: Path, spells, fmt: PersonFormatter, h_last: int, y: int, h: int) -> Delivery:
        first, _ = month_bounds(h_last - PERIOD_MONTHS + 1)
        _, last = month_bounds(h_last)
        sel = spells.overlapping(first, last)
        person = spells.unit[sel]
        a = {k: v[sel] for k, v in spells.attrs.items()}
        df = fmt.frame(person, a["gem"], a["street"], a["house"], self.sim.persons.nat[person])
        care = spells.category[sel] // 10_000
        created = EPOCH + dt.timedelta(days=last + 5)
        gems = self.sim.gemeinden

        def day(d: int) -> dt.date:
            return EPOCH + dt.timedelta(days=int(d))

        cover = xlsx.Sheet("Deckblatt")
        cover.write_row(0, ["Kreis Pinneberg – Fachdienst Kindertagesbetreuung"], xlsx.TITLE)
        cover.write_row(2, [f"Belegungsmeldung {h}. Halbjahr {y}"])
        ws = xlsx.Sheet(SHEET, widths=[(6, 6, 11), (12, 13, 11)])
        ncol = len(HEADER)
        ws.merge(0, 0, ncol - 1, "Kindertagesbetreuung im Kreis Pinneberg – Belegungsmeldung", xlsx.TITLE)
        ws.merge(1, 0, ncol - 1, f"Meldezeitraum: {day(first):%d.%m.%Y} – {day(last):%d.%m.%Y}")
        ws.merge(2, 0, ncol - 1, f"Erstellt am {created:%d.%m.%Y} (Kita-Verwaltung, Datenstand Quartalsende)")
        header_row = 4
        ws.write_row(header_row, HEADER, xlsx.HEADER)
        hours = HOURS[(person_hash(person, 26) * len(HOURS)).astype(int)]
        hours = np.where(care == HORT, np.minimum(hours, 25), hours)
        excel_epoch = (EPOCH - dt.date(1899, 12, 30)).days  # Excel's day 0
        g = a["gem"].astype(np.int64)
        n_fac = np.array([max(1, gem.population_2022 // 4000) for gem in gems])[g]
        fac = (person_hash(person, 27) * n_fac).astype(np.int64)
        ags = np.array([gem.ags for gem in gems], dtype=object)[g]
        place_name = np.array([gem.name for gem in gems], dtype=object)[g]
        tp = care == TAGESPFLEGE
        fac2 = pl.Series(fac).cast(pl.Utf8).str.zfill(2)
        nr = pl.Series(np.where(tp, "TP", "E").astype(object)) + pl.Series(ags) + "-" + fac2
        kita = np.array(KITA_NAMES, dtype=object)[fac % len(KITA_NAMES)]
        name = pl.Series(np.where(tp, "Kindertagespflege " + place_name + " " + (fac + 1).astype(str).astype(object),
                                  "Kita " + kita + " " + place_name))
        ends = spells.end[sel]
        known_end = (ends != OPEN) & (ends <= last)
        date, plain = xlsx.DATE, xlsx.PLAIN
        ws.write_columns(header_row + 1, [
            (nr, plain), (name, plain), (pl.Series(np.array(CARE_TYPES, dtype=object)[care]), plain),
            ("V" + pl.Series(spells.spell_id[sel]).cast(pl.Utf8).str.zfill(8), plain),
            (df.get_column("Familienname"), plain), (df.get_column("Vornamen"), plain),
            (pl.Series(self.sim.persons.birth[person].astype(np.int64) + excel_epoch), date),
            *((df.get_column(c), plain) for c in ("Straße", "Hausnummer", "PLZ", "Gemeindeschlüssel")),
            (pl.Series(hours.astype(np.int64)), plain),
            (pl.Series(spells.start[sel].astype(np.int64) + excel_epoch), date),
            (pl.Series(np.where(known_end, ends.astype(np.int64) + excel_epoch, 0)).set(
                pl.Series(~known_end), None), date),
        ])
        foot = header_row + 2 + len(sel)
        ws.merge(foot, 0, 3, f"Summe Verträge: {len(sel)}")
        ws.merge(foot + 1, 0, ncol - 1, f"Quelle: Kita-Verwaltung Kreis Pinneberg, Stand {created:%d.%m.%Y}")
        # the creation time is the delivery's, not the generator's: same seed, same bytes
        data = xlsx.workbook([cover, ws], dt.datetime.combine(created, dt.time(6, 0)))
        path = inbox / SOURCE_DIR / file_name(y, h)
        place(path, data, created)
        return Delivery(path, len(sel))
