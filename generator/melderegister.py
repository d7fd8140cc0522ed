"""Writes the resident registry's deliveries: one Bestand extract and monthly change deliveries.

Format as legacy registry exports look: CSV, `;`, Windows-1252, CRLF, German dates (TT.MM.JJJJ),
clear-text personal data. Events are delivered in the month they were reported (Meldedatum), so
some arrive one or more months late; a few in-migrations are first reported with a wrong date and
corrected later by a Storno plus a new record.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from generator import names
from generator.canaries import CANARY_PERSONS
from generator.files import place
from generator.population import (
    BESTAND_DATE,
    EPOCH,
    EVENT_NAMES,
    NATIONALITIES,
    STORNO,
    ZUZUG,
    Simulation,
    month_bounds,
    months_until,
)
from generator.snapshots import person_hash

SOURCE_DIR = "melderegister"
BESTAND_COLUMNS = ["Ordnungsmerkmal", "Familienname", "Vornamen", "Geschlecht", "Geburtsdatum", "Geburtsort",
                   "Geburtsstaat", "Staatsangehörigkeit", "Straße", "Hausnummer", "PLZ", "Gemeindeschlüssel",
                   "Einzugsdatum", "Steuer-ID"]
AENDERUNG_COLUMNS = ["Vorgangsnummer", "Ereignisart", "Ereignisdatum", "Meldedatum", "Bezugsvorgang",
                     "Ordnungsmerkmal", "Familienname", "Vornamen", "Geschlecht", "Geburtsdatum", "Geburtsort",
                     "Geburtsstaat", "Staatsangehörigkeit", "Straße", "Hausnummer", "PLZ", "Gemeindeschlüssel",
                     "Steuer-ID"]
BORN_1993 = (dt.date(1993, 1, 1) - EPOCH).days
CORRECTION_SHARE = 0.003
LATE_SHARE = 0.03


@dataclass(frozen=True)
class Delivery:
    path: Path
    rows: int


def bestand_file_name() -> str:
    return f"EWO_BESTAND_{BESTAND_DATE:%Y%m%d}.csv"


def aenderung_file_name(year: int, month: int) -> str:
    return f"EWO_AENDERUNGEN_{year:04d}{month:02d}.csv"


def delivery_date(year: int, month: int) -> dt.date:
    """Change deliveries are extracted on the 5th of the following month."""
    return dt.date(year + month // 12, month % 12 + 1, 5)


def date_strings(days: np.ndarray) -> pl.Series:
    return pl.Series(days.astype(np.int32)).cast(pl.Date).dt.strftime("%d.%m.%Y")


class PersonFormatter:
    """Vectorised clear-text columns of persons, as the registry prints them."""

    def __init__(self, sim: Simulation) -> None:
        self.sim = sim
        self.surnames = np.array(names.SURNAMES_DE + names.SURNAMES_FOREIGN, dtype=object)
        self.birthplaces = np.array(names.BIRTHPLACES_DE + names.BIRTHPLACES_FOREIGN, dtype=object)
        self.streets = np.array(names.STREETS, dtype=object)
        self.ags = np.array([g.ags for g in sim.gemeinden], dtype=object)
        self.plz = np.array([g.plz for g in sim.gemeinden], dtype=object)
        self.nat = np.array(NATIONALITIES, dtype=object)

    def birth_places(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Geburtsort and Geburtsstaat (000 = Deutschland). About 8 % of the Germans born before 1993 were
        born abroad (Spätaussiedler), as the Mikrozensus counts them among those with Einwanderungsgeschichte."""
        p = self.sim.persons
        bp = p.birthplace[idx]
        n_de = len(names.BIRTHPLACES_DE)
        ort = self.birthplaces[bp]
        staat = np.where(bp >= n_de, np.array(["000"] + names.BIRTH_COUNTRIES_FOREIGN, dtype=object)[
            np.maximum(bp - n_de + 1, 0)], "000").astype(object)
        aussiedler = (bp < n_de) & (person_hash(idx, 77) < 0.085) & (p.birth[idx] < BORN_1993)
        pick = idx[aussiedler] % len(names.BIRTHPLACES_AUSSIEDLER)
        ort[aussiedler] = np.array([a[0] for a in names.BIRTHPLACES_AUSSIEDLER], dtype=object)[pick]
        staat[aussiedler] = np.array([a[1] for a in names.BIRTHPLACES_AUSSIEDLER], dtype=object)[pick]
        return ort, staat

    def _first_names(self, idx: np.ndarray) -> np.ndarray:
        p = self.sim.persons
        sex, fn = p.sex[idx], p.firstname[idx]
        foreign = p.surname[idx] >= len(names.SURNAMES_DE)
        out = np.empty(len(idx), dtype=object)
        for is_foreign, pools in ((False, (names.FIRST_M_DE, names.FIRST_F_DE)),
                                  (True, (names.FIRST_M_FOREIGN, names.FIRST_F_FOREIGN))):
            for s, pool in ((0, pools[0]), (1, pools[1]), (2, pools[1])):
                m = (foreign == is_foreign) & (sex == s)
                out[m] = np.array(pool, dtype=object)[fn[m] % len(pool)]
        # a second given name for about a third, as the registry lists all Vornamen
        second = (fn % 3 == 0) & ~foreign
        out[second] = out[second] + " " + np.array(names.FIRST_F_DE + names.FIRST_M_DE, dtype=object)[
            (idx[second] * 7) % (len(names.FIRST_F_DE) + len(names.FIRST_M_DE))]
        return out

    def frame(self, idx: np.ndarray, gem: np.ndarray, street: np.ndarray, house: np.ndarray,
              nat: np.ndarray) -> pl.DataFrame:
        p = self.sim.persons
        street_names = np.where(street >= 0, self.streets[np.maximum(street, 0)], "")
        familienname = self.surnames[p.surname[idx]]
        vornamen = self._first_names(idx)
        geburtsort, geburtsstaat = self.birth_places(idx)
        hausnummer = house.astype(str).astype(object)
        # every 9th house number carries a letter suffix, as real addresses do
        hausnummer = np.where(house % 9 == 0, hausnummer + "a", hausnummer)
        steuer_id = (30_000_000_000 + idx.astype(np.int64) * 13).astype(str).astype(object)
        om = (100_000_000_000 + idx.astype(np.int64)).astype(str).astype(object)
        for i, c in enumerate(CANARY_PERSONS):
            m = idx == i
            if m.any():
                om[m], familienname[m], vornamen[m] = c.ordnungsmerkmal, c.familienname, c.vornamen
                geburtsort[m], steuer_id[m] = c.geburtsort, c.steuer_id
                own_street = m & (street < 0)
                street_names[own_street], hausnummer[own_street] = c.strasse, c.hausnummer
        return pl.DataFrame({
            "Ordnungsmerkmal": om,
            "Familienname": familienname,
            "Vornamen": vornamen,
            "Geschlecht": np.array(["m", "w", "d"], dtype=object)[p.sex[idx]],
            "Geburtsdatum": date_strings(p.birth[idx]),
            "Geburtsort": geburtsort,
            "Geburtsstaat": geburtsstaat,
            "Staatsangehörigkeit": self.nat[nat],
            "Straße": street_names,
            "Hausnummer": hausnummer,
            "PLZ": self.plz[gem],
            "Gemeindeschlüssel": self.ags[gem],
            "Steuer-ID": steuer_id,
        }, schema_overrides={c: pl.Utf8 for c in BESTAND_COLUMNS})


