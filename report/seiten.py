"""The planners' own pages (berichte/*.md): background, organisation, the annual report's chapters, one page per
Handlungsfeld and the Handlungsempfehlungen, written in Markdown without code, with placeholders for live
values that are filled from the same public version the report shows.

    {{wert:KPI}}                 the Kreis value at the report's Stichtag (with its unit)
    {{wert:KPI:AGS}}             a Gemeinde's (or an Amt's: its ARS) value
    {{veraenderung:KPI[:AGS]}}   the change against the year end before (percentage points for a %)
    {{rang:KPI:AGS}}             the Gemeinde's rank among the Gemeinden with a value, highest first
    {{diagramm:KPI[:AGS]}}       a small chart of the series (with its numbers as text beside it)
    {{stichtag}} {{datenstand}}

A suppressed cell shows the suppression mark, never a value; an unknown KPI, area or placeholder is a build
error naming the file and line. Planners' text cannot carry HTML or script: Markdown's raw HTML is off."""

from __future__ import annotations

import datetime as dt
import html
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from markdown_it import MarkdownIt

from kernel.catalogue import Catalogue
from kernel.settings import PROJECT_ROOT
from kernel.text import german_number
from kernel.yaml_text import load_yaml

PAGES_DIR = PROJECT_ROOT / "berichte"  # STICHTAG_BERICHTE: the planners' own folder instead (pages_dir())
KINDS = ("hintergrund", "organisation", "bericht", "handlungsfeld", "handlungsempfehlungen")
EMPFEHLUNG_STATUS = {"offen": "offen", "in_umsetzung": "in Umsetzung", "umgesetzt": "umgesetzt",
                     "zurueckgestellt": "zurückgestellt"}
PLACEHOLDER = re.compile(r"\{\{\s*([a-z]+)((?::[A-Za-z0-9_]+)*)\s*\}\}")
GESPERRT = "gesperrt"


def pages_dir() -> Path:
    return Path(os.environ["STICHTAG_BERICHTE"]) if os.environ.get("STICHTAG_BERICHTE") else PAGES_DIR


class SeitenFehler(ValueError):
    """A planner's page cannot be built; the message names the file and line."""


@dataclass(frozen=True)
class Empfehlung:
    titel: str
    status: str
    zustaendig: str = ""
    frist: str = ""


