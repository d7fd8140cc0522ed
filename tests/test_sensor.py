import datetime as dt

import dagster as dg
import pytest

from orchestration.defs.ingest.sensors import earliest_event_date, month_ends_between, run_requests
from tests.mini import write_mini_delivery


@pytest.mark.parametrize(("first", "last", "expected"), [
    (dt.date(2016, 2, 10), dt.date(2016, 5, 4), (dt.date(2016, 2, 29), dt.date(2016, 4, 30))),
    (dt.date(2016, 2, 29), dt.date(2016, 2, 29), (dt.date(2016, 2, 29), dt.date(2016, 2, 29))),
    (dt.date(2016, 5, 2), dt.date(2016, 5, 4), None),
])
def test_month_ends_between_is_inclusive(first, last, expected) -> None:
    assert month_ends_between(first, last) == expected


def test_a_delivery_with_late_reports_requests_today_and_a_month_end_backfill(tmp_path) -> None:
    write_mini_delivery(tmp_path)
    march = tmp_path / "melderegister" / "EWO_AENDERUNGEN_201603.csv"
    assert earliest_event_date(march) == dt.date(2016, 2, 10)
    today, backfill = run_requests([march], dt.date(2016, 4, 5), "k")
    window = today.run_config["resources"]["fenster"]["config"]
    assert (window["von"], window["bis"], window["raster"]) == ("2016-04-05", "2016-04-05", "taeglich")
    config = backfill.run_config["resources"]["fenster"]["config"]
    assert today.job_name is None and backfill.job_name is None  # both runs of the sensor's one job
    assert (config["von"], config["bis"], config["raster"]) == ("2016-02-29", "2016-03-31", "monatsende")


def test_the_sensor_skips_when_nothing_changed_and_fires_on_a_new_file(tmp_path, monkeypatch) -> None:
    from orchestration.definitions import defs

    monkeypatch.setenv("STICHTAG_INBOX", str(tmp_path))
    sensor = defs.resolve_sensor_def("inbox_sensor")
    with dg.instance_for_test() as instance:
        ctx = dg.build_sensor_context(instance=instance)
        assert isinstance(sensor(ctx), dg.SkipReason)
        write_mini_delivery(tmp_path)
        requests = sensor(ctx)
        assert len(requests) == 2 and ctx.cursor
        assert isinstance(sensor(dg.build_sensor_context(instance=instance, cursor=ctx.cursor)), dg.SkipReason)
