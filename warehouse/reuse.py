"""Models a build can keep from the last one: those that do not depend on the Stichtag window (the
person states, residence intervals, benefit periods, official values: about half of dbt's time for one
Stichtag), when the last build finished with exactly the same inputs. And whether the incremental models
(int_sgb2_endstand by Berichtsmonat; int_personenstaende and the registry models it drives, by person) must
start anew: when the code that made their rows changed.

The inputs are what the version fingerprint F covers (deliveries up to the Datenstand, dbt project,
code mappings, reference data, catalogue, key ids) plus the Datenstand itself and the scale. The record
is removed before dbt starts and written only after a build that succeeded, so a crashed or failed
build never lets the next one keep a table it may have left half-updated.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from kernel.files import atomic_write_text
from kernel.settings import Settings
from warehouse.datenstand import BuildInfo
from warehouse.lineage import model_graph, window_models


def _record(settings: Settings) -> Path:
    return settings.warehouse.parent / "reusable_models.json"


def inputs_fingerprint(info: BuildInfo) -> str:
    parts = [*info.inputs(), info.cutoff, os.environ.get("STICHTAG_SCALE", "kreis")]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def code_fingerprint(info: BuildInfo) -> str:
    """What the incremental models' rows depend on besides the deliveries they compare themselves: the dbt
    project and mappings, the catalogue, the pseudonym keys (a re-pseudonymised delivery keeps its id) and
    the scale."""
    parts = [info.models_sha256, info.catalogue_sha256, *sorted(info.key_ids),
             os.environ.get("STICHTAG_SCALE", "kreis")]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _last(settings: Settings) -> dict | None:
    try:
        return json.loads(_record(settings).read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def take_record(settings: Settings, info: BuildInfo) -> tuple[list[str], bool]:
    """What the last successful build's record allows this build, and forget the record (only a build that
    succeeds again writes a new one): the window-independent models it left for exactly these inputs ([] if
    none), and whether the incremental models must be built anew (dbt --full-refresh). Those compare their rows
    with the deliveries themselves, which is exact for any Datenstand, but not with the code that made the
    rows — so anew when that changed, when no build succeeded since the last one started (a crash may have
    left anything), or when there is no build database yet."""
    last = _last(settings)
    _record(settings).unlink(missing_ok=True)
    exists = settings.warehouse.exists()
    full_refresh = not last or last.get("code") != code_fingerprint(info) or not exists
    if not last or last.get("inputs") != inputs_fingerprint(info) or not exists:
        return [], full_refresh
    return sorted(last["models"]), full_refresh


def remember_models(settings: Settings, info: BuildInfo) -> None:
    """After a successful build: its window-independent models can be kept by a build with the same inputs."""
    models = sorted(set(model_graph()) - window_models())
    atomic_write_text(_record(settings), json.dumps({"inputs": inputs_fingerprint(info), "code": code_fingerprint(info),
                                                     "models": models}, indent=1))
