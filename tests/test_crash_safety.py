"""Crash safety: kill -9 the process mid-ingest, mid-dbt and mid-publication; the lake stays consistent,
readers see the previous complete state, and a rerun ends exactly like an uninterrupted run."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from publication.publish import kpi_export_path
from publication.versions import read_latest, versions_root
from sources.ingest import delivery_files, read_ingest_log, sweep_leftovers
from tests.conftest import MINI_DAY, copy_lake, make_settings, run_cli
from tests.mini import A, write_mini_delivery

DAY = MINI_DAY


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*.parquet"))}


def test_ingest_killed_between_writing_and_logging_completes_on_rerun(small_kreis, tmp_path) -> None:
    s = make_settings(tmp_path / "crashed")
    shutil.copytree(small_kreis.inbox, s.inbox)
    # the source systems stay where they are (a database is not copied like a file): read, not changed
    systems = {"STICHTAG_SYSTEMS": str(small_kreis.inbox.parent / "systems")}
    crashed = run_cli(s, "ingest", "--quiet", crash_at="ingest:before-log", extra_env=systems)
    assert crashed.returncode == -9
    assert read_ingest_log(s) == []  # the first delivery's raw file exists, its log entry does not
    assert list(s.raw.rglob("data.parquet"))
    rerun = run_cli(s, "ingest", "--quiet", extra_env=systems)
    assert rerun.returncode == 0, rerun.stderr
    log = read_ingest_log(s)
    assert len(log) == len(delivery_files(s.inbox)) + 1
    assert all(e["rows_delivered"] == e["rows_landed"] + e["rows_quarantined"] for e in log)
    assert digest(s.raw) == digest(small_kreis.raw)  # same bytes as the uninterrupted ingest


def test_leftover_temporary_files_are_ignored_by_readers_and_swept(small_kreis, tmp_path) -> None:
    s = make_settings(tmp_path)
    shutil.copytree(small_kreis.lake, s.lake)
    folder = next(s.raw.glob("melderegister/aenderungen/lieferung=*"))
    leftover = folder / ".data.parquet.deadbeef.tmp"
    leftover.write_bytes(b"PAR1 half written")
    total = duckdb.execute(f"select count(*) from read_parquet('{s.raw}/melderegister/*/*/*.parquet')").fetchone()
    assert total[0] > 0  # the glob readers use never matches the leftover
    os.utime(leftover, (time.time() - 7200, time.time() - 7200))
    assert sweep_leftovers(s) == [leftover] and not leftover.exists()


def test_a_materialisation_killed_at_any_point_leaves_the_published_state_and_the_rerun_completes(
        one_old_datenstand, tmp_path) -> None:
    """kill -9 while dbt writes the build database, then (on its leftovers) in the middle of writing the version,
    then just before the latest pointer moves: each time readers keep the previous complete version, and one
    rerun recovers the database, builds and publishes the new one."""
    s = copy_lake(one_old_datenstand, tmp_path)  # DAY published at the Datenstand before the Storno
    export = kpi_export_path(s, DAY)
    before = export.read_bytes()
    reader = duckdb.connect(str(s.analytics_db), read_only=True)

    for crash_at in ("dbt:running", "publish:mid-version", "publish:before-pointer"):
        crashed = run_cli(s, "materialise", "--stichtag", DAY.isoformat(), crash_at=crash_at)
        assert crashed.returncode == -9, crashed.stderr[-2000:]  # killed with SIGKILL at that point
        assert export.read_bytes() == before, crash_at  # readers still get the previous complete version
        assert read_latest(s, DAY)["datenstand"] == "20160405T060000Z", crash_at
        assert reader.execute("select count(*) from kpi_values").fetchone()[0] > 0
        for manifest in versions_root(s).glob("*/*/*/manifest.json"):
            assert json.loads(manifest.read_text())["checks_passed"]  # no half-written version is visible

    rerun = run_cli(s, "materialise", "--stichtag", DAY.isoformat())  # recovers the database, builds, publishes
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert read_latest(s, DAY)["datenstand"] == "20160505T060000Z"
    value = duckdb.execute(f"select value from read_parquet('{export}') where kpi_id = 'einwohner' "
                           f"and gebiet_id = '{A}'").fetchone()[0]
    assert value == 4.0  # 3 residents, the Zuzug re-dated to 17.3., the newborn of March (counts from 1.3.)


def test_a_second_materialisation_refuses_while_one_holds_the_lock(tmp_path) -> None:
    from kernel.lock import BuildLocked, build_lock

    s = make_settings(tmp_path)
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from kernel.lock import build_lock; from kernel.settings import Settings; "
        "from pathlib import Path; p = Path(sys.argv[1]); "
        "s = Settings(lake=p / 'lake', inbox=p / 'inbox', key_file=p / 'k'); "
        "cm = build_lock(s); cm.__enter__(); print('locked', flush=True); time.sleep(60)"), str(tmp_path)],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        refused = run_cli(s, "materialise", "--stichtag", DAY.isoformat())
        assert refused.returncode == 3 and f"PID {holder.pid}" in refused.stderr
        try:
            with build_lock(s):
                raise AssertionError("two writers")
        except BuildLocked:
            pass
    finally:
        holder.kill()
        holder.wait()
    with build_lock(s):  # released by the kernel when the holder died
        pass


def test_a_failing_dbt_build_fails_the_run_with_its_reason_publishes_nothing_and_frees_the_database(
        tmp_path, monkeypatch) -> None:
    """dbt runs inside the run's process: a failure inside dbt must still stop the run before any export,
    say so, and leave neither the build lock nor the build database held by the dead build."""
    from kernel.build_db import open_build_db
    from kernel.lock import lock_holder
    from kernel.window import StichtagWindow
    from orchestration.lib.execute import failure_messages, run_stichtag_job
    from sources.ingest import ingest_inbox
    from sources.pseudonym import load_key
    from tests.conftest import cli_env

    s = make_settings(tmp_path)
    write_mini_delivery(s.inbox)
    for k, v in cli_env(s).items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    ingest_inbox(s, load_key(s), progress=False)  # landed and gated; then the disk damages a landed file
    landed = next((s.lake / "raw" / "melderegister" / "bestand").rglob("*.parquet"))
    landed.write_bytes(b"PAR1" + b"\0" * 64)

    result = run_stichtag_job(StichtagWindow(DAY, DAY))
    assert not result.success
    assert any(m.startswith("stichtag_dbt_models: dbt build fehlgeschlagen") for m in failure_messages(result))
    assert not kpi_export_path(s, DAY).exists()
    assert lock_holder(s) is None
    open_build_db(s.warehouse).close()  # the dead build's read-write handle is gone from this process
