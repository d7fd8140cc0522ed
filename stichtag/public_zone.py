"""The public zone: what may leave the house. Built from the restricted export of each Stichtag by
disclosure control (stichtag/disclosure.py); published only if the attack audit passes.

lake/exports/…          restricted zone: exact values, for the planning unit
lake/public/kpi_values/stichtag=D/kpi_values.parquet   public zone: the same schema, hidden cells `gesperrt`
lake/public/audit/stichtag=D.json                      what was hidden and the audit's result
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sources.lake import atomic_copy_to_parquet, atomic_write_text
from stichtag.catalogue import load_catalogue
from stichtag.disclosure import SUPPRESSED, Hierarchy, protect, suppress
from stichtag.publish import LEVEL_ORDER, kpi_export_path
from stichtag.reference import gemeinden
from stichtag.settings import Settings


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


def publish_public(settings: Settings, day: dt.date) -> PublicResult:
    restricted = kpi_export_path(settings, day)
    con = duckdb.connect()
    result = con.execute(f"select * from read_parquet('{restricted}')")
    names = [d[0] for d in result.description]
    rows = [dict(zip(names, r, strict=True)) for r in result.fetchall()]
    catalogue, hierarchy = load_catalogue(), Hierarchy.of(gemeinden())
    primary, _ = suppress(rows, catalogue, hierarchy, secondary=False)
    public, findings, rounds = protect(rows, catalogue, hierarchy)
    hidden = sorted((r["kpi_id"], r["gebiet_id"]) for r in public if r["status"] == SUPPRESSED)
    report = {"stichtag": day.isoformat(), "restricted_sha256": hashlib.sha256(restricted.read_bytes()).hexdigest(),
              "suppressed_cells": len(hidden),
              "primary_cells": sum(r["status"] == SUPPRESSED for r in primary),
              "audit_rounds": rounds, "audit_passed": not findings, "findings": [str(f) for f in findings]}
    atomic_write_text(audit_path(settings, day), json.dumps(report, indent=1, ensure_ascii=False))
    if findings:
        raise AuditFailed(f"Stichtag {day}: {len(findings)} Zellen wären ableitbar, z. B. {findings[0]}")
    con.execute(f"create table t as select * from read_parquet('{restricted}')")
    if hidden:
        con.executemany(f"""update t set value = null, numerator = null, denominator = null,
            status = '{SUPPRESSED}' where kpi_id = ? and gebiet_id = ?""", hidden)
    target = public_path(settings, day)
    atomic_copy_to_parquet(con, f"select * from t order by kpi_id, {LEVEL_ORDER}, gebiet_id", target)
    con.close()
    return PublicResult(day, target, len(hidden), report["primary_cells"])


def publish_all_public(settings: Settings, failed: list[str] | None = None) -> list[PublicResult]:
    """Every Stichtag whose restricted export is newer than its public one. A Stichtag that fails the
    audit keeps its previous public version; its reason is appended to `failed` (or raised)."""
    out = []
    for export in sorted((settings.exports / "kpi_values").glob("stichtag=*/kpi_values.parquet")):
        day = dt.date.fromisoformat(export.parent.name.split("=", 1)[1])
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
