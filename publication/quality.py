"""Quality gates: the suites of expectations/ run on what a build is about to publish.

The suites are YAML in Great Expectations' vocabulary (expectations/*.yml); this module builds the tables they
check from the build database and evaluates them in DuckDB SQL — the publication tables per Stichtag
(publication/table_gates.py), the raw deliveries' suites (expectations/raw/) over each new delivery once
(publication/raw_gates.py) — and returns each Stichtag's results, with an offline overview
(lake/quality/index.html). A failed `critical` expectation blocks that Stichtag: its latest pointer, export
and public zone stay where they were. Great Expectations itself runs the same suites on demand for its Data
Docs (`stichtag quality docs`, publication/gx_docs.py) and in the tests, which prove both engines agree.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

from kernel.catalogue import load_catalogue
from kernel.files import atomic_write_text, write_generated
from kernel.reference import gemeinden
from kernel.settings import PROJECT_ROOT, Settings
from kernel.yaml_text import load_yaml
from publication import raw_gates, table_gates
from publication.schema import EXPORT_COLUMNS
from publication.versions import read_latest, versions_root
from sources.contract import load_contracts

SUITES_DIR = PROJECT_ROOT / "expectations"
SEVERITIES = {"critical": "blocking", "warning": "warning"}
VANISHED_FROM = 20  # a numerator at least this large that drops to 0 between two Datenstände


class SuiteError(ValueError):
    """A suite file is invalid; raised before anything is validated."""


@dataclass(frozen=True)
class ExpectationSpec:
    type: str
    kwargs: dict
    severity: str  # critical | warning
    where: dict | None = None  # column → value, [values] (one of) or {nicht: value}; all must hold


@dataclass(frozen=True)
class Suite:
    name: str
    table: str
    description: str
    expectations: tuple[ExpectationSpec, ...]


def load_suites(directory: Path = SUITES_DIR) -> list[Suite]:
    suites = []
    for path in sorted([*directory.glob("*.yml"), *directory.glob("raw/*.yml")]):
        raw = load_yaml(path.read_text(encoding="utf-8"))
        where_file = path.name
        if not isinstance(raw, dict) or not {"suite", "table", "expectations"} <= set(raw):
            raise SuiteError(f"{where_file}: needs suite, table and expectations")
        specs = []
        for i, e in enumerate(raw["expectations"]):
            if not isinstance(e, dict) or not str(e.get("type", "")).startswith("expect_"):
                raise SuiteError(f"{where_file} #{i + 1}: type must name an expectation (expect_…)")
            if e.get("severity") not in SEVERITIES:
                raise SuiteError(f"{where_file} #{i + 1}: severity must be one of {sorted(SEVERITIES)}")
            where = e.get("where")
            if where is not None and (not isinstance(where, dict) or not where):
                raise SuiteError(f"{where_file} #{i + 1}: where must map columns to values")
            specs.append(ExpectationSpec(e["type"], dict(e.get("kwargs") or {}), e["severity"], where))
        if raw["table"] == "kpi_values":
            specs += plausibility_specs()
        suites.append(Suite(raw["suite"], raw["table"], " ".join(str(raw.get("description", "")).split()),
                            tuple(specs)))
    return suites


def plausibility_specs() -> list[ExpectationSpec]:
    """The catalogue's `plausible:` ranges as expectations on the export: one home for what a KPI may be."""
    specs = []
    for k in load_catalogue().kpis:
        for r in k.plausible:
            kwargs = {"column": "value", **({"min_value": r.min} if r.min is not None else {}),
                      **({"max_value": r.max} if r.max is not None else {})}
            where = {"kpi_id": k.id, **({"gebiet_ebene": list(r.levels)} if r.levels else {}),
                     **({"denominator": {"ab": r.from_denominator}} if r.from_denominator else {})}
            specs.append(ExpectationSpec("expect_column_values_to_be_between", kwargs,
                                         "critical" if r.blocking else "warning", where))
    return specs


def parameters() -> dict[str, object]:
    catalogue = load_catalogue()
    return {"kpi_ids": sorted(k.id for k in catalogue.kpis), "n_kpis": len(catalogue.kpis),
            "gemeinde_ags": sorted(g.ags for g in gemeinden()), "export_columns": list(EXPORT_COLUMNS)}


