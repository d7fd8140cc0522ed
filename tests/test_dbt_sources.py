"""The dbt sources of the raw zone are generated from the source contracts and name the raw assets."""

from __future__ import annotations

import dataclasses

import yaml

from sources.contract import Column, load_contracts
from sources.ingest import raw_schema
from warehouse.dbt_sources import source_files, stale_source_files


def test_the_committed_dbt_sources_are_the_ones_the_contracts_generate() -> None:
    stale = sorted(str(p) for p in stale_source_files())
    assert not stale, f"regenerate with `stichtag dbt-sources`: {stale}"


def test_every_raw_column_is_typed_described_and_carries_its_sensitivity() -> None:
    contracts = {(c.source, c.table): c for c in load_contracts()}
    seen = set()
    for path, text in source_files().items():
        if path.suffix != ".yml":
            continue
        for source in yaml.safe_load(text)["sources"]:
            for table in source["tables"]:
                contract = contracts[(source["name"], table["name"])]
                seen.add((source["name"], table["name"]))
                assert table["meta"]["dagster"]["asset_key"] == ["raw", contract.source, contract.table]
                assert [c["name"] for c in table["columns"]] == [name for name, _ in raw_schema(contract)]
                for column in table["columns"]:
                    assert column["data_type"] and column["description"].endswith(".")
                    assert column["meta"]["sensitivity"] in ("direct_identifier", "quasi_identifier", "not_sensitive")
    assert seen == set(contracts), "every contract is a dbt source table"


def test_a_column_added_to_a_contract_appears_in_its_dbt_source() -> None:
    contract = next(c for c in load_contracts() if (c.source, c.table) == ("jobcenter", "bestand"))
    extra = Column(name="Sprache", type="string", sensitivity="quasi_identifier", rule="keep", target=("sprache",),
                   note="the language of the notice")
    changed = dataclasses.replace(contract, columns=(*contract.columns, extra))
    (text,) = [t for p, t in source_files((changed,)).items() if p.suffix == ".yml"]
    columns = yaml.safe_load(text)["sources"][0]["tables"][0]["columns"]
    sprache = next(c for c in columns if c["name"] == "sprache")
    assert sprache["description"] == "Delivered as «Sprache». The language of the notice."
    assert sprache["meta"] == {"sensitivity": "quasi_identifier", "rule": "keep"}


def test_the_official_tables_macro_lists_every_official_contract_by_format() -> None:
    (macro,) = [t for p, t in source_files().items() if p.name == "amtlich_tabellen.sql"]
    for c in load_contracts():
        if c.source == "amtlich":
            assert f'"{c.table}"' in macro
