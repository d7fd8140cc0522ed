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

from kernel.catalogue import Catalogue, Kpi, Term
from kernel.files import atomic_copy_to_parquet, atomic_write_text
from kernel.settings import Settings
from prognose.annahmen import MAX_ALTER, Annahmen
from prognose.projektion import Projektion

PRODUKT = "Vorausberechnung"
RUNDUNG = 10  # public counts: multiples of 10, as projections are published (a model value, not a count)
MIN_OEFFENTLICH = 10  # a quota is public only where its projected numerator and base are at least this
PROJECTABLE_MEASURES = frozenset({"bevoelkerung", "alterssumme"})
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
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        rows = con.execute("select gebiet_id, gebiet_name, gebiet_ebene, uebergeordnet_id from marts.dim_gebiete "
                           "order by gebiet_id").fetchall()
    finally:
        con.close()
    parent = {r[0]: r[3] for r in rows}
    index = {a: i for i, a in enumerate(ags)}
    out = []
    for gid, name, level, _ in rows:
        members = np.zeros(len(ags), dtype=bool)
        for a, i in index.items():
            node = a
            while node is not None:
                if node == gid:
                    members[i] = True
                    break
                node = parent.get(node)
        if members.any():
            out.append(Gebiet(gid, name, level, members))
    return out


def result_rows(projection: Projektion, annahmen: Annahmen, kpis: list[Kpi], gebiete: list[Gebiet],
                basis: dt.date, datenstand: str) -> pl.DataFrame:
    """The projected years (not the base year: that is observed and published as such) in long format."""
    variante = annahmen.variante(projection.variante)
    p = projection.bestand[1:]  # [Y, G, 2, A]
    cols: dict[str, list] = {c: [] for c in (*COLUMNS, "zaehler", "nenner")}

    def add(area: Gebiet, merkmal: str, name: str, art: str, unit: str, values, num, den) -> None:
        for y, year in enumerate(projection.jahre[1:]):
            for c, v in (("produkt", PRODUKT), ("basis_stichtag", basis), ("datenstand", datenstand),
                         ("variante", variante.id), ("variante_name", variante.name),
                         ("stichtag", dt.date(year, 12, 31)), ("gebiet_id", area.id), ("gebiet_name", area.name),
                         ("gebiet_ebene", area.ebene), ("merkmal", merkmal), ("merkmal_name", name), ("art", art),
                         ("value", None if values[y] is None else float(values[y])), ("unit", unit),
                         ("status", "ok" if values[y] is not None else "nicht_berechenbar"),
                         ("zaehler", float(num[y])), ("nenner", None if den is None else float(den[y]))):
                cols[c].append(v)

    for area in gebiete:
        cube = p[:, area.mitglieder].sum(axis=1)  # [Y, 2, A]
        for grp in annahmen.altersgruppen:
            t = Term("bevoelkerung", 1.0, grp.von, grp.bis, None, None)
            counts = _term_value(cube, t)
            add(area, f"bev_{grp.id}", f"Einwohner {grp.name}", "altersgruppe", "anzahl", counts, counts, None)
        for k in kpis:
            num = sum(_term_value(cube, t) for t in k.numerator)
            den = sum(_term_value(cube, t) for t in k.denominator) if k.denominator else None
            if den is None:
                values = [n * k.scale for n in num]
            else:
                values = [None if d <= 0 else n / d * k.scale for n, d in zip(num, den, strict=True)]
            add(area, k.id, k.name, "kpi", k.unit, values, num, den)
    return pl.DataFrame(cols, schema_overrides={"value": pl.Float64, "nenner": pl.Float64})


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
            atomic_write_text(basis_dir(settings, "public", basis) / "manifest.json",
                              json.dumps({k: v for k, v in manifest.items() if k != "raten"}, indent=1,
                                         sort_keys=True, default=str))
    finally:
        con.close()
    return target


def public_forecasts(settings: Settings) -> list[dt.date]:
    """Base Stichtage with a public forecast, oldest first."""
    return sorted(dt.date.fromisoformat(p.parent.name.split("=", 1)[1])
                  for p in prognose_root(settings, "public").glob("basis=*/prognose.parquet"))