@dataclass(frozen=True)
class Seite:
    slug: str  # file name without .md: the page's address in the report (#/seite/<slug>)
    titel: str
    art: str
    reihenfolge: int
    handlungsfeld: str
    html: str
    text: str  # what the report's search looks in: the rendered text, without markup
    empfehlungen: tuple[Empfehlung, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Werte:
    """The public values the placeholders may show: per KPI and area the series' points (value, status)."""

    stichtage: tuple[str, ...]  # ISO dates, oldest first; the last one is the report's Stichtag
    datenstand_text: str
    kreis: str  # the Kreis's area id
    gemeinden: frozenset[str]
    namen: dict[str, str]
    punkte: dict[str, dict[str, list]]  # kpi → area → [[value, status] or None per Stichtag]


def _front_matter(text: str, path: Path) -> tuple[dict, str, int]:
    if not text.startswith("---\n"):
        raise SeitenFehler(f"{path.name}: beginnt nicht mit einem Kopf (--- … ---) mit titel und art")
    head, sep, body = text[4:].partition("\n---\n")
    if not sep:
        raise SeitenFehler(f"{path.name}: der Kopf wird nicht mit --- geschlossen")
    try:
        meta = load_yaml(head) or {}
    except yaml.YAMLError as e:
        raise SeitenFehler(f"{path.name}: Kopf ist kein gültiges YAML ({e.__class__.__name__})") from None
    return meta, body, head.count("\n") + 3


def _format(kpi, value: float, with_unit: bool = True) -> str:
    text = german_number(value, kpi.decimals)
    return text + (f" {kpi.unit_label}" if with_unit and kpi.unit != "anzahl" else "")


class _Resolver:
    def __init__(self, werte: Werte, catalogue: Catalogue, path: Path) -> None:
        self.werte, self.catalogue, self.path = werte, catalogue, path

    def fail(self, line: int, message: str) -> SeitenFehler:
        return SeitenFehler(f"{self.path.name}, Zeile {line}: {message}")

    def kpi(self, kpi_id: str, line: int):
        try:
            return self.catalogue.kpi(kpi_id)
        except KeyError:
            raise self.fail(line, f"unbekannter Indikator {kpi_id!r} (die ids stehen in catalogue/kpis.yml)") from None

    def area(self, args: list[str], line: int) -> str:
        area = args[0] if args else self.werte.kreis
        if area not in self.werte.namen:
            raise self.fail(line, f"unbekanntes Gebiet {area!r} (AGS einer Gemeinde, ARS eines Amtes oder der Kreis)")
        return area

    def point(self, kpi_id: str, area: str, index: int) -> list | None:
        series = self.werte.punkte.get(kpi_id, {}).get(area)
        return series[index] if series and -len(series) <= index < len(series) else None

    def previous_year_end(self) -> int | None:
        last = dt.date.fromisoformat(self.werte.stichtage[-1])
        target = dt.date(last.year - 1, 12, 31).isoformat()
        return self.werte.stichtage.index(target) if target in self.werte.stichtage else None

    def shown(self, kpi, point: list | None) -> str:
        if not point or point[0] is None:
            status = point[1] if point else "kein Wert"
            return f'<span class="gesperrt-wert" title="Geheimhaltung">{GESPERRT}</span>' if status == GESPERRT \
                else f'<span class="kein-wert">{html.escape(status or "kein Wert")}</span>'
        return f'<span class="live-wert">{html.escape(_format(kpi, point[0]))}</span>'

    def resolve(self, name: str, args: list[str], line: int) -> str:
        if name == "stichtag":
            return html.escape(dt.date.fromisoformat(self.werte.stichtage[-1]).strftime("%d.%m.%Y"))
        if name == "datenstand":
            return html.escape(self.werte.datenstand_text)
        if name not in ("wert", "veraenderung", "rang", "diagramm") or not args:
            raise self.fail(line, f"unbekannter Platzhalter {{{{{name}{''.join(':' + a for a in args)}}}}} "
                                  "(wert, veraenderung, rang, diagramm, stichtag, datenstand)")
        kpi = self.kpi(args[0], line)
        area = self.area(args[1:], line)
        now = self.point(kpi.id, area, -1)
        if name == "wert":
            return self.shown(kpi, now)
        if name == "veraenderung":
            before_index = self.previous_year_end()
            before = self.point(kpi.id, area, before_index) if before_index is not None else None
            if not now or not before or now[0] is None or before[0] is None:
                suppressed = any(p and p[1] == GESPERRT for p in (now, before))
                return self.shown(kpi, [None, GESPERRT if suppressed else "keine Vorjahreszahl"])
            delta = now[0] - before[0]
            unit = "Prozentpunkte" if kpi.unit == "prozent" else ("" if kpi.unit == "anzahl" else kpi.unit_label)
            sign = "+" if delta > 0 else ("±" if delta == 0 else "−")
            return (f'<span class="live-wert">{sign}{html.escape(german_number(abs(delta), kpi.decimals))}'
                    f'{" " + html.escape(unit) if unit else ""}</span>')
        if name == "rang":
            if area not in self.werte.gemeinden:
                raise self.fail(line, f"rang braucht eine Gemeinde, nicht {area!r}")
            if not now or now[0] is None:
                return self.shown(kpi, now)
            values = [p[0] for a in self.werte.gemeinden if (p := self.point(kpi.id, a, -1)) and p[0] is not None]
            rank = 1 + sum(v > now[0] for v in values)
            return f'<span class="live-wert">{rank} von {len(values)}</span>'
        return self.chart(kpi, area)

    def chart(self, kpi, area: str) -> str:
        """A sparkline of the series; its numbers beside it as text (the table alternative)."""
        days = self.werte.stichtage
        points = [self.point(kpi.id, area, i) for i in range(len(days))]
        known = [(i, p[0]) for i, p in enumerate(points) if p and p[0] is not None]
        label = f"{kpi.name}, {self.werte.namen[area]}"
        text = "; ".join(f"{days[i][:4]}: " + (_format(kpi, p[0], False) if p and p[0] is not None
                                               else (p[1] if p else "") or "kein Wert") for i, p in enumerate(points))
        if len(known) < 2:
            return f'<span class="mini-reihe">{html.escape(label)}: {html.escape(text)}</span>'
        lo, hi = min(v for _, v in known), max(v for _, v in known)
        w, h = 120, 28
        xs = {i: 2 + i * (w - 4) / max(len(days) - 1, 1) for i, _ in known}
        ys = {i: h - 3 - (v - lo) * (h - 6) / ((hi - lo) or 1) for i, v in known}
        path = "".join(("M" if n == 0 else "L") + f"{xs[i]:.1f},{ys[i]:.1f}" for n, (i, _) in enumerate(known))
        return (f'<span class="mini-reihe"><svg viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
                f'aria-label="{html.escape(label)}"><path d="{path}" fill="none" stroke="#0072B2" '
                f'stroke-width="2"/></svg><span class="mini-text">{html.escape(label)}: {html.escape(text)}</span>'
                f'</span>')


def _empfehlungen(meta: dict, path: Path) -> tuple[Empfehlung, ...]:
    out = []
    for i, e in enumerate(meta.get("empfehlungen") or []):
        if not isinstance(e, dict) or not e.get("titel"):
            raise SeitenFehler(f"{path.name}: empfehlungen[{i}] braucht einen titel")
        status = str(e.get("status", "offen"))
        if status not in EMPFEHLUNG_STATUS:
            raise SeitenFehler(f"{path.name}: empfehlungen[{i}]: status {status!r} unbekannt, erlaubt: "
                               f"{', '.join(EMPFEHLUNG_STATUS)}")
        out.append(Empfehlung(str(e["titel"]), status, str(e.get("zustaendig", "")), str(e.get("frist", ""))))
    return tuple(out)


def render_page(path: Path, werte: Werte, catalogue: Catalogue) -> Seite:
    if not re.fullmatch(r"[a-z0-9_-]+", path.stem):
        raise SeitenFehler(f"{path.name}: Dateiname nur aus a–z, 0–9, _ und - (er wird die Adresse der Seite)")
    meta, body, first_line = _front_matter(path.read_text(encoding="utf-8"), path)
    for key in ("titel", "art"):
        if not meta.get(key):
            raise SeitenFehler(f"{path.name}: im Kopf fehlt {key}")
    if meta["art"] not in KINDS:
        raise SeitenFehler(f"{path.name}: art {meta['art']!r} unbekannt, erlaubt: {', '.join(KINDS)}")
    feld = str(meta.get("handlungsfeld", ""))
    if meta["art"] == "handlungsfeld" and feld not in {k.handlungsfeld for k in catalogue.kpis}:
        raise SeitenFehler(f"{path.name}: handlungsfeld {feld!r} ist keines des KPI-Katalogs")
    resolver = _Resolver(werte, catalogue, path)
    # placeholders are resolved line by line (errors name the line), into tokens Markdown leaves alone
    filled: dict[str, str] = {}
    lines = []
    for n, line in enumerate(body.split("\n"), start=first_line):
        def swap(m: re.Match, n: int = n) -> str:
            token = f"STICHTAGPLATZHALTER{len(filled)}X"
            filled[token] = resolver.resolve(m.group(1), [a for a in m.group(2).split(":") if a], n)
            return token
        lines.append(PLACEHOLDER.sub(swap, line))
        if "{{" in lines[-1]:
            raise SeitenFehler(f"{path.name}, Zeile {n}: Platzhalter nicht lesbar (Form {{{{wert:kpi_id[:AGS]}}}})")
    rendered = MarkdownIt("commonmark", {"html": False}).enable("table").render("\n".join(lines))
    for token, value in filled.items():
        rendered = rendered.replace(token, value)
    text = re.sub(r"<[^>]+>", " ", rendered)
    text = re.sub(r"\s+", " ", html.unescape(text)).strip()
    return Seite(path.stem, str(meta["titel"]), str(meta["art"]), int(meta.get("reihenfolge", 100)), feld,
                 rendered, text, _empfehlungen(meta, path))


def render_pages(werte: Werte, catalogue: Catalogue, directory: Path) -> list[Seite]:
    if not directory.is_dir():
        return []
    pages = [render_page(p, werte, catalogue) for p in sorted(directory.glob("*.md"))]
    return sorted(pages, key=lambda s: (KINDS.index(s.art), s.reihenfolge, s.slug))
