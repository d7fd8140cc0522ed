"""Shared fixtures: a small generated Kreis, ingested once per session into a temporary lake."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from generator.population import GeneratorConfig
from kernel.settings import Settings
from kernel.window import StichtagWindow

if TYPE_CHECKING:
    from dagster import ExecuteInProcessResult

# Three Gemeinden of different size (a town, a village, the Kreisstadt's neighbour), 18 months.
SMALL_AGS = ("01056001", "01056002", "01056025")
SMALL_CONFIG = GeneratorConfig(gemeinden_ags=SMALL_AGS, until_year=2016, until_month=6)
TEST_KEY_HEX = "5e" * 32


def make_settings(root: Path) -> Settings:
    return Settings(lake=root / "lake", inbox=root / "inbox", key_file=root / "keys" / "pseudonym.key")


# Seconds each module took on 2 cores (`--durations=0` summed per module, 2026-12-07, 419 tests): the longest
# run first, so the two workers of `make test` (`--dist loadfile --no-loadscope-reorder`) finish together instead
# of one waiting on a late long module. A module not listed starts last; the order changes no test's outcome.
MODULE_SECONDS = {"test_pipeline.py": 77, "test_crash_safety.py": 45, "test_versions.py": 32, "test_cli.py": 30,
                  "test_ingest.py": 29, "test_reuse.py": 27, "test_report.py": 22, "test_bad_input_corpus.py": 16,
                  "test_stichtag_edge_cases.py": 10, "test_generator.py": 7, "test_internal_sources.py": 6,
                  "test_manifest.py": 6}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: -MODULE_SECONDS.get(item.path.name, 0))  # stable: a module keeps its own order


@pytest.fixture(autouse=True)
def _no_real_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STICHTAG_PSEUDONYM_KEY", TEST_KEY_HEX)


@pytest.fixture(scope="session")
def small_kreis(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Generated and ingested small Kreis (inbox + lake/raw), shared read-only by tests."""
    from generator.run import generate
    from sources.ingest import ingest_inbox
    from sources.pseudonym import load_key

    os.environ["STICHTAG_PSEUDONYM_KEY"] = TEST_KEY_HEX
    settings = make_settings(tmp_path_factory.mktemp("small_kreis"))
    generate(SMALL_CONFIG, settings.inbox, progress=False)
    ingest_inbox(settings, load_key(settings), progress=False)
    return settings


def up_to_the_exports() -> list:
    """The assets a run needs for the KPI export and nothing after it (public zone, forecast, docs, report),
    as the launchpad's "upstream of exports/kpi_values" selects them: for tests that read only the export,
    where a month end's attack audit on a mini lake (≈ 12 s) would be paid for nothing read."""
    import dagster as dg

    from orchestration.definitions import defs

    selection = dg.AssetSelection.assets(["exports", "kpi_values"]).upstream()
    return sorted(selection.resolve(defs.resolve_asset_graph()))


def shared_lake(tmp_path_factory: pytest.TempPathFactory, name: str,
                build: Callable[[Settings], None]) -> Settings:
    """A lake built once for the whole session, by the first of the `make test` workers (pytest-xdist: one
    process per core) that needs it; another that needs it meanwhile waits for that build instead of making
    its own. Tests only read it, or work on a copy (`copy_lake`)."""
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the session's directory, above each worker's own
    root = base / f"geteilt-{name}"
    with open(base / f"geteilt-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes, also if the build fails
        if not (root / "fertig").exists():
            shutil.rmtree(root, ignore_errors=True)
            build(make_settings(root))
            (root / "fertig").touch()
    return make_settings(root)


def copy_lake(settings: Settings, root: Path) -> Settings:
    """A whole copy of a lake and its inbox: the build database's views read lake-relative paths, the
    analysts' database (absolute paths) is rebuilt for the copy, dbt starts from the project's parse."""
    from publication.publish import refresh_analytics_db

    copy = make_settings(root)
    shutil.copytree(settings.lake, copy.lake, ignore=shutil.ignore_patterns("dbt-target"))
    shutil.copytree(settings.inbox, copy.inbox)
    refresh_analytics_db(copy)
    return copy


MINI_DAY = dt.date(2016, 3, 14)  # a Stichtag of the mini delivery (tests/mini.py) before its Storno


@pytest.fixture(scope="session")
def one_old_datenstand(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The mini delivery's MINI_DAY built at the Datenstand before the Storno, once for the session (the
    versions' and the crash tests start from it); tests that change it work on a copy."""
    from tests.mini import write_mini_delivery

    def build(settings: Settings) -> None:
        write_mini_delivery(settings.inbox)
        assert run_job(settings, StichtagWindow(MINI_DAY, MINI_DAY, datenstand=dt.date(2016, 4, 30))).success

    return shared_lake(tmp_path_factory, "one_old_datenstand", build)


def cli_env(settings: Settings) -> dict[str, str]:
    """The environment of a `stichtag` process working on `settings` (no Dagster instance, test key)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "STICHTAG_CRASH_AT")}
    env.update(STICHTAG_LAKE=str(settings.lake), STICHTAG_INBOX=str(settings.inbox),
               STICHTAG_PSEUDONYM_KEY=TEST_KEY_HEX)
    return env


def run_job(settings: Settings, window: StichtagWindow, assets: list | None = None) -> ExecuteInProcessResult:
    """The one job over `window` on `settings`' lake, in this process, with the environment a `stichtag`
    process gets there (`cli_env`); `assets`: only those, as a selection in the launchpad. Its result."""
    from orchestration.lib.execute import run_stichtag_job

    with pytest.MonkeyPatch.context() as mp:
        for k, v in cli_env(settings).items():
            mp.setenv(k, v)
        mp.delenv("DAGSTER_HOME", raising=False)
        return run_stichtag_job(window, assets=assets)


def run_cli(settings: Settings, *args: str, crash_at: str | None = None,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`stichtag <args>` as a separate process (so it can really be killed at a crash point)."""
    env = {**cli_env(settings), **(extra_env or {})}
    if crash_at:
        env["STICHTAG_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "stichtag.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)
