"""The population forecast: its accounting identity, reproducibility, borrowing strength, assumptions, speed."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

from prognose.annahmen import MAX_ALTER, AnnahmenError, load_annahmen, parse_annahmen
from prognose.eingaben import WANDERUNG_GRUPPEN, A, Basisdaten
from prognose.projektion import identity_residual
from prognose.raten import estimate
from prognose.rechnen import compute, life_expectancy


def synthetic(g: int = 4, years: int = 3, seed: int = 7, size: float = 800.0) -> Basisdaten:
    """A Kreis of g Gemeinden with plausible, random (seeded) stocks and flows."""
    rng = np.random.default_rng(seed)
    ages = np.arange(A)
    shape = np.exp(-((ages - 40) / 35) ** 2)
    bestand = np.zeros((years + 1, g, 2, A))
    for i in range(g):
        bestand[:, i] = rng.poisson(size * (i + 1) * shape / shape.sum() * 10, (years + 1, 2, A))
    hazard = np.exp(-10.3 + 0.094 * ages)
    deaths = rng.poisson(bestand[:-1] * hazard)
    births = rng.poisson(bestand[:-1, :, 1, 20:45].sum(axis=-1, keepdims=True) * 0.05 * np.array([0.51, 0.49]))
    mover = np.exp(-((ages - 25) / 10) ** 2) * 0.05 + 0.005
    zuzug = rng.poisson(np.broadcast_to(mover * 40, (years, g, 2, A)))
    fortzug = rng.poisson(bestand[:-1] * mover)
    umzug = rng.poisson(np.broadcast_to((bestand[:-1] * mover / g)[:, :, None], (years, g, g, 2, A)))
    for i in range(g):
        umzug[:, i, i] = 0
    ziele = np.stack([umzug[..., lo:hi + 1].sum(axis=(0, -2, -1)) for lo, hi in WANDERUNG_GRUPPEN], axis=-1)
    mothers = np.zeros(A)
    mothers[20:40] = rng.poisson(30, 20)
    return Basisdaten(2020, tuple(range(2021 - years, 2021)), tuple(f"0105600{i}" for i in range(g)),
                      bestand.astype(float), births.astype(float), mothers, deaths.astype(float),
                      zuzug.astype(float), fortzug.astype(float), umzug.sum(axis=2).astype(float), ziele.astype(float))


def test_population_next_year_is_this_year_plus_births_minus_deaths_plus_migration_in_every_cell() -> None:
    _, projections = compute(synthetic(), load_annahmen())
    for p in projections:
        assert identity_residual(p) < 1e-6
        assert (p.bestand >= 0).all()
        moved = p.komponenten
        # a move between Gemeinden leaves the Kreis as it was
        assert np.allclose(moved["umzug_weg"].sum(axis=1), moved["umzug_her"].sum(axis=1))
    # and the check can fail: one person too many in one cell of one year
    broken = projections[0]
    broken.bestand[3, 1, 0, 40] += 1.0
    assert identity_residual(broken) == pytest.approx(1.0)


def test_the_projection_is_exactly_reproducible() -> None:
    annahmen = load_annahmen()
    first = compute(synthetic(), annahmen)[1]
    second = compute(synthetic(), annahmen)[1]
    for a, b in zip(first, second, strict=True):
        assert a.bestand.tobytes() == b.bestand.tobytes()


def test_without_births_deaths_or_moves_the_cohorts_only_age() -> None:
    data = synthetic(years=2)
    none = np.zeros_like
    quiet = dataclasses.replace(data, sterbefaelle=none(data.sterbefaelle), geburten=none(data.geburten),
                                zuzug_aussen=none(data.zuzug_aussen), fortzug_aussen=none(data.fortzug_aussen),
                                umzug_weg=none(data.umzug_weg), umzug_ziele=none(data.umzug_ziele))
    annahmen = load_annahmen()
    still = dataclasses.replace(annahmen, varianten=tuple(
        dataclasses.replace(v, sterblichkeit_aenderung_pro_jahr=0.0) for v in annahmen.varianten))
    _, [p, *_] = compute(quiet, still)
    base = p.bestand[0]
    assert np.allclose(p.bestand[1][..., 1:MAX_ALTER], base[..., :MAX_ALTER - 1])
    assert np.allclose(p.bestand[1][..., MAX_ALTER], base[..., MAX_ALTER - 1] + base[..., MAX_ALTER])
    assert np.allclose(p.bestand[1][..., 0], 0) and np.isclose(p.bestand[-1].sum(), base.sum())


def test_a_small_gemeinde_borrows_its_migration_profile_from_its_amt() -> None:
    data = synthetic(g=3)
    tiny = data.bestand.copy()
    tiny[:, 0] = np.round(tiny[:, 0] / 40)  # Gemeinde 0: a village of ~200 residents …
    fortzug = data.fortzug_aussen.copy()
    fortzug[:, 0] = 0
    fortzug[0, 0, 1, 70] = 3  # … where three women aged 70 moved away once: its raw rate at 70 is huge
    data = dataclasses.replace(data, bestand=tiny, fortzug_aussen=fortzug)
    rates = estimate(data, load_annahmen(), np.array([0, 0, -1]))  # 0 and 1 in one Amt, 2 amtsfrei
    raw = 3 / tiny[0, 0, 1, 69]
    assert rates.fortzug_aussen[0, 1, 70] < raw / 3  # pulled far towards the Amt and the Kreis
    assert rates.fortzug_aussen[0, 1, 25] > 0  # and a young villager may still leave, as in the Amt
    # a large Gemeinde keeps its own level: (its moves + k × parent) / (its exposure + k) with exposure ≫ k
    own = fortzug[:, 2, :, 18:25].sum() / tiny[:-1, 2, :, 17:24].sum()
    kreis = fortzug[:, :, :, 18:25].sum() / tiny[:-1, :, :, 17:24].sum()
    exposure = tiny[:-1, 2, :, 17:24].sum(axis=0)
    estimated = (rates.fortzug_aussen[2, :, 18:25] * exposure).sum() / exposure.sum()
    assert abs(estimated - own) < abs(estimated - kreis) or np.isclose(own, kreis, rtol=0.02)


def test_mortality_is_a_smooth_gompertz_curve_with_a_plausible_life_expectancy() -> None:
    rates, _ = compute(synthetic(g=6, size=4000), load_annahmen())
    q = rates.sterbe_wkt
    assert (np.diff(q[:, 40:MAX_ALTER], axis=1) > 0).all()
    assert 70 < life_expectancy(q[1]) < 90


def test_the_assumptions_are_checked_with_the_entry_named() -> None:
    data = {"basisjahre": 5, "bis_jahr": 2040, "glaettung": {"wanderung_personenjahre": 400,
            "fertilitaet_geburten": 60, "sterblichkeit_ab_alter": 35}, "altersgruppen": [],
            "varianten": [{"id": "basis", "fertilitaet": 9, "sterblichkeit_aenderung_pro_jahr": 0,
                           "zuzug_von_ausserhalb": 1, "fortzug_nach_ausserhalb": 1}]}
    with pytest.raises(AnnahmenError, match=r"varianten\[0\] \(basis\): fertilitaet = 9"):
        parse_annahmen(data)
    with pytest.raises(AnnahmenError, match="Variante 'hoch-ish' unbekannt, vorhanden: basis, hoch, niedrig"):
        load_annahmen().variante("hoch-ish")


def test_every_gemeinde_and_variant_is_projected_to_2040_within_ten_seconds() -> None:
    data = synthetic(g=49, years=5, size=600)
    started = time.perf_counter()
    _, projections = compute(data, load_annahmen())
    assert time.perf_counter() - started < 10
    assert {p.jahre[-1] for p in projections} == {2040} and len(projections) == 3


def test_the_public_forecast_rounds_counts_and_withholds_quotas_over_few_persons() -> None:
    import polars as pl

    from prognose.ergebnis import COLUMNS, public_rows

    base = {c: ["x", "x", "x"] for c in COLUMNS}
    rows = pl.DataFrame({**base, "unit": ["anzahl", "prozent", "prozent"], "value": [14.6, 12.5, 30.0],
                         "status": ["ok", "ok", "ok"], "zaehler": [14.6, 2.0, 300.0], "nenner": [None, 16.0, 1000.0]})
    out = public_rows(rows)
    assert out["value"].to_list() == [10.0, None, 30.0]
    assert out["status"].to_list() == ["ok", "gesperrt", "ok"]
    assert "zaehler" not in out.columns
