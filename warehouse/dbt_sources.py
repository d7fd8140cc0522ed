"""The dbt sources of the raw zone, generated from the source contracts (`stichtag dbt-sources`).

A contract says which columns land and how each was anonymised; the dbt source of its raw table says the
same to an analyst reading the dbt docs, and names the raw asset it comes from, so the asset graph links
every raw asset to the models that read it. Written by hand the two drift apart; generated, a test
(tests/test_dbt_sources.py) keeps the committed files equal to the contracts.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import yaml

from kernel.settings import CONTRACTS_DIR, DBT_PROJECT_DIR
from kernel.yaml_text import load_yaml
from sources.contract import Column, Contract, Derived, load_contracts
from sources.ingest import raw_schema

HEADER = ("# Generated from sources/contracts/ by `stichtag dbt-sources` (warehouse/dbt_sources.py): do not edit;\n"
          "# change the contract and regenerate. tests/test_dbt_sources.py fails when the two differ.\n")
# relative to the lake (DuckDB's file_search_path, transform/profiles.yml): no project file names a lake, so
# a parse serves every lake (warehouse/partial_parse.py) and a lake can be copied or moved whole
LOCATION = ("read_parquet('raw/{source}/{{name}}/*/*.parquet', hive_partitioning = false, union_by_name = true)")
# columns every raw table carries besides the contract's targets (sources/anonymise.py: delivery_sql)
LANDING_COLUMNS = {
    "lieferung_id": "The delivery this row came with (its folder lieferung=<id> in the raw zone).",
    "received_at": "When the delivery was received: the Datenstand of a build filters on it.",
    "source_file_sha256": "SHA-256 of the delivered file (the ingest log knows each delivery by it).",
    "source_line": "Line or record of the row in the delivered file, for a question back to the source system.",
    "key_id": "Id of the pseudonym key the row was pseudonymised with (never the key itself).",
}
# the union of the official tables per reader format (stg_amtlich__werte reads them by this macro)
AMTLICH_MACRO = "amtlich_tabellen.sql"


def _sentence(text: str | None) -> str:
    """A contract's note as a sentence of its own (notes are written for reviewers, folded over lines)."""
    if not text:
        return ""
    text = " ".join(text.split())
    return " " + text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f"«{n}»" for n in names)


def _describe(column: Column, target: str) -> str:
    how = {
        "keep": f"Delivered as {_quoted((column.name,))}",
        "pseudonymise": f"Keyed pseudonym (HMAC-SHA256) of {_quoted((column.name,))}; the clear value never "
                        "reaches the lake",
        "generalise_year_month": f"{'Year' if target == column.target[0] else 'Month'} of "
                                 f"{_quoted((column.name,))}; the exact date never reaches the lake",
        "generalise_month_start": f"First day of the month of {_quoted((column.name,))}",
    }[column.rule]
    if column.type == "official_value":
        how = (f"Published value of {_quoted((column.name,))}" if target == column.target[0] else
               f"Status of {_quoted((column.name,))} by the Zeichenerklärung of official statistics (ok, nichts, "
               "geheim, …)")
    return f"{how}.{_sentence(column.note)}"


def _describe_derived(derived: Derived) -> str:
    return (f"Keyed pseudonym (HMAC-SHA256) of {_quoted(derived.sources)}, normalised as {derived.normalise}; "
            f"the clear values never reach the lake.{_sentence(derived.note)}")


def _columns(contract: Contract) -> list[dict]:
    described: dict[str, tuple[str, str, str]] = {}
    for c in contract.columns:
        for target in c.target if c.rule != "drop" else ():
            described[target] = (_describe(c, target), c.sensitivity, c.rule)
    for d in contract.derived:
        described[d.target] = (_describe_derived(d), d.sensitivity, "pseudonymise")
    out = []
    for name, data_type in raw_schema(contract):
        text, sensitivity, rule = described.get(name, (LANDING_COLUMNS.get(name, ""), "not_sensitive", "landing"))
        if not text:
            raise ValueError(f"{contract.path}: raw column {name} is neither a contract target nor a landing column")
        out.append({"name": name, "data_type": data_type.lower(), "description": text,
                    "meta": {"sensitivity": sensitivity, "rule": rule}})
    return out


def _table(contract: Contract) -> dict:
    path = contract.path.relative_to(CONTRACTS_DIR.parent.parent) if contract.path else contract.table
    description = f"{contract.title}. {contract.description} (contract {path})".replace(". . ", ". ").strip()
    return {"name": contract.table, "description": " ".join(description.split()),
            "meta": {"dagster": {"asset_key": ["raw", contract.source, contract.table]}},
            "columns": _columns(contract)}


def source_files(contracts: tuple[Contract, ...] | None = None,
                 project_dir: Path = DBT_PROJECT_DIR) -> dict[Path, str]:
    """Every generated file of the dbt project, path → text."""
    contracts = contracts if contracts is not None else load_contracts()
    systems = load_yaml((CONTRACTS_DIR / "systems.yml").read_text(encoding="utf-8"))
    by_source: dict[str, list[Contract]] = defaultdict(list)
    for c in contracts:
        by_source[c.source].append(c)
    files: dict[Path, str] = {}
    for source, members in sorted(by_source.items()):
        if source not in systems:
            raise ValueError(f"sources/contracts/systems.yml: no entry for the source system {source!r}")
        doc = {"version": 2, "sources": [{
            "name": source,
            "description": " ".join(systems[source].split()) + " Anonymised on ingest (sources/); raw Parquet, "
                           "one folder per delivery (lieferung=<id>).",
            "meta": {"external_location": LOCATION.format(source=source)},
            "tables": [_table(c) for c in sorted(members, key=lambda c: c.table)],
        }]}
        text = HEADER + yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=110)
        files[project_dir / "models" / "staging" / source / f"_{source}__sources.yml"] = text
    files[project_dir / "macros" / AMTLICH_MACRO] = _amtlich_macro(by_source.get("amtlich", []))
    return files


def _amtlich_macro(contracts: list[Contract]) -> str:
    formats: dict[str, list[str]] = defaultdict(list)
    for c in sorted(contracts, key=lambda c: c.table):
        formats[c.format].append(c.table)
    lines = ["{#- " + HEADER.replace("# ", "").replace("\n", " ").strip() + " -#}",
             "{#- The official tables of each reader format, so a model reads every one as a source of its own",
             "    (one raw asset each in the asset graph). -#}",
             "{% macro amtlich_tabellen(format) -%}",
             "    {{- return(" + repr(dict(sorted(formats.items()))).replace("'", '"') + "[format]) -}}",
             "{%- endmacro %}", ""]
    return "\n".join(lines)


def stale_source_files(project_dir: Path = DBT_PROJECT_DIR) -> dict[Path, str]:
    """The generated files that are missing or differ from what the contracts give, path → the right text."""
    return {path: text for path, text in source_files(project_dir=project_dir).items()
            if not path.exists() or path.read_text(encoding="utf-8") != text}


def write_source_files(project_dir: Path = DBT_PROJECT_DIR) -> list[Path]:
    """Write the generated files whose text changed; the paths written."""
    stale = stale_source_files(project_dir)
    for path, text in stale.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(stale)
