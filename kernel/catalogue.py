"""The KPI catalogue (catalogue/kpis.yml): load, validate, and hand to dbt as data.

The catalogue validates itself before any build: an unknown measure, unit or key, a duplicate id,
or a unit that does not fit the formula is a CatalogueError naming the entry.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import yaml

from kernel.settings import PROJECT_ROOT
from kernel.yaml_text import load_yaml

CATALOGUE_FILE = PROJECT_ROOT / "catalogue" / "kpis.yml"


def catalogue_file() -> Path:
    """The catalogue in use: a planner may point a build at a draft (STICHTAG_CATALOGUE) before committing it."""
    return Path(os.environ.get("STICHTAG_CATALOGUE", CATALOGUE_FILE))


KPI_KEYS = {"id", "name", "name_en", "handlungsfeld", "definition", "definition_de", "numerator", "denominator",
            "unit", "sources", "caveats", "caveats_de", "levels", "min_cell", "comparison",
            "share_of_group", "plausible"}
TERM_KEYS = {"measure", "factor", "age", "sex", "german"}
REQUIRED = ("id", "name", "name_en", "handlungsfeld", "definition", "numerator", "unit", "sources")
LEVELS = ("gemeinde", "amt", "kreis", "land", "bund")
MEASURE_KEYS = {"description", "model", "source", "dimensions", "counts", "part_of", "same_as"}
DISCLOSURE_DEFAULTS = {"min_cell": 3, "group_min": 10}
COMPARISON_KEYS = {"land_bund", "definition_de", "note_de", "numerator", "denominator"}


class CatalogueError(ValueError):
    """The KPI catalogue is invalid; raised before any build."""


@dataclass(frozen=True)
class Term:
    measure: str
    factor: float
    age_from: int | None
    age_to: int | None
    sex: str | None
    german: bool | None


@dataclass(frozen=True)
class Plausible:
    """A range a KPI's value cannot leave (blocking) or should not leave (a warning for review)."""

    min: float | None
    max: float | None
    levels: tuple[str, ...]  # where it holds; empty = every level the KPI is published on
    blocking: bool = True
    from_denominator: float | None = None  # only areas this large: a handful of persons has no plausible mean


PLAUSIBLE_KEYS = {"min", "max", "level", "blocking", "from_denominator"}


def _plausible(raw: object, where: str) -> tuple[Plausible, ...]:
    ranges = [raw] if isinstance(raw, dict) else raw or []
    if not isinstance(ranges, list):
        raise CatalogueError(f"{where}: plausible must be a range or a list of ranges")
    out = []
    for r in ranges:
        if not isinstance(r, dict) or set(r) - PLAUSIBLE_KEYS or not {"min", "max"} & set(r):
            raise CatalogueError(f"{where}: a plausible range has min and/or max, optionally level and blocking")
        lo, hi = r.get("min"), r.get("max")
        if any(v is not None and not isinstance(v, int | float) for v in (lo, hi)) or (
                lo is not None and hi is not None and lo >= hi):
            raise CatalogueError(f"{where}: plausible needs numbers with min < max")
        levels = r.get("level") or []
        levels = tuple([levels] if isinstance(levels, str) else levels)
        if set(levels) - set(LEVELS):
            raise CatalogueError(f"{where}: plausible: unknown level {sorted(set(levels) - set(LEVELS))}")
        if not isinstance(r.get("blocking", True), bool):
            raise CatalogueError(f"{where}: plausible: blocking is true or false")
        size = r.get("from_denominator")
        if size is not None and (not isinstance(size, int | float) or size <= 0):
            raise CatalogueError(f"{where}: plausible: from_denominator is a positive number")
        out.append(Plausible(lo, hi, levels, r.get("blocking", True), size))
    return tuple(out)


@dataclass(frozen=True)
class Kpi:
    id: str
    name: str
    name_en: str
    handlungsfeld: str
    definition: str
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...]
    unit: str
    unit_label: str
    scale: float
    decimals: int  # places shown to readers, from the unit
    sources: tuple[str, ...]
    caveats: str
    levels: tuple[str, ...]
    min_cell: int
    definition_de: str = ""  # the definition in German, for the report's readers
    caveats_de: str = ""
    share_of_group: bool = False  # the numerator counts members of the denominator's group (group disclosure)
    plausible: tuple[Plausible, ...] = ()  # value ranges the quality gate checks before a version is published
    # Land/Bund rows come from the official statistics wherever they publish every measure of the formula;
    # where their definition or reference date differs from the internal KPI, the catalogue says how
    compared: bool = False  # Land and Bund rows (verified against the build by tests/test_pipeline.py)
    comparison_definition_de: str = ""
    comparison_note_de: str = ""
    # the official definition's own formula for the Land and Bund rows, where it differs (empty: the KPI's)
    comparison_numerator: tuple[Term, ...] = ()
    comparison_denominator: tuple[Term, ...] = ()

    @property
    def comparison_formula(self) -> tuple[tuple[Term, ...], tuple[Term, ...]]:
        """Numerator and denominator of the Land and Bund rows."""
        if self.comparison_numerator:
            return self.comparison_numerator, self.comparison_denominator
        return self.numerator, self.denominator


