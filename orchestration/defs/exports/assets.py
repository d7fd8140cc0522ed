"""Publication: versioned marts, the KPI export for downstream apps, the analysts' read-only database."""

import dagster as dg

from kernel.lock import build_lock
from kernel.settings import Settings
from orchestration.defs.window import StichtagFenster
from orchestration.lib.resources import LakeResource
from publication.publish import Published, publish_kpi_values
from publication.quality import overview_path, read_summary
from publication.schema import EXPORT_COLUMNS

EXPORT_KEY = dg.AssetKey(["exports", "kpi_values"])
QUALITY_CHECK = dg.AssetCheckSpec(
    "qualitaetspruefungen", asset=EXPORT_KEY, blocking=True,
    description="The suites of expectations/ (in SQL) and the publication checks on every Stichtag "
                "of the run. Blocking: a failure keeps latest pointer, export, public zone and report where they were.")


# every mart the publication reads: a selection of the exports and what they need (the launchpad's
# "upstream") must build them all
MARTS_READ = [dg.AssetKey(["marts", m]) for m in ("fct_kpi_werte", "fct_sozialindex", "fct_offene_enden")]


@dg.asset(key=EXPORT_KEY, deps=MARTS_READ,
          group_name="exports", kinds={"parquet"}, check_specs=[QUALITY_CHECK],
          metadata={"schema": ", ".join(EXPORT_COLUMNS), "docs": "README.md#export-kpi_values"})
def kpi_values_export(context: dg.AssetExecutionContext, lake: LakeResource,
                      fenster: StichtagFenster) -> dg.MaterializeResult:
    """KPI values per Stichtag: an immutable version (lake/marts/kpi_values/stichtag=D/datenstand=K/build=F/)
    with a manifest, and, once its checks pass, the export lake/exports/kpi_values/stichtag=D/ (long format)."""
    window = fenster.window()
    settings = lake.settings()
    with build_lock(settings):
        published = publish_kpi_values(settings, window.first, window.end, context.run.run_id,
                                       raise_on_failure=False)
    if not published:
        raise dg.Failure(f"keine KPI-Werte für die Stichtage {window} im Build")
    created = [p for p in published if p.created]
    return dg.MaterializeResult(metadata={
        "stichtage": [p.stichtag.isoformat() for p in published], "new_versions": len(created),
        "unchanged_versions": len(published) - len(created), "rows": sum(p.rows for p in published),
        # the version store is the record of what exists: each Stichtag's version, by path
        "versions": dg.MetadataValue.json({p.stichtag.isoformat(): str(p.path) for p in published}),
        "latest_version": dg.MetadataValue.path(str(published[-1].path))},
        check_results=[quality_result(settings, published)])


def quality_result(settings: Settings, published: list[Published]) -> dg.AssetCheckResult:
    failed = [p for p in published if not p.checks_passed]
    counts = read_summary(settings)
    warnings = counts.warnings if counts else ()
    return dg.AssetCheckResult(
        check_name=QUALITY_CHECK.name, passed=not failed, severity=dg.AssetCheckSeverity.ERROR,
        description=("; ".join(f"{p.stichtag}: {', '.join(p.failed_checks)}" for p in failed[:3])
                     or "alle blockierenden Prüfungen bestanden"),
        metadata={"stichtage_blockiert": [p.stichtag.isoformat() for p in failed],
                  "warnungen": len(warnings), "warnungen_beispiele": "; ".join(warnings[:5]) or "keine",
                  "uebersicht": dg.MetadataValue.path(str(overview_path(settings)))})
