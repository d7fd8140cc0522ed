"""Month-end states of the simulated population, for the generators of the social-benefit systems.

The benefit systems see the same persons as the registry: who lives where at the end of each month.
Replaying the events once, month by month, costs O(events) in all (one `residents_on` per month would
sort every event again each time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from generator.population import EPOCH, FORTZUG, TOD, Simulation, month_bounds, months_until


@dataclass(frozen=True)
class BirthDates:
    year: np.ndarray
    month_day: np.ndarray  # month * 100 + day

    @classmethod
    def of(cls, sim: Simulation) -> BirthDates:
        d = np.datetime64("1970-01-01") + sim.persons.birth.astype("timedelta64[D]")
        y = d.astype("datetime64[Y]")
        m = d.astype("datetime64[M]")
        month = (m - y.astype("datetime64[M]")).astype(int) + 1
        day = (d - m.astype("datetime64[D]")).astype(int) + 1
        return cls(year=y.astype(int) + 1970, month_day=month * 100 + day)


@dataclass
class MonthState:
    month: int  # months after December 2014
    first_day: int  # days since epoch
    last_day: int
    gem: np.ndarray  # Gemeinde index per person, -1 if not resident at the end of the month
    street: np.ndarray
    house: np.ndarray
    nat: np.ndarray

    @property
    def date(self) -> dt.date:
        return EPOCH + dt.timedelta(days=int(self.last_day))

    def age_years(self, births: BirthDates, idx: np.ndarray) -> np.ndarray:
        """Completed years at the end of the month of persons `idx`."""
        end = self.date
        return end.year - births.year[idx] - ((end.month * 100 + end.day) < births.month_day[idx])

    def address_ids(self) -> np.ndarray:
        """One integer per address (Gemeinde, street, house number); -1 where not resident. Persons at
        one address form the household the benefit systems see."""
        return np.where(self.gem >= 0, (self.gem.astype(np.int64) * 1000 + self.street + 1) * 1000 + self.house, -1)


def bestand_state(sim: Simulation) -> MonthState:
    """The registry's Bestand at 31.12.2014 (month 0), before any event."""
    n = len(sim.persons.sex)
    gem = np.full(n, -1, dtype=np.int32)
    street = np.zeros(n, dtype=np.int32)
    house = np.zeros(n, dtype=np.int32)
    nat = np.zeros(n, dtype=np.int32)
    b = sim.bestand
    gem[b], street[b], house[b], nat[b] = (sim.bestand_state[c] for c in ("gem", "street", "house", "nat"))
    return MonthState(0, *month_bounds(0), gem, street, house, nat)


def month_states(sim: Simulation) -> Iterator[MonthState]:
    start = bestand_state(sim)
    gem, street, house, nat = start.gem.copy(), start.street, start.house, start.nat
    ev = sim.events
    order = np.lexsort((np.arange(len(ev["day"])), ev["day"]))
    days = ev["day"][order]
    last = months_until(sim.config.until_year, sim.config.until_month)
    pos = 0
    for m in range(1, last + 1):
        d0, d1 = month_bounds(m)
        end = int(np.searchsorted(days, d1, side="right"))
        sel = order[pos:end]
        pos = end
        # a person's last event of the month decides the state
        _, first = np.unique(ev["person"][sel][::-1], return_index=True)
        sel = sel[::-1][first]
        p = ev["person"][sel]
        leaving = np.isin(ev["kind"][sel], (FORTZUG, TOD))
        gem[p] = np.where(leaving, -1, ev["gem"][sel])
        street[p], house[p], nat[p] = ev["street"][sel], ev["house"][sel], ev["nat"][sel]
        yield MonthState(m, d0, d1, gem.copy(), street.copy(), house.copy(), nat.copy())


@dataclass
class Residents:
    """The residents at the end of one month, with what every benefit generator asks of them."""

    state: MonthState
    idx: np.ndarray  # person numbers
    age: np.ndarray  # completed years
    age_months: np.ndarray
    household: np.ndarray  # persons at one address with one family name: the household the offices see

    @classmethod
    def of(cls, state: MonthState, births: BirthDates, sim: Simulation) -> Residents:
        idx = np.flatnonzero(state.gem >= 0)
        age = state.age_years(births, idx)
        end = state.date
        months = (end.year - births.year[idx]) * 12 + end.month - births.month_day[idx] // 100
        months = months - (end.day < births.month_day[idx] % 100)
        household = state.address_ids()[idx] * 100_000 + sim.persons.surname[idx]
        return cls(state, idx, age, months, household)

    @property
    def gem(self) -> np.ndarray:
        return self.state.gem[self.idx]

    @property
    def street(self) -> np.ndarray:
        return self.state.street[self.idx]

    @property
    def house(self) -> np.ndarray:
        return self.state.house[self.idx]


def person_hash(idx: np.ndarray, salt: int) -> np.ndarray:
    """A stable number in [0, 1) per person and salt (splitmix64): decisions that must not depend on
    generation order, and independent of each other for different salts."""
    with np.errstate(over="ignore"):
        x = idx.astype(np.uint64) + np.uint64(salt) * np.uint64(0x9E3779B97F4A7C15)
        x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        x = x ^ (x >> np.uint64(31))
    return (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)
