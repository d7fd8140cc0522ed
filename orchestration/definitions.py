"""The one Definitions object of Stichtag (`dagster dev -m orchestration.definitions`)."""

import dagster as dg

from kernel.catalogue import DBT_TABLES as CATALOGUE_TABLES
from kernel.settings import keep_files_private
from orchestration.defs.docs import kpi_katalog_docs, public_kpi_values
from orchestration.defs.exports.assets import kpi_values_export
from orchestration.defs.ingest.assets import REFERENCE_DATA, ingest_assets
from orchestration.defs.jobs import inbox_sensor, stichtag_job, tagesaktuell
from orchestration.defs.prognose import bevoelkerungsprognose
from orchestration.defs.report import sozialbericht
from orchestration.defs.warehouse.assets import stichtag_dbt_models
from orchestration.defs.warehouse.resources import dbt_resource
from orchestration.defs.window import StichtagFenster
from orchestration.lib.resources import LakeResource
from sources.official import MAPPING_TABLES

keep_files_private()  # the code server and every run it launches write lake and logs for the owner only

KATALOG = [
    *(dg.AssetSpec(dg.AssetKey(["katalog", table]), group_name="referenz", kinds={"yaml"},
                   description=f"The KPI catalogue, catalogue/kpis.yml ({table}), validated before every build.")
      for table in CATALOGUE_TABLES),
    *(dg.AssetSpec(dg.AssetKey(["katalog", table]), group_name="referenz", kinds={"yaml"},
                   description=f"From the official statistics' contracts, sources/contracts/amtlich/ ({table}).")
      for table in MAPPING_TABLES),
]

defs = dg.Definitions(
    assets=[*ingest_assets(), *REFERENCE_DATA, *KATALOG, stichtag_dbt_models, kpi_values_export,
            kpi_katalog_docs, public_kpi_values, bevoelkerungsprognose, sozialbericht],
    jobs=[stichtag_job],
    schedules=[tagesaktuell],
    sensors=[inbox_sensor],
    resources={"dbt": dbt_resource(), "lake": LakeResource(), "fenster": StichtagFenster()},
)