def _fill(value: object, params: dict[str, object]) -> object:
    if isinstance(value, str):
        m = re.fullmatch(r"\$\{(\w+)\}", value)
        if m:
            if m.group(1) not in params:
                raise SuiteError(f"unknown parameter ${{{m.group(1)}}} (known: {', '.join(sorted(params))})")
            return params[m.group(1)]
    if isinstance(value, list):
        return [_fill(v, params) for v in value]
    return value


# ------------------------------------------------------------------------------------------- raw tables

LINEAGE_COLUMNS = ["lieferung_id", "received_at", "source_file_sha256", "source_line", "key_id"]
RAW_DIR = SUITES_DIR / "raw"


def raw_suite_text(contract) -> str:
    """The suite of one raw table, derived from its source contract (the reviewed file): the anonymised
    schema exactly, required columns filled, codes from their lists, birth years and months in range."""
    targets = [t for c in contract.columns if c.rule != "drop" for t in c.target] + [d.target for d in contract.derived]
    expectations: list[dict] = [
        {"type": "expect_table_columns_to_match_set",
         "kwargs": {"column_set": sorted([*targets, *LINEAGE_COLUMNS]), "exact_match": True},
         "severity": "critical"},
    ]
    for c in contract.columns:
        if c.rule == "drop":
            continue
        for i, t in enumerate(c.target):
            # an official value may be a secret or missing cell: then its status column says so, not the value
            if c.required and not (c.type == "official_value" and i == 0):
                expectations.append({"type": "expect_column_values_to_not_be_null", "kwargs": {"column": t},
                                     "severity": "critical"})
            if c.values and c.rule == "keep" and len(c.target) == 1:
                expectations.append({"type": "expect_column_values_to_be_in_set",
                                     "kwargs": {"column": t, "value_set": list(c.values)}, "severity": "critical"})
            if t == "geburtsjahr":
                expectations.append({"type": "expect_column_values_to_be_between",
                                     "kwargs": {"column": t, "min_value": 1900, "max_value": 2100},
                                     "severity": "critical"})
            if t == "geburtsmonat":
                expectations.append({"type": "expect_column_values_to_be_between",
                                     "kwargs": {"column": t, "min_value": 1, "max_value": 12}, "severity": "critical"})
            if c.type == "ags" and contract.source != "amtlich":
                expectations.append({"type": "expect_column_values_to_be_in_set",
                                     "kwargs": {"column": t, "value_set": "${gemeinde_ags}"}, "severity": "critical"})
    doc = {"suite": f"raw__{contract.source}__{contract.table}", "table": f"raw/{contract.source}/{contract.table}",
           "description": f"{contract.title}: the anonymised raw table, each new delivery once. Generated from "
                          f"sources/contracts/{contract.source}/{contract.table}.yml by `stichtag quality suites`.",
           "expectations": expectations}
    return ("# Generated from the source contract: do not edit, run `stichtag quality suites`.\n"
            + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=110))


def write_raw_suites(directory: Path = RAW_DIR) -> list[Path]:
    return write_generated(directory, {f"{c.source}__{c.table}.yml": raw_suite_text(c) for c in load_contracts()},
                           "*.yml")


def validated_path(settings: Settings) -> Path:
    return settings.lake / "quality" / "rohlieferungen_geprueft.json"


def _validated(settings: Settings) -> dict[str, list[str]]:
    path = validated_path(settings)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def mark_validated(settings: Settings, deliveries: dict[str, list[str]]) -> None:
    """Remember the raw deliveries whose suites passed: each delivery is validated once."""


    done = _validated(settings)
    for table, ids in deliveries.items():
        done[table] = sorted({*done.get(table, []), *ids})
    atomic_write_text(validated_path(settings), json.dumps(done, indent=1, ensure_ascii=False))


def raw_deliveries(settings: Settings) -> dict[str, dict[str, Path]]:
    """Per raw table, its deliveries not validated yet (id → folder); all of them are checked at once."""
    done = _validated(settings)
    out: dict[str, dict[str, Path]] = {}
    for table_dir in sorted(settings.raw.glob("*/*")):
        table = f"raw/{table_dir.parent.name}/{table_dir.name}"
        new = {d.name.split("=", 1)[1]: d for d in sorted(table_dir.glob("lieferung=*")) if any(d.glob("*.parquet"))}
        new = {i: d for i, d in new.items() if i not in done.get(table, [])}
        if new:
            out[table] = new
    return out


