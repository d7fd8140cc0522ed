"""What leaves the build for readers outside the planning unit: the KPI documentation with the latest
values (lake/docs/kpis/) and the public zone (lake/public/)."""

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


@dg.asset(key=["public", "kpi_values"], deps=[dg.AssetKey(["exports", "kpi_values"])], group_name="exports",
          kinds={"parquet"})
def public_kpi_values(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """The public zone: each Stichtag's export with primary and secondary cell suppression, published only
    when the attack audit (linear programming over everything published) passes."""
    from stichtag.public_zone import publish_all_public

    results = publish_all_public(lake.settings())
    return dg.MaterializeResult(metadata={"stichtage": len(results),
                                          "suppressed_cells": sum(r.suppressed for r in results)})
