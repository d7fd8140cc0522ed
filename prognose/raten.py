"""Rates of the base period, estimated from the registry (Basisdaten): mortality and fertility for the
whole Kreis, migration by Gemeinde with small areas borrowing strength from their Amt and the Kreis.

Every rate is per person-year at risk: the cohort at the start of the calendar year (age x at its end was
x − 1 on the 31.12. before; for age 0 the year's births) plus half of the year's moves in from outside the
Kreis (exposed half a year on average: a newcomer can die or move on within the year), so the projection
applies them to exactly what it has. Moves in from other Gemeinden are left out of the exposure so that one
step needs no iteration."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prognose.annahmen import MAX_ALTER, Annahmen
from prognose.eingaben import MUTTER_ALTER, A, Basisdaten

# age groups within which a Gemeinde's migration level is estimated (its age shape is the Kreis's)
WANDERUNG_GRUPPEN = ((0, 5), (6, 17), (18, 24), (25, 29), (30, 44), (45, 64), (65, 79), (80, MAX_ALTER))
UMZUG_ZIELE_PSEUDO = 20.0  # prior moves of a destination distribution (Kreis-wide shares)
ZUZUG_PROFIL_PSEUDO = 50.0  # prior moves of an in-migration age-sex profile (the parent's)
MAX_STERBE_WKT = 0.7  # a death probability, at most (the open class 100+ included)
MAX_ABGANG = 0.95  # deaths + moves out of one cohort cell in one year, at most (per person-year at risk)
EXPOSED_SHARE_OF_NEWCOMERS = 0.5


@dataclass(frozen=True)
class Raten:
    sterbe_wkt: np.ndarray  # [2, A] death probability in the year, by age at its end
    fertilitaet: np.ndarray  # [A] births per woman of the cohort (women of age x at year end)
    fertilitaet_niveau: np.ndarray  # [G] a Gemeinde's fertility relative to the Kreis (shrunk)
    anteil_jungen: float
    fortzug_aussen: np.ndarray  # [G, 2, A] rate
    umzug_weg: np.ndarray  # [G, 2, A] rate of moving to another Gemeinde of the Kreis
    umzug_ziele: np.ndarray  # [len(WANDERUNG_GRUPPEN), G from, G to] destination shares, rows sum to 1
    zuzug_aussen: np.ndarray  # [G, 2, A] moves in from outside the Kreis per year (absolute)


def sterbe_wkt_im_jahr(raten: Raten, aenderung_pro_jahr: float, h: int) -> np.ndarray:
    """[2, A] death probabilities in the h-th projected year: the base period's, changed by the variant's share
    a year."""
    return np.clip(raten.sterbe_wkt * (1 + aenderung_pro_jahr) ** h, 0.0, MAX_STERBE_WKT)


def gruppe_je_alter() -> np.ndarray:
    out = np.zeros(A, dtype=int)
    for i, (lo, hi) in enumerate(WANDERUNG_GRUPPEN):
        out[lo:hi + 1] = i
    return out


def kohorte_zu_beginn(bestand: np.ndarray, geburten: np.ndarray) -> np.ndarray:
    """Who a year starts with, indexed by age at its end: [..., x] = [..., x − 1] of the year before (the open
    class keeps its own), [..., 0] = the year's births."""
    out = np.zeros_like(bestand)
    out[..., 1:] = bestand[..., :-1]
    out[..., MAX_ALTER] += bestand[..., MAX_ALTER]
    out[..., 0] = geburten
    return out


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def _mortality(deaths: np.ndarray, exposure: np.ndarray, from_age: int) -> np.ndarray:
    """[2, A] death probabilities: a Gompertz curve (log-linear in age, weighted by deaths) from `from_age`,
    pooled rates in broad bands below, where a Kreis sees too few deaths for single years."""
    q = np.zeros((2, A))
    ages = np.arange(A)
    for s in range(2):
        d, e = deaths[s], exposure[s]
        fit = (ages >= from_age) & (ages < MAX_ALTER) & (d > 0) & (e > 0)
        if fit.sum() >= 5:
            b, a = np.polyfit(ages[fit], np.log(d[fit] / e[fit]), 1, w=np.sqrt(d[fit]))
            q[s, from_age:] = np.exp(a + b * ages[from_age:])
        else:  # too few deaths to fit: the pooled rate of the whole band
            q[s, from_age:] = _ratio(d[from_age:].sum(), e[from_age:].sum())
        for lo, hi in ((0, 0), (1, 14), (15, from_age - 1)):
            q[s, lo:hi + 1] = _ratio(d[lo:hi + 1].sum(), e[lo:hi + 1].sum())
    return np.clip(q, 0.0, MAX_STERBE_WKT)


def _shrunk_levels(events: np.ndarray, exposure: np.ndarray, parent_of: np.ndarray, k: float) -> np.ndarray:
    """[G, ...] rates shrunk towards the parent (Amt, or the Kreis for an amtsfreie Gemeinde), the parent's
    towards the Kreis: (events + k × parent rate) / (exposure + k)."""
    kreis = _ratio(events.sum(axis=0), exposure.sum(axis=0))
    parents = np.unique(parent_of[parent_of >= 0])
    parent_rate = np.broadcast_to(kreis, events.shape).copy()
    for p in parents:
        members = parent_of == p
        rate = (events[members].sum(axis=0) + k * kreis) / (exposure[members].sum(axis=0) + k)
        parent_rate[members] = rate
    return (events + k * parent_rate) / (exposure + k)


