"""What one dbt build sees and records: the Datenstand (the deliveries received up to a day, resolved to the
received time of the newest one) and the build info (window, deliveries with hashes, hashes of the dbt
project, catalogue and key ids) that the version fingerprint F and every manifest are made of."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kernel import __version__
from kernel.catalogue import load_catalogue
from kernel.files import atomic_write_text
from kernel.settings import DBT_PROJECT_DIR, PROJECT_ROOT, REFERENCE_DIR, Settings
from sources.ingest import read_ingest_log

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

    def inputs(self) -> list[str]:
        """What determines the numbers besides the Stichtag: code, catalogue, key ids, delivery hashes."""
        return [self.models_sha256, self.catalogue_sha256, *sorted(self.key_ids),
                *sorted(d["sha256"] for d in self.deliveries)]

    def fingerprint(self, stichtag: dt.date) -> str:
        return hashlib.sha256("\n".join([stichtag.isoformat(), *self.inputs()]).encode()).hexdigest()[:12]


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
