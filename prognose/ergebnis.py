"""The forecast as a product of its own, labelled "Vorausberechnung": per Gemeinde, Amt and Kreis and per
projected 31.12., the population by the age groups of annahmen.yml and the catalogue's demographic KPIs that
a projection by age and sex can give (those over population and ages only, no citizenship).

    lake/marts/prognose/basis=B/datenstand=K/    prognose.parquet + manifest.json (restricted, immutable)
    lake/exports/prognose/basis=B/prognose.parquet   the newest Datenstand of B, full precision (apps)
    lake/public/prognose/basis=B/prognose.parquet    what the report shows: counts rounded to 10, a quota
                                                     withheld where its projected numerator or base is < 10

The forecast never enters the observed KPI series: other files, other columns (variante, basis_stichtag)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from kernel.build_db import open_build_db
from kernel.catalogue import Catalogue, Kpi, Term
from kernel.files import atomic_copy_to_parquet, atomic_write_text
from kernel.settings import Settings
from prognose.annahmen import MAX_ALTER, Annahmen
from prognose.projektion import Projektion

PRODUKT = "Vorausberechnung"
RUNDUNG = 10  # public counts: multiples of 10, as projections are published (a model value, not a count)
MIN_OEFFENTLICH = 10  # a quota is public only where its projected numerator and base are at least this
PROJECTABLE_MEASURES = frozenset({"bevoelkerung", "alterssumme"})
PUBLIC_MANIFEST_KEYS = ("produkt", "basisjahre", "bis_jahr", "varianten", "kennzahlen", "altersgruppen", "merkmale",
                        "bilanz_max_abweichung")
COLUMNS = ("produkt", "basis_stichtag", "datenstand", "variante", "variante_name", "stichtag", "gebiet_id",
           "gebiet_name", "gebiet_ebene", "merkmal", "merkmal_name", "art", "value", "unit", "status")


@dataclass(frozen=True)
class Gebiet:
    id: str
    name: str
    ebene: str
    mitglieder: np.ndarray  # bool [G]: the Gemeinden it sums


def projectable_kpis(catalogue: Catalogue) -> list[Kpi]:
    """Catalogue KPIs whose every term is a population or age sum filtered by age or sex at most."""
    def ok(t: Term) -> bool:
        return t.measure in PROJECTABLE_MEASURES and t.german is None and t.sex in (None, "m", "w")

    return [k for k in catalogue.kpis if k.numerator and all(ok(t) for t in (*k.numerator, *k.denominator))]


def _term_value(p: np.ndarray, t: Term) -> np.ndarray:
    """p: [..., 2, A] → [...]."""
    ages = np.arange(MAX_ALTER + 1)
    lo = 0 if t.age_from is None else t.age_from
    hi = MAX_ALTER if t.age_to is None else t.age_to
    mask = ((ages >= lo) & (ages <= hi)).astype(float)
    if t.measure == "alterssumme":  # completed years + 0.5, as for the observed mean age
        mask = mask * (ages + 0.5)
    sexes = [0, 1] if t.sex is None else [0 if t.sex == "m" else 1]
    return t.factor * (p[..., sexes, :] * mask).sum(axis=(-2, -1))


def areas(warehouse: Path, ags: tuple[str, ...]) -> list[Gebiet]:
    """Every area of dim_gebiete above and at the Gemeinde level, with the Gemeinden it sums."""
    con = open_build_db(warehouse)
    try:
        rows = con.execute("select gebiet_id, gebiet_name, gebiet_ebene, uebergeordnet_id from marts.dim_gebiete "
                           "order by gebiet_id").fetchall()
    finally:
        con.close()
    parent = {r[0]: r[3] for r in rows}
    members = {gid: np.zeros(len(ags), dtype=bool) for gid, *_ in rows}
    for i, node in enumerate(ags):  # a Gemeinde counts in itself and in every area above it
        while node in members:
            members[node][i] = True
            node = parent[node]
    return [Gebiet(gid, name, level, members[gid]) for gid, name, level, _ in rows if members[gid].any()]


def result_rows(projection: Projektion, annahmen: Annahmen, kpis: list[Kpi], gebiete: list[Gebiet],
                basis: dt.date, datenstand: str) -> pl.DataFrame:
    """The projected years (not the base year: that is observed and published as such) in long format, one
    array operation per Merkmal over every area and year (a Land has 1,100 Gemeinden and 1,200 areas)."""
    variante = annahmen.variante(projection.variante)
    p = projection.bestand[1:]  # [Y, G, 2, A]
    years = [dt.date(y, 12, 31) for y in projection.jahre[1:]]
    members = np.stack([a.mitglieder for a in gebiete]).astype(float)  # [areas, G]
    cubes = np.tensordot(members, p, axes=([1], [1]))  # [areas, Y, 2, A], one BLAS product
    measures: list[tuple[str, str, str, str, np.ndarray, np.ndarray, np.ndarray | None]] = []
    for grp in annahmen.altersgruppen:
        counts = _term_value(cubes, Term("bevoelkerung", 1.0, grp.von, grp.bis, None, None))
        measures.append((f"bev_{grp.id}", f"Einwohner {grp.name}", "altersgruppe", "anzahl", counts, counts, None))
    for k in kpis:
        num = sum(_term_value(cubes, t) for t in k.numerator)
        den = sum(_term_value(cubes, t) for t in k.denominator) if k.denominator else None
        value = num * k.scale if den is None else np.divide(num, den, out=np.full_like(num, np.nan),
                                                             where=den > 0) * k.scale
        measures.append((k.id, k.name, "kpi", k.unit, value, num, den))
    n_areas, n_years = len(gebiete), len(years)
    frames = []
    for merkmal, name, art, unit, value, num, den in measures:
        frames.append(pl.DataFrame({
            "gebiet_id": np.repeat([a.id for a in gebiete], n_years),
            "gebiet_name": np.repeat([a.name for a in gebiete], n_years),
            "gebiet_ebene": np.repeat([a.ebene for a in gebiete], n_years),
            "stichtag": years * n_areas,
            "merkmal": merkmal, "merkmal_name": name, "art": art, "unit": unit,
            "value": value.ravel(), "zaehler": num.ravel(),
            "nenner": None if den is None else den.ravel()},
            schema_overrides={"nenner": pl.Float64}))
    # six decimals: a model value's last bits depend on the summation order of the BLAS build, its bytes must not
    rows = pl.concat(frames).with_columns(value=pl.col("value").fill_nan(None).round(6))
    return rows.with_columns(
        produkt=pl.lit(PRODUKT), basis_stichtag=pl.lit(basis), datenstand=pl.lit(datenstand),
        variante=pl.lit(variante.id), variante_name=pl.lit(variante.name),
        status=pl.when(pl.col("value").is_null()).then(pl.lit("nicht_berechenbar")).otherwise(pl.lit("ok")),
    ).select(*COLUMNS, "zaehler", "nenner")


def public_rows(rows: pl.DataFrame) -> pl.DataFrame:
    """Rounded counts, quotas only over enough projected persons; never the unrounded cell of a small group."""
    count = pl.col("unit") == "anzahl"
    small = (pl.col("zaehler") < MIN_OEFFENTLICH) | (
        pl.col("nenner").is_not_null() & (pl.col("nenner") < MIN_OEFFENTLICH))
    return rows.with_columns(
        value=pl.when(count).then((pl.col("value") / RUNDUNG).round(0) * RUNDUNG)
        .when(small).then(None).otherwise(pl.col("value")),
        status=pl.when(~count & small & pl.col("value").is_not_null()).then(pl.lit("gesperrt"))
        .otherwise(pl.col("status")),
    ).select(COLUMNS)


def prognose_root(settings: Settings, zone: str) -> Path:
    return settings.lake / zone / "prognose"


def basis_dir(settings: Settings, zone: str, basis: dt.date) -> Path:
    return prognose_root(settings, zone) / f"basis={basis.isoformat()}"


def version_dir(settings: Settings, basis: dt.date, datenstand: str) -> Path:
    return basis_dir(settings, "marts", basis) / f"datenstand={datenstand}"


def _write(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame, target: Path) -> None:
    con.register("frame", frame.sort(["variante", "gebiet_id", "merkmal", "stichtag"]))
    try:
        atomic_copy_to_parquet(con, "select * from frame", target)
    finally:
        con.unregister("frame")


def write_results(settings: Settings, rows: pl.DataFrame, manifest: dict, basis: dt.date, datenstand: str) -> Path:
    """The restricted version, then (if it is the newest Datenstand of its basis) export and public file."""
    target = version_dir(settings, basis, datenstand)
    con = duckdb.connect()
    try:
        _write(con, rows.select(COLUMNS), target / "prognose.parquet")
        atomic_write_text(target / "manifest.json", json.dumps(manifest, indent=1, sort_keys=True, default=str))
        newest = max(p.name for p in target.parent.glob("datenstand=*"))
        if newest == target.name:
            _write(con, rows.select(COLUMNS), basis_dir(settings, "exports", basis) / "prognose.parquet")
            _write(con, public_rows(rows), basis_dir(settings, "public", basis) / "prognose.parquet")
            # what a reader needs to know about the product; not the inputs' hashes (they name deliveries)
            public = {k: v for k, v in manifest.items() if k in PUBLIC_MANIFEST_KEYS} | {
                "basis_stichtag": basis.isoformat(), "datenstand": datenstand}
            atomic_write_text(basis_dir(settings, "public", basis) / "manifest.json",
                              json.dumps(public, indent=1, sort_keys=True, default=str))
    finally:
        con.close()
    return target


def public_forecasts(settings: Settings) -> list[dt.date]:
    """Base Stichtage with a public forecast, oldest first."""
    return sorted(dt.date.fromisoformat(p.parent.name.split("=", 1)[1])
                  for p in prognose_root(settings, "public").glob("basis=*/prognose.parquet"))
