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
import hashlib
import json
import os
import shutil
import subprocess
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sources.ingest import read_ingest_log
from sources.lake import atomic_write_text
from stichtag import __version__
from stichtag.catalogue import load_catalogue
from stichtag.settings import DBT_PROJECT_DIR, PROJECT_ROOT, REFERENCE_DIR, Settings

KEY_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Datenstand:
    cutoff: dt.datetime  # received time of the newest delivery included
    requested: dt.date | None
    deliveries: tuple[dict, ...]

    @property
    def key(self) -> str:
        return self.cutoff.strftime(KEY_FORMAT)


def parse_key(key: str) -> dt.datetime:
    return dt.datetime.strptime(key, KEY_FORMAT).replace(tzinfo=dt.UTC)


def resolve_datenstand(settings: Settings, requested: dt.date | None = None) -> Datenstand:
    """The deliveries received by the end of `requested` (UTC; all if None) that landed rows."""
    limit = (dt.datetime.combine(requested + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
             if requested else None)
    included = []
    for e in read_ingest_log(settings):
        received = dt.datetime.fromisoformat(e["received_at"])
        if e["rows_landed"] > 0 and (limit is None or received < limit):
            included.append({k: e[k] for k in ("lieferung_id", "source", "table", "sha256", "received_at",
                                               "rows_landed", "key_id")})
    if not included:
        raise ValueError("keine eingelesene Lieferung" + (f" bis zum Datenstand {requested}" if requested else ""))
    included.sort(key=lambda e: (e["received_at"], e["lieferung_id"]))
    cutoff = max(dt.datetime.fromisoformat(e["received_at"]) for e in included).astimezone(dt.UTC)
    return Datenstand(cutoff=cutoff, requested=requested, deliveries=tuple(included))


def _tree_sha256(paths: list[Path], root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(str(p.relative_to(root)).encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


def models_sha256() -> str:
    """Hash of what turns the lake into numbers besides the catalogue: the dbt project's sources (not
    target/, which holds absolute paths and times), the official statistics' code mappings (contracts'
    `statistik` blocks) and the vendored reference data (areas, AGS history)."""
    files = [p for sub in ("models", "macros") for p in (DBT_PROJECT_DIR / sub).rglob("*") if p.is_file()]
    files += sorted((PROJECT_ROOT / "sources" / "contracts" / "amtlich").glob("*.yml"))
    files += sorted(REFERENCE_DIR.glob("*.csv"))
    return _tree_sha256([*files, DBT_PROJECT_DIR / "dbt_project.yml"], PROJECT_ROOT)


def git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                             timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


@dataclass
class BuildInfo:
    """What one dbt build saw; written before dbt runs, read by the publication step."""

    min_date: str
    max_date: str
    raster: str
    datenstand: str
    cutoff: str
    requested_datenstand: str | None
    deliveries: list[dict]
    models_sha256: str
    catalogue_sha256: str
    key_ids: list[str]
    code_version: str
    git_commit: str | None
    started_at: str
    timings: dict[str, float] = field(default_factory=dict)

    def fingerprint(self, stichtag: dt.date) -> str:
        parts = [stichtag.isoformat(), self.models_sha256, self.catalogue_sha256, *sorted(self.key_ids),
                 *sorted(d["sha256"] for d in self.deliveries)]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def build_info_path(settings: Settings) -> Path:
    return settings.warehouse.parent / "build_info.json"


def write_build_info(settings: Settings, min_date: dt.date, max_date: dt.date, raster: str,
                     ds: Datenstand) -> BuildInfo:
    info = BuildInfo(
        min_date=min_date.isoformat(), max_date=max_date.isoformat(), raster=raster, datenstand=ds.key,
        cutoff=ds.cutoff.isoformat(), requested_datenstand=ds.requested.isoformat() if ds.requested else None,
        deliveries=list(ds.deliveries), models_sha256=models_sha256(), catalogue_sha256=load_catalogue().sha256,
        key_ids=sorted({d["key_id"] for d in ds.deliveries}), code_version=__version__, git_commit=git_commit(),
        started_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    atomic_write_text(build_info_path(settings), json.dumps(asdict(info), indent=1))
    return info


def read_build_info(settings: Settings) -> BuildInfo:
    return BuildInfo(**json.loads(build_info_path(settings).read_text(encoding="utf-8")))


# ------------------------------------------------------------------------------------ the version store

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


def list_versions(settings: Settings) -> list[dict]:
    out = []
    for manifest in sorted(versions_root(settings).glob("stichtag=*/datenstand=*/build=*/manifest.json")):
        m = json.loads(manifest.read_text(encoding="utf-8"))
        latest = read_latest(settings, dt.date.fromisoformat(m["stichtag"]))
        m["is_latest"] = bool(latest and latest["datenstand"] == m["datenstand"] and latest["build"] == m["build"])
        m["path"] = str(manifest.parent)
        out.append(m)
    return out


def prune(settings: Settings, keep: int, dry_run: bool = False) -> list[Path]:
    """Per Stichtag keep the newest build of each of the `keep` newest Datenstände, and always the
    latest pointer's target; remove the rest. Returns the removed version directories."""
    if keep < 1:
        raise ValueError("--keep muss mindestens 1 sein: die neueste Version bleibt immer")
    removed = []
    for day_dir in sorted(versions_root(settings).glob("stichtag=*")):
        latest = read_latest(settings, dt.date.fromisoformat(day_dir.name.split("=")[1]))
        protected = {day_dir / latest["path"]} if latest else set()
        by_datenstand = sorted(day_dir.glob("datenstand=*"), key=lambda p: p.name, reverse=True)
        for ds_dir in by_datenstand[:keep]:
            builds = sorted(ds_dir.glob("build=*"), key=lambda p: (p / "manifest.json").stat().st_mtime)
            protected.update(builds[-1:])
        for build in sorted(day_dir.glob("datenstand=*/build=*")):
            if build in protected:
                continue
            removed.append(build)
            if not dry_run:
                trash = build.parent / f".{build.name}.{uuid.uuid4().hex}.deleting"
                os.rename(build, trash)  # readers never see a half-deleted version
                shutil.rmtree(trash)
                if not any(build.parent.iterdir()):
                    build.parent.rmdir()
    return removed