# ------------------------------------------------------------------------------------------- the tables

def tables(con: duckdb.DuckDBPyConnection, settings: Settings, days: list[dt.date]) -> dict[str, str]:
    """The tables the suites check, for the Stichtage `days` of the build: suite table → a temporary table of
    this connection (a read-only connection to the build database may hold them)."""

    listing = ", ".join(f"date '{d.isoformat()}'" for d in days) or "null"
    out = {name: f"pruefung_{name}" for name in ("kpi_values", "gemeinden", "summen", "veraenderung", "verlauf")}
    # the export rows of the window: checked themselves, and the base of every other table here
    con.execute(f"create or replace temp table pruefung_kpi_values as select {', '.join(EXPORT_COLUMNS)} "
                f"from marts.fct_kpi_werte where stichtag in ({listing}) order by stichtag, kpi_id, gebiet_id")
    ags = ", ".join(f"('{g.ags}')" for g in gemeinden())
    bestand = settings.raw / "melderegister" / "bestand"
    registered = (f"select distinct gemeinde_ags from read_parquet('{bestand}/*/*.parquet')"
                  if any(bestand.glob("*/*.parquet")) else "select null::varchar as gemeinde_ags where false")
    con.execute(f"""create or replace temp table pruefung_gemeinden as
        with liste(gebiet_id) as (values {ags}), tage(stichtag) as (select unnest([{listing}])),
             melderegister as ({registered})
        select t.stichtag, l.gebiet_id,
               l.gebiet_id in (select gemeinde_ags from melderegister) as im_melderegister,
               (select count(*) from pruefung_kpi_values w where w.stichtag = t.stichtag and w.gebiet_id = l.gebiet_id)
                   as kpi_zeilen,
               (select any_value(value) from pruefung_kpi_values w
                   where w.stichtag = t.stichtag and w.gebiet_id = l.gebiet_id and w.kpi_id = 'einwohner')
                   as einwohner
        from tage t cross join liste l order by 1, 2""")
    con.execute("""create or replace temp table pruefung_summen as
        with kinder as (
            select w.stichtag, w.kpi_id, g.uebergeordnet_id as gebiet_id, sum(w.numerator) as zaehler,
                   sum(w.denominator) as nenner, count(*) filter (where w.numerator is null) as fehlend
            from pruefung_kpi_values w join marts.dim_gebiete g using (gebiet_id)
            where w.quelle = 'intern' and g.gebiet_ebene in ('gemeinde', 'amt')
            group by all)
        select p.stichtag, p.kpi_id, p.gebiet_id, p.gebiet_ebene,
               round(p.numerator, 6) as zaehler, round(k.zaehler, 6) as zaehler_summe_kinder,
               round(coalesce(p.denominator, 0), 6) as nenner, round(coalesce(k.nenner, 0), 6) as nenner_summe_kinder
        from pruefung_kpi_values p join kinder k using (stichtag, kpi_id, gebiet_id)
        where p.quelle = 'intern' and p.gebiet_ebene in ('amt', 'kreis') and k.fehlend = 0
          and p.numerator is not null
        order by 1, 2, 3""")
    previous = []
    for day in days:
        latest = read_latest(settings, day)
        if latest:
            path = versions_root(settings) / f"stichtag={day.isoformat()}" / latest["path"] / "kpi_values.parquet"
            if path.exists():
                previous.append((day, path, latest["datenstand"]))
    if previous:
        union = " union all ".join(f"select *, '{k}' as datenstand_vorher from read_parquet('{p}')"
                                   for _, p, k in previous)
        con.execute(f"""create or replace temp table pruefung_veraenderung as
            select n.stichtag, n.kpi_id, n.gebiet_id, n.gebiet_ebene, a.datenstand_vorher, a.value as wert_vorher,
                   n.value as wert, abs(n.value - a.value) / greatest(abs(a.value), 1e-9) as relative_aenderung,
                   -- a count that was substantial and is zero now: an area missing from a (revised) delivery
                   coalesce(a.numerator >= {VANISHED_FROM} and n.numerator = 0, false) as verschwunden
            from pruefung_kpi_values n join ({union}) a using (stichtag, kpi_id, gebiet_id)
            where n.value is not null and a.value is not null and a.value <> 0
            order by 1, 2, 3""")
    else:
        con.execute("""create or replace temp table pruefung_veraenderung as select null::date as stichtag,
            null::varchar as kpi_id, null::varchar as gebiet_id, null::varchar as gebiet_ebene,
            null::varchar as datenstand_vorher, null::double as wert_vorher, null::double as wert,
            null::double as relative_aenderung, false as verschwunden where false""")
    _population_course(con, settings, days)
    return out


