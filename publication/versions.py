"""Versioned marts: every materialisation of a Stichtag publishes an immutable version.

Two time axes: the Stichtag (the date the figures describe) and the Datenstand (what the lake knew:
the deliveries received up to then). A version lives in

    lake/marts/kpi_values/stichtag=D/datenstand=K/build=F/{kpi_values.parquet, manifest.json}

K is the received time of the newest delivery the build saw (UTC, e.g. 20240605T060000Z), so a
request for "Datenstand 2024-06-30" resolves to the same K for ever. F is a fingerprint of
everything that determines the numbers (input delivery hashes, dbt models, KPI catalogue, pseudonym
key id): the same inputs and code give the same F and, with stable ordering and no timestamps in the
data, the same bytes. A version directory is written under a temporary name and renamed, and never
rewritten: materialising an existing (D, K, F) is a no-op. `latest.json` per Stichtag points at the
newest Datenstand; it is replaced atomically and only after the version's checks passed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from pathlib import Path

from kernel.files import atomic_write_text
from kernel.settings import Settings


def versions_root(settings: Settings) -> Path:
    return settings.marts / "kpi_values"


def version_dir(settings: Settings, stichtag: dt.date, datenstand: str, build: str) -> Path:
    return versions_root(settings) / f"stichtag={stichtag.isoformat()}" / f"datenstand={datenstand}" / f"build={build}"


def latest_pointer(settings: Settings, stichtag: dt.date) -> Path:
    return versions_root(settings) / f"stichtag={stichtag.isoformat()}" / "latest.json"


def read_latest(settings: Settings, stichtag: dt.date) -> dict | None:
    p = latest_pointer(settings, stichtag)
    return json.loads(p.read_text(encoding="utf-8")) if p.exists() else None


def write_version(target: Path, write_files) -> bool:
    """Create the immutable version directory `target` through a temporary sibling + rename.

    `write_files(tmp_dir)` writes its content. Returns False (no-op) if the version exists."""
    if target.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    tmp.mkdir()
    try:
        write_files(tmp)
        for f in tmp.iterdir():
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        try:
            os.rename(tmp, target)  # atomic; fails if a concurrent writer got there first
        except OSError:
            if target.exists():
                return False
            raise
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        return True
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def switch_latest(settings: Settings, stichtag: dt.date, datenstand: str, build: str) -> bool:
    """Point `latest` at (datenstand, build) unless it already points at a newer Datenstand."""
    current = read_latest(settings, stichtag)
    if current and current["datenstand"] > datenstand:
        return False
    if current and current["datenstand"] == datenstand and current["build"] == build:
        return False
    atomic_write_text(latest_pointer(settings, stichtag), json.dumps(
        {"stichtag": stichtag.isoformat(), "datenstand": datenstand, "build": build,
         "path": f"datenstand={datenstand}/build={build}"}, indent=1))
    return True


def read_manifest(build: Path) -> dict:
    """The manifest of a version directory: its inputs, code, checks and row counts."""
    return json.loads((build / "manifest.json").read_text(encoding="utf-8"))


def list_versions(settings: Settings) -> list[dict]:
    out = []
    for manifest in sorted(versions_root(settings).glob("stichtag=*/datenstand=*/build=*/manifest.json")):
        m = read_manifest(manifest.parent)
        latest = read_latest(settings, dt.date.fromisoformat(m["stichtag"]))
        m["is_latest"] = bool(latest and latest["datenstand"] == m["datenstand"] and latest["build"] == m["build"])
        m["path"] = str(manifest.parent)
        out.append(m)
    return out


def prune(settings: Settings, keep: int | None, dry_run: bool = False, failed: bool = False) -> list[Path]:
    """Per Stichtag keep the newest build of each of the `keep` newest Datenstände (None: every version),
    and always the latest pointer's target; remove the rest. `failed`: remove also every version whose
    blocking checks failed. Such a version is kept for review and stays the record of its (D, K, F): after
    a check is corrected, removing it is what lets the next run write and check it again. Returns the
    removed version directories."""
    if keep is None and not failed:
        raise ValueError("--keep oder --gescheiterte angeben: sonst bliebe jede Version")
    if keep is not None and keep < 1:
        raise ValueError("--keep muss mindestens 1 sein: die neueste Version bleibt immer")
    removed = []
    for day_dir in sorted(versions_root(settings).glob("stichtag=*")):
        latest = read_latest(settings, dt.date.fromisoformat(day_dir.name.split("=")[1]))
        current = {day_dir / latest["path"]} if latest else set()
        if keep is None:
            kept = set(day_dir.glob("datenstand=*/build=*"))
        else:
            kept = set()
            by_datenstand = sorted(day_dir.glob("datenstand=*"), key=lambda p: p.name, reverse=True)
            for ds_dir in by_datenstand[:keep]:
                builds = sorted(ds_dir.glob("build=*"), key=lambda p: (p / "manifest.json").stat().st_mtime)
                kept.update(builds[-1:])
        if failed:
            kept = {b for b in kept if read_manifest(b)["checks_passed"]}
        for build in sorted(day_dir.glob("datenstand=*/build=*")):
            if build in current or build in kept:
                continue
            removed.append(build)
            if not dry_run:
                trash = build.parent / f".{build.name}.{uuid.uuid4().hex}.deleting"
                os.rename(build, trash)  # readers never see a half-deleted version
                shutil.rmtree(trash)
                if not any(build.parent.iterdir()):
                    build.parent.rmdir()
    return removed
