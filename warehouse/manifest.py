"""The parsed dbt project (target/manifest.json) the asset graph is read from: parsed when stale, atomically.

Several processes load the asset graph at once (the test workers, `dagster dev` beside a CLI run). On a
fresh clone each finds no manifest; without a lock they all parse into the same target directory and a
reader meets a half-written manifest.json. So one process parses, under a lock, into a directory of its
own, and moves the files into place with a rename: a reader sees the old manifest or the new one, whole.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from kernel.settings import DBT_PROJECT_DIR
from warehouse.env import SEED_LAKE, dbt_env

_PARSED_FILES = ("partial_parse.msgpack", "semantic_manifest.json", "manifest.json")  # manifest last


def dbt_executable() -> str:
    # the dbt of this environment, also when the venv is not activated (make, cron, tests)
    return shutil.which("dbt") or str(Path(sys.executable).parent / "dbt")


def manifest_path(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    return project_dir / "target" / "manifest.json"


def manifest_is_stale(project_dir: Path = DBT_PROJECT_DIR) -> bool:
    manifest = manifest_path(project_dir)
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    sources = [project_dir / "dbt_project.yml", *project_dir.glob("models/**/*"), *project_dir.glob("macros/**/*")]
    return any(p.stat().st_mtime > built for p in sources if p.is_file())


def parse_project(project_dir: Path = DBT_PROJECT_DIR, *, force: bool = False) -> int:
    """`dbt parse` into a private directory, then rename its results into target/; the exit code.

    Waits for a parse another process runs, and then parses only if the manifest is still stale."""
    target = project_dir / "target"
    target.mkdir(parents=True, exist_ok=True)
    with open(target / ".parse.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force and not manifest_is_stale(project_dir):
            return 0
        with tempfile.TemporaryDirectory(dir=target, prefix=".parse-") as scratch:
            private = Path(scratch)
            seed = target / "partial_parse.msgpack"
            if seed.exists():  # dbt re-parses only what changed since
                shutil.copyfile(seed, private / seed.name)
            code = subprocess.call([dbt_executable(), "parse", "--quiet", "--project-dir", str(project_dir),
                                    "--profiles-dir", str(project_dir), "--target-path", str(private)],
                                   env={**os.environ, **dbt_env(SEED_LAKE)})
            if code == 0:
                for name in _PARSED_FILES:
                    if (private / name).exists():
                        os.replace(private / name, target / name)
        return code


def ensure_manifest(project_dir: Path = DBT_PROJECT_DIR) -> Path:
    """The manifest, parsed first if a model, macro or the project file is newer (or it is missing)."""
    if manifest_is_stale(project_dir) and parse_project(project_dir) != 0:
        raise RuntimeError(f"dbt parse in {project_dir} ist fehlgeschlagen: siehe die Ausgabe von dbt oben")
    return manifest_path(project_dir)
