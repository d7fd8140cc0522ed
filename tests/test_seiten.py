"""The planners' pages (berichte/*.md): live values from the public version, suppression kept, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kernel.catalogue import load_catalogue
from kernel.reference import gemeinden
from report.seiten import PAGES_DIR, SeitenFehler, Werte, render_page, render_pages

KREIS, PINNEBERG, HELGOLAND = "01056", "01056039", "01056025"
DAYS = ("2024-12-31", "2025-12-31", "2026-10-31")


def werte() -> Werte:
    """Every catalogue KPI for every Gemeinde and the Kreis; Helgoland's SGB II-Quote suppressed now."""
    names = {g.ags: g.name for g in gemeinden()} | {KREIS: "Kreis Pinneberg"}
    points: dict[str, dict[str, list]] = {}
    for n, k in enumerate(load_catalogue().kpis):
        for i, area in enumerate(sorted(names)):
            points.setdefault(k.id, {})[area] = [[1.0 + n + i / 100 + d, ""] for d in range(len(DAYS))]
    points["sgb2_quote"][HELGOLAND][-1] = [None, "gesperrt"]
    points["sgb2_quote"][KREIS] = [[6.8, ""], [6.84, ""], [6.6, ""]]
    return Werte(DAYS, "05.11.2026, 06:00 Uhr UTC", KREIS, frozenset(names) - {KREIS}, names, points)


def page(tmp_path: Path, body: str, head: str = "titel: Test\nart: bericht") -> Path:
    path = tmp_path / "test_seite.md"
    path.write_text(f"---\n{head}\n---\n{body}\n", encoding="utf-8")
    return path


def test_placeholders_show_the_public_values_with_unit_change_and_rank(tmp_path) -> None:
    seite = render_page(page(tmp_path, "Quote {{wert:sgb2_quote}}, {{veraenderung:sgb2_quote}}; Pinneberg "
                                       "{{wert:sgb2_quote:01056039}}, Rang {{rang:sgb2_quote:01056039}}. "
                                       "Stand {{stichtag}}, {{datenstand}}."), werte(), load_catalogue())
    assert "Quote <span class=\"live-wert\">6,6 %</span>" in seite.html
    assert "−0,2 Prozentpunkte" in seite.html  # against the year end before, not the first point
    pinneberg = werte().punkte["sgb2_quote"][PINNEBERG][-1][0]
    assert f"{pinneberg:.1f}".replace(".", ",") + " %" in seite.html
    ranked = sorted((p[-1][0] for a, p in werte().punkte["sgb2_quote"].items()
                     if a != KREIS and p[-1][0] is not None), reverse=True)
    assert f"Rang <span class=\"live-wert\">{ranked.index(pinneberg) + 1} von {len(ranked)}</span>" in seite.html
    assert "Stand 31.10.2026, 05.11.2026, 06:00 Uhr UTC." in seite.text


def test_a_suppressed_cell_shows_the_mark_and_its_change_too_never_a_value(tmp_path) -> None:
    seite = render_page(page(tmp_path, "Helgoland {{wert:sgb2_quote:01056025}} ({{veraenderung:sgb2_quote:01056025}}),"
                                       " {{rang:sgb2_quote:01056025}} {{diagramm:sgb2_quote:01056025}}"),
                        werte(), load_catalogue())
    assert seite.html.count(">gesperrt<") == 3
    assert "2026: gesperrt" in seite.html  # the chart's text alternative marks the year


@pytest.mark.parametrize(("body", "message"), [
    ("{{wert:sgb2_qoute}}", r"test_seite.md, Zeile 4: unbekannter Indikator 'sgb2_qoute'"),
    ("Text\n\n{{wert:sgb2_quote:01056999}}", r"Zeile 6: unbekanntes Gebiet '01056999'"),
    ("{{summe:sgb2_quote}}", r"Zeile 4: unbekannter Platzhalter \{\{summe:sgb2_quote\}\}"),
    ("{{wert: sgb2 quote}}", r"Zeile 4: Platzhalter nicht lesbar"),
    ("{{rang:sgb2_quote}}", r"rang braucht eine Gemeinde"),
])
def test_an_unknown_kpi_area_or_placeholder_is_a_build_error_naming_file_and_line(tmp_path, body, message) -> None:
    with pytest.raises(SeitenFehler, match=message):
        render_page(page(tmp_path, body), werte(), load_catalogue())


def test_a_page_cannot_carry_html_or_script(tmp_path) -> None:
    seite = render_page(page(tmp_path, "<script>alert(1)</script> <img src=x onerror=alert(1)> **fett**"),
                        werte(), load_catalogue())
    assert "<script" not in seite.html and "<img" not in seite.html and "<strong>fett</strong>" in seite.html


@pytest.mark.parametrize(("head", "message"), [
    ("titel: Test", "im Kopf fehlt art"),
    ("titel: Test\nart: roman", "art 'roman' unbekannt"),
    ("titel: Test\nart: handlungsfeld\nhandlungsfeld: Raumfahrt", "keines des KPI-Katalogs"),
    ("titel: Test\nart: handlungsempfehlungen\nempfehlungen: [{titel: X, status: vielleicht}]",
     "status 'vielleicht' unbekannt"),
])
def test_a_page_head_is_checked(tmp_path, head, message) -> None:
    with pytest.raises(SeitenFehler, match=message):
        render_page(page(tmp_path, "Text", head), werte(), load_catalogue())


def test_the_demo_ships_a_page_for_every_handlungsfeld_and_every_page_renders() -> None:
    pages = render_pages(werte(), load_catalogue(), PAGES_DIR)
    fields = {k.handlungsfeld for k in load_catalogue().kpis}
    assert {p.handlungsfeld for p in pages if p.art == "handlungsfeld"} == fields
    assert len([p for p in pages if p.art == "handlungsfeld"]) >= 10
    assert {"hintergrund", "organisation", "bericht", "handlungsempfehlungen"} <= {p.art for p in pages}
    assert all("live-wert" in p.html for p in pages if p.art != "organisation")
    recommendations = next(p for p in pages if p.art == "handlungsempfehlungen").empfehlungen
    assert {e.status for e in recommendations} >= {"offen", "in_umsetzung", "umgesetzt"}
