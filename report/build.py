"""Build the report: one directory per Stichtag and Datenstand,

    lake/report/stichtag=D/datenstand=K/index.html      the report (HTML, CSS, JavaScript, map and data inlined)
    lake/report/stichtag=D/datenstand=K/daten/          the data behind every chart: kpi_values.parquet,
                                                         kpi_values.csv, kpi/<kpi_id>.csv
    lake/report/index.html                               every report built, newest first

The page needs no network: no tiles, no CDN, no web font. The same public data give the same bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import json
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb

from kernel.catalogue import Catalogue, Kpi
from kernel.files import atomic_write_text
from kernel.reference import gemeinden, region
from kernel.settings import REFERENCE_DIR, Settings
from report.data import COLUMNS, ReportData, load_report_data, public_rows, read_forecast, read_rows, read_sozialindex
from report.geometry import ATTRIBUTION, ATTRIBUTION_URL, LICENCE, LICENCE_URL, map_geometry
from report.seiten import EMPFEHLUNG_STATUS, Seite, Werte, render_pages
from warehouse.datenstand import KEY_FORMAT

ASSETS = Path(__file__).parent / "assets"


@dataclass(frozen=True)
class Report:
    path: Path  # index.html
    stichtag: dt.date
    datenstand: str
    kpis: int
    gemeinden: int
    series_points: int


def report_root(settings: Settings) -> Path:
    return settings.lake / "report"


def _datenstand_text(key: str) -> str:
    try:
        return dt.datetime.strptime(key, KEY_FORMAT).strftime("%d.%m.%Y, %H:%M Uhr UTC")
    except ValueError:
        return key


def _kpi_meta(catalogue: Catalogue) -> list[dict]:
    return [{"id": k.id, "name": k.name, "name_en": k.name_en, "feld": k.handlungsfeld,
             "definition": k.definition_de or k.definition, "einheit": k.unit_label, "unit": k.unit,
             "stellen": k.decimals, "hinweise": k.caveats_de or k.caveats,
             "vergleich": _comparison_text(k), "quellen": list(k.sources)} for k in catalogue.kpis]


def _comparison_text(k: Kpi) -> str:
    """Where the Land and Bund lines come from, in the reader's words (the catalogue's comparison block)."""
    if not k.compared:
        note = k.comparison_note_de
        return "Keine Vergleichswerte für Land und Bund" + (f": {note}" if note else ".")
    text = "Land und Bund: amtliche Statistik, " + (
        f"nach deren Definition – {k.comparison_definition_de}" if k.comparison_numerator
        else "nach derselben Formel.")
    return text + (f" {k.comparison_note_de}" if k.comparison_note_de else "")


def forecast_payload(rows: list[dict], order: list[str] | None = None) -> dict | None:
    """The public forecast for the page: per Merkmal, area and variant one value per projected 31.12.; the age
    groups in the order of the forecast's assumptions (its manifest), youngest first."""
    if not rows:
        return None
    days = sorted({r["stichtag"].isoformat() for r in rows})
    index = {d: i for i, d in enumerate(days)}
    variants = list(dict.fromkeys((r["variante"], r["variante_name"]) for r in rows))
    groups = list(dict.fromkeys((r["merkmal"], r["merkmal_name"]) for r in rows if r["art"] == "altersgruppe"))
    rank = {m: i for i, m in enumerate(order or [])}
    groups.sort(key=lambda g: rank.get(g[0], len(rank)))
    values: dict[str, dict[str, dict[str, list]]] = {}
    for r in rows:
        series = values.setdefault(r["merkmal"], {}).setdefault(r["gebiet_id"], {}).setdefault(
            r["variante"], [None] * len(days))
        series[index[r["stichtag"].isoformat()]] = (None if r["value"] is None else round(float(r["value"]), 6))
    return {"basis": rows[0]["basis_stichtag"].isoformat(), "datenstand": rows[0]["datenstand"],
            "datenstand_text": _datenstand_text(rows[0]["datenstand"]), "stichtage": days,
            "varianten": [{"id": v, "name": n} for v, n in variants],
            "altersgruppen": [{"id": m, "name": n} for m, n in groups], "werte": values}


def _page_payload(page: Seite) -> dict:
    return {"slug": page.slug, "titel": page.titel, "art": page.art, "feld": page.handlungsfeld, "html": page.html,
            "text": page.text, "empfehlungen": [{"titel": e.titel, "status": EMPFEHLUNG_STATUS[e.status],
                                                 "zustaendig": e.zustaendig, "frist": e.frist}
                                                for e in page.empfehlungen]}


def _forecast_order(data: ReportData) -> list[str]:
    manifest = data.prognose.with_name("manifest.json") if data.prognose else None
    if manifest is None or not manifest.exists():
        return []
    return json.loads(manifest.read_text(encoding="utf-8")).get("altersgruppen", [])


