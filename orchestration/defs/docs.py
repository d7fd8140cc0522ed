"""What leaves the build for readers outside the planning unit: the KPI documentation with the latest
values (lake/docs/kpis/) and the public zone (lake/public/)."""

import dagster as dg

from kernel.lock import build_lock
from orchestration.lib.resources import LakeResource
from publication.docs import latest_values, write_docs
from publication.public_zone import publish_all_public
from publication.publish import refresh_analytics_db


@dg.asset(key=["docs", "kpi_katalog"], deps=[dg.AssetKey(["exports", "kpi_values"])], group_name="exports",
          kinds={"markdown"})
def kpi_katalog_docs(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """One page per KPI (definition, formula, sources, lineage, caveats, latest Kreis/Land/Bund values) and an
    index by Handlungsfeld, generated from catalogue/kpis.yml and the analysts' database."""
    settings = lake.settings()
    pages = write_docs(settings.lake / "docs" / "kpis", latest_values(settings.analytics_db))
    return dg.MaterializeResult(metadata={"pages": len(pages),
                                          "index": dg.MetadataValue.path(str(pages[0]))})


PUBLIC_KEY = dg.AssetKey(["public", "kpi_values"])
AUDIT_CHECK = dg.AssetCheckSpec(
    "angriffspruefung", asset=PUBLIC_KEY,
    description="The attack audit of every Stichtag published in this run. Not blocking: a Stichtag that fails "
                "keeps its previous public version, and the report is built from what is public.")


@dg.asset(key=PUBLIC_KEY, deps=[dg.AssetKey(["exports", "kpi_values"])], group_name="exports",
          kinds={"parquet"}, check_specs=[AUDIT_CHECK])
def public_kpi_values(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """The public zone: each Stichtag's export with primary and secondary cell suppression, published only
    when the attack audit (linear programming over everything published) passes."""

    settings = lake.settings()
    failed: list[str] = []
    with build_lock(settings):
        results = publish_all_public(settings, failed)
        refresh_analytics_db(settings)  # with the public zone's view
    for reason in failed:  # those Stichtage keep their previous public version
        context.log.warning(f"nicht öffentlich: {reason}")
    return dg.MaterializeResult(
        metadata={"stichtage": [r.stichtag.isoformat() for r in results],
                  "suppressed_cells": sum(r.suppressed for r in results)},
        check_results=[dg.AssetCheckResult(
            check_name=AUDIT_CHECK.name, passed=not failed, severity=dg.AssetCheckSeverity.ERROR,
            description="; ".join(failed) or "jede neue öffentliche Version hat die Angriffsprüfung bestanden",
            metadata={"nicht_oeffentlich": dg.MetadataValue.json(failed)})])
