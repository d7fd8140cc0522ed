"""The public zone: what may leave the house. Built from the restricted export of each Stichtag by
disclosure control (publication/disclosure/); published only if the attack audit passes.

lake/exports/…                                          restricted zone: exact values, for the planning unit
lake/public/kpi_values/stichtag=D/kpi_values.parquet    public zone: the same schema, hidden cells `gesperrt`
lake/public/audit/stichtag=D.json                       what was hidden (per KPI and level), the audit's result
lake/public/sozialindex/stichtag=D/sozialindex.parquet  the Sozialindex's classes (publication/public_sozialindex.py)
lake/public/archiv/stichtag=D/R.parquet                 earlier releases of the Stichtag (R: their restricted
lake/exports/archiv/stichtag=D/R.parquet                hash), still reachable in the report archive: their
                                                        published cells are in every later audit of D
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kernel.catalogue import Catalogue, load_catalogue
from kernel.files import atomic_copy_to_parquet, atomic_write_text
from kernel.reference import gemeinden
from kernel.settings import Settings
from kernel.window import years_earlier
from publication.disclosure import SUPPRESSED, Hierarchy, protect
from publication.disclosure.model import years_before as model_years_before
from publication.disclosure.protect import YearBefore
from publication.public_sozialindex import publish_sozialindex
from publication.publish import kpi_export_path
from publication.schema import LEVEL_ORDER


class AuditFailed(RuntimeError):
    """A public table would reveal a protected cell: it is not published."""


@dataclass(frozen=True)
class PublicResult:
    stichtag: dt.date
    path: Path
    suppressed: int
    primary: int


def public_path(settings: Settings, day: dt.date) -> Path:
    return settings.lake / "public" / "kpi_values" / f"stichtag={day.isoformat()}" / "kpi_values.parquet"


def audit_path(settings: Settings, day: dt.date) -> Path:
    return settings.lake / "public" / "audit" / f"stichtag={day.isoformat()}.json"


def _archive(settings: Settings, day: dt.date, zone: str) -> Path:
    root = settings.lake / "public" if zone == "public" else settings.exports
    return root / "archiv" / f"stichtag={day.isoformat()}"


def _read(con: duckdb.DuckDBPyConnection, path: Path) -> list[dict]:
    result = con.execute(f"select * from read_parquet('{path}')")
    names = [d[0] for d in result.description]
    return [dict(zip(names, r, strict=True)) for r in result.fetchall()]


def reachable_releases(settings: Settings, day: dt.date, con: duckdb.DuckDBPyConnection,
                       but: str = "") -> list[tuple[list[dict], list[dict]]]:
    """(restricted, public) rows of every release of the Stichtag still reachable (the archived ones and
    the current one), except the release whose restricted hash is `but`."""
    publics = {p.stem: p for p in sorted(_archive(settings, day, "public").glob("*.parquet"))}
    if audit_path(settings, day).exists() and public_path(settings, day).exists():
        sha = json.loads(audit_path(settings, day).read_text(encoding="utf-8"))["restricted_sha256"]
        publics.setdefault(sha[:16], public_path(settings, day))
    out = []
    for stem, public in sorted(publics.items()):
        restricted = _archive(settings, day, "restricted") / f"{stem}.parquet"
        if stem != but[:16] and restricted.exists():
            out.append((_read(con, restricted), _read(con, public)))
    return out


def earlier_releases(settings: Settings, day: dt.date, con: duckdb.DuckDBPyConnection,
                     current_sha: str) -> list[tuple[list[dict], list[dict]]]:
    """(restricted, public) rows of every earlier release of the Stichtag that is still reachable."""
    return reachable_releases(settings, day, con, but=current_sha)


def years_before_releases(settings: Settings, day: dt.date, con: duckdb.DuckDBPyConnection,
                          catalogue: Catalogue) -> list[YearBefore]:
    """Every reachable release of the Stichtage this one repeats measures of (the population one and five
    years before), with the renaming the attacker applies."""
    out = []
    for years, rename in sorted(model_years_before(catalogue).items()):
        earlier_day = years_earlier(day, years)
        out += [(restricted, public, rename)
                for restricted, public in reachable_releases(settings, earlier_day, con)]
    return out


def _retire_current(settings: Settings, day: dt.date, new_sha: str) -> None:
    """The release being replaced stays reachable (its report pages are archived): keep both of its sides."""
    path = audit_path(settings, day)
    if not (path.exists() and public_path(settings, day).exists()):
        return
    old_sha = json.loads(path.read_text(encoding="utf-8"))["restricted_sha256"]
    old_restricted = _archive(settings, day, "restricted") / f"{old_sha[:16]}.parquet"
    if old_sha == new_sha or not old_restricted.exists():
        return
    target = _archive(settings, day, "public") / f"{old_sha[:16]}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(public_path(settings, day), target)


def publish_public(settings: Settings, day: dt.date) -> PublicResult:
    if not is_public_stichtag(day):
        raise AuditFailed(f"Stichtag {day}: nur Monatsenden werden veröffentlicht (Tagesstände bleiben intern)")
    restricted = kpi_export_path(settings, day)
    sha = hashlib.sha256(restricted.read_bytes()).hexdigest()
    con = duckdb.connect()
    rows = _read(con, restricted)
    catalogue, hierarchy = load_catalogue(), Hierarchy.of(gemeinden())
    _retire_current(settings, day, sha)
    earlier = earlier_releases(settings, day, con, sha)
    before = years_before_releases(settings, day, con, catalogue)
    result = protect(rows, catalogue, hierarchy, earlier=earlier, years_before=before)
    reasons = sorted(result.hidden.values())
    report = {"stichtag": day.isoformat(), "restricted_sha256": sha,
              "method": "Zellsperrung: primär (Fallzahl < min_cell, Gruppenoffenlegung), sekundär gegen ein "
                        "lineares Modell aller veröffentlichten Zellen; Angriffsprüfung per LP/MILP (HiGHS)",
              "parameters": dict(catalogue.disclosure),
              "releases_audited": 1 + len(earlier),
              "earlier_stichtag_releases_audited": len(before),
              "suppressed_cells": sum(r["status"] == SUPPRESSED for r in result.public),
              "hidden_quantities": len(result.hidden),
              "primary_cells": sum(why in ("klein", "gruppe") for why in reasons),
              "hidden_by_rule": {why: reasons.count(why) for why in sorted(set(reasons))},
              "audit_rounds": result.rounds, "audit_passed": result.passed,
              "findings": [f.public_text() for f in result.findings],
              "information_loss": result.loss()}
    atomic_write_text(audit_path(settings, day), json.dumps(report, indent=1, ensure_ascii=False))
    if result.findings:
        con.close()
        raise AuditFailed(f"Stichtag {day}: {len(result.findings)} Zellen wären ableitbar, z. B. "
                          f"{result.findings[0].public_text()}")
    archived = _archive(settings, day, "restricted") / f"{sha[:16]}.parquet"
    archived.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(restricted, archived)
    con.execute("create table t as select * from read_parquet(?)", [str(restricted)])
    con.execute("create temp table p (kpi_id varchar, gebiet_id varchar, numerator double, denominator double)")
    changed = [(r["kpi_id"], r["gebiet_id"], r["numerator"], r["denominator"]) for r in result.public
               if r["status"] == SUPPRESSED]
    if changed:
        con.executemany("insert into p values (?, ?, ?, ?)", changed)
        con.execute(f"""update t set value = null, numerator = p.numerator, denominator = p.denominator,
            status = '{SUPPRESSED}' from p where t.kpi_id = p.kpi_id and t.gebiet_id = p.gebiet_id""")
    target = public_path(settings, day)
    atomic_copy_to_parquet(con, f"select * from t order by kpi_id, {LEVEL_ORDER}, gebiet_id", target)
    con.close()
    publish_sozialindex(settings, day, target, catalogue)  # its classes, none where an input is hidden
    return PublicResult(day, target, report["suppressed_cells"], report["primary_cells"])


def is_public_stichtag(day: dt.date) -> bool:
    """Only month ends leave the house. Daily Stichtage stay restricted: two consecutive days of a 12-month
    flow differ by one day's events, so publishing both would name the births, deaths and moves of a day."""
    return (day + dt.timedelta(days=1)).day == 1


def publish_all_public(settings: Settings, failed: list[str] | None = None) -> list[PublicResult]:
    """Every month-end Stichtag whose restricted export is newer than its public one. A Stichtag that fails
    the audit keeps its previous public version; its reason is appended to `failed` (or raised)."""
    out = []
    for export in sorted((settings.exports / "kpi_values").glob("stichtag=*/kpi_values.parquet")):
        day = dt.date.fromisoformat(export.parent.name.split("=", 1)[1])
        if not is_public_stichtag(day):
            continue
        target = public_path(settings, day)
        if target.exists() and target.stat().st_mtime >= export.stat().st_mtime:
            continue
        try:
            out.append(publish_public(settings, day))
        except AuditFailed as e:
            if failed is None:
                raise
            failed.append(str(e))
    return out