# the Kreis population moves by births, deaths and migration: a few per cent a year at most
COURSE_SHARE_PER_YEAR = 0.05
COURSE_MIN_PERSONS = 50  # a test Kreis of a handful of persons may double in a day


def _population_course(con: duckdb.DuckDBPyConnection, settings: Settings, days: list[dt.date]) -> None:
    """Table `pruefung_verlauf`: each Stichtag's population of each Kreis against that Kreis's previous
    Stichtag (in this build, else the newest published one before it): a jump beyond the bound is no demography
    but a broken build. Per Kreis: at Land scale the build has many, and one Kreis against another is no course."""

    kreise: dict[str, dict[dt.date, float]] = {}
    for gebiet, day, value in con.execute("""select gebiet_id, stichtag, value from pruefung_kpi_values
            where kpi_id = 'einwohner' and gebiet_ebene = 'kreis' and value is not null""").fetchall():
        kreise.setdefault(gebiet, {})[day] = value
    root = versions_root(settings)
    published = sorted((dt.date.fromisoformat(f.name.split("=", 1)[1]) for f in root.glob("stichtag=*")),
                       reverse=True) if root.exists() else []
    loaded: dict[dt.date, dict[str, float]] = {}

    def published_values(day: dt.date) -> dict[str, float]:
        """The Kreise's populations in the latest version of a Stichtag, read only when it is a neighbour."""
        if day not in loaded:
            latest = read_latest(settings, day)
            path = root / f"stichtag={day.isoformat()}" / latest["path"] / "kpi_values.parquet" if latest else None
            loaded[day] = dict(con.execute(f"""select gebiet_id, value from read_parquet('{path}')
                where kpi_id = 'einwohner' and gebiet_ebene = 'kreis' and value is not null""").fetchall()) \
                if path is not None and path.exists() else {}
        return loaded[day]

    rows = []
    for gebiet, kreis in sorted(kreise.items()):
        for day in sorted(kreis):
            # the previous Stichtag: of this build, or published before (newest first, the first with a value)
            in_build = max((d for d in kreis if d < day), default=None)
            before, value = in_build, kreis.get(in_build)
            for d in published:
                if (d < day and (in_build is None or d > in_build) and d not in kreis
                        and (v := published_values(d).get(gebiet)) is not None):
                    before, value = d, v
                    break
            if before is None:
                continue
            years = max((day - before).days / 365.25, 1 / 12)
            allowed = max(COURSE_MIN_PERSONS, COURSE_SHARE_PER_YEAR * years * value)
            rows.append((day, gebiet, before, value, kreis[day], allowed, abs(kreis[day] - value) > allowed))
    con.execute("""create or replace temp table pruefung_verlauf (stichtag date, gebiet_id varchar,
        stichtag_vorher date, einwohner_vorher double, einwohner double, erlaubt double, ausserhalb boolean)""")
    if rows:
        con.executemany("insert into pruefung_verlauf values (?, ?, ?, ?, ?, ?, ?)", rows)


# ------------------------------------------------------------------------------------------- validation

@dataclass(frozen=True)
class CheckOutcome:
    suite: str
    expectation: str
    severity: str  # blocking | warning
    failing_days: frozenset[dt.date]
    detail: str
    quelle: str = "sql"  # evaluated by table_gates / raw_gates; "great_expectations" in `stichtag quality docs`

    def for_day(self, day: dt.date) -> dict:
        passed = day not in self.failing_days
        return {"check": f"{self.suite}: {self.expectation}", "passed": passed, "severity": self.severity,
                "detail": "ok" if passed else self.detail, "quelle": self.quelle}


