"""The dbt project's model graph read from its SQL files (one model per file, `ref()` for every input), so
the catalogue can be checked against the models without starting dbt (9 s) or needing a parsed manifest."""

from __future__ import annotations

import re
from pathlib import Path

from stichtag.catalogue import Catalogue
from stichtag.settings import DBT_PROJECT_DIR

REF = re.compile(r"""\bref\(\s*['"](\w+)['"]\s*\)""")
# every measure reaches the KPIs through this model (int_messwerte_gebiete → fct_kpi_werte)
MEASURES_MODEL = "int_messwerte_gebiete"


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


def measure_model_errors(catalogue: Catalogue, graph: dict[str, set[str]] | None = None) -> list[str]:
    """Measures whose `model:` is not a model of the dbt project, or not upstream of the measures' model."""
    graph = model_graph() if graph is None else graph
    feeding = upstream(graph, MEASURES_MODEL) | {MEASURES_MODEL}
    errors = []
    for name, spec in sorted(catalogue.measures.items()):
        model = spec.get("model")
        if model not in graph:
            errors.append(f"measure {name}: model {model!r} is no model of the dbt project")
        elif model not in feeding:
            errors.append(f"measure {name}: model {model} does not feed {MEASURES_MODEL}")
    return errors
