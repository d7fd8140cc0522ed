"""Generated catalogue documentation: one Markdown page per KPI (definition, formula, sources, lineage,
caveats, latest values) and an index by Handlungsfeld, as the portals (Wegweiser Kommune, INKAR) document
their indicators. The pages in docs/kpis/ are generated without values and kept in the repository (a test
fails when they differ from the catalogue); `make run` and the Dagster asset write them with the latest
published values to lake/docs/kpis/."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

from kernel.catalogue import Catalogue, Kpi, Term, load_catalogue
from kernel.files import write_generated
from kernel.settings import PROJECT_ROOT
from kernel.text import german_number
from sources.official import official_measures

DOCS_DIR = PROJECT_ROOT / "docs" / "kpis"
LEVEL_NAMES = {"kreis": "Kreis", "land": "Land", "bund": "Bund"}


def _term(t: Term) -> str:
    parts = [f"`{t.measure}`"]
    if t.age_from is not None or t.age_to is not None:
        lo = t.age_from if t.age_from is not None else 0
        parts.append(f"Alter {lo}–{t.age_to}" if t.age_to is not None else f"Alter {lo}+")
    if t.sex:
        parts.append({"m": "männlich", "w": "weiblich"}.get(t.sex, t.sex))
    if t.german is not None:
        parts.append("deutsch" if t.german else "nicht deutsch")
    text = ", ".join(parts)
    if t.factor == -1:
        return f"−{text}"
    if t.factor != 1:
        return f"{german_number(t.factor, 2)} × ({text})"
    return text


def _side(terms: tuple[Term, ...]) -> str:
    return " + ".join(_term(t) for t in terms).replace("+ −", "− ")


def _formula(kpi: Kpi, numerator: tuple[Term, ...], denominator: tuple[Term, ...]) -> str:
    if not denominator:
        return _side(numerator)
    return f"({_side(numerator)}) / ({_side(denominator)}) × {german_number(kpi.scale, 0)}"


def comparison_section(kpi: Kpi, catalogue: Catalogue) -> list[str]:
    """Which Land/Bund comparison the KPI has and from which official tables, or why it has none."""
    published = official_measures()
    numerator, denominator = kpi.comparison_formula
    measures = sorted({t.measure for t in (*numerator, *denominator)})
    # a measure of a year before is the official one of that year (the catalogue's same_as)
    base = {m: (catalogue.measures[m].get("same_as") or {}).get("measure", m) for m in measures}
    lines = ["## Vergleichswerte Land und Bund", ""]
    if kpi.compared:
        tables = sorted({t for m in measures for t in published.get(base[m], [])})
        how = "nach derselben Formel"
        if kpi.comparison_numerator:
            how = f"nach der amtlichen Formel {_formula(kpi, numerator, denominator)}"
        lines.append(f"Aus der amtlichen Statistik, {how}" + (f" ({', '.join(f'`{t}`' for t in tables)})"
                     if tables else "") + ". Bezugsdatum je Zeile (`bezugsdatum`): der neueste veröffentlichte "
                     "Stand am oder vor dem Stichtag.")
    else:
        internal = [m for m in measures
                    if base[m] not in published and catalogue.measures[m].get("source") != "amtlich"]
        lines.append("Keine. " + (kpi.comparison_note_de or (
            f"Die gelieferte amtliche Statistik enthält {', '.join(f'`{m}`' for m in internal)} nicht für Land und "
            "Bund." if internal else "Ihre Tabellen decken die Formel für Land und Bund nicht genau ab "
            "(Altersgruppen, Merkmale oder Ebenen).")))
        return [*lines, ""]
    if kpi.comparison_definition_de:
        lines.append(f"*Amtliche Definition:* {kpi.comparison_definition_de}")
    if kpi.comparison_note_de:
        lines.append(f"*Hinweis:* {kpi.comparison_note_de}")
    return [*lines, ""]


def kpi_page(kpi: Kpi, catalogue: Catalogue, values: list[tuple] | None = None) -> str:
    measures = sorted({t.measure for t in (*kpi.numerator, *kpi.denominator, *kpi.comparison_numerator,
                                           *kpi.comparison_denominator)})
    formula = _formula(kpi, kpi.numerator, kpi.denominator)
    lines = [f"# {kpi.name} (`{kpi.id}`)", "", f"*{kpi.name_en}* · Handlungsfeld **{kpi.handlungsfeld}** · "
             f"Einheit **{kpi.unit_label}**", "", "## Definition", "", kpi.definition, "",
             *([f"*Deutsch:* {kpi.definition_de}", ""] if kpi.definition_de else []), "## Formel", "",
             formula, "", "## Quellen und Herkunft (Lineage)", "",
             "| Messgröße | Bedeutung | dbt-Modell | Quelle |", "|---|---|---|---|"]
    for m in measures:
        spec = catalogue.measures[m]
        description = " ".join(str(spec.get("description", "")).split())
        lines.append(f"| `{m}` | {description} | `{spec.get('model', '')}` | {spec.get('source', '')} |")
    lines += ["", f"Quellsysteme: {', '.join(kpi.sources)}. Mart: `fct_kpi_werte` "
              "(über `int_messwerte` und `int_messwerte_amtlich_gebiete`); "
              f"Amt und Kreis aus summierten Zählern und Nennern. Ebenen: {', '.join(kpi.levels)}; "
              f"Mindestfallzahl für Veröffentlichung: {kpi.min_cell}"
              + ("; Gruppenoffenlegung geschützt (kleiner Rest der Gruppe, 100 % einer kleinen Gruppe "
                 "gesperrt)." if kpi.share_of_group else "."), ""]
    provisional = sorted({catalogue.measures[m].get("source") for m in measures} & set(catalogue.provisional))
    for source in provisional:
        rule = catalogue.provisional[source]["rule"]
        lines += [f"**Vorläufig:** Werte aus {source} tragen den Status `vorlaeufig`, solange "
                  f"`{catalogue.provisional[source]['model']}` sie so markiert: {rule}", ""]
    lines += comparison_section(kpi, catalogue)
    if kpi.plausible:
        lines += ["## Plausibilität (Qualitätsprüfung vor jeder Veröffentlichung)", ""]
        for r in kpi.plausible:
            bound = " … ".join(["–∞" if r.min is None else german_number(r.min, 0),
                                "∞" if r.max is None else german_number(r.max, 0)])
            size = f" ab einem Nenner von {german_number(r.from_denominator, 0)}" if r.from_denominator else ""
            lines.append(f"* {bound} {kpi.unit_label} auf {'/'.join(r.levels) or 'allen Ebenen'}{size}: "
                         + ("sperrt die Version" if r.blocking else "Warnung zur Durchsicht"))
        lines.append("")
    if kpi.caveats:
        lines += ["## Hinweise", "", kpi.caveats, "", *([f"*Deutsch:* {kpi.caveats_de}", ""] if kpi.caveats_de else [])]
    if values is not None:
        lines += ["## Neueste Werte", ""]
        if values:
            lines += ["| Gebiet | Stichtag | Bezugsdatum | Wert | Status |", "|---|---|---|---|---|"]
            for name, stichtag, bezug, value, status in values:
                shown = "–" if value is None else german_number(value, kpi.decimals)
                lines.append(f"| {name} | {stichtag} | {bezug} | {shown} {kpi.unit_label if value is not None else ''}"
                             f" | {status} |")
        else:
            lines.append("Noch nicht veröffentlicht.")
        lines.append("")
    return "\n".join(lines)


def index_page(catalogue: Catalogue) -> str:
    by_field: dict[str, list[Kpi]] = defaultdict(list)
    for k in catalogue.kpis:
        by_field[k.handlungsfeld].append(k)
    lines = ["# KPI-Katalog", "", f"{len(catalogue.kpis)} Indikatoren in {len(by_field)} Handlungsfeldern, "
             "erzeugt aus `catalogue/kpis.yml` (`stichtag catalogue docs`). Jede Seite: Definition, Formel, "
             "Quellen, Herkunft, Vergleichswerte, Hinweise.", "",
             f"Land- und Bundeszeilen aus der amtlichen Statistik: {sum(k.compared for k in catalogue.kpis)} von "
             f"{len(catalogue.kpis)} KPIs (Spalte *Land/Bund*: ja, amtliche Definition = nach deren eigener "
             "Formel, nein = warum auf der Seite des KPI).", ""]
    for field in sorted(by_field):
        lines += [f"## {field}", "", "| KPI | Einheit | Land/Bund | Definition |", "|---|---|---|---|"]
        for k in by_field[field]:
            compared = ("amtliche Definition" if k.comparison_numerator else "ja") if k.compared else "nein"
            lines.append(f"| [{k.name}]({k.id}.md) (`{k.id}`) | {k.unit_label} | {compared} | {k.definition} |")
        lines.append("")
    return "\n".join(lines)


def write_docs(directory: Path = DOCS_DIR, values: dict[str, list[tuple]] | None = None,
               catalogue: Catalogue | None = None) -> list[Path]:
    catalogue = catalogue or load_catalogue()
    pages = {"README.md": index_page(catalogue)}
    for k in catalogue.kpis:
        pages[f"{k.id}.md"] = kpi_page(k, catalogue, None if values is None else values.get(k.id, []))
    return write_generated(directory, pages, "*.md")


def latest_values(analytics_db: Path) -> dict[str, list[tuple]]:
    """Kreis, Land and Bund values of the newest published Stichtag, from the analysts' database."""
    import duckdb

    if not analytics_db.exists():
        return {}
    con = duckdb.connect(str(analytics_db), read_only=True)
    try:
        rows = con.execute("""select kpi_id, gebiet_name, stichtag, bezugsdatum, value, status from kpi_values_latest
            where gebiet_ebene in ('kreis', 'land', 'bund')
              and stichtag = (select max(stichtag) from kpi_values_latest)
            order by kpi_id, case gebiet_ebene when 'kreis' then 0 when 'land' then 1 else 2 end""").fetchall()
    finally:
        con.close()
    out: dict[str, list[tuple]] = defaultdict(list)
    for kpi_id, name, stichtag, bezug, value, status in rows:
        out[kpi_id].append((name, _d(stichtag), _d(bezug), value, status))
    return out


def _d(value: dt.date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "–"