def write_csv(df: pl.DataFrame, path: Path, delivered: dt.date, encoding: str = "cp1252") -> Delivery:
    """CSV as the source system writes it (`;`, CRLF), placed in the inbox like a transfer."""
    text = df.write_csv(separator=";", line_terminator="\r\n", quote_style="necessary")
    place(path, text.encode(encoding), delivered)
    return Delivery(path, df.height)


def _records(sim: Simulation, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Event records with Meldedatum, corrections (wrong record + Storno + corrected record) and numbers."""
    ev = {k: v.copy() for k, v in sim.events.items()}
    n = len(ev["kind"])
    lag = rng.geometric(0.3, n) - 1
    late = rng.random(n) < LATE_SHARE
    lag = np.where(late, lag + rng.integers(28, 100, n), lag)
    ev["melde"] = ev["day"] + lag
    ev["ref"] = np.full(n, -1)

    # Corrections: an in-migration first reported with a too-early date, cancelled and re-reported.
    month_start = np.array([month_bounds(int(m))[0] for m in range(1, 200)])
    first_of_month = month_start[np.searchsorted(month_start, ev["day"], side="right") - 1]
    candidates = np.flatnonzero((ev["kind"] == ZUZUG) & (ev["person"] >= 3) & (ev["day"] - first_of_month >= 3))
    wrong = candidates[rng.random(len(candidates)) < CORRECTION_SHARE / (len(candidates) / n)]
    k = len(wrong)
    storno_melde = ev["melde"][wrong] + rng.integers(20, 60, k)
    wrong_rec = {c: v[wrong] for c, v in ev.items()}
    wrong_rec["day"] = np.maximum(ev["day"][wrong] - rng.integers(1, 10, k), first_of_month[wrong])
    storno_rec = {c: v.copy() for c, v in wrong_rec.items()}
    storno_rec["kind"] = np.full(k, STORNO)
    storno_rec["melde"] = storno_melde
    storno_rec["ref"] = n + np.arange(k)  # provisional id of the wrong record
    ev["melde"][wrong] = storno_melde  # the correct record arrives with the Storno
    ev = {c: np.concatenate([ev[c], wrong_rec[c], storno_rec[c]]) for c in ev}

    # Vorgangsnummern follow the order of reporting.
    provisional = np.arange(len(ev["kind"]))
    order = np.lexsort((provisional, ev["day"], ev["melde"]))
    vorgang = np.empty(len(order), dtype=np.int64)
    vorgang[order] = 5_000_000 + np.arange(len(order))
    ev["vorgang"] = vorgang
    ev["ref_vorgang"] = np.where(ev["ref"] >= 0, vorgang[np.maximum(ev["ref"], 0)], -1)
    return {c: v[order] for c, v in ev.items()}


def iter_deliveries(sim: Simulation, inbox: Path) -> Iterator[tuple[str, callable]]:
    """(file name, writer) for each delivery, so callers can show progress."""
    rng = np.random.default_rng(sim.config.seed + 1)
    fmt = PersonFormatter(sim)
    target = inbox / SOURCE_DIR

    def write_bestand() -> Delivery:
        b, st = sim.bestand, sim.bestand_state
        df = fmt.frame(b, st["gem"], st["street"], st["house"], st["nat"]).with_columns(
            Einzugsdatum=date_strings(st["moved_in"]))
        return write_csv(df.select(BESTAND_COLUMNS), target / bestand_file_name(), dt.date(2015, 1, 5))

    yield bestand_file_name(), write_bestand

    rec = _records(sim, rng)
    last = months_until(sim.config.until_year, sim.config.until_month)
    melde_month = np.searchsorted([month_bounds(m)[0] for m in range(1, last + 2)], rec["melde"], side="right")
    kinds = np.array(EVENT_NAMES, dtype=object)
    for m in range(1, last + 1):
        y, mo = 2015 + (m - 1) // 12, (m - 1) % 12 + 1

        def write_month(m: int = m, y: int = y, mo: int = mo) -> Delivery:
            sel = np.flatnonzero(melde_month == m)
            r = {c: v[sel] for c, v in rec.items()}
            df = fmt.frame(r["person"], r["gem"], r["street"], r["house"], r["nat"]).with_columns(
                Vorgangsnummer=pl.Series(r["vorgang"].astype(str)),
                Ereignisart=pl.Series(kinds[r["kind"]], dtype=pl.Utf8),
                Ereignisdatum=date_strings(r["day"]),
                Meldedatum=date_strings(r["melde"]),
                Bezugsvorgang=pl.Series([str(v) if v >= 0 else None for v in r["ref_vorgang"]], dtype=pl.Utf8),
            )
            return write_csv(df.select(AENDERUNG_COLUMNS), target / aenderung_file_name(y, mo),
                              delivery_date(y, mo))

        yield aenderung_file_name(y, mo), write_month
