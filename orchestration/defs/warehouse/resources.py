"""The dbt project, built once per process."""

from __future__ import annotations

import importlib.metadata
import shutil
import subprocess
import sys
from functools import cache, cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging import version

from kernel.settings import DBT_PROJECT_DIR


def _dbt_executable() -> str:
    # the dbt of this environment, also when the venv is not activated (make, cron, tests)
    return shutil.which("dbt") or str(Path(sys.executable).parent / "dbt")


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    manifest = project_dir / "target" / "manifest.json"
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [project_dir / "dbt_project.yml", *project_dir.glob("models/**/*"), *project_dir.glob("macros/**/*")]
    return any(p.stat().st_mtime > built for p in sources if p.is_file())


@cache
def dbt_project() -> DbtProject:
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    project.prepare_if_dev()  # `dagster dev` re-parses on start
    if manifest_is_stale():
        # a fresh clone or an edited model: parse once (a few seconds) rather than fail on import
        subprocess.run([_dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR),
                        "--profiles-dir", str(DBT_PROJECT_DIR)], check=True)
    return project


class StichtagDbtCliResource(DbtCliResource):
    """dagster-dbt asks the dbt executable for its version (`dbt --version`, a 3 s process start,
    measured) before every invocation. dbt-core is installed in this environment, pinned by the
    lock file: its package metadata answers the same question without starting dbt."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(importlib.metadata.version("dbt-core"))


def dbt_resource() -> DbtCliResource:
    return StichtagDbtCliResource(project_dir=dbt_project(), dbt_executable=_dbt_executable())