@dataclass(frozen=True)
class Catalogue:
    kpis: tuple[Kpi, ...]
    measures: dict[str, dict]
    sha256: str
    sozialindex: dict | None = None
    disclosure: dict = field(default_factory=lambda: dict(DISCLOSURE_DEFAULTS))
    # source → {model, rule}: the source's figures are provisional where its model says so (`vorlaeufig`)
    provisional: dict[str, dict] = field(default_factory=dict)

    def kpi(self, kpi_id: str) -> Kpi:
        for k in self.kpis:
            if k.id == kpi_id:
                return k
        raise KeyError(kpi_id)


def _term(raw: object, where: str, measures: dict[str, dict]) -> Term:
    if not isinstance(raw, dict):
        raise CatalogueError(f"{where}: a term must be a mapping like {{measure: bevoelkerung}}")
    unknown = set(raw) - TERM_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown keys {sorted(unknown)} (allowed: {sorted(TERM_KEYS)})")
    measure = raw.get("measure")
    if measure not in measures:
        raise CatalogueError(f"{where}: unknown measure {measure!r} (known: {sorted(measures)})")
    age = raw.get("age")
    age_from = age_to = None
    if age is not None:
        if not (isinstance(age, list) and len(age) == 2 and all(a is None or isinstance(a, int) for a in age)):
            raise CatalogueError(f"{where}: age must be [from, to] with integers or null, got {age!r}")
        age_from, age_to = age
        if age_from is not None and age_to is not None and age_from > age_to:
            raise CatalogueError(f"{where}: age bounds {age} are reversed")
    dims = set(measures[measure].get("dimensions", []))
    for key, dim in (("age", "alter"), ("sex", "geschlecht"), ("german", "deutsch")):
        if raw.get(key) is not None and dim not in dims:
            raise CatalogueError(f"{where}: measure {measure} has no dimension {dim} to filter by {key}")
    sex = raw.get("sex")
    if sex not in (None, "m", "w", "d", "x"):
        raise CatalogueError(f"{where}: sex must be m, w, d or x, got {sex!r}")
    german = raw.get("german")
    if german not in (None, True, False):
        raise CatalogueError(f"{where}: german must be true or false, got {german!r}")
    factor = raw.get("factor", 1)
    if not isinstance(factor, int | float) or factor == 0:
        raise CatalogueError(f"{where}: factor must be a non-zero number, got {factor!r}")
    return Term(measure, float(factor), age_from, age_to, sex, german)


