"""The meaning of official statistics codes, from the `statistik:` blocks of the amtlich contracts, as
tables the dbt models join against: which value (variable and category) is which measure, which age group
code covers which ages, which sex code is which sex, and which measures follow from published rates (the
reference population behind a published quota: count × factor / quota; a sum behind a published mean:
mean × count). Adding a GENESIS table is a contract entry."""

from __future__ import annotations

import json
from pathlib import Path

from sources.contract import Contract, ContractError, load_contracts

# what the dbt source `katalog` reads of the official contracts: which published value is which measure
MAPPING_TABLES = ("amtlich_messgroessen", "amtlich_altersgruppen", "amtlich_geschlecht", "amtlich_ableitungen")


def mapping_tables(contracts: tuple[Contract, ...]) -> dict[str, list[dict]]:
    measures, ages, sexes, derived = [], [], [], []
    for c in contracts:
        spec = c.options.get("statistik")
        if not spec:
            continue
        sex = spec.get("geschlecht") or {}
        age = spec.get("alter") or {}
        for m in spec.get("messgroessen", []):
            (cond_var, cond_code), = (m.get("wenn") or {None: None}).items()
            fixed_age = m.get("alter")  # a column that is one age group (BA workbooks: "unter 15 Jahre")
            if fixed_age is not None and not (isinstance(fixed_age, list) and len(fixed_age) == 2
                                              and isinstance(fixed_age[0], int) and not age):
                raise ContractError(f"{c.path}: {m['messgroesse']}: alter is [from, to or null] on a table "
                                    "without an age variable")
            lo, hi = fixed_age or (None, None)
            measures.append({"tabelle": c.table, "wertmerkmal": m.get("wertmerkmal"), "merkmal": m.get("merkmal"),
                             "wenn_variable": cond_var, "wenn_code": cond_code, "messgroesse": m["messgroesse"],
                             "faktor": m.get("faktor", 1),
                             "geschlecht": m.get("geschlecht"), "geschlecht_variable": sex.get("variable"),
                             "alter_variable": age.get("variable"), "alter_von": lo,
                             "alter_bis": (200 if hi is None else hi) if fixed_age else None})
        for d in spec.get("ableitungen", []):
            if set(d) - {"messgroesse", "aus", "je", "mal", "faktor"} or ("je" in d) == ("mal" in d):
                raise ContractError(f"{c.path}: an ableitung is {{messgroesse, aus, je | mal, faktor}}: "
                                    "aus × faktor / je (a quota's base) or aus × mal (a mean's sum)")
            derived.append({"tabelle": c.table, "messgroesse": d["messgroesse"], "aus": d["aus"],
                            "je": d.get("je"), "mal": d.get("mal"), "faktor": d.get("faktor", 1)})
        for code, value in (sex.get("codes") or {}).items():
            sexes.append({"tabelle": c.table, "variable": sex["variable"], "code": code, "geschlecht": value})
        for code, bounds in (age.get("gruppen") or {}).items():
            lo, hi = bounds
            if hi is not None and hi < lo:
                raise ContractError(f"{c.path}: age group {code} has reversed bounds {bounds}")
            ages.append({"tabelle": c.table, "variable": age["variable"], "code": code, "alter_von": lo,
                         "alter_bis": hi})
    return dict(zip(MAPPING_TABLES, (measures, ages, sexes, derived), strict=True))


def official_measures(contracts: tuple[Contract, ...] | None = None) -> dict[str, list[str]]:
    """measure → the official tables that publish it (for the Land and Bund comparison rows)."""
    out: dict[str, list[str]] = {}
    mapping = mapping_tables(contracts if contracts is not None else load_contracts())
    for row in (*mapping["amtlich_messgroessen"], *mapping["amtlich_ableitungen"]):
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
