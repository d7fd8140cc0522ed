"""The dbt manifest the asset graph is read from: parsed once when stale, never seen half-written."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import msgpack

from kernel.settings import DBT_PROJECT_DIR
from warehouse.env import SEED_LAKE
from warehouse.manifest import manifest_is_stale, manifest_path
from warehouse.partial_parse import profile_hash, rekeyed

_ENSURE = "import sys; from pathlib import Path; from warehouse.manifest import ensure_manifest; " \
          "ensure_manifest(Path(sys.argv[1]))"


def _copy_project(root: Path) -> Path:
    project = root / "transform"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return project


def test_concurrent_loads_of_a_fresh_clone_parse_once_and_readers_see_whole_manifests(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    assert manifest_is_stale(project)
    loaders = [subprocess.Popen([sys.executable, "-c", _ENSURE, str(project)], cwd=Path(__file__).parents[1])
               for _ in range(3)]
    reads = 0
    while any(p.poll() is None for p in loaders):
        if manifest_path(project).exists():
            json.loads(manifest_path(project).read_bytes())  # a half-written file raises here
            reads += 1
        time.sleep(0.01)
    assert [p.returncode for p in loaders] == [0, 0, 0]
    manifest = json.loads(manifest_path(project).read_bytes())
    assert any(node.startswith("model.") for node in manifest["nodes"])
    assert not manifest_is_stale(project)
    assert not list((project / "target").glob(".parse-*")), "the private parse directory is left behind"
    # the other two loaders waited for the first and found it fresh: one parse, one dbt log of it
    log = (project / "logs" / "dbt.log").read_text() if (project / "logs" / "dbt.log").exists() else ""
    assert log.count("Running with dbt=") == 1


def test_an_edited_model_makes_the_manifest_stale(tmp_path: Path) -> None:
    project = _copy_project(tmp_path)
    target = project / "target"
    target.mkdir()
    manifest_path(project).write_text("{}")
    assert not manifest_is_stale(project)
    model = next((project / "models").rglob("*.sql"))
    later = manifest_path(project).stat().st_mtime + 5
    os.utime(model, (later, later))
    assert manifest_is_stale(project)


def test_a_seed_is_rekeyed_to_a_lake_only_when_its_key_proves_it_was_parsed_for_the_seed_lake() -> None:
    def parse_keyed(lake: str) -> bytes:
        key = {"name": "sha256", "checksum": profile_hash(lake, "2GB")}
        return msgpack.packb({"state_check": {"profile_hash": key, "vars_hash": {"checksum": "v"}}, "nodes": {"n": 1}})

    rekeyed_parse = msgpack.unpackb(rekeyed(parse_keyed(SEED_LAKE), "/data/lake", "2GB"))
    assert rekeyed_parse == msgpack.unpackb(parse_keyed("/data/lake"))  # the key, and nothing else, changed
    assert rekeyed(parse_keyed("/another/lake"), "/data/lake", "2GB") is None  # dbt parses in full
    assert rekeyed(parse_keyed(SEED_LAKE), "/data/lake", "8GB") is None  # other settings: another connection
