"""Versioned marts: Stichtag × Datenstand, immutable versions, latest pointer, revisions, crash safety."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from kernel.window import StichtagWindow
from publication.publish import kpi_export_path
from publication.versions import list_versions, prune, read_latest, versions_root
from tests.conftest import MINI_DAY, make_settings, run_job
from tests.mini import A, write_mini_delivery

# the wrong-date Zuzug (cancelled in the April delivery) is in effect; A's newborn of 15.03 counts from 1.03
# (a birth event keeps only its month), so from the March delivery on A has one resident more
DAY = MINI_DAY
WINDOW = (dt.date(2016, 3, 14), dt.date(2016, 3, 17))


def materialise(settings, datenstand: dt.date | None = None, window=WINDOW) -> None:
    assert run_job(settings, StichtagWindow(*window, datenstand=datenstand)).success


def einwohner_a(path) -> float:
    return duckdb.execute(f"""select value from read_parquet('{path}')
        where kpi_id = 'einwohner' and gebiet_id = '{A}'""").fetchone()[0]


@pytest.fixture(scope="module")
def three_datenstaende(tmp_path_factory):
    """The same Stichtage at three Datenstände: Bestand only, before the Storno, everything."""
    settings = make_settings(tmp_path_factory.mktemp("versions"))
    write_mini_delivery(settings.inbox)
    materialise(settings)  # latest Datenstand first …
    materialise(settings, datenstand=dt.date(2016, 4, 30))  # … then reproduce two old ones
    materialise(settings, datenstand=dt.date(2016, 3, 31))
    return settings


def test_a_late_correction_changes_the_value_exactly_between_datenstaende(three_datenstaende) -> None:
    s = three_datenstaende
    con = duckdb.connect(str(s.analytics_db), read_only=True)
    revisions = con.execute(f"""select strftime(datenstand, '%Y-%m-%d'), value from kpi_revisions
        where kpi_id = 'einwohner' and gebiet_id = '{A}' and stichtag = ? order by datenstand""", [DAY]).fetchall()
    # Bestand only: 3 residents; March delivery (received 5.4.): + the Zuzug dated 10.3. + the newborn;
    # April delivery (5.5.): that Zuzug cancelled by a Storno and re-dated to 17.3.
    assert revisions == [("2015-01-05", 3.0), ("2016-04-05", 5.0), ("2016-05-05", 4.0)]


def test_latest_points_at_the_newest_datenstand_whatever_was_built_last(three_datenstaende) -> None:
    latest = read_latest(three_datenstaende, DAY)
    assert latest["datenstand"] == "20160505T060000Z"
    assert einwohner_a(kpi_export_path(three_datenstaende, DAY)) == 4.0


def test_every_version_has_a_manifest_with_inputs_code_and_checks(three_datenstaende) -> None:
    versions = [v for v in list_versions(three_datenstaende) if v["stichtag"] == DAY.isoformat()]
    assert len(versions) == 3 and sum(v["is_latest"] for v in versions) == 1
    old = next(v for v in versions if v["datenstand"] == "20160405T060000Z")
    assert [d["lieferung_id"] for d in old["inputs"]] == ["EWO_BESTAND_20141231", "EWO_AENDERUNGEN_201603"]
    assert all(len(d["sha256"]) == 64 for d in old["inputs"])
    assert old["checks_passed"] and {c["check"] for c in old["checks"]} >= {"eine Zeile je KPI und Gebiet"}
    assert old["models_sha256"] and old["catalogue_sha256"] and old["pseudonym_key_ids"]
    assert old["requested_datenstand"] == "2016-04-30" and old["row_counts"]["kpi_values"] > 0


def test_rematerialising_an_existing_version_is_a_no_op(three_datenstaende) -> None:
    s = three_datenstaende
    before = {p: p.stat().st_mtime_ns for p in versions_root(s).rglob("*")}
    materialise(s, datenstand=dt.date(2016, 4, 30))
    assert {p: p.stat().st_mtime_ns for p in versions_root(s).rglob("*")} == before


def test_a_rebuild_from_the_same_inputs_is_byte_identical(three_datenstaende, one_old_datenstand) -> None:
    other = one_old_datenstand  # another lake, which built only this Stichtag at this Datenstand
    [mine] = versions_root(three_datenstaende).glob(f"stichtag={DAY}/datenstand=20160405T060000Z/build=*")
    [theirs] = versions_root(other).glob(f"stichtag={DAY}/datenstand=20160405T060000Z/build=*")
    assert mine.name == theirs.name
    assert (mine / "kpi_values.parquet").read_bytes() == (theirs / "kpi_values.parquet").read_bytes()


def test_prune_keeps_the_newest_datenstaende_and_never_the_latest(three_datenstaende, tmp_path) -> None:
    import shutil

    s = make_settings(tmp_path)
    shutil.copytree(three_datenstaende.lake, s.lake)
    assert prune(s, keep=1, dry_run=True)
    removed = prune(s, keep=1)
    left = [v for v in list_versions(s) if v["stichtag"] == DAY.isoformat()]
    assert len(left) == 1 and left[0]["is_latest"] and len(removed) == 2 * 4
    with pytest.raises(ValueError, match="mindestens 1"):
        prune(s, keep=0)
    with pytest.raises(ValueError, match="--gescheiterte"):
        prune(s, keep=None)  # neither rule: nothing to remove by, rather than everything


def test_status_reports_deliveries_versions_and_a_free_lock(three_datenstaende) -> None:
    from stichtag.status import collect, render

    status = collect(three_datenstaende)
    assert status["deliveries"]["melderegister/aenderungen"]["last_delivery"] == "EWO_AENDERUNGEN_201604"
    assert status["versions"]["stichtage"] == 4 and status["failed_checks"] == []
    assert status["build_lock"] is None and status["versions"]["last_run_id"]
    text = render(status)
    assert "Build-Sperre: frei" in text and "Lieferungen, zuletzt" in text  # no comma turned into a dot


def test_operations_log_has_one_line_per_delivery_and_publication_with_ids(three_datenstaende) -> None:
    from kernel.log import read_events

    events = read_events(three_datenstaende)
    ingests = [e for e in events if e["event"] == "ingest"]
    assert {e["lieferung_id"] for e in ingests} == {"EWO_BESTAND_20141231", "EWO_AENDERUNGEN_201603",
                                                   "EWO_AENDERUNGEN_201604"}
    publishes = [e for e in events if e["event"] == "publish"]
    assert publishes and all(e["run_id"] and e["datenstand"] and e["stichtag"] for e in publishes)
