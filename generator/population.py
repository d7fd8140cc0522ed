"""A month-by-month simulation of the resident population behind the registry deliveries.

The simulation is calibrated to the real Kreis: each Gemeinde's population follows a path from the
2014 Bestand to its official population on 31.12.2022 (in-migration fills the gap each month), with
births, deaths, moves and naturalisations at the rates the official statistics report for
Schleswig-Holstein. Everything is vectorised with numpy and driven by one seeded generator, so the
same configuration always yields the same persons and events.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from generator.names import (
    BIRTHPLACES_DE,
    BIRTHPLACES_FOREIGN,
    FIRST_F_DE,
    FIRST_M_DE,
    STREETS,
    SURNAMES_DE,
    SURNAMES_FOREIGN,
)
from kernel.reference import Gemeinde, gemeinden

EPOCH = dt.date(1970, 1, 1)
BESTAND_DATE = dt.date(2014, 12, 31)
CALIBRATION_MONTH = 96  # December 2022, months after December 2014

# Destatis Staatsangehörigkeitsschlüssel (000 = deutsch).
NATIONALITIES = ("000", "163", "152", "154", "475", "423", "166", "125", "137", "134", "160")
GERMAN = 0

# Event kinds, in the spelling of the change deliveries.
ZUZUG, FORTZUG, UMZUG, GEBURT, TOD, STAATSANGEHOERIGKEIT, STORNO = range(7)
EVENT_NAMES = ("Zuzug", "Fortzug", "Umzug", "Geburt", "Tod", "Staatsangehörigkeitswechsel", "Storno")

N_CANARIES = 3

# Annual rates, calibrated to the official figures in shared/domain/comparison-values.md.
BIRTH_RATE = 0.0092
DEATH_RATE = 0.0118
OUT_MIGRATION_RATE = 0.055
INTERNAL_MOVE_RATE = 0.08
NATURALISATION_RATE = 0.012
GROWTH_AFTER_CALIBRATION = 0.0035
BESTAND_FACTOR = 0.951  # Kreis 2014 relative to 2022 (307,471 on 31.12.2015 vs 322,130 on 31.12.2022)


def to_days(d: dt.date) -> int:
    return (d - EPOCH).days


def month_bounds(month_index: int) -> tuple[int, int]:
    """Days (since epoch) of the first and last day of month `month_index` after December 2014."""
    y, m = divmod(month_index - 1, 12)
    first = dt.date(2015 + y, m + 1, 1)
    nxt = dt.date(2015 + y + (m + 1) // 12, (m + 1) % 12 + 1, 1)
    return to_days(first), to_days(nxt) - 1


def months_until(year: int, month: int) -> int:
    return (year - 2015) * 12 + month


@dataclass(frozen=True)
class GeneratorConfig:
    seed: int = 20221231
    until_year: int = 2026
    until_month: int = 10
    scale: float = 1.0
    gemeinden_ags: tuple[str, ...] | None = None

    def selected_gemeinden(self) -> tuple[Gemeinde, ...]:
        all_g = gemeinden()
        if not self.gemeinden_ags:
            return all_g
        wanted = set(self.gemeinden_ags)
        unknown = wanted - {g.ags for g in all_g}
        if unknown:
            raise ValueError(f"unknown AGS for the model Kreis: {sorted(unknown)}")
        return tuple(g for g in all_g if g.ags in wanted)


@dataclass
class Persons:
    """Column store of every person ever resident, index = person number."""

    sex: np.ndarray  # 0 male, 1 female, 2 diverse
    birth: np.ndarray  # days since epoch
    nat: np.ndarray  # index into NATIONALITIES
    gem: np.ndarray  # index into the Gemeinden, -1 while not resident
    street: np.ndarray
    house: np.ndarray
    surname: np.ndarray  # index; foreign pool offset by len(SURNAMES_DE)
    firstname: np.ndarray
    birthplace: np.ndarray
    moved_in: np.ndarray  # days since epoch
    alive: np.ndarray

    def append(self, **cols: np.ndarray) -> np.ndarray:
        start = len(self.sex)
        for name, values in cols.items():
            setattr(self, name, np.concatenate([getattr(self, name), values]))
        return np.arange(start, len(self.sex))


@dataclass
class Events:
    """Event records; state columns are the person's state *after* the event (before, for Fortzug/Tod)."""

    cols: dict[str, list[np.ndarray]] = field(default_factory=dict)

    def add(self, **cols: np.ndarray) -> None:
        for k, v in cols.items():
            self.cols.setdefault(k, []).append(np.asarray(v))

    def frame(self) -> dict[str, np.ndarray]:
        return {k: np.concatenate(v) for k, v in self.cols.items()}


