"""The dbt project, built once per process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from stichtag.settings import DBT_PROJECT_DIR


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


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project(), dbt_executable=_dbt_executable())
