"""Youth welfare office (SGB VIII): the case-management system's PostgreSQL database.

Two tables as such systems keep them: `person` (the young person, with address) and `hilfe` (one row per
Hilfe zur Erziehung §§ 27–35, Eingliederungshilfe § 35a, Hilfe für junge Volljährige § 41, Inobhutnahme
§ 42), each with `geaendert_am`, the time of its last change. Closing a case updates its row.
The generator seeds a real PostgreSQL server (see sources/systems.py); ingest reads it incrementally.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from generator import benefit_rates as rates
from generator.melderegister import PersonFormatter
from generator.population import EPOCH, Simulation
from generator.snapshots import Residents
from generator.spells import OPEN, SpellTracker

SCHEMA = """
create table if not exists person (
    person_id bigint primary key,
    familienname text not null,
    vornamen text not null,
    geburtsdatum date not null,
    geschlecht text not null,
    strasse text,
    hausnummer text,
    plz text,
    gemeindeschluessel text not null,
    geaendert_am timestamptz not null
);
create table if not exists hilfe (
    hilfe_id bigint primary key,
    person_id bigint not null references person,
    hilfeart text not null,
    beginn date not null,
    ende date,
    gemeindeschluessel text not null,
    geaendert_am timestamptz not null
);
create index if not exists hilfe_geaendert_am on hilfe (geaendert_am, hilfe_id);
"""
PARAGRAPHS = (*rates.HZE_PARAGRAPHS, "41")
INOBHUTNAHME = "42"
CANARY_SGB8 = 2  # the third canary person (born 2001) receives a Hilfe


class JugendamtSim:
    def __init__(self, sim: Simulation, rng: np.random.Generator) -> None:
        self.sim = sim
        self.rng = rng
        self.town = rates.town_factor(sim.gemeinden)
        self.hze = np.zeros(len(sim.persons.sex), np.int8)  # 1 + index into PARAGRAPHS
        self.inobhut = np.zeros(len(sim.persons.sex), bool)
        self.hze_tracker = SpellTracker(rng)
        self.inobhut_tracker = SpellTracker(rng)
        self.weights = rates.HZE_WEIGHTS / rates.HZE_WEIGHTS.sum()

    def observe(self, res: Residents) -> None:
        idx, age = res.idx, res.age
        n = len(idx)
        kind = self.hze[idx]
        kind = np.where(self.rng.random(n) < 1 / rates.HZE_MEAN_MONTHS, 0, kind).astype(np.int8)
        # at 18, care outside the family continues as Hilfe für junge Volljährige; at 21 every Hilfe ends
        foster = np.isin(kind, [PARAGRAPHS.index(p) + 1 for p in ("33", "34", "35a")])
        kind[(age >= 18) & (kind > 0) & ~foster & (kind != PARAGRAPHS.index("41") + 1)] = 0
        kind[(age >= 18) & foster] = PARAGRAPHS.index("41") + 1
        kind[age >= 21] = 0
        share = rates.HZE_ENTRY / (rates.HZE_ENTRY + 1 / rates.HZE_MEAN_MONTHS)
        p = (share if res.state.month == 1 else rates.HZE_ENTRY) * self.town[res.gem]
        start = (kind == 0) & (age < 18) & (self.rng.random(n) < p)
        kind[start] = 1 + self.rng.choice(len(self.weights), int(start.sum()), p=self.weights)
        kind[(idx == CANARY_SGB8) & (age < 18)] = PARAGRAPHS.index("30") + 1  # a leak would show its name
        self.hze[:] = 0
        self.hze[idx] = kind
        on = kind > 0
        self.hze_tracker.update(res.state.first_day, res.state.last_day, idx[on], kind[on], gem=res.gem[on],
                                street=res.street[on], house=res.house[on])

        ino = self.inobhut[idx] & (self.rng.random(n) >= 1 / rates.INOBHUT_MEAN_MONTHS) & (age < 18)
        ino |= ~ino & (age < 18) & (self.rng.random(n) < rates.INOBHUT_ENTRY * self.town[res.gem])
        self.inobhut[:] = False
        self.inobhut[idx] = ino
        self.inobhut_tracker.update(res.state.first_day, res.state.last_day, idx[ino],
                                    np.ones(int(ino.sum()), np.int8), gem=res.gem[ino], street=res.street[ino],
                                    house=res.house[ino])

    def rows(self, until_day: int) -> tuple[list[tuple], list[tuple]]:
        """(person rows, hilfe rows) of the database as it stands at `until_day`."""
        hze, ino = self.hze_tracker.spells(), self.inobhut_tracker.spells()
        person = np.concatenate([hze.unit, ino.unit])
        art = np.concatenate([np.array(PARAGRAPHS, dtype=object)[hze.category - 1],
                              np.full(len(ino.unit), INOBHUTNAHME, dtype=object)])
        # a case of a newborn starts on the day of birth at the earliest
        start = np.maximum(np.concatenate([hze.start, ino.start]), self.sim.persons.birth[person])
        end = np.concatenate([hze.end, ino.end])
        gem = np.concatenate([hze.attrs.get("gem", np.empty(0, np.int64)), ino.attrs.get("gem", np.empty(0, np.int64))])
        ags = np.array([g.ags for g in self.sim.gemeinden], dtype=object)
        # a case is recorded some days after it starts and updated some days after it ends
        lag = self.rng.integers(0, 15, len(person))
        changed = np.where(end == OPEN, start + lag, np.minimum(end + 1 + lag, until_day))
        secs = self.rng.integers(8 * 3600, 17 * 3600, len(person))

        def day(d: int) -> dt.date:
            return EPOCH + dt.timedelta(days=int(d))

        def ts(d: int, s: int) -> dt.datetime:
            return dt.datetime.combine(day(d), dt.time(), tzinfo=dt.UTC) + dt.timedelta(seconds=int(s))

        hilfe = [(i + 1, int(person[i]) + 1, f"§ {art[i]}", day(start[i]), None if end[i] == OPEN else day(end[i]),
                  ags[gem[i]], ts(changed[i], secs[i])) for i in range(len(person))]
        first_change: dict[int, tuple[int, int]] = {}
        for i in np.argsort(changed, kind="stable"):
            first_change.setdefault(int(person[i]), (int(changed[i]), int(secs[i])))
        people = np.array(sorted(first_change), dtype=np.int64)
        # the case system keeps the address of the first contact
        state = self._first_addresses(people, hze, ino)
        df = PersonFormatter(self.sim).frame(people, state["gem"], state["street"], state["house"],
                                              self.sim.persons.nat[people])
        sex = np.array(["m", "w", "d"])[self.sim.persons.sex[people]]
        persons = [(int(p) + 1, r["Familienname"], r["Vornamen"],
                    dt.datetime.strptime(r["Geburtsdatum"], "%d.%m.%Y").date(), str(sex[i]), r["Straße"],
                    r["Hausnummer"], r["PLZ"], r["Gemeindeschlüssel"], ts(*first_change[int(p)]))
                   for i, (p, r) in enumerate(zip(people, df.iter_rows(named=True), strict=True))]
        return persons, hilfe

    @staticmethod
    def _first_addresses(people: np.ndarray, *spell_sets) -> dict[str, np.ndarray]:
        out = {k: np.zeros(len(people), np.int64) for k in ("gem", "street", "house")}
        for spells in spell_sets:  # later sets win: the Inobhutnahme's address is the first contact's
            pos = np.searchsorted(people, spells.unit)
            for k in out:
                if k in spells.attrs:
                    out[k][pos] = spells.attrs[k]
        return out


def seed(conninfo: str, persons: list[tuple], hilfe: list[tuple]) -> None:
    """Load the case-management database (replacing what the demo put there before)."""
    import psycopg

    with psycopg.connect(conninfo) as con:
        con.execute("drop table if exists hilfe; drop table if exists person;")
        con.execute(SCHEMA)
        with con.cursor() as cur:
            with cur.copy("copy person from stdin") as copy:
                for r in persons:
                    copy.write_row(r)
            with cur.copy("copy hilfe from stdin") as copy:
                for r in hilfe:
                    copy.write_row(r)
