"""The Gemeinden of the region Stichtag runs for, vendored from the official Gemeindeverzeichnis
(see reference/SOURCES.md). STICHTAG_SCALE selects the region: `kreis` (Kreis Pinneberg, the model
user, default) or `land` (Schleswig-Holstein: the same code at ten times the size)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from kernel.settings import REFERENCE_DIR


@dataclass(frozen=True)
class Region:
    scale: str
    name: str
    ags: str
    file: Path
    levels: tuple[str, ...]  # the published area levels, smallest first


REGIONS = {
    "kreis": Region("kreis", "Kreis Pinneberg", "01056", REFERENCE_DIR / "gemeinden_pinneberg.csv",
                    ("gemeinde", "amt", "kreis")),
    "land": Region("land", "Schleswig-Holstein", "01", REFERENCE_DIR / "gemeinden_schleswig_holstein.csv",
                   ("gemeinde", "amt", "kreis", "land")),
}
KREIS_AGS = "01056"


def region(scale: str | None = None) -> Region:
    scale = scale or os.environ.get("STICHTAG_SCALE", "kreis")
    if scale not in REGIONS:
        raise ValueError(f"STICHTAG_SCALE={scale!r} unbekannt, erlaubt: {', '.join(REGIONS)}")
    return REGIONS[scale]


@dataclass(frozen=True)
class Gemeinde:
    ags: str
    name: str
    kreis_ags: str
    amt_ars: str | None
    amt_name: str
    population_2022: int
    population_male_2022: int
    plz: str


@cache
def _load(path: Path) -> tuple[Gemeinde, ...]:
    df = pl.read_csv(path, infer_schema=False)
    return tuple(
        Gemeinde(ags=r["ags"], name=r["name"], kreis_ags=r["kreis_ags"], amt_ars=r["amt_ars"] or None,
                 amt_name=r["amt_name"], population_2022=int(r["population_total"]),
                 population_male_2022=int(r["population_male"]), plz=r["plz"])
        for r in df.iter_rows(named=True))


def gemeinden(scale: str | None = None) -> tuple[Gemeinde, ...]:
    return _load(region(scale).file)


def gemeinde_ags(scale: str | None = None) -> frozenset[str]:
    return frozenset(g.ags for g in gemeinden(scale))