def parse_catalogue(data: dict, sha256: str = "") -> Catalogue:
    if not isinstance(data, dict) or not {"units", "measures", "kpis"} <= set(data):
        raise CatalogueError("catalogue needs the sections units, measures and kpis")
    units, measures = data["units"], data["measures"]
    for name, spec in units.items():
        if not (isinstance(spec, dict) and set(spec) == {"label", "scale", "decimals"}
                and isinstance(spec["decimals"], int) and 0 <= spec["decimals"] <= 4):
            raise CatalogueError(f"unit {name}: needs label, scale and decimals (a whole number 0 … 4)")
    for name, spec in measures.items():
        unknown = set(spec) - MEASURE_KEYS
        if unknown:
            raise CatalogueError(f"measure {name}: unknown keys {sorted(unknown)} (allowed: {sorted(MEASURE_KEYS)})")
        if spec.get("part_of") is not None and spec["part_of"] not in measures:
            raise CatalogueError(f"measure {name}: part_of names the unknown measure {spec['part_of']!r}")
        if not isinstance(spec.get("counts", True), bool):
            raise CatalogueError(f"measure {name}: counts must be true or false")
        same = spec.get("same_as")
        if same is not None and not (isinstance(same, dict) and set(same) == {"measure", "years_before"}
                                     and same["measure"] in measures and "same_as" not in measures[same["measure"]]
                                     and isinstance(same["years_before"], int) and same["years_before"] >= 1):
            raise CatalogueError(f"measure {name}: same_as needs {{measure: <a measure without same_as>, "
                                 f"years_before: <whole years ≥ 1>}}")
    disclosure = {**DISCLOSURE_DEFAULTS, **(data.get("disclosure") or {})}
    if set(disclosure) != set(DISCLOSURE_DEFAULTS) or not all(
            isinstance(v, int) and v >= 1 for v in disclosure.values()):
        raise CatalogueError(f"disclosure: needs positive integers for exactly {sorted(DISCLOSURE_DEFAULTS)}")
    seen: set[str] = set()
    kpis = []
    for i, raw in enumerate(data["kpis"]):
        where = f"KPI #{i + 1} ({raw.get('id', '?')})" if isinstance(raw, dict) else f"KPI #{i + 1}"
        if not isinstance(raw, dict):
            raise CatalogueError(f"{where}: must be a mapping")
        missing = [k for k in REQUIRED if not raw.get(k)]
        if missing:
            raise CatalogueError(f"{where}: missing {missing}")
        unknown = set(raw) - KPI_KEYS
        if unknown:
            raise CatalogueError(f"{where}: unknown keys {sorted(unknown)}")
        if raw["id"] in seen:
            raise CatalogueError(f"{where}: duplicate id {raw['id']!r}")
        seen.add(raw["id"])
        if raw["unit"] not in units:
            raise CatalogueError(f"{where}: unknown unit {raw['unit']!r} (known: {sorted(units)})")
        numerator = tuple(_term(t, f"{where} numerator", measures) for t in raw["numerator"])
        denominator = tuple(_term(t, f"{where} denominator", measures) for t in raw.get("denominator") or [])
        if raw["unit"] == "anzahl" and denominator:
            raise CatalogueError(f"{where}: unit anzahl is a count and takes no denominator")
        if raw["unit"] != "anzahl" and not denominator:
            raise CatalogueError(f"{where}: unit {raw['unit']} is a rate and needs a denominator")
        levels = tuple(raw.get("levels") or ("gemeinde", "amt", "kreis"))
        if set(levels) - set(LEVELS):
            raise CatalogueError(f"{where}: unknown levels {sorted(set(levels) - set(LEVELS))}")
        min_cell = raw.get("min_cell", disclosure["min_cell"])
        if not isinstance(min_cell, int) or min_cell < 1:
            raise CatalogueError(f"{where}: min_cell must be a positive integer")
        kpis.append(Kpi(id=raw["id"], name=raw["name"], name_en=raw["name_en"], handlungsfeld=raw["handlungsfeld"],
                        definition=" ".join(str(raw["definition"]).split()), numerator=numerator,
                        denominator=denominator, unit=raw["unit"], unit_label=units[raw["unit"]]["label"],
                        scale=float(units[raw["unit"]]["scale"]), decimals=units[raw["unit"]]["decimals"],
                        sources=tuple(raw["sources"]),
                        caveats=" ".join(str(raw.get("caveats", "")).split()), levels=levels, min_cell=min_cell,
                        definition_de=" ".join(str(raw.get("definition_de", "")).split()),
                        caveats_de=" ".join(str(raw.get("caveats_de", "")).split()),
                        share_of_group=bool(raw.get("share_of_group", False)),
                        plausible=_plausible(raw.get("plausible"), f"{where}")))
        comparison = raw.get("comparison") or {}
        if not isinstance(comparison, dict) or set(comparison) - COMPARISON_KEYS:
            raise CatalogueError(f"{where}: comparison is a mapping with {sorted(COMPARISON_KEYS)}: whether the "
                                 "official statistics give Land and Bund rows, their definition where it differs, "
                                 "and a note")
        if not isinstance(comparison.get("land_bund", False), bool):
            raise CatalogueError(f"{where}: comparison: land_bund is true or false")
        own_formula = comparison.get("numerator") is not None or comparison.get("denominator") is not None
        comp_num = tuple(_term(t, f"{where} comparison numerator", measures)
                         for t in comparison.get("numerator") or [])
        comp_den = tuple(_term(t, f"{where} comparison denominator", measures)
                         for t in comparison.get("denominator") or [])
        if own_formula and (not comp_num or bool(comp_den) != bool(denominator)):
            raise CatalogueError(f"{where}: a comparison formula needs a numerator, and a denominator exactly when "
                                 "the KPI has one (the unit is the KPI's)")
        if own_formula and not (comparison.get("land_bund") and comparison.get("definition_de")):
            raise CatalogueError(f"{where}: a comparison formula is the official definition: it needs "
                                 "land_bund: true and the definition_de it implements")
        kpis[-1] = replace(kpis[-1], compared=comparison.get("land_bund", False),
                           comparison_definition_de=" ".join(str(comparison.get("definition_de", "")).split()),
                           comparison_note_de=" ".join(str(comparison.get("note_de", "")).split()),
                           comparison_numerator=comp_num, comparison_denominator=comp_den)
        if kpis[-1].share_of_group and (raw["unit"] != "prozent" or not denominator):
            raise CatalogueError(f"{where}: share_of_group needs a share in prozent")
    index = data.get("sozialindex")
    if index is not None:
        ids = {k.id for k in kpis}
        for ind in index.get("indikatoren", []):
            if ind.get("kpi") not in ids:
                raise CatalogueError(f"sozialindex: unknown KPI {ind.get('kpi')!r}")
            if not isinstance(ind.get("gewicht"), int | float) or ind["gewicht"] <= 0:
                raise CatalogueError(f"sozialindex: weight of {ind['kpi']} must be a positive number")
        bounds = index.get("status_klassen", {})
        if list(bounds.values()) != sorted(bounds.values()):
            raise CatalogueError("sozialindex: status class bounds must increase")
    provisional = data.get("provisional") or {}
    sources = {spec.get("source") for spec in measures.values()}
    for source, spec in provisional.items():
        if source not in sources:
            raise CatalogueError(f"provisional: {source!r} is the source of no measure "
                                 f"(known: {sorted(sources - {None})})")
        if not (isinstance(spec, dict) and set(spec) == {"model", "rule"} and all(isinstance(v, str) and v
                                                                                 for v in spec.values())):
            raise CatalogueError(f"provisional: {source} needs model (the model with the column vorlaeufig) and rule")
    return Catalogue(kpis=tuple(kpis), measures=measures, sha256=sha256, sozialindex=index, disclosure=disclosure,
                     provisional=provisional)