def _label(spec: ExpectationSpec) -> str:
    k = spec.kwargs
    what = k.get("column") or k.get("column_list") or (f"{k['column_A']} = {k['column_B']}" if "column_A" in k else "")
    if isinstance(what, list):
        what = ",".join(what)
    elif what.startswith("${"):
        what = ""
    cond = ""
    if spec.where:
        shown = [f"{c}={v}" if not isinstance(v, list | dict) else
                 (f"{c}≥{v['ab']}" if isinstance(v, dict) and "ab" in v else
                  f"{c}≠{v['nicht']}" if isinstance(v, dict) else f"{c} in {len(v)} Werten")
                 for c, v in spec.where.items()]
        cond = " wo " + " und ".join(shown)
    return f"{spec.type} {what}{cond}".replace("  ", " ").strip()


def run_quality_gates(con: duckdb.DuckDBPyConnection, settings: Settings, days: list[dt.date],
                      suites: list[Suite] | None = None, datenstand: str = "unbekannt") -> list[CheckOutcome]:
    """Validate the Stichtage `days` of the current build and the raw deliveries not validated yet; one outcome
    per expectation. Writes the summary and the overview, and remembers the raw deliveries that passed."""
    suites = suites if suites is not None else load_suites()
    params = parameters()
    raw = raw_deliveries(settings)
    outcomes: list[CheckOutcome] = []
    for suite in suites:
        if suite.table.startswith("raw/") and suite.table in raw:  # else no new delivery of that table
            outcomes += _raw_outcomes(con, suite, raw[suite.table], params, days)
    outcomes += publication_outcomes(con, settings, days, suites)
    write_summary(settings, datenstand, days, outcomes)
    write_overview(settings, outcomes, days, datenstand)
    passed_raw = {t: list(ids) for t, ids in raw.items()
                  if not any(o.failing_days and o.severity == "blocking" for o in outcomes
                             if o.suite == f"raw__{t.split('/')[1]}__{t.split('/')[2]}")}
    mark_validated(settings, passed_raw)
    return outcomes


def publication_outcomes(con: duckdb.DuckDBPyConnection, settings: Settings, days: list[dt.date],
                         suites: list[Suite] | None = None) -> list[CheckOutcome]:
    """The suites of the publication tables (not the raw ones) over the Stichtage `days`, in SQL."""
    params = parameters()
    checked = tables(con, settings, days)
    outcomes: list[CheckOutcome] = []
    for suite in suites if suites is not None else load_suites():
        if suite.table.startswith("raw/"):
            continue
        if suite.table not in checked:
            raise SuiteError(f"suite {suite.name}: unknown table {suite.table!r} (known: {', '.join(checked)}, raw/…)")
        try:
            results = table_gates.evaluate(con, checked[suite.table], days, filled(suite, params))
        except (raw_gates.UnsupportedExpectation, table_gates.WhereError) as e:
            raise SuiteError(f"suite {suite.name}: {e}") from e
        outcomes += [CheckOutcome(suite.name, _label(e), SEVERITIES[e.severity], r.failing_days, r.detail)
                     for e, r in zip(suite.expectations, results, strict=True)]
    return outcomes


def filled(suite: Suite, params: dict[str, object]) -> list[tuple[str, dict, dict | None]]:
    """A suite's expectations with their ${parameters} filled in: (type, kwargs, where)."""
    return [(e.type, {k: _fill(v, params) for k, v in e.kwargs.items()}, e.where) for e in suite.expectations]


def _raw_outcomes(con: duckdb.DuckDBPyConnection, suite: Suite, deliveries: dict[str, Path],
                  params: dict[str, object], days: list[dt.date]) -> list[CheckOutcome]:
    """A raw suite over the deliveries not validated yet, in SQL; a failed one blocks every Stichtag."""
    results = raw_gates.evaluate(con, deliveries, [(e.type, {k: _fill(v, params) for k, v in e.kwargs.items()})
                                                   for e in suite.expectations])
    return [CheckOutcome(suite.name, _label(e), SEVERITIES[e.severity],
                         frozenset() if r.passed else frozenset(days), r.detail)
            for e, r in zip(suite.expectations, results, strict=True)]


