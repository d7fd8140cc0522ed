"""The meaning of official statistics codes, from the `statistik:` blocks of the amtlich contracts, as
tables the dbt models join against: which value (variable and category) is which measure, which age group
code covers which ages, which sex code is which sex. Adding a GENESIS table is a contract entry."""

from __future__ import annotations

import json
from pathlib import Path

from sources.contract import Contract, ContractError, load_contracts

# what the dbt source `katalog` reads of the official contracts: which published value is which measure
MAPPING_TABLES = ("amtlich_messgroessen", "amtlich_altersgruppen", "amtlich_geschlecht")


def mapping_tables(contracts: tuple[Contract, ...]) -> dict[str, list[dict]]:
    measures, ages, sexes = [], [], []
    for c in contracts:
        spec = c.options.get("statistik")
        if not spec:
            continue
        sex = spec.get("geschlecht") or {}
        age = spec.get("alter") or {}
        for m in spec.get("messgroessen", []):
            (cond_var, cond_code), = (m.get("wenn") or {None: None}).items()
            measures.append({"tabelle": c.table, "wertmerkmal": m.get("wertmerkmal"), "merkmal": m.get("merkmal"),
                             "wenn_variable": cond_var, "wenn_code": cond_code, "messgroesse": m["messgroesse"],
                             "faktor": m.get("faktor", 1),
                             "geschlecht": m.get("geschlecht"), "geschlecht_variable": sex.get("variable"),
                             "alter_variable": age.get("variable")})
        for code, value in (sex.get("codes") or {}).items():
            sexes.append({"tabelle": c.table, "variable": sex["variable"], "code": code, "geschlecht": value})
        for code, bounds in (age.get("gruppen") or {}).items():
            lo, hi = bounds
            if hi is not None and hi < lo:
                raise ContractError(f"{c.path}: age group {code} has reversed bounds {bounds}")
            ages.append({"tabelle": c.table, "variable": age["variable"], "code": code, "alter_von": lo,
                         "alter_bis": hi})
    return dict(zip(MAPPING_TABLES, (measures, ages, sexes), strict=True))


def official_measures(contracts: tuple[Contract, ...] | None = None) -> dict[str, list[str]]:
    """measure → the official tables that publish it (for the Land and Bund comparison rows)."""
    out: dict[str, list[str]] = {}
    for row in mapping_tables(contracts if contracts is not None else load_contracts())["amtlich_messgroessen"]:
        tables = out.setdefault(row["messgroesse"], [])
        if row["tabelle"] not in tables:
            tables.append(row["tabelle"])
    return out


def write_for_dbt(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in mapping_tables(load_contracts()).items():
        tmp = directory / f".{name}.json.tmp"
        tmp.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        tmp.replace(directory / f"{name}.json")
