"""The kernel: what every layer of Stichtag needs and that needs nothing of Stichtag's own (settings and
paths, reference data, the KPI catalogue, atomic writes, the build lock, the operations log, the Stichtag
window, crash points, German numbers). Nothing here imports sources, warehouse, publication, report, the
CLI or Dagster."""

ATTRIBUTION_GEMEINDEVERZEICHNIS = (
    "Quelle: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis GV100AD, Gebietsstand 30.11.2023"
)

__version__ = "0.1.0"
