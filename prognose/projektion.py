"""The cohort-component projection: one step per calendar year, by Gemeinde, sex and single year of age.

    P[y][g, s, x] = S[g, s, x] − Tote − Fortzüge nach außerhalb − Umzüge weg + Umzüge her + Zuzüge von außerhalb

where S is the cohort the year starts with (P[y − 1][g, s, x − 1], the open class 100+ keeping its own; for
x = 0 the year's births); deaths and moves out are rates times S plus half the newcomers from outside.
Every component is kept, so the accounting identity can be checked cell by cell."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from prognose.annahmen import Variante
from prognose.eingaben import WANDERUNG_GRUPPEN
from prognose.raten import EXPOSED_SHARE_OF_NEWCOMERS, MAX_ABGANG, Raten, kohorte_zu_beginn, sterbe_wkt_im_jahr

KOMPONENTEN = ("geburten", "sterbefaelle", "fortzug_aussen", "umzug_weg", "umzug_her", "zuzug_aussen")


@dataclass(frozen=True)
class Projektion:
    variante: str
    jahre: tuple[int, ...]  # the base year first, then each projected year
    bestand: np.ndarray  # [len(jahre), G, 2, A]: index 0 is the observed base population
    komponenten: dict[str, np.ndarray]  # each [len(jahre) − 1, G, 2, A]; births only at age 0


def project(base: np.ndarray, basisjahr: int, bis_jahr: int, raten: Raten, variante: Variante) -> Projektion:
    years = tuple(range(basisjahr, bis_jahr + 1))
    steps = len(years) - 1
    g, _, a = base.shape
    bestand = np.zeros((len(years), g, 2, a))
    bestand[0] = base
    comp = {k: np.zeros((steps, g, 2, a)) for k in KOMPONENTEN}
    zuzug = raten.zuzug_aussen * variante.zuzug_von_ausserhalb
    fortzug = raten.fortzug_aussen * variante.fortzug_nach_ausserhalb
    fert = raten.fertilitaet * variante.fertilitaet
    for h in range(1, len(years)):
        start = kohorte_zu_beginn(bestand[h - 1], 0.0)
        births = raten.fertilitaet_niveau * ((start[:, 1, :] + EXPOSED_SHARE_OF_NEWCOMERS * zuzug[:, 1, :]) @ fert)
        start[:, 0, 0] = births * raten.anteil_jungen
        start[:, 1, 0] = births * (1 - raten.anteil_jungen)
        exposed = start + EXPOSED_SHARE_OF_NEWCOMERS * zuzug  # as the rates were estimated (prognose/raten.py)
        q = sterbe_wkt_im_jahr(raten, variante.sterblichkeit_aenderung_pro_jahr, h)
        # deaths and the moves out are shares of the same cohort; together they stay below all of it
        out_rate = np.minimum(fortzug, np.maximum(MAX_ABGANG - q[None] - raten.umzug_weg, 0.0))
        deaths = exposed * q[None]
        out = exposed * out_rate
        away = exposed * raten.umzug_weg
        # movers go where movers of their age group went
        here = np.zeros_like(away)
        for i, (lo, hi) in enumerate(WANDERUNG_GRUPPEN):  # [G to, G from] @ [G from, 2 × ages]: one BLAS call
            block = away[..., lo:hi + 1]
            here[..., lo:hi + 1] = (raten.umzug_ziele[i].T @ block.reshape(g, -1)).reshape(block.shape)
        bestand[h] = start - deaths - out - away + here + zuzug
        i = h - 1
        comp["geburten"][i, :, :, 0] = start[:, :, 0]
        comp["sterbefaelle"][i] = deaths
        comp["fortzug_aussen"][i] = out
        comp["umzug_weg"][i] = away
        comp["umzug_her"][i] = here
        comp["zuzug_aussen"][i] = zuzug
    return Projektion(variante.id, years, bestand, comp)


def identity_residual(p: Projektion) -> float:
    """The largest |P[y] − (S + components)| over every year, Gemeinde, sex and age (0 up to rounding)."""
    worst = 0.0
    for h in range(1, len(p.jahre)):
        c = {k: v[h - 1] for k, v in p.komponenten.items()}
        start = kohorte_zu_beginn(p.bestand[h - 1], c["geburten"][..., 0])
        expected = start - c["sterbefaelle"] - c["fortzug_aussen"] - c["umzug_weg"] + c["umzug_her"] + c["zuzug_aussen"]
        worst = max(worst, float(np.abs(p.bestand[h] - expected).max()))
    return worst