def sozialindex_payload(catalogue: Catalogue, classes: dict[str, list] | None) -> dict | None:
    """The public classes with what they are made of: inputs, weights, class bounds (catalogue `sozialindex:`)."""
    index = catalogue.sozialindex
    if not index or classes is None:
        return None
    return {"klassen": classes, "dynamik_jahre": index.get("dynamik_jahre", 3),
            "indikatoren": [{"kpi": i["kpi"], "gewicht": i["gewicht"]} for i in index["indikatoren"]],
            "status_grenzen": index.get("status_klassen", {}), "dynamik_grenzen": index.get("dynamik_klassen", {})}


def payload(data: ReportData, rows: list[dict], forecast: list[dict] | None = None,
            sozialindex: dict[str, list] | None = None) -> dict:
    """The report's data as one JSON object (inlined into the page)."""
    days = [d.isoformat() for d in data.stichtage]
    index = {d: i for i, d in enumerate(days)}
    values: dict[str, dict[str, list]] = {}
    areas: dict[str, dict] = {}
    for r in rows:
        areas.setdefault(r["gebiet_id"], {"name": r["gebiet_name"], "ebene": r["gebiet_ebene"]})
        series = values.setdefault(r["kpi_id"], {}).setdefault(r["gebiet_id"], [None] * len(days))
        value = None if r["value"] is None else round(float(r["value"]), 6)
        point = [value, "" if r["status"] == "ok" else r["status"]]
        if r["bezugsdatum"] is not None and r["bezugsdatum"].isoformat() != r["stichtag"].isoformat():
            point.append(r["bezugsdatum"].isoformat())
        series[index[r["stichtag"].isoformat()]] = point
    geometry = map_geometry()
    fields = list(dict.fromkeys(k.handlungsfeld for k in data.catalogue.kpis))
    kreis = next((a for a, m in areas.items() if m["ebene"] == "kreis"), "")
    # a page may name any Gemeinde or Amt of the region (a typo is an error), with or without a public value
    known = {g.ags: g.name for g in gemeinden()} | {g.amt_ars: f"Amt {g.amt_name}" for g in gemeinden() if g.amt_ars}
    werte = Werte(tuple(days), _datenstand_text(data.datenstand), kreis,
                  frozenset(g.ags for g in gemeinden()), known | {a: m["name"] for a, m in areas.items()}, values)
    pages = render_pages(werte, data.catalogue, data.seiten) if data.seiten else []
    amt_of = {g.ags: g.amt_ars for g in gemeinden() if g.amt_ars}
    return {
        "titel": f"Sozialbericht {region().name}",
        "stichtag": data.stichtag.isoformat(), "datenstand": data.datenstand,
        "datenstand_text": _datenstand_text(data.datenstand), "build": data.build,
        "stichtage": days, "handlungsfelder": fields, "kpis": _kpi_meta(data.catalogue),
        "gebiete": areas,
        "karte": {"breite": geometry.width, "hoehe": geometry.height, "inset": geometry.inset_box,
                  # each Gemeinde's Amt (its ARS; none for an amtsfreie Gemeinde): the map's Amt level
                  "formen": [{"ags": s.ags, "name": s.name, "d": s.path, "inset": s.inset, "amt": amt_of.get(s.ags)}
                             for s in geometry.shapes],
                  "quelle": ATTRIBUTION, "quelle_url": ATTRIBUTION_URL, "lizenz": LICENCE,
                  "lizenz_url": LICENCE_URL},
        "werte": values,
        "prognose": forecast_payload(forecast or [], _forecast_order(data)),
        "seiten": [_page_payload(p) for p in pages],
        "sozialindex": sozialindex_payload(data.catalogue, sozialindex),
    }


def _inline_json(obj: object) -> str:
    # inside <script>: "</" would end the element
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")


def render(data: ReportData, rows: list[dict], forecast: list[dict] | None = None,
           sozialindex: dict[str, list] | None = None) -> str:
    template = (ASSETS / "template.html").read_text(encoding="utf-8")
    body = payload(data, rows, forecast, sozialindex)
    return (template.replace("{{titel}}", html.escape(body["titel"]))
            .replace("{{stichtag}}", data.stichtag.strftime("%d.%m.%Y"))
            .replace("/*{{css}}*/", (ASSETS / "report.css").read_text(encoding="utf-8"))
            .replace("/*{{daten}}*/", f"const BERICHT = {_inline_json(body)};")
            .replace("/*{{js}}*/", (ASSETS / "report.js").read_text(encoding="utf-8")))