@dataclass
class Simulation:
    config: GeneratorConfig
    gemeinden: tuple[Gemeinde, ...]
    persons: Persons
    bestand: np.ndarray  # person numbers resident at the end of 31.12.2014
    bestand_state: dict[str, np.ndarray]  # their state then (the persons' columns change later)
    events: dict[str, np.ndarray]


def _age_weights() -> np.ndarray:
    """Relative size of each single-year age group 0..100 in 2014 (shape of the German pyramid)."""
    w = np.zeros(101)
    w[0:18] = 0.92
    w[18:25] = 1.00
    w[25:35] = 1.10
    w[35:45] = 1.15
    w[45:60] = 1.55
    w[60:65] = 1.30
    w[65:70] = 1.10
    w[70:80] = 0.98
    w[80:90] = 0.50
    w[90:101] = np.linspace(0.16, 0.01, 11)
    return w / w.sum()


def _migrant_age_weights() -> np.ndarray:
    w = np.zeros(101)
    w[0:18] = 0.7
    w[18:30] = 2.6
    w[30:50] = 1.5
    w[50:65] = 0.6
    w[65:90] = 0.25
    return w / w.sum()


def _foreign_share_of_inflow(year: int) -> float:
    return {2015: 0.33, 2016: 0.29, 2022: 0.41, 2023: 0.30}.get(year, 0.19)


def _foreign_nationality_weights(year: int) -> np.ndarray:
    # order as NATIONALITIES[1:]: TR PL RO SY AF UA BG IT GR RU
    w = np.array([3.0, 2.5, 2.0, 1.0, 0.8, 0.6, 1.2, 0.8, 0.6, 0.8])
    if year in (2015, 2016):
        w[3] += 5.0
        w[4] += 2.5
    if year >= 2022:
        w[5] += 6.0 if year == 2022 else 2.0
    return w / w.sum()


def _new_persons(rng: np.random.Generator, n: int, birth_days: np.ndarray, foreign: np.ndarray,
                 nat_w: np.ndarray, gem: np.ndarray, moved_in: np.ndarray, sex: np.ndarray | None = None,
                 surname: np.ndarray | None = None, nat: np.ndarray | None = None) -> dict[str, np.ndarray]:
    if sex is None:
        sex = np.where(rng.random(n) < 0.003, 2, (rng.random(n) < 0.5).astype(np.int8)).astype(np.int8)
    if nat is None:
        nat = np.where(foreign, 1 + rng.choice(len(nat_w), size=n, p=nat_w), GERMAN).astype(np.int16)
    if surname is None:
        surname = np.where(
            foreign,
            len(SURNAMES_DE) + rng.integers(0, len(SURNAMES_FOREIGN), n),
            rng.integers(0, len(SURNAMES_DE), n),
        ).astype(np.int16)
    # First names: index into the sex's German or foreign pool, resolved when writing.
    firstname = rng.integers(0, max(len(FIRST_M_DE), len(FIRST_F_DE)), n).astype(np.int16)
    birthplace = np.where(
        foreign,
        len(BIRTHPLACES_DE) + rng.integers(0, len(BIRTHPLACES_FOREIGN), n),
        rng.integers(0, len(BIRTHPLACES_DE), n),
    ).astype(np.int16)
    return dict(
        sex=sex.astype(np.int8), birth=birth_days.astype(np.int32), nat=nat.astype(np.int16),
        gem=gem.astype(np.int16), street=rng.integers(0, len(STREETS), n).astype(np.int16),
        house=rng.integers(1, 140, n).astype(np.int16), surname=surname.astype(np.int16),
        firstname=firstname, birthplace=birthplace, moved_in=moved_in.astype(np.int32),
        alive=np.ones(n, dtype=bool),
    )


