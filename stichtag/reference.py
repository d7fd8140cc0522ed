"""The Gemeinden of the model Kreis, vendored from the official Gemeindeverzeichnis (see reference/SOURCES.md)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import polars as pl

from stichtag.settings import REFERENCE_DIR

GEMEINDEN_CSV = REFERENCE_DIR / "gemeinden_pinneberg.csv"
KREIS_AGS = "01056"
KREIS_NAME = "Kreis Pinneberg"


@dataclass(frozen=True)
class Gemeinde:
    ags: str
    name: str
    amt_ars: str | None
    amt_name: str
    population_2022: int
    population_male_2022: int
    plz: str


@cache
def gemeinden() -> tuple[Gemeinde, ...]:
    df = pl.read_csv(GEMEINDEN_CSV, schema_overrides={"ags": pl.Utf8, "ars": pl.Utf8, "amt_ars": pl.Utf8,
                                                      "plz": pl.Utf8})
    return tuple(
        Gemeinde(
            ags=r["ags"],
            name=r["name"],
            amt_ars=r["amt_ars"] or None,
            amt_name=r["amt_name"],
            population_2022=int(r["population_total"]),
            population_male_2022=int(r["population_male"]),
            plz=r["plz"],
        )
        for r in df.iter_rows(named=True)
    )


def gemeinde_ags() -> frozenset[str]:
    return frozenset(g.ags for g in gemeinden())
