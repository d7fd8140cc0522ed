"""Shared fixtures: a small generated Kreis, ingested once per session into a temporary lake."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.population import GeneratorConfig
from kernel.settings import Settings

# Three Gemeinden of different size (a town, a village, the Kreisstadt's neighbour), 18 months.
SMALL_AGS = ("01056001", "01056002", "01056025")
SMALL_CONFIG = GeneratorConfig(gemeinden_ags=SMALL_AGS, until_year=2016, until_month=6)
TEST_KEY_HEX = "5e" * 32


def make_settings(root: Path) -> Settings:
    return Settings(lake=root / "lake", inbox=root / "inbox", key_file=root / "keys" / "pseudonym.key")


# Seconds each module took on 2 cores (junit times, 2026-12-06 evening, 409 tests): the longest run first, so
# the two workers of `make test` (`--dist loadfile --no-loadscope-reorder`) finish together instead of one
# waiting on a late long module. A module not listed starts last; the order changes no test's outcome.
MODULE_SECONDS = {"test_pipeline.py": 108, "test_versions.py": 88, "test_reuse.py": 62, "test_report.py": 48,
                  "test_stichtag_edge_cases.py": 45, "test_cli.py": 40, "test_crash_safety.py": 38,
                  "test_ingest.py": 37, "test_bad_input_corpus.py": 22, "test_generator.py": 15}


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


def cli_env(settings: Settings) -> dict[str, str]:
    """The environment of a `stichtag` process working on `settings` (no Dagster instance, test key)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "STICHTAG_CRASH_AT")}
    env.update(STICHTAG_LAKE=str(settings.lake), STICHTAG_INBOX=str(settings.inbox),
               STICHTAG_PSEUDONYM_KEY=TEST_KEY_HEX)
    return env


def run_cli(settings: Settings, *args: str, crash_at: str | None = None,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """`stichtag <args>` as a separate process (so it can really be killed at a crash point)."""
    env = {**cli_env(settings), **(extra_env or {})}
    if crash_at:
        env["STICHTAG_CRASH_AT"] = crash_at
    return subprocess.run([sys.executable, "-m", "stichtag.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300)
