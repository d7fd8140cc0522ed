"""The population forecast (prognose/): from the base Stichtag of the window (its 31.12., or the one before),
with the Datenstand of the build, every variant of prognose/annahmen.yml."""

import dagster as dg

from kernel.lock import build_lock
from orchestration.defs.window import StichtagFenster
from orchestration.lib.resources import LakeResource
from prognose.eingaben import PrognoseError
from prognose.rechnen import BILANZ_TOLERANZ, BilanzVerletzt, basis_for, run_prognose
from publication.publish import refresh_analytics_db

PROGNOSE_KEY = dg.AssetKey(["prognose", "bevoelkerung"])
BILANZ_CHECK = dg.AssetCheckSpec(
    "bilanzgleichung", asset=PROGNOSE_KEY,
    description="Population next year = this year + births − deaths ± migration, per Gemeinde, sex and age, in "
                "every variant; a forecast that breaks it is not written.")
# what the forecast reads; the asset depends on the mart every build writes, because a build that keeps these
# window-independent models (warehouse/reuse.py) emits no output for them, and Dagster skips what hangs on them
READS = ("intermediate.int_wohnzeitraeume", "intermediate.int_ereignisse_bereinigt", "intermediate.int_wanderungen",
         "marts.dim_gebiete")


@dg.asset(key=PROGNOSE_KEY, deps=[dg.AssetKey(["marts", "fct_kpi_werte"])], group_name="exports",
          kinds={"parquet", "numpy"}, check_specs=[BILANZ_CHECK], metadata={"liest": ", ".join(READS)})
def bevoelkerungsprognose(context: dg.AssetExecutionContext, lake: LakeResource,
                          fenster: StichtagFenster) -> dg.MaterializeResult:
    """Vorausberechnung to annahmen.yml's bis_jahr by Gemeinde, Amt and Kreis: age groups and the catalogue's
    demographic KPIs per variant (lake/marts|exports|public/prognose/basis=B/), never mixed into the KPI series."""
    settings = lake.settings()
    basis = basis_for(fenster.window().last)
    try:
        with build_lock(settings):
            result = run_prognose(settings, basis)
            if result.created:
                refresh_analytics_db(settings)  # the analysts' view `prognose`
    except BilanzVerletzt as e:
        return dg.MaterializeResult(
            metadata={"basis_stichtag": basis.isoformat(), "prognose": "nicht geschrieben"},
            check_results=[dg.AssetCheckResult(check_name=BILANZ_CHECK.name, passed=False,
                                               severity=dg.AssetCheckSeverity.ERROR, description=str(e),
                                               metadata={"max_abweichung": e.worst})])
    except PrognoseError as e:  # e.g. a window before the registry's first whole year: nothing to project from
        context.log.warning(f"Vorausberechnung ab {basis}: {e}")
        return dg.MaterializeResult(metadata={"basis_stichtag": basis.isoformat(), "prognose": f"keine: {e}"},
                                    check_results=[dg.AssetCheckResult(check_name=BILANZ_CHECK.name, passed=True,
                                                                       description="nichts berechnet")])
    context.log.info(f"Vorausberechnung ab {basis} (Datenstand {result.datenstand}): {result.path}"
                     f"{'' if result.created else ' (unverändert)'} in {result.seconds:.1f} s")
    return dg.MaterializeResult(
        metadata={"basis_stichtag": basis.isoformat(), "datenstand": result.datenstand,
                  "varianten": list(result.varianten), "neu": result.created, "sekunden": round(result.seconds, 2),
                  "path": dg.MetadataValue.path(str(result.path)),
                  "kennzahlen": dg.MetadataValue.json(result.kennzahlen)},
        check_results=[dg.AssetCheckResult(
            check_name=BILANZ_CHECK.name, passed=result.bilanz_abweichung <= BILANZ_TOLERANZ,
            description="Bilanz je Gemeinde, Geschlecht und Alter ausgeglichen",
            metadata={"max_abweichung": result.bilanz_abweichung})])
