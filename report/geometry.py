"""The Gemeinde boundaries (reference/gemeinden_pinneberg.geojson, BKG VG5000) as SVG paths.

An equirectangular projection scaled by cos(latitude) is exact enough for a district of 50 km; no
projection library is needed. Helgoland, 60 km offshore, is drawn in an inset in the map's upper left
corner, as official maps of the Kreis do.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kernel.settings import REFERENCE_DIR

BOUNDARIES = REFERENCE_DIR / "gemeinden_pinneberg.geojson"
ATTRIBUTION = "© GeoBasis-DE / BKG 2021 (Daten verändert)"
ATTRIBUTION_URL = "https://www.bkg.bund.de"
LICENCE = "Datenlizenz Deutschland – Namensnennung – Version 2.0"
LICENCE_URL = "https://www.govdata.de/dl-de/by-2-0"
INSETS = frozenset({"01056025"})  # Helgoland
WIDTH = 600.0
INSET_BOX = (8.0, 8.0, 110.0, 90.0)  # x, y, width, height in map units


@dataclass(frozen=True)
class Shape:
    ags: str
    name: str
    path: str  # SVG path data
    inset: bool


@dataclass(frozen=True)
class MapGeometry:
    width: float
    height: float
    shapes: tuple[Shape, ...]
    inset_box: tuple[float, float, float, float]


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return geometry["coordinates"]
    if geometry["type"] == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    raise ValueError(f"Geometrietyp {geometry['type']} wird nicht unterstützt")


def _bounds(rings: list[list[list[float]]]) -> tuple[float, float, float, float]:
    xs = [p[0] for r in rings for p in r]
    ys = [p[1] for r in rings for p in r]
    return min(xs), min(ys), max(xs), max(ys)


def _path(rings: list[list[list[float]]], project) -> str:
    parts = []
    for ring in rings:
        points = [project(lon, lat) for lon, lat in ring]
        parts.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(parts)


@cache
def map_geometry(path: Path = BOUNDARIES) -> MapGeometry:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    main = [r for f in features if f["properties"]["ags"] not in INSETS for r in _rings(f["geometry"])]
    x0, y0, x1, y1 = _bounds(main)
    kx = math.cos(math.radians((y0 + y1) / 2))  # a degree of longitude is shorter than one of latitude
    scale = WIDTH / ((x1 - x0) * kx)
    height = (y1 - y0) * scale

    def project_main(lon: float, lat: float) -> tuple[float, float]:
        return (lon - x0) * kx * scale, (y1 - lat) * scale

    shapes = []
    for f in features:
        ags, name = f["properties"]["ags"], f["properties"]["name"]
        rings = _rings(f["geometry"])
        if ags in INSETS:
            bx, by, bw, bh = INSET_BOX
            ix0, iy0, ix1, iy1 = _bounds(rings)
            k = 0.8 * min(bw / ((ix1 - ix0) * kx), bh / (iy1 - iy0))
            ox = bx + (bw - (ix1 - ix0) * kx * k) / 2
            oy = by + (bh - (iy1 - iy0) * k) / 2

            def project(lon: float, lat: float, ix0=ix0, iy1=iy1, k=k, ox=ox, oy=oy) -> tuple[float, float]:
                return ox + (lon - ix0) * kx * k, oy + (iy1 - lat) * k
        else:
            project = project_main
        shapes.append(Shape(ags, name, _path(rings, project), ags in INSETS))
    return MapGeometry(WIDTH, round(height, 1), tuple(sorted(shapes, key=lambda s: s.ags)), INSET_BOX)
