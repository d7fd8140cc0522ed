"""The dbt project's model graph read from its SQL files (one model per file, `ref()` for every input), so
the catalogue can be checked against the models without starting dbt (9 s) or needing a parsed manifest."""

from __future__ import annotations

import re
from pathlib import Path

from kernel.catalogue import Catalogue
from kernel.settings import DBT_PROJECT_DIR

REF = re.compile(r"""\bref\(\s*['"](\w+)['"]\s*\)""")
# every measure reaches the KPIs through one of these models: the own systems' per Gemeinde, the official
# statistics' per area (both read by int_kpi_summen)
MEASURES_MODELS = ("int_messwerte", "int_messwerte_amtlich_gebiete")
# the provisional status of measures is set here, from the models the catalogue's `provisional` names
PROVISIONAL_MODEL = "int_messgroessen_stand"


def model_graph(project_dir: Path = DBT_PROJECT_DIR) -> dict[str, set[str]]:
    """Model name → the models it refs."""
    return {p.stem: set(REF.findall(p.read_text(encoding="utf-8")))
            for p in sorted((project_dir / "models").rglob("*.sql"))}


def upstream(graph: dict[str, set[str]], model: str) -> set[str]:
    seen: set[str] = set()
    todo = [model]
    while todo:
        for parent in graph.get(todo.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def measure_feeders(graph: dict[str, set[str]]) -> set[str]:
    """The measures' models and every model upstream of them."""
    return set(MEASURES_MODELS).union(*(upstream(graph, m) for m in MEASURES_MODELS))


def measure_model_errors(catalogue: Catalogue, graph: dict[str, set[str]] | None = None) -> list[str]:
    """Measures whose `model:` is not a model of the dbt project, or feeds none of the measures' models;
    provisional sources whose model does not reach the provisional status."""
    graph = model_graph() if graph is None else graph
    feeding = measure_feeders(graph)
    errors = []
    for name, spec in sorted(catalogue.measures.items()):
        model = spec.get("model")
        if model not in graph:
            errors.append(f"measure {name}: model {model!r} is no model of the dbt project")
        elif model not in feeding:
            errors.append(f"measure {name}: model {model} does not feed {' or '.join(MEASURES_MODELS)}")
    for source, spec in sorted(catalogue.provisional.items()):
        if spec["model"] not in graph.get(PROVISIONAL_MODEL, set()):
            errors.append(f"provisional {source}: model {spec['model']!r} is not read by {PROVISIONAL_MODEL}, "
                          "so its figures would never be marked provisional")
    return errors


# a model reads the Stichtag window through these macros or vars (transform/macros/stichtag_vars.sql)
WINDOW_USE = re.compile(r"""\b(min_date|max_date|raster)\s*\(\s*\)|\bvar\(\s*['"](min_date|max_date|raster)['"]""")
MACRO = re.compile(r"{%-?\s*macro\s+(\w+)\s*\((.*?){%-?\s*endmacro", re.S)


def window_models(project_dir: Path = DBT_PROJECT_DIR) -> set[str]:
    """Models whose result depends on the run's Stichtag window: they use it themselves (directly or
    through a macro that does) or read a model that does. Every other model depends only on the lake as
    of the Datenstand, the code and the catalogue."""
    macros = {m.group(1) for p in sorted((project_dir / "macros").rglob("*.sql"))
              for m in MACRO.finditer(p.read_text(encoding="utf-8")) if WINDOW_USE.search(m.group(2))}
    uses = re.compile(WINDOW_USE.pattern + (rf"|\b({'|'.join(sorted(macros))})\s*\(" if macros else ""))
    texts = {p.stem: p.read_text(encoding="utf-8") for p in sorted((project_dir / "models").rglob("*.sql"))}
    graph = model_graph(project_dir)
    direct = {m for m, text in texts.items() if uses.search(text)}
    return {m for m in graph if m in direct or upstream(graph, m) & direct}
