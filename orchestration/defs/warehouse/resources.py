"""The dbt project, built once per process."""

from __future__ import annotations

import importlib.metadata
from collections.abc import Sequence
from functools import cache, cached_property

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from kernel.settings import DBT_PROJECT_DIR
from warehouse.manifest import dbt_executable, ensure_manifest


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    project.prepare_if_dev()  # `dagster dev` re-parses on start
    ensure_manifest()  # a fresh clone or an edited model: parse once (a few seconds) rather than fail on import
    return project


class StichtagDbtCliResource(DbtCliResource):
    """dagster-dbt asks the dbt executable for its version (`dbt --version`, a 3 s process start,
    measured) before every invocation. dbt-core is installed in this environment, pinned by the
    lock file: its package metadata answers the same question without starting dbt."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        """dagster-dbt loads dbt-core, the profile and the DuckDB adapter into this process before every
        invocation (1.5–3 s, measured), only for `fetch_row_counts` / `fetch_column_metadata`, which these
        assets do not call: the build's metadata is its window and Datenstand, and the version store."""
        return None


def dbt_resource() -> DbtCliResource:
    return StichtagDbtCliResource(project_dir=dbt_project(), dbt_executable=dbt_executable())
