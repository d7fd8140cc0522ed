"""Raw-zone assets: one multi-asset per source system, its tables taken from the source contracts.

Ingest is driven by deliveries, not by Stichtage, so these assets are not partitioned: each run
lands whatever complete delivery in the inbox is not in the lake yet (idempotent by content hash).
"""


import sys
from collections import defaultdict

import dagster as dg

from kernel.settings import Settings
from orchestration.lib.resources import LakeResource
from sources.contract import Contract, load_contracts
from sources.ingest import ingest_inbox
from sources.pseudonym import load_key


def _asset_key(c: Contract) -> dg.AssetKey:
    return dg.AssetKey(["raw", c.source, c.table])


INGEST_RETRY = dg.RetryPolicy(max_retries=3, delay=10, backoff=dg.Backoff.EXPONENTIAL, jitter=dg.Jitter.PLUS_MINUS)


def _contract_file(c: Contract) -> str:
    return f"sources/contracts/{c.source}/{c.table}.yml"


def build_ingest_asset(source: str, contracts: list[Contract]) -> dg.AssetsDefinition:
    specs = [dg.AssetSpec(_asset_key(c), description=f"{c.title}. Anonymised on ingest per {_contract_file(c)}.",
                          group_name="raw", kinds={"parquet", "duckdb"}, metadata={"contract": _contract_file(c)})
             for c in contracts]

    # transient failures (a source database restarting, a network share away) are retried with
    # exponential backoff; bad content is never retried: it is quarantined with its reason
    @dg.multi_asset(name=f"ingest_{source}", specs=specs, can_subset=False, retry_policy=INGEST_RETRY)
    def _ingest(context: dg.AssetExecutionContext, lake: LakeResource):
        for key, metadata in ingest_and_report(context.log, lake.settings(), source, context.run.run_id):
            yield dg.MaterializeResult(asset_key=key, metadata=metadata)

    return _ingest


def ingest_and_report(log, settings: Settings, source: str | None = None,
                      run_id: str | None = None) -> list[tuple[dg.AssetKey, dict]]:
    """Ingest new deliveries; per raw table its asset key and what landed (for Dagster metadata)."""
    # a progress bar where a person watches (the CLI, make run), none in the daemon's logs
    results = ingest_inbox(settings, load_key(settings), progress=sys.stderr.isatty(), source=source, run_id=run_id)
    by_table = defaultdict(list)
    for r in results:
        by_table[(r.source, r.table)].append(r)
        if r.status != "already_ingested":
            log.info(r.summary())
    out = []
    for c in load_contracts():
        if source is not None and c.source != source:
            continue
        new = [r for r in by_table.get((c.source, c.table), []) if r.status != "already_ingested"]
        out.append((_asset_key(c), {
            "new_deliveries": len(new),
            "rows_delivered": sum(r.rows_delivered for r in new),
            "rows_landed": sum(r.rows_landed for r in new),
            "rows_quarantined": sum(r.rows_quarantined for r in new),
            "path": dg.MetadataValue.path(str(settings.raw / c.source / c.table)),
        }))
    return out


def ingest_assets() -> list[dg.AssetsDefinition]:
    by_source: dict[str, list[Contract]] = defaultdict(list)
    for c in load_contracts():
        by_source[c.source].append(c)
    return [build_ingest_asset(s, cs) for s, cs in sorted(by_source.items())]


# reference data vendored in reference/ (licence and attribution: reference/SOURCES.md), the dbt source `referenz`
REFERENCE_DATA = [
    dg.AssetSpec(dg.AssetKey(["referenz", "gemeinden"]), group_name="referenz", kinds={"csv"},
                 description="The Gemeinden of the Kreis with Amt (GV100AD, vendored in reference/, dl-de/by-2-0)."),
    dg.AssetSpec(dg.AssetKey(["referenz", "ags_historie"]), group_name="referenz", kinds={"csv"},
                 description="Territorial changes, old AGS → current AGS with the date (reference/ags_historie.csv)."),
]
