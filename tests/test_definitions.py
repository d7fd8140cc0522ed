import dagster as dg


def test_definitions_load_with_lineage_from_raw_to_export() -> None:
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert {"raw/melderegister/bestand", "raw/melderegister/aenderungen", "marts/fct_kpi_werte",
            "exports/kpi_values", "intermediate/int_wohnzeitraeume", "katalog/kpis"} <= keys
    upstream = graph.get(dg.AssetKey(["exports", "kpi_values"])).parent_keys
    assert dg.AssetKey(["marts", "fct_kpi_werte"]) in upstream
    states = graph.get(dg.AssetKey(["intermediate", "int_meldezustaende"])).parent_keys
    assert states == {dg.AssetKey(["intermediate", "int_ereignisse_bereinigt"]),
                      dg.AssetKey(["staging", "stg_melderegister__bestand"])}
    stg = graph.get(dg.AssetKey(["staging", "stg_melderegister__ereignisse"])).parent_keys
    assert stg == {dg.AssetKey(["raw", "melderegister", "aenderungen"])}


def test_jobs_schedule_and_sensor_are_defined() -> None:
    from orchestration.definitions import defs

    assert [j.name for j in defs.jobs] == ["stichtag"]  # one path: every launch runs this job
    assert defs.resolve_job_def("stichtag")
    assert defs.resolve_schedule_def("tagesaktuell").cron_schedule == "30 6 * * *"
    assert defs.resolve_sensor_def("inbox_sensor")


def test_ingest_assets_retry_with_exponential_backoff() -> None:
    from orchestration.defs.ingest.assets import INGEST_RETRY, ingest_assets

    assert INGEST_RETRY.backoff == dg.Backoff.EXPONENTIAL and INGEST_RETRY.max_retries == 3
    for asset in ingest_assets():
        assert asset.op.retry_policy == INGEST_RETRY
