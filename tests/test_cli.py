import datetime as dt
import os
import subprocess
import sys

import duckdb
import pytest

from kernel.window import StichtagWindow, parse_date
from publication.publish import refresh_analytics_db
from stichtag.cli import build_parser, last_delivered_month, main
from tests.conftest import make_settings
from warehouse.dbt import dbt_vars

COMMANDS = ["generate", "ingest", "materialise", "run", "sql", "versions", "revisions", "status", "key",
            "catalogue", "public", "dbt-parse", "dbt-sources", "report", "pii-scan", "quality", "prognose"]


@pytest.mark.parametrize("command", [[], *[[c] for c in COMMANDS]])
def test_every_command_has_help(command, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        main([*command, "--help"])
    assert exit_.value.code == 0
    assert "usage: stichtag" in capsys.readouterr().out


@pytest.mark.parametrize("bad", ["2024-02-30", "2024-1-1", "2024-01-01; DROP TABLE x", "gestern", ""])
def test_stichtag_is_parsed_strictly(bad, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["materialise", "--stichtag", bad])
    assert exit_.value.code == 2
    assert "kein gültiges Datum" in capsys.readouterr().err


def test_parse_date_accepts_a_leap_day() -> None:
    assert parse_date("2024-02-29") == dt.date(2024, 2, 29)


def test_dbt_vars_are_a_half_open_window() -> None:
    assert dbt_vars(dt.date(2024, 1, 31), dt.date(2024, 2, 1)) == {
        "min_date": "2024-01-31", "max_date": "2024-02-01", "raster": "taeglich", "datenstand": None}
    with pytest.raises(ValueError, match="leeres"):
        dbt_vars(dt.date(2024, 2, 1), dt.date(2024, 2, 1))
    with pytest.raises(ValueError, match="raster"):
        dbt_vars(dt.date(2024, 1, 1), dt.date(2024, 2, 1), raster="stündlich")


@pytest.mark.parametrize(("today", "month"), [
    (dt.date(2026, 11, 25), (2026, 10)), (dt.date(2026, 11, 4), (2026, 9)), (dt.date(2026, 1, 3), (2025, 11))])
def test_the_latest_delivered_month_follows_the_delivery_on_the_fifth(today, month) -> None:
    assert last_delivered_month(today) == month


@pytest.mark.parametrize("command", ["generate", "ingest"])
def test_an_unknown_source_system_is_refused_before_any_work(command, tmp_path, capsys) -> None:
    assert main(["--lake", str(tmp_path / "lake"), command, "--quellen", "jobcenter, nix", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "unbekannte Quellsysteme ['nix']" in err and "melderegister" in err
    assert not (tmp_path / "lake" / "raw").exists()


def test_sql_without_a_published_mart_says_what_to_do(tmp_path, capsys) -> None:
    assert main(["--lake", str(tmp_path / "lake"), "sql", "-c", "select 1"]) == 2
    assert "make run" in capsys.readouterr().err


def test_sql_reads_the_published_marts_and_no_other_file_and_writes_none(tmp_path) -> None:
    settings = make_settings(tmp_path)
    target = settings.exports / "kpi_values" / "stichtag=2024-12-31" / "kpi_values.parquet"
    target.parent.mkdir(parents=True)
    duckdb.execute(f"""copy (select 'einwohner' kpi_id, '01056' gebiet_id, 'Kreis' gebiet_name, 'kreis' gebiet_ebene,
        date '2024-12-31' as stichtag, 42.0 as value) to '{target}' (format parquet)""")
    refresh_analytics_db(settings)
    out = subprocess.run([sys.executable, "-m", "stichtag.cli", "--lake", str(settings.lake), "sql", "-c",
                          "select stichtag, value from kpi_values_latest"], capture_output=True, text=True)
    assert out.returncode == 0 and "2024-12-31" in out.stdout and "42" in out.stdout
    raw = settings.lake / "raw" / "melderegister" / "bestand.parquet"
    raw.parent.mkdir(parents=True)
    duckdb.execute(f"copy (select 'Musterfrau' familienname) to '{raw}' (format parquet)")
    planted = settings.exports / "kpi_values" / "stichtag=2099-12-31" / "kpi_values.parquet"
    for attempt in (f"select * from read_parquet('{raw}')", f"copy (select 1) to '{planted}' (format parquet)",
                    f"attach '{settings.lake / 'x.duckdb'}' as x", "set enable_external_access = true"):
        denied = subprocess.run([sys.executable, "-m", "stichtag.cli", "--lake", str(settings.lake), "sql", "-c",
                                 attempt], capture_output=True, text=True)
        assert denied.returncode == 1 and "Musterfrau" not in denied.stdout, attempt
    assert not planted.exists() and not (settings.lake / "x.duckdb").exists()


def test_catalogue_check_reports_the_kpis(capsys) -> None:
    assert main(["catalogue", "check"]) == 0
    assert "KPI-Katalog gültig" in capsys.readouterr().out


def test_prognose_check_validates_the_assumptions_and_refuses_a_base_that_is_no_year_end(capsys) -> None:
    assert main(["prognose", "--check"]) == 0
    assert "3 Varianten (basis, hoch, niedrig)" in capsys.readouterr().out
    assert main(["prognose", "--basis", "2024-06-30"]) == 2
    assert "kein 31.12." in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["2024-02-30", "2024-01-01; DROP TABLE kpi_values"])
def test_dagster_config_rejects_a_malformed_stichtag_before_any_build(bad, tmp_path, monkeypatch) -> None:
    from orchestration.lib.execute import failure_messages, run_stichtag_job

    monkeypatch.setenv("STICHTAG_LAKE", str(tmp_path / "lake"))
    monkeypatch.setenv("STICHTAG_INBOX", str(tmp_path / "inbox"))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    result = run_stichtag_job(StichtagWindow(dt.date(2016, 1, 31), dt.date(2016, 2, 29), "monatsende"),
                              log_level="CRITICAL", overrides={"von": bad})
    assert not result.success
    assert "kein gültiges Datum" in " ".join(failure_messages(result))
    assert not (tmp_path / "lake" / "warehouse" / "build.duckdb").exists()


def test_what_the_platform_writes_is_readable_by_its_owner_only(tmp_path) -> None:
    out = subprocess.run([sys.executable, "-c", "import pathlib, sys; from stichtag.cli import main; main(['status']); "
                          f"p = pathlib.Path('{tmp_path}') / 'zone' / 'file'; p.parent.mkdir(); p.write_text('x')"],
                         capture_output=True, text=True, env={**os.environ, "STICHTAG_LAKE": str(tmp_path / "lake")})
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "zone").stat().st_mode & 0o077 == 0 and (tmp_path / "zone" / "file").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(("args", "reason"), [
    (["--stichtag", "2099-12-31"], "liegt nach dem Datenstand"),
    (["--stichtag", "2014-06-30"], "vor dem ersten möglichen Stichtag 2015-01-01"),
    (["--stichtag", "2016-03-31", "--datenstand", "2016-03-01"], "liegt nach dem Datenstand 2016-03-01"),
    (["--stichtag", "2016-03-31", "--datenstand", "2099-01-01"], "Datenstand 2099-01-01 liegt in der Zukunft"),
    (["--stichtag", "2016-03-31", "--bis", "2016-03-01"], "liegt vor --stichtag"),
], ids=["future", "before-bestand", "after-datenstand", "future-datenstand", "reversed"])
def test_a_stichtag_no_delivery_can_describe_is_refused_with_a_clear_message(tmp_path, args, reason) -> None:
    from tests.conftest import make_settings, run_cli

    done = run_cli(make_settings(tmp_path), "materialise", *args)
    assert done.returncode == 2 and reason in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_the_dagster_path_refuses_a_future_stichtag_too(tmp_path, monkeypatch) -> None:
    from orchestration.lib.execute import failure_messages, run_stichtag_job
    from tests.conftest import cli_env, make_settings

    for k, v in cli_env(make_settings(tmp_path)).items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    import datetime as dt

    result = run_stichtag_job(StichtagWindow(dt.date(2099, 12, 31), dt.date(2099, 12, 31)), overrides={})
    assert not result.success and any("liegt nach dem Datenstand" in m for m in failure_messages(result))


def test_run_is_one_job_run_from_the_inbox_to_the_report(small_kreis, tmp_path) -> None:
    """`make run`'s command on an inbox that already has deliveries: one run of the job over the year ends
    and the latest Stichtag, then its summary and the PII scan."""
    import shutil

    from tests.conftest import make_settings, run_cli

    s = make_settings(tmp_path)
    shutil.copytree(small_kreis.inbox, s.inbox)
    done = run_cli(s, "run", "--stichtag", "2016-06-30")
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "Stichtage 2015-12-31 … 2016-06-30 (jahresende)" in out and "Lieferungen neu eingelesen" in out
    assert out.count("Dagster-Lauf") == 1  # one run, not one per step or Stichtag
    exported = sorted(p.name for p in (s.exports / "kpi_values").iterdir())
    assert exported == ["stichtag=2015-12-31", "stichtag=2016-06-30"]
    assert (s.lake / "public" / "kpi_values" / "stichtag=2016-06-30" / "kpi_values.parquet").exists()
    assert "Sozialbericht:      " + str(s.lake / "report") in out and "PII-Prüfung bestanden" in out
    assert "Vorausberechnung:   " + str(s.lake / "marts" / "prognose" / "basis=2015-12-31") in out


def test_the_latest_stichtag_before_the_first_ingest_comes_from_the_registry_deliveries_in_the_inbox(tmp_path):
    from stichtag.cli import latest_complete_stichtag

    s = make_settings(tmp_path)
    (s.inbox / "melderegister").mkdir(parents=True)
    for name in ("EWO_BESTAND_20141231.csv", "EWO_AENDERUNGEN_201605.csv", "EWO_AENDERUNGEN_201606.csv"):
        (s.inbox / "melderegister" / name).write_text("x")
    assert latest_complete_stichtag(s) == dt.date(2016, 6, 30)
