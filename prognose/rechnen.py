"""One forecast from a base Stichtag: read the base period, estimate the rates, project every variant, write."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from kernel.catalogue import load_catalogue
from kernel.reference import gemeinden
from kernel.settings import Settings
from prognose.annahmen import Annahmen, Variante, load_annahmen
from prognose.eingaben import Basisdaten, read_basisdaten
from prognose.ergebnis import areas, projectable_kpis, result_rows, version_dir, write_results
from prognose.projektion import Projektion, identity_residual, project
from prognose.raten import Raten, estimate, sterbe_wkt_im_jahr
from warehouse.datenstand import read_build_info


class BilanzVerletzt(RuntimeError):
    """The projection's components do not add up to its populations: nothing is written."""

    def __init__(self, worst: float) -> None:
        super().__init__(f"Vorausberechnung: Bilanzgleichung verletzt (größte Abweichung {worst:.2e} Personen)")
        self.worst = worst


BILANZ_TOLERANZ = 1e-6  # persons; floating-point sums of ~10^5 stay far below it


@dataclass(frozen=True)
class Prognose:
    basis: dt.date
    datenstand: str
    path: Path
    created: bool
    seconds: float
    varianten: tuple[str, ...]
    kennzahlen: dict  # per variant: the Kreis in the last year, implied TFR and life expectancy
    bilanz_abweichung: float  # the largest |population − (cohort + components)| of any cell


def basis_for(day: dt.date) -> dt.date:
    """The base Stichtag of a window ending on `day`: its 31.12., or the one before."""
    return day if (day.month, day.day) == (12, 31) else dt.date(day.year - 1, 12, 31)


def parents(ags: tuple[str, ...]) -> np.ndarray:
    """Index of each Gemeinde's Amt (−1: amtsfrei, its parent is the Kreis)."""
    amt = {g.ags: g.amt_ars for g in gemeinden()}
    codes = sorted({a for a in amt.values() if a})
    return np.array([codes.index(amt[a]) if amt.get(a) else -1 for a in ags])


def life_expectancy(q: np.ndarray) -> float:
    """Period life expectancy at birth from annual death probabilities (deaths mid-year)."""
    alive = np.concatenate([[1.0], np.cumprod(1 - q)])
    years = (alive[:-1] + alive[1:]) / 2
    return float(years.sum() + alive[-1] / max(q[-1], 1e-9))


def summary(raten: Raten, projection: Projektion, variante: Variante) -> dict:
    q_last = sterbe_wkt_im_jahr(raten, variante.sterblichkeit_aenderung_pro_jahr, len(projection.jahre) - 1)
    return {"einwohner_basis": round(float(projection.bestand[0].sum())),
            f"einwohner_{projection.jahre[-1]}": round(float(projection.bestand[-1].sum())),
            "zusammengefasste_geburtenziffer": round(float(raten.fertilitaet.sum() * variante.fertilitaet), 3),
            "lebenserwartung_basis": {s: round(life_expectancy(raten.sterbe_wkt[i]), 1)
                                      for i, s in enumerate(("m", "w"))},
            f"lebenserwartung_{projection.jahre[-1]}": {s: round(life_expectancy(q_last[i]), 1)
                                                       for i, s in enumerate(("m", "w"))}}


def code_sha() -> str:
    """Of every module of prognose/: a new module is part of the forecast's code without being listed."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def compute(data: Basisdaten, annahmen: Annahmen) -> tuple[Raten, list[Projektion]]:
    raten = estimate(data, annahmen, parents(data.gemeinden))
    return raten, [project(data.bestand[-1], data.basisjahr, annahmen.bis_jahr, raten, v) for v in annahmen.varianten]


def run_prognose(settings: Settings, basis: dt.date, annahmen: Annahmen | None = None) -> Prognose:
    """The forecast from the warehouse the last build left (its Datenstand); a no-op if that version exists."""
    started = time.perf_counter()
    annahmen = annahmen or load_annahmen()
    info = read_build_info(settings)
    catalogue = load_catalogue()
    inputs = {"basis_stichtag": basis.isoformat(), "datenstand": info.datenstand, "annahmen_sha256": annahmen.sha256,
              "code_sha256": code_sha(), "catalogue_sha256": catalogue.sha256,
              "lieferungen": [d["sha256"] for d in info.deliveries], "models_sha256": info.models_sha256}
    target = version_dir(settings, basis, info.datenstand)
    manifest_path = target / "manifest.json"
    if manifest_path.exists():
        old = json.loads(manifest_path.read_text(encoding="utf-8"))
        if old.get("eingaben") == inputs:
            return Prognose(basis, info.datenstand, target, False, time.perf_counter() - started,
                            tuple(v.id for v in annahmen.varianten), old.get("kennzahlen", {}),
                            old.get("bilanz_max_abweichung", 0.0))
    data = read_basisdaten(settings.warehouse, basis, annahmen.basisjahre)
    raten, projections = compute(data, annahmen)
    worst = max(identity_residual(p) for p in projections)
    if worst > BILANZ_TOLERANZ:  # the components must add up, cell by cell, or nothing is written
        raise BilanzVerletzt(worst)
    kpis = projectable_kpis(catalogue)
    gebiete = areas(settings.warehouse, data.gemeinden)
    rows = pl.concat([result_rows(p, annahmen, kpis, gebiete, basis, info.datenstand) for p in projections])
    kennzahlen = {v.id: summary(raten, p, v) for v, p in zip(annahmen.varianten, projections, strict=True)}
    manifest = {"produkt": "Vorausberechnung", "eingaben": inputs, "basisjahre": list(data.jahre),
                "bis_jahr": annahmen.bis_jahr, "varianten": [v.__dict__ for v in annahmen.varianten],
                "kennzahlen": kennzahlen, "zeilen": rows.height,
                "merkmale": sorted(set(rows["merkmal"].to_list())), "bilanz_max_abweichung": worst,
                "altersgruppen": [f"bev_{g.id}" for g in annahmen.altersgruppen]}
    path = write_results(settings, rows, manifest, basis, info.datenstand)
    return Prognose(basis, info.datenstand, path, True, time.perf_counter() - started,
                    tuple(v.id for v in annahmen.varianten), kennzahlen, worst)