def _write_csv(path: Path, rows: list[dict]) -> None:
    """As German spreadsheets open it: `;`, decimal comma, UTF-8 with BOM."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        out = csv.writer(f, delimiter=";", lineterminator="\r\n")
        out.writerow(COLUMNS)
        for r in rows:
            out.writerow(["" if r[c] is None else
                          (f"{r[c]:.6f}".rstrip("0").rstrip(".").replace(".", ",") if c == "value" else r[c])
                          for c in COLUMNS])


def _write_data(con: duckdb.DuckDBPyConnection, directory: Path, data: ReportData, rows: list[dict]) -> None:
    con.execute("set preserve_insertion_order = true")
    con.execute(f"""copy ({public_rows(data.files)}) to '{directory / "kpi_values.parquet"}'
        (format parquet, compression zstd)""")
    _write_csv(directory / "kpi_values.csv", rows)
    by_kpi: dict[str, list[dict]] = {}
    for r in rows:
        by_kpi.setdefault(r["kpi_id"], []).append(r)
    for kpi_id, kpi_rows in by_kpi.items():
        _write_csv(directory / "kpi" / f"{kpi_id}.csv", kpi_rows)


def _write_index(settings: Settings) -> None:
    root = report_root(settings)
    entries = sorted(root.glob("stichtag=*/datenstand=*/index.html"), reverse=True)
    items = "\n".join(
        f'<li><a href="{p.relative_to(root).as_posix()}">Stichtag '
        f'{dt.date.fromisoformat(p.parent.parent.name.split("=", 1)[1]).strftime("%d.%m.%Y")}, Datenstand '
        f'{html.escape(_datenstand_text(p.parent.name.split("=", 1)[1]))}</a></li>' for p in entries)
    atomic_write_text(root / "index.html", f"""<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Sozialberichte {html.escape(region().name)}</title></head>
<body><h1>Sozialberichte {html.escape(region().name)}</h1><ul>
{items}
</ul></body></html>
""")


def _inputs_sha256(data: ReportData) -> str:
    """Everything a report is made of: the public files it reads, the planners' pages, the catalogue, the code
    that builds and formats it, its template and map data. The same inputs give the same bytes: no rebuild."""
    h = hashlib.sha256()
    h.update(json.dumps([data.stichtag.isoformat(), data.datenstand, data.build, data.catalogue.sha256,
                         [d.isoformat() for d in data.stichtage]]).encode())
    pages = sorted(data.seiten.glob("*.md")) if data.seiten and data.seiten.is_dir() else []
    # the report's own files and the code it formats and reads with (a new release rebuilds every report)
    root = Path(__file__).resolve().parent.parent
    code = sorted(p for folder in ("report", "kernel", "prognose", "publication") for p in (root / folder).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts)
    for path in [*data.files, *(p for p in (data.prognose, data.sozialindex) if p), *pages, *code,
                 *sorted(REFERENCE_DIR.glob("*"))]:
        h.update(str(path.name).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def build_report(settings: Settings, stichtag: dt.date | None = None) -> Report:
    data = load_report_data(settings, stichtag)
    target = report_root(settings) / f"stichtag={data.stichtag.isoformat()}" / f"datenstand={data.datenstand}"
    inputs = _inputs_sha256(data)
    record = target / "eingaben.json"
    if record.exists():  # built from exactly these inputs: the same bytes are there
        done = json.loads(record.read_text(encoding="utf-8"))
        if done.get("sha256") == inputs:
            return Report(target / "index.html", data.stichtag, data.datenstand, done["kpis"], done["gemeinden"],
                          len(data.stichtage))
    con = duckdb.connect()
    rows = read_rows(con, data.files)
    forecast = read_forecast(con, data.prognose) if data.prognose else []
    sozialindex = read_sozialindex(con, data.sozialindex) if data.sozialindex else None
    kpis = len({r["kpi_id"] for r in rows})
    gemeinden_ = len({r["gebiet_id"] for r in rows if r["gebiet_ebene"] == "gemeinde"})
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    (tmp / "daten").mkdir(parents=True)
    try:
        (tmp / "index.html").write_text(render(data, rows, forecast, sozialindex), encoding="utf-8")
        _write_data(con, tmp / "daten", data, rows)
        if data.prognose:  # the forecast's public file beside the page, as published
            shutil.copyfile(data.prognose, tmp / "daten" / "prognose.parquet")
        (tmp / "eingaben.json").write_text(json.dumps({"sha256": inputs, "kpis": kpis, "gemeinden": gemeinden_}),
                                           encoding="utf-8")
        if target.exists():  # other inputs (or a report without a record): rebuilt, replaced whole
            shutil.rmtree(target)
        tmp.rename(target)
    finally:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
    _write_index(settings)
    return Report(target / "index.html", data.stichtag, data.datenstand, kpis, gemeinden_, len(data.stichtage))
