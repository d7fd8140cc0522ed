"""Rates of the benefit generators, calibrated to ../shared/domain/comparison-values.md (Kreis Pinneberg).

Monthly probabilities of entering and leaving a benefit; the steady-state share is entry / (entry + exit).
Towns have higher rates than villages, as the official figures show everywhere.
"""

from __future__ import annotations

import numpy as np

from kernel.reference import Gemeinde


def town_factor(gems: tuple[Gemeinde, ...]) -> np.ndarray:
    """Per Gemeinde: larger towns have more benefit receipt (≈ 1.5 × in towns of 20,000+, 0.6 × in villages)."""
    pop = np.array([g.population_2022 for g in gems])
    return np.where(pop >= 20_000, 1.5, np.where(pop >= 8_000, 1.1, np.where(pop >= 3_000, 0.8, 0.6)))


def spell_exit(rng: np.random.Generator, n: int, mean_months: float) -> np.ndarray:
    return rng.random(n) < 1.0 / mean_months


# SGB II: about 8 % of residents under 65 in Bedarfsgemeinschaften, 12 % of children under 15.
SGB2_ENTRY = 0.0021
SGB2_MEAN_MONTHS = 30.0
SGB2_CHILD_FACTOR = 2.0
SGB2_SINGLE_PARENT_FACTOR = 1.4
SGB2_AUFSTOCKER_SHARE = 0.25

# SGB XII: Grundsicherung im Alter ≈ 2.6 % of 65+, bei Erwerbsminderung ≈ 0.9 % of 18–64, HLU ≈ 0.8 ‰.
GSA_SHARE, GSA_MEAN_MONTHS = 0.026, 90.0
GSEM_SHARE, GSEM_MEAN_MONTHS = 0.009, 80.0
HLU_SHARE, HLU_MEAN_MONTHS = 0.0008, 14.0

# SGB VIII: ≈ 2 % of under-21s in a Hilfe zur Erziehung (≈ 200 per 10,000), Inobhutnahmen ≈ 30 per 10,000 a year.
HZE_ENTRY, HZE_MEAN_MONTHS = 0.0016, 18.0
HZE_PARAGRAPHS = ("27", "28", "29", "30", "31", "32", "33", "34", "35", "35a")
HZE_WEIGHTS = np.array([5, 14, 3, 8, 28, 5, 14, 12, 2, 9], dtype=float)
INOBHUT_ENTRY, INOBHUT_MEAN_MONTHS = 0.00025, 1.6

# Kindertagesbetreuung: U3 ≈ 29 % (2016) rising to ≈ 38 % (2023), 3 to school ≈ 91 %, Hort ≈ 20 %.
TAGESPFLEGE_SHARE_U3 = 0.25
ELEMENTAR_SHARE = 0.98
HORT_SHARE = 0.20


def u3_participation(year: int) -> float:
    """Share of children who start care before age 3 (at 11-18 months): the U3 quote counts all
    children under 3, the first year almost never in care, so participation ≈ quote / 0.58."""
    return min(0.29 + 0.012 * max(year - 2016, 0), 0.40) / 0.58


# Wohngeld: ≈ 1,200 reine Wohngeldhaushalte in the Kreis (2015), +77 % with Wohngeld-Plus (2023).
WOHNGELD_ENTRY, WOHNGELD_MEAN_MONTHS = 0.00028, 26.0
WOHNGELD_PLUS_FACTOR = 1.9
WOHNGELD_SENIOR_FACTOR = 1.6
