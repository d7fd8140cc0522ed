"""Publication: the KPI export for downstream apps and the analysts' read-only database."""


import dagster as dg

from orchestration.defs.partitions import STICHTAG_PARTITIONS
from orchestration.lib.resources import LakeResource
from stichtag.publish import EXPORT_COLUMNS, publish_kpi_values


@dg.asset(key=["exports", "kpi_values"], deps=[dg.AssetKey(["marts", "fct_kpi_werte"])],
          partitions_def=STICHTAG_PARTITIONS, backfill_policy=dg.BackfillPolicy.single_run(),
          group_name="exports", kinds={"parquet"},
          metadata={"schema": ", ".join(EXPORT_COLUMNS), "docs": "README.md#export-kpi_values"})
def kpi_values_export(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """KPI values per Stichtag as Parquet (lake/exports/kpi_values/stichtag=YYYY-MM-DD/), long format."""
    window = context.partition_time_window
    published = publish_kpi_values(lake.settings(), window.start.date(), window.end.date())
    if not published:
        raise dg.Failure(f"no KPI values for [{window.start.date()}, {window.end.date()}) in the build")
    return dg.MaterializeResult(metadata={
        "stichtage": len(published), "rows": sum(p.rows for p in published),
        "latest_path": dg.MetadataValue.path(str(published[-1].path))})