def _address_key(p: Persons, idx: np.ndarray) -> np.ndarray:
    return (p.gem[idx].astype(np.int64) * 64 + p.street[idx] + 1) * 256 + p.house[idx]


def _household_key(p: Persons, idx: np.ndarray) -> np.ndarray:
    """Persons at one address with one family name: a family household."""
    return _address_key(p, idx) * 65_536 + p.surname[idx]


def _pick_per_group(rng: np.random.Generator, want: np.ndarray, pool: np.ndarray, pool_group: np.ndarray,
                    want_group: np.ndarray, unique: bool = False) -> np.ndarray:
    """For each wanted item, a random pool member of the same group (-1 where the group's pool is empty).
    `unique`: each pool member at most once (partners), else with replacement (mothers of siblings)."""
    if len(pool) == 0:
        return np.full(len(want), -1, dtype=np.int64)
    order = np.lexsort((rng.random(len(pool)), pool_group))  # shuffled within each group
    pool, pool_group = pool[order], pool_group[order]
    lo = np.searchsorted(pool_group, want_group, side="left")
    hi = np.searchsorted(pool_group, want_group, side="right")
    size = hi - lo
    if unique:
        w_order = np.argsort(want_group, kind="stable")
        rank = np.empty(len(want), dtype=np.int64)
        sorted_groups = want_group[w_order]
        first = np.searchsorted(sorted_groups, sorted_groups, side="left")
        rank[w_order] = np.arange(len(want)) - first
        pick = lo + rank
        return np.where(rank < size, pool[np.minimum(pick, len(pool) - 1)], -1)
    pick = lo + (rng.random(len(want)) * np.maximum(size, 1)).astype(np.int64)
    return np.where(size > 0, pool[np.minimum(pick, len(pool) - 1)], -1)


def _join_household(p: Persons, members: np.ndarray, heads: np.ndarray) -> None:
    """Members move into the heads' households: same address and family name."""
    ok = heads >= 0
    members, heads = members[ok], heads[ok]
    p.gem[members] = p.gem[heads]
    p.street[members] = p.street[heads]
    p.house[members] = p.house[heads]
    p.surname[members] = p.surname[heads]


def _form_families(rng: np.random.Generator, p: Persons, idx: np.ndarray, age: np.ndarray) -> None:
    """Children live with a mother (same Gemeinde, same citizenship group); about 60 % of mothers live
    with a partner. Only addresses and family names change: the calibrated counts stay as they are."""
    foreign = (p.nat[idx] != GERMAN).astype(np.int64)
    group = p.gem[idx].astype(np.int64) * 2 + foreign
    kids = age < 18
    mothers_pool = (p.sex[idx] == 1) & (age >= 22) & (age < 50)
    mothers = _pick_per_group(rng, idx[kids], idx[mothers_pool], group[mothers_pool], group[kids])
    _join_household(p, idx[kids], mothers)
    chosen = np.unique(mothers[mothers >= 0])
    couples = chosen[rng.random(len(chosen)) < 0.7]
    # and three in four of the other women aged 25-84 live with a partner
    others = idx[(p.sex[idx] == 1) & (age >= 25) & (age < 85) & ~np.isin(idx, chosen)]
    couples = np.concatenate([couples, others[rng.random(len(others)) < 0.75]])
    men_pool = (p.sex[idx] == 0) & (age >= 24) & (age < 88)
    c_group = p.gem[couples].astype(np.int64) * 2 + (p.nat[couples] != GERMAN)
    partners = _pick_per_group(rng, couples, idx[men_pool], group[men_pool], c_group, unique=True)
    _join_household(p, partners, couples)