def _by_group(x: np.ndarray) -> np.ndarray:
    """Sum the last (age) axis into WANDERUNG_GRUPPEN."""
    return np.stack([x[..., lo:hi + 1].sum(axis=-1) for lo, hi in WANDERUNG_GRUPPEN], axis=-1)


def _migration_rate(events: np.ndarray, exposure: np.ndarray, parent_of: np.ndarray, k: float) -> np.ndarray:
    """[G, 2, A]: the Kreis's rate by single age, times the Gemeinde's shrunk level in its age group."""
    kreis = _ratio(events.sum(axis=0), exposure.sum(axis=0))  # [2, A]
    levels = _shrunk_levels(_by_group(events), _by_group(exposure), parent_of, k)  # [G, 2, groups]
    kreis_group = _ratio(_by_group(events.sum(axis=0)), _by_group(exposure.sum(axis=0)))  # [2, groups]
    factor = np.divide(levels, kreis_group, out=np.ones_like(levels), where=kreis_group > 0)
    return kreis[None] * factor[..., gruppe_je_alter()]


def estimate(data: Basisdaten, annahmen: Annahmen, parent_of: np.ndarray) -> Raten:
    start = kohorte_zu_beginn(data.bestand[:-1], data.geburten)  # [n, G, 2, A]
    exposure = (start + EXPOSED_SHARE_OF_NEWCOMERS * data.zuzug_aussen).sum(axis=0)  # [G, 2, A] person-years
    q = _mortality(data.sterbefaelle.sum(axis=(0, 1)), exposure.sum(axis=0), annahmen.sterblichkeit_ab_alter)

    births = data.geburten.sum(axis=(0, 2))  # [G]
    women = exposure[:, 1, :]  # [G, A] (at ages 15-49: births are not part of it)
    profile = np.convolve(data.geburten_mutter, np.ones(3) / 3, mode="same")  # the mothers' ages, smoothed
    lo, hi = MUTTER_ALTER
    profile[:lo], profile[hi + 1:] = 0, 0
    if profile.sum() == 0:  # no household names a mother: births spread evenly over the fertile ages
        profile[lo:hi + 1] = 1.0
    per_age = births.sum() * profile / profile.sum()
    fert = _ratio(per_age, women.sum(axis=0))
    expected = women @ fert
    k = annahmen.fertilitaet_geburten
    level = (births + k) / (expected + k)
    boys = data.geburten[..., 0].sum() / max(data.geburten.sum(), 1e-9)

    parent = parent_of
    kpy = annahmen.wanderung_personenjahre
    out_rate = _migration_rate(data.fortzug_aussen.sum(axis=0), exposure, parent, kpy)
    move_rate = _migration_rate(data.umzug_weg.sum(axis=0), exposure, parent, kpy)
    q_full = np.broadcast_to(q[None], out_rate.shape)
    total = q_full + out_rate + move_rate
    scale = np.where(total > MAX_ABGANG, MAX_ABGANG / np.maximum(total, 1e-12), 1.0)
    out_rate, move_rate = out_rate * scale, move_rate * scale  # deaths stay as estimated

    flows = np.moveaxis(data.umzug_ziele, -1, 0)  # [groups, G from, G to]
    arriving = flows.sum(axis=1)  # [groups, G to]
    targets = np.zeros_like(flows)
    g = flows.shape[1]
    for origin in range(g):
        prior = arriving.copy()
        prior[:, origin] = 0  # nobody moves to where they are
        prior = _ratio(prior, prior.sum(axis=1, keepdims=True))
        own = flows[:, origin, :]
        targets[:, origin, :] = (own + UMZUG_ZIELE_PSEUDO * prior) / (
            own.sum(axis=1, keepdims=True) + UMZUG_ZIELE_PSEUDO)

    incoming = data.zuzug_aussen.sum(axis=0)  # [G, 2, A]
    years = len(data.jahre)
    kreis_profile = _ratio(incoming.sum(axis=0), incoming.sum())
    yearly = np.zeros_like(incoming)
    for i in range(g):
        members = (parent == parent[i]) if parent[i] >= 0 else np.zeros(g, dtype=bool)
        parent_total = incoming[members].sum()
        parent_profile = (incoming[members].sum(axis=0) + ZUZUG_PROFIL_PSEUDO * kreis_profile) / (
            parent_total + ZUZUG_PROFIL_PSEUDO)
        own_total = incoming[i].sum()
        own_profile = (incoming[i] + ZUZUG_PROFIL_PSEUDO * parent_profile) / (own_total + ZUZUG_PROFIL_PSEUDO)
        yearly[i] = own_total / years * own_profile
    return Raten(q, fert, level, float(boys), out_rate, move_rate, targets, yearly)
