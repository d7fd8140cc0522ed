"""The generated KPI catalogue documentation, with the latest published values (lake/docs/kpis/)."""

import dagster as dg

from orchestration.lib.resources import LakeResource
from stichtag.catalogue_docs import latest_values, write_docs


@dg.asset(key=["docs", "kpi_katalog"], deps=[dg.AssetKey(["exports", "kpi_values"])], group_name="exports",
          kinds={"markdown"})
def kpi_katalog_docs(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """One page per KPI (definition, formula, sources, lineage, caveats, latest Kreis/Land/Bund values) and an
    index by Handlungsfeld, generated from catalogue/kpis.yml and the analysts' database."""
    settings = lake.settings()
    pages = write_docs(settings.lake / "docs" / "kpis", latest_values(settings.analytics_db))
    return dg.MaterializeResult(metadata={"pages": len(pages),
                                          "index": dg.MetadataValue.path(str(pages[0]))})