def _followers(p: Persons, movers: np.ndarray, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Members of a mover's household among `candidates`: (member, the mover they follow)."""
    if len(movers) == 0 or len(candidates) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    keys = _household_key(p, movers)
    order = np.argsort(keys, kind="stable")
    keys, movers = keys[order], movers[order]
    # only a mover's housemates can be members: a lookup table of the movers' addresses finds them in one
    # pass, and only they are searched for (searching every resident took a third of the simulation)
    candidates = candidates[np.isin(_address_key(p, candidates), _address_key(p, movers), kind="table")]
    ck = _household_key(p, candidates)
    pos = np.minimum(np.searchsorted(keys, ck), len(keys) - 1)
    hit = keys[pos] == ck
    return candidates[hit], movers[pos[hit]]


def _target_population(gems: tuple[Gemeinde, ...], scale: float, month: int) -> np.ndarray:
    ref = np.array([g.population_2022 for g in gems], dtype=float) * scale
    start = np.round(ref * BESTAND_FACTOR)
    if month <= CALIBRATION_MONTH:
        # uninhabited Gemeinden (gemeindefreie Forstgutsbezirke) stay at 0
        growth = np.divide(ref, start, out=np.ones_like(ref), where=start > 0)
        return np.round(start * growth ** (month / CALIBRATION_MONTH))
    return np.round(ref * (1 + GROWTH_AFTER_CALIBRATION) ** ((month - CALIBRATION_MONTH) / 12))


def simulate(config: GeneratorConfig) -> Simulation:
    rng = np.random.default_rng(config.seed)
    gems = config.selected_gemeinden()
    n_gem = len(gems)
    bestand_day = to_days(BESTAND_DATE)

    # --- Bestand on 31.12.2014 -------------------------------------------------------------------
    start_pop = _target_population(gems, config.scale, 0).astype(int)
    n0 = int(start_pop.sum())
    gem0 = np.repeat(np.arange(n_gem), start_pop)
    ages = rng.choice(101, size=n0, p=_age_weights())
    birth0 = bestand_day - ages * 365 - rng.integers(0, 365, n0)
    # Foreign residents concentrate in working ages: 8.4 % overall (Kreis, 2015).
    p_foreign = np.where((ages >= 18) & (ages < 50), 0.118, 0.042)
    foreign0 = rng.random(n0) < p_foreign
    since_age18 = np.maximum(birth0 + 18 * 365, birth0)
    moved_in0 = since_age18 + (rng.random(n0) * np.maximum(bestand_day - since_age18, 1)).astype(int)
    moved_in0 = np.where(ages < 18, birth0 + (rng.random(n0) * (bestand_day - birth0)).astype(int), moved_in0)
    cols = _new_persons(rng, n0, birth0, foreign0, _foreign_nationality_weights(2014), gem0, moved_in0)

    # Canary persons first (indices 0..2); the second one is not yet resident and moves in later.
    canary_birth = np.array([to_days(dt.date(1964, 2, 29)), to_days(dt.date(1987, 7, 13)),
                             to_days(dt.date(2001, 11, 2))])
    canary = _new_persons(rng, N_CANARIES, canary_birth, np.zeros(N_CANARIES, bool),
                          _foreign_nationality_weights(2014), np.array([0, -1, 0]),
                          np.array([to_days(dt.date(2003, 5, 1)), 0, to_days(dt.date(2001, 11, 2))]))
    persons = Persons(**{k: np.concatenate([canary[k], cols[k]]) for k in cols})
    persons.street[:N_CANARIES] = -1  # written with the canaries' own streets
    ordinary = np.arange(N_CANARIES, len(persons.sex))
    _form_families(rng, persons, ordinary, (bestand_day - persons.birth[ordinary]) / 365.25)
    bestand = np.flatnonzero(persons.gem >= 0)
    bestand_state = {c: getattr(persons, c)[bestand].copy() for c in ("gem", "street", "house", "nat", "moved_in")}

    events = Events()
    last_month = months_until(config.until_year, config.until_month)
    death_a, death_b = -10.3, 0.094  # Gompertz hazard of the annual death probability
    for month in range(1, last_month + 1):
        d0, d1 = month_bounds(month)
        year = (dt.date(1970, 1, 1) + dt.timedelta(days=d0)).year
        ndays = d1 - d0 + 1

        def days(n: int, _d0: int = d0, _nd: int = ndays) -> np.ndarray:
            return _d0 + rng.integers(0, _nd, n)

        resident = np.flatnonzero(persons.gem >= 0)
        n_res = len(resident)
        age = (d0 - persons.birth[resident]) / 365.25
        touched = np.zeros(len(persons.sex), dtype=bool)

        # Deaths, scaled to the annual death rate.
        hazard = np.exp(death_a + death_b * age)
        p = np.minimum(hazard * (DEATH_RATE * n_res / 12) / hazard.sum(), 0.9)
        dead = resident[rng.random(n_res) < p]
        events.add(kind=np.full(len(dead), TOD), person=dead, day=days(len(dead)), gem=persons.gem[dead],
                   street=persons.street[dead], house=persons.house[dead], nat=persons.nat[dead])
        persons.gem[dead] = -1
        persons.alive[dead] = False
        touched[dead] = True

        # Births to resident women aged 15-44.
        mothers_pool = resident[(persons.sex[resident] == 1) & (age >= 15) & (age < 45) & ~touched[resident]]
        p_birth = BIRTH_RATE * n_res / 12 / max(len(mothers_pool), 1)
        mothers = mothers_pool[rng.random(len(mothers_pool)) < p_birth]
        bdays = days(len(mothers))
        kids = persons.append(**_new_persons(
            rng, len(mothers), bdays, persons.nat[mothers] != GERMAN, _foreign_nationality_weights(year),
            persons.gem[mothers], bdays, surname=persons.surname[mothers], nat=persons.nat[mothers]))
        persons.street[kids] = persons.street[mothers]
        persons.house[kids] = persons.house[mothers]
        persons.birthplace[kids] = kids % 4  # born here: Pinneberg, Elmshorn, Hamburg or Wedel
        touched = np.concatenate([touched, np.ones(len(kids), dtype=bool)])
        touched[mothers] = True  # keeps one event per person and month
        events.add(kind=np.full(len(kids), GEBURT), person=kids, day=bdays, gem=persons.gem[kids],
                   street=persons.street[kids], house=persons.house[kids], nat=persons.nat[kids])

        # Moves out of the Kreis, weighted towards young adults and foreign residents.
        alive_res = resident[~touched[resident]]
        a = (d0 - persons.birth[alive_res]) / 365.25
        # children leave with their household, not alone
        w = np.select([a < 18, a < 35, a < 50, a < 65], [0.0, 3.8, 1.4, 0.45], 0.2)
        w = w * np.where(persons.nat[alive_res] != GERMAN, 2.0, 1.0)
        # households leave together: the movers drawn are ~75 % of all who leave (partners, children follow)
        p = w * (OUT_MIGRATION_RATE * 0.75 * n_res / 12) / w.sum()
        leavers = alive_res[rng.random(len(alive_res)) < p]
        # a partner leaves with the household; not every child does (the other parent stays), which keeps
        # child migration at the official level
        staying = alive_res[~np.isin(alive_res, leavers)]
        members, _ = _followers(persons, leavers, staying)
        kid = (d0 - persons.birth[members]) / 365.25 < 18
        members = members[~kid | (rng.random(len(members)) < 0.6)]
        leavers = np.concatenate([leavers, members])
        events.add(kind=np.full(len(leavers), FORTZUG), person=leavers, day=days(len(leavers)),
                   gem=persons.gem[leavers], street=persons.street[leavers], house=persons.house[leavers],
                   nat=persons.nat[leavers])
        persons.gem[leavers] = -1
        touched[leavers] = True

        # Moves within the Kreis: half to another Gemeinde (by size), half within the same one.
        alive_res = resident[~touched[resident]]
        a = (d0 - persons.birth[alive_res]) / 365.25
        movers = alive_res[(a >= 18) & (rng.random(len(alive_res)) < INTERNAL_MOVE_RATE * 0.6 / 12)]
        # the whole household moves: children and partner follow the mover
        movers = np.unique(movers[np.unique(_household_key(persons, movers), return_index=True)[1]])
        kids, heads = _followers(persons, movers, alive_res[~np.isin(alive_res, movers)])
        current = np.bincount(persons.gem[persons.gem >= 0], minlength=n_gem).astype(float)
        to_other = rng.random(len(movers)) < 0.5
        new_gem = np.where(to_other, rng.choice(n_gem, size=len(movers), p=current / current.sum()),
                           persons.gem[movers])
        mdays = days(len(movers))
        persons.gem[movers] = new_gem
        persons.street[movers] = rng.integers(0, len(STREETS), len(movers))
        persons.house[movers] = rng.integers(1, 140, len(movers))
        persons.moved_in[movers] = mdays
        head_pos = np.searchsorted(movers, heads) if len(heads) else np.empty(0, np.int64)
        _join_household(persons, kids, heads)
        persons.moved_in[kids] = mdays[head_pos]
        movers = np.concatenate([movers, kids])
        mdays = np.concatenate([mdays, mdays[head_pos]])
        touched[movers] = True
        events.add(kind=np.full(len(movers), UMZUG), person=movers, day=mdays, gem=persons.gem[movers],
                   street=persons.street[movers], house=persons.house[movers], nat=persons.nat[movers])

        # Naturalisations.
        alive_res = resident[~touched[resident]]
        cand = alive_res[persons.nat[alive_res] != GERMAN]
        nat_chg = cand[rng.random(len(cand)) < NATURALISATION_RATE / 12]
        persons.nat[nat_chg] = GERMAN
        events.add(kind=np.full(len(nat_chg), STAATSANGEHOERIGKEIT), person=nat_chg, day=days(len(nat_chg)),
                   gem=persons.gem[nat_chg], street=persons.street[nat_chg], house=persons.house[nat_chg],
                   nat=persons.nat[nat_chg])

        # A Gemeinde above its calibrated path (households move in whole) loses the excess to moves out.
        current = np.bincount(persons.gem[persons.gem >= 0], minlength=n_gem)
        excess = np.maximum(current - _target_population(gems, config.scale, month).astype(int), 0)
        if excess.any():
            alive_res = resident[~touched[resident] & (persons.gem[resident] >= 0)]
            alive_res = alive_res[rng.permutation(len(alive_res))]
            by_gem = persons.gem[alive_res]
            order = np.argsort(by_gem, kind="stable")
            sorted_gem = by_gem[order]
            rank = np.arange(len(order)) - np.searchsorted(sorted_gem, sorted_gem, side="left")
            extra = alive_res[order[rank < excess[sorted_gem]]]
            events.add(kind=np.full(len(extra), FORTZUG), person=extra, day=days(len(extra)),
                       gem=persons.gem[extra], street=persons.street[extra], house=persons.house[extra],
                       nat=persons.nat[extra])
            persons.gem[extra] = -1
            touched[extra] = True

        # Moves into the Kreis fill each Gemeinde up to its calibrated path.
        current = np.bincount(persons.gem[persons.gem >= 0], minlength=n_gem)
        need = np.maximum(_target_population(gems, config.scale, month).astype(int) - current, 0)
        n_in = int(need.sum())
        in_gem = np.repeat(np.arange(n_gem), need)
        in_days = days(n_in)
        in_age = rng.choice(101, size=n_in, p=_migrant_age_weights())
        in_birth = in_days - in_age * 365 - rng.integers(0, 365, n_in)
        foreign = rng.random(n_in) < _foreign_share_of_inflow(year)
        newcomers = persons.append(**_new_persons(rng, n_in, in_birth, foreign,
                                                  _foreign_nationality_weights(year), in_gem, in_days))
        # families move in together: children arrive with a newcomer mother of their Gemeinde, same day
        kids_in = in_age < 18
        group = in_gem.astype(np.int64) * 2 + foreign
        pool = (persons.sex[newcomers] == 1) & (in_age >= 22) & (in_age < 50)
        mothers = _pick_per_group(rng, newcomers[kids_in], newcomers[pool], group[pool], group[kids_in])
        _join_household(persons, newcomers[kids_in], mothers)
        # and more than half of the adult newcomer women move in with a partner
        adult_w = newcomers[(persons.sex[newcomers] == 1) & (in_age >= 25) & (in_age < 80) & (rng.random(n_in) < 0.6)]
        men = (persons.sex[newcomers] == 0) & (in_age >= 25) & (in_age < 85)
        partners = _pick_per_group(rng, adult_w, newcomers[men], group[men], group[adult_w - newcomers[0]],
                                   unique=True)
        partners = np.where(np.isin(partners, mothers), -1, partners)
        _join_household(persons, partners, adult_w)
        has_p = partners >= 0
        in_days[partners[has_p] - newcomers[0]] = in_days[adult_w[has_p] - newcomers[0]]
        has = mothers >= 0
        kid_idx = np.flatnonzero(kids_in)[has]
        in_days[kid_idx] = np.maximum(in_days[mothers[has] - newcomers[0]], persons.birth[newcomers[kid_idx]])
        persons.moved_in[newcomers] = in_days
        if month == 1:  # the second canary arrives with the first change delivery
            persons.gem[1] = 0
            persons.street[1] = -1
            persons.moved_in[1] = d0 + 9
            newcomers = np.concatenate([[1], newcomers])
            in_days = np.concatenate([[d0 + 9], in_days])
        events.add(kind=np.full(len(newcomers), ZUZUG), person=newcomers, day=in_days,
                   gem=persons.gem[newcomers], street=persons.street[newcomers],
                   house=persons.house[newcomers], nat=persons.nat[newcomers])

    return Simulation(config=config, gemeinden=gems, persons=persons, bestand=bestand,
                      bestand_state=bestand_state, events=events.frame())


def residents_on(sim: Simulation, day: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """(Gemeinde index or -1, nationality index) of every simulated person at the end of `day`:
    replayed from the Bestand and the events (ground truth for tests)."""
    d = to_days(day)
    gem = np.full(len(sim.persons.sex), -1, dtype=np.int32)
    nat = np.zeros(len(sim.persons.sex), dtype=np.int32)
    gem[sim.bestand] = sim.bestand_state["gem"]
    nat[sim.bestand] = sim.bestand_state["nat"]
    ev = sim.events
    upto = np.flatnonzero(ev["day"] <= d)
    # the last event per person (stable order: day, then generation order) decides the state
    order = upto[np.lexsort((upto, ev["day"][upto]))]
    persons_rev = ev["person"][order][::-1]
    _, first = np.unique(persons_rev, return_index=True)
    last = order[::-1][first]
    leaving = np.isin(ev["kind"][last], (FORTZUG, TOD))
    gem[ev["person"][last]] = np.where(leaving, -1, ev["gem"][last])
    nat[ev["person"][last]] = ev["nat"][last]
    return gem, nat


def population_on(sim: Simulation, day: dt.date) -> np.ndarray:
    """Residents per Gemeinde at the end of `day` (ground truth)."""
    gem, _ = residents_on(sim, day)
    return np.bincount(gem[gem >= 0], minlength=len(sim.gemeinden))
