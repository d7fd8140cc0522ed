"""Raw-zone assets: one multi-asset per source system, its tables taken from the source contracts.

Ingest is driven by deliveries, not by Stichtage, so these assets are not partitioned: each run
lands whatever complete delivery in the inbox is not in the lake yet (idempotent by content hash).
"""


from collections import defaultdict

import dagster as dg

from orchestration.lib.resources import LakeResource
from sources.contract import Contract, load_contracts
from sources.ingest import ingest_inbox
from sources.pseudonym import load_key


def _asset_key(c: Contract) -> dg.AssetKey:
    return dg.AssetKey(["raw", c.source, c.table])


def _contract_file(c: Contract) -> str:
    return f"sources/contracts/{c.source}/{c.table}.yml"


def build_ingest_asset(source: str, contracts: list[Contract]) -> dg.AssetsDefinition:
    specs = [dg.AssetSpec(_asset_key(c), description=f"{c.title}. Anonymised on ingest per {_contract_file(c)}.",
                          group_name="raw", kinds={"parquet", "duckdb"}, metadata={"contract": _contract_file(c)})
             for c in contracts]

    @dg.multi_asset(name=f"ingest_{source}", specs=specs, can_subset=False)
    def _ingest(context: dg.AssetExecutionContext, lake: LakeResource):
        settings = lake.settings()
        results = ingest_inbox(settings, load_key(settings), progress=False, source=source)
        by_table = defaultdict(list)
        for r in results:
            by_table[r.table].append(r)
            context.log.info(r.summary())
        for c in contracts:
            rs = by_table.get(c.table, [])
            new = [r for r in rs if r.status != "already_ingested"]
            yield dg.MaterializeResult(asset_key=_asset_key(c), metadata={
                "new_deliveries": len(new),
                "rows_delivered": sum(r.rows_delivered for r in new),
                "rows_landed": sum(r.rows_landed for r in new),
                "rows_quarantined": sum(r.rows_quarantined for r in new),
                "path": dg.MetadataValue.path(str(settings.raw / c.source / c.table)),
            })

    return _ingest


def ingest_assets() -> list[dg.AssetsDefinition]:
    by_source: dict[str, list[Contract]] = defaultdict(list)
    for c in load_contracts():
        by_source[c.source].append(c)
    return [build_ingest_asset(s, cs) for s, cs in sorted(by_source.items())]


REFERENCE_GEMEINDEN = dg.AssetSpec(
    dg.AssetKey(["referenz", "gemeinden"]), group_name="referenz", kinds={"csv"},
    description="The Gemeinden of the Kreis with Amt (GV100AD, vendored in reference/, dl-de/by-2-0).")
