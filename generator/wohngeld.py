"""Housing benefit office (Wohngeld): household-level decisions, delivered monthly as XML.

One `Bescheid` per decision with its Bewilligungszeitraum (usually 12 months; a household receiving
longer gets a new decision for each period). Households in SGB II do not receive Wohngeld. The
Wohngeld-Plus reform (1 January 2023) nearly doubles the number of households.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from generator import benefit_rates as rates
from generator.files import place
from generator.grouping import first_of_greatest, groups, in_sorted
from generator.melderegister import Delivery, PersonFormatter
from generator.population import EPOCH, Simulation, month_bounds
from generator.snapshots import Residents, person_hash
from generator.spells import OPEN, SpellTracker

SOURCE_DIR = "wohngeld"
NAMESPACE = "urn:stichtag:demo:wohngeld:1"
CANARY_WOHNGELD = 1  # the second canary person's household receives Wohngeld


def file_name(year: int, month: int) -> str:
    return f"WOGG_BESCHEIDE_{year:04d}{month:02d}.xml"


def _day(d: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(d))


def _add_months(d: dt.date, n: int) -> dt.date:
    y, m = divmod(d.month - 1 + n, 12)
    return dt.date(d.year + y, m + 1, 1)


class WohngeldSim:
    def __init__(self, sim: Simulation, rng: np.random.Generator) -> None:
        self.sim = sim
        self.rng = rng
        self.town = rates.town_factor(sim.gemeinden)
        self.tracker = SpellTracker(rng)
        self.active = np.empty(0, np.int64)

    def observe(self, res: Residents, sgb2_households: np.ndarray) -> None:
        hh, first, inv = groups(res.household)
        adults = np.bincount(inv, weights=res.age >= 18, minlength=len(hh))
        seniors = np.bincount(inv, weights=res.age >= 65, minlength=len(hh))
        size = np.bincount(inv, minlength=len(hh))
        # the applicant: the household's oldest member
        applicant = res.idx[first_of_greatest(inv, res.age, len(hh))]
        gem = res.gem[first]
        p = rates.WOHNGELD_ENTRY * self.town[gem] * np.where(seniors > 0, rates.WOHNGELD_SENIOR_FACTOR, 1.0)
        if res.state.date.year >= 2023:
            p = p * rates.WOHNGELD_PLUS_FACTOR
        if res.state.month == 1:
            p = p / (p + 1 / rates.WOHNGELD_MEAN_MONTHS)
        was = in_sorted(hh, self.active)
        stay = was & ~rates.spell_exit(self.rng, len(hh), rates.WOHNGELD_MEAN_MONTHS)
        enter = ~was & (self.rng.random(len(hh)) < p)
        canary = np.isin(hh, res.household[res.idx == CANARY_WOHNGELD])
        on = (stay | enter | canary) & (adults > 0) & ~in_sorted(hh, sgb2_households)
        self.active = hh[on]
        self.tracker.update(res.state.first_day, res.state.last_day, hh[on], np.ones(int(on.sum()), np.int8),
                            gem=gem[on], street=res.street[first][on], house=res.house[first][on],
                            applicant=applicant[on], size=size[on])

    def deliveries(self, inbox: Path, last_month: int) -> list[tuple[str, callable]]:
        decisions = self._decisions(month_bounds(last_month)[1])
        fmt = PersonFormatter(self.sim)
        out = []
        for m in range(1, last_month + 1):
            y, mo = 2015 + (m - 1) // 12, (m - 1) % 12 + 1
            out.append((file_name(y, mo), lambda m=m, y=y, mo=mo: self._write(inbox, decisions, fmt, m, y, mo)))
        return out

    def _decisions(self, until_day: int) -> dict[str, np.ndarray]:
        s = self.tracker.spells()
        rows: dict[str, list] = {k: [] for k in ("spell", "k", "von", "bis", "bescheid")}
        for i in range(len(s.unit)):
            start = _day(s.start[i])
            end = _day(min(s.end[i], until_day)) if s.end[i] != OPEN else _day(until_day)
            von = dt.date(start.year, start.month, 1)
            k = 0
            while von <= end:
                bis = _add_months(von, 12) - dt.timedelta(days=1)
                rows["spell"].append(i)
                rows["k"].append(k)
                rows["von"].append(von)
                rows["bis"].append(bis)
                rows["bescheid"].append(von - dt.timedelta(days=3 + (int(s.spell_id[i]) * 7 + k) % 20))
                von, k = _add_months(von, 12), k + 1
        self.spells = s
        return {k: np.array(v, dtype=object) for k, v in rows.items()}

    def _write(self, inbox: Path, d: dict[str, np.ndarray], fmt: PersonFormatter, m: int, y: int,
               mo: int) -> Delivery:
        first, last = (_day(x) for x in month_bounds(m))
        sel = np.flatnonzero([(first <= b <= last) for b in d["bescheid"]])
        s = self.spells
        spell = d["spell"][sel].astype(int)
        a = {k: v[spell] for k, v in s.attrs.items()}
        applicant = a["applicant"]
        df = fmt.frame(applicant, a["gem"], a["street"], a["house"], self.sim.persons.nat[applicant])
        amount = 80 + person_hash(s.spell_id[spell], 31) * 260
        created = last + dt.timedelta(days=4)
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               f'<WohngeldBescheide xmlns="{NAMESPACE}" Erstellt="{created.isoformat()}" Zeitraum="{y:04d}-{mo:02d}">']
        for i, r in enumerate(df.iter_rows(named=True)):
            von, bis = d["von"][sel[i]], d["bis"][sel[i]]
            wg = amount[i] * (1.7 if von.year >= 2023 else 1.0)
            birth = dt.datetime.strptime(r["Geburtsdatum"], "%d.%m.%Y").date()
            out.append(
                f'  <Bescheid Nummer="WG-{int(s.spell_id[spell[i]]):07d}-{int(d["k"][sel[i]]):02d}">'
                f"<Bescheiddatum>{d['bescheid'][sel[i]].isoformat()}</Bescheiddatum>"
                f"<Antragsteller><Familienname>{escape(r['Familienname'])}</Familienname>"
                f"<Vornamen>{escape(r['Vornamen'])}</Vornamen><Geburtsdatum>{birth.isoformat()}</Geburtsdatum>"
                f"</Antragsteller>"
                f"<Anschrift><Strasse>{escape(r['Straße'])}</Strasse><Hausnummer>{escape(r['Hausnummer'])}"
                f"</Hausnummer><PLZ>{r['PLZ']}</PLZ><Gemeindeschluessel>{r['Gemeindeschlüssel']}"
                f"</Gemeindeschluessel></Anschrift>"
                f"<Haushaltsmitglieder>{int(a['size'][i])}</Haushaltsmitglieder>"
                f"<Leistungsart>Mietzuschuss</Leistungsart>"
                f"<Bewilligung von={quoteattr(von.isoformat())} bis={quoteattr(bis.isoformat())}/>"
                f'<WohngeldMonatlich waehrung="EUR">{wg:.2f}</WohngeldMonatlich>'
                f"</Bescheid>")
        out.append("</WohngeldBescheide>")
        path = inbox / SOURCE_DIR / file_name(y, mo)
        place(path, ("\n".join(out) + "\n").encode("utf-8"), created)
        return Delivery(path, len(sel))
