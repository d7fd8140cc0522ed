"""Publication: versioned marts, the KPI export for downstream apps, the analysts' read-only database."""

import dagster as dg

from orchestration.defs.partitions import STICHTAG_PARTITIONS
from orchestration.lib.resources import LakeResource
from stichtag.lock import build_lock
from stichtag.publish import EXPORT_COLUMNS, publish_kpi_values


@dg.asset(key=["exports", "kpi_values"], deps=[dg.AssetKey(["marts", "fct_kpi_werte"])],
          partitions_def=STICHTAG_PARTITIONS, backfill_policy=dg.BackfillPolicy.single_run(),
          group_name="exports", kinds={"parquet"},
          metadata={"schema": ", ".join(EXPORT_COLUMNS), "docs": "README.md#export-kpi_values"})
def kpi_values_export(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """KPI values per Stichtag: an immutable version (lake/marts/kpi_values/stichtag=D/datenstand=K/build=F/)
    with a manifest, and, once its checks pass, the export lake/exports/kpi_values/stichtag=D/ (long format)."""
    window = context.partition_time_window
    settings = lake.settings()
    with build_lock(settings):
        published = publish_kpi_values(settings, window.start.date(), window.end.date(), context.run.run_id)
    if not published:
        raise dg.Failure(f"no KPI values for [{window.start.date()}, {window.end.date()}) in the build")
    created = [p for p in published if p.created]
    return dg.MaterializeResult(metadata={
        "stichtage": len(published), "new_versions": len(created),
        "unchanged_versions": len(published) - len(created), "rows": sum(p.rows for p in published),
        "latest_version": dg.MetadataValue.path(str(published[-1].path))})