def summary_path(settings: Settings) -> Path:
    return settings.lake / "quality" / "letzte_pruefung.json"


def write_summary(settings: Settings, datenstand: str, days: list[dt.date], outcomes: list[CheckOutcome]) -> None:
    """The last run's results (for the Dagster asset check and `make run`'s summary: `read_summary`)."""


    atomic_write_text(summary_path(settings), json.dumps({
        "datenstand": datenstand, "stichtage": [d.isoformat() for d in days],
        "uebersicht": str(overview_path(settings)),
        "ergebnisse": [{"suite": o.suite, "erwartung": o.expectation, "schwere": o.severity,
                        "bestanden": not o.failing_days, "stichtage_fehlgeschlagen":
                            sorted(d.isoformat() for d in o.failing_days), "detail": o.detail} for o in outcomes],
    }, indent=1, ensure_ascii=False))


@dataclass(frozen=True)
class SummaryCounts:
    blocking_passed: int
    blocking: int
    warnings: tuple[str, ...]  # "suite: expectation: detail" of every failed warning


def read_summary(settings: Settings) -> SummaryCounts | None:
    """The counts of the last run (None before the first one)."""

    if not summary_path(settings).exists():
        return None
    results = json.loads(summary_path(settings).read_text(encoding="utf-8"))["ergebnisse"]
    blocking = [r for r in results if r["schwere"] == "blocking"]
    return SummaryCounts(sum(r["bestanden"] for r in blocking), len(blocking),
                         tuple(f"{r['suite']}: {r['erwartung']}: {r['detail']}" for r in results
                               if r["schwere"] == "warning" and not r["bestanden"]))


def overview_path(settings: Settings) -> Path:
    return settings.lake / "quality" / "index.html"


def write_overview(settings: Settings, outcomes: list[CheckOutcome], days: list[dt.date], datenstand: str) -> Path:
    """The quality report a person opens: every expectation of the last run with its result, offline (no CDN,
    unlike Great Expectations' own Data Docs index)."""
    import html


    rows = []
    for o in sorted(outcomes, key=lambda o: (not o.failing_days, o.severity != "blocking", o.suite)):
        state = "bestanden" if not o.failing_days else ("BLOCKIERT" if o.severity == "blocking" else "Warnung")
        failing = ", ".join(d.strftime("%d.%m.%Y") for d in sorted(o.failing_days)[:6])
        rows.append(f'<tr class="{"ok" if not o.failing_days else o.severity}"><td>{state}</td>'
                    f"<td>{html.escape(o.suite)}</td><td>{html.escape(o.expectation)}</td><td>{o.severity}</td>"
                    f"<td>{failing}</td><td>{html.escape(o.detail)}</td></tr>")
    blocked = sum(bool(o.failing_days) and o.severity == "blocking" for o in outcomes)
    warned = sum(bool(o.failing_days) and o.severity == "warning" for o in outcomes)
    text = f"""<!doctype html>
<html lang="de"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Qualitätsprüfungen, Datenstand {html.escape(datenstand)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:1.5rem}}table{{border-collapse:collapse;width:100%;font-size:.9rem}}
td,th{{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}}
tr.blocking td:first-child{{color:#b00;font-weight:700}}tr.warning td:first-child{{color:#a60;font-weight:700}}</style>
</head><body><h1>Qualitätsprüfungen</h1>
<p>Datenstand {html.escape(datenstand)}; Stichtage {html.escape(", ".join(d.isoformat() for d in days[:3]))}
{"…" if len(days) > 3 else ""} ({len(days)}). {len(outcomes)} Erwartungen: {blocked} blockierend verletzt,
{warned} Warnungen. Suites: <code>expectations/</code> (Erwartungen im Vokabular von Great Expectations, in SQL
geprüft; die Data Docs von Great Expectations erzeugt <code>stichtag quality docs</code>).</p>
<table><thead><tr><th>Ergebnis</th><th>Suite</th><th>Erwartung</th><th>Schwere</th><th>Stichtage</th><th>Detail</th>
</tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    atomic_write_text(overview_path(settings), text)
    return overview_path(settings)


