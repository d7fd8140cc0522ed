"""Stichtag: data platform for municipal social planning."""

ATTRIBUTION_GEMEINDEVERZEICHNIS = (
    "Quelle: Statistisches Bundesamt (Destatis), Gemeindeverzeichnis GV100AD, Gebietsstand 30.11.2023"
)

__version__ = "0.1.0"
