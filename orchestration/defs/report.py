"""The digital social report (report/): rebuilt whenever the public zone moves."""

import dagster as dg

from orchestration.lib.resources import LakeResource
from report.build import build_report
from report.data import public_stichtage


@dg.asset(key=["report", "sozialbericht"],
          deps=[dg.AssetKey(["public", "kpi_values"]), dg.AssetKey(["prognose", "bevoelkerung"])],
          group_name="exports",
          kinds={"html"})
def sozialbericht(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
    """The offline HTML report of the newest public Stichtag: map, series with Kreis/Land/Bund, ranking and
    Gemeinde profiles, built from the public zone only, with the CSV/Parquet behind every chart."""

    if not public_stichtage(lake.settings()):  # a window of daily Stichtage: nothing leaves the house
        context.log.info("Sozialbericht: kein Monatsende veröffentlicht, kein neuer Bericht")
        return dg.MaterializeResult(metadata={"bericht": "keiner (kein Monatsende in der öffentlichen Zone)"})
    report = build_report(lake.settings())
    context.log.info(f"Sozialbericht: {report.path}")
    return dg.MaterializeResult(metadata={"path": dg.MetadataValue.path(str(report.path)),
                                          "stichtag": report.stichtag.isoformat(), "datenstand": report.datenstand,
                                          "kpis": report.kpis, "gemeinden": report.gemeinden,
                                          "series_points": report.series_points})