def load_catalogue(path: Path | None = None) -> Catalogue:
    return _load(path or catalogue_file())


@cache
def _load(path: Path) -> Catalogue:
    text = path.read_bytes()
    try:
        data = load_yaml(text)
    except yaml.YAMLError as e:
        raise CatalogueError(f"{path}: not valid YAML: {e}") from e
    return parse_catalogue(data, hashlib.sha256(text).hexdigest())


DBT_TABLES = ("kpis", "kpi_terme", "messgroessen", "sozialindex")  # the dbt source `katalog` reads these


def write_for_dbt(catalogue: Catalogue, directory: Path) -> None:
    """The catalogue as the JSON tables the dbt marts join against (DBT_TABLES)."""
    directory.mkdir(parents=True, exist_ok=True)
    kpis = [{"kpi_id": k.id, "name": k.name, "handlungsfeld": k.handlungsfeld, "einheit": k.unit_label,
             "skala": k.scale, "hat_nenner": bool(k.denominator), "min_cell": k.min_cell} for k in catalogue.kpis]
    # a term serves the build's own areas (eigene), the Land and Bund (vergleich), or both
    terms = [{"kpi_id": k.id, "gebiete": gebiete, "rolle": rolle, "messgroesse": t.measure, "faktor": t.factor,
              "alter_von": t.age_from, "alter_bis": t.age_to, "geschlecht": t.sex, "deutsch": t.german}
             for k in catalogue.kpis
             for gebiete, (num, den) in ((("eigene", (k.numerator, k.denominator)),
                                          ("vergleich", (k.comparison_numerator, k.comparison_denominator)))
                                         if k.comparison_numerator else (("alle", (k.numerator, k.denominator)),))
             for rolle, side in (("zaehler", num), ("nenner", den)) for t in side]
    measures = [{"messgroesse": m, "quelle": spec.get("source", ""),
                 "vorlaeufig_moeglich": spec.get("source") in catalogue.provisional}
                for m, spec in catalogue.measures.items()]
    index = catalogue.sozialindex or {}
    indicators = [{"kpi_id": i["kpi"], "gewicht": float(i["gewicht"]),
                   "dynamik_jahre": int(index.get("dynamik_jahre", 3)),
                   **{f"status_{k}": float(v) for k, v in index.get("status_klassen", {}).items()},
                   **{f"dynamik_{k}": float(v) for k, v in index.get("dynamik_klassen", {}).items()}}
                  for i in index.get("indikatoren", [])]
    for name, rows in zip(DBT_TABLES, (kpis, terms, measures, indicators), strict=True):
        tmp = directory / f".{name}.json.tmp"
        tmp.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
        tmp.replace(directory / f"{name}.json")
