"""The packages are layers in the order data flows, and imports only run downward."""

from __future__ import annotations

import ast
from pathlib import Path

from kernel.settings import PROJECT_ROOT

# lower first; a package may import its own layer and those before it (the CLI launches the Dagster job)
LAYERS = ["kernel", "sources", "generator", "warehouse", "publication", "report", "orchestration", "stichtag"]
# the CLI defers its commands' imports so that `stichtag --help` starts in a blink: the only place where an
# import of our own code may sit inside a function
DEFERRING = {"stichtag"}


def imports(path: Path) -> list[tuple[str, bool]]:
    """(imported package of ours, inside a function) for every import of the module."""
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                 else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
        for name in names:
            if name.split(".")[0] in LAYERS:
                out.append((name.split(".")[0], node.col_offset > 0))
    return out


def test_no_import_runs_upward_and_none_hides_in_a_function() -> None:
    wrong = []
    for package in LAYERS:
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            for imported, inner in imports(path):
                where = path.relative_to(PROJECT_ROOT)
                if LAYERS.index(imported) > LAYERS.index(package):
                    wrong.append(f"{where} imports {imported} (a layer above)")
                if inner and package not in DEFERRING:
                    wrong.append(f"{where} imports {imported} inside a function")
    assert wrong == []


def test_the_kernel_imports_nothing_of_ours_but_itself() -> None:
    for path in sorted((PROJECT_ROOT / "kernel").rglob("*.py")):
        assert {p for p, _ in imports(path)} <= {"kernel"}, path
