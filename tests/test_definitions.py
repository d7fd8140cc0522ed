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
                      dg.AssetKey(["staging", "stg_melderegister__bestand"]),
                      dg.AssetKey(["intermediate", "int_personenstaende"])}  # which persons a build recomputes
    stg = graph.get(dg.AssetKey(["staging", "stg_melderegister__ereignisse"])).parent_keys
    assert stg == {dg.AssetKey(["raw", "melderegister", "aenderungen"])}


def test_the_export_depends_on_every_mart_the_publication_reads() -> None:
    """A selection of the exports and what is upstream of them (the launchpad's, the tests') must build every
    table the publication reads, or the export fails on a missing table."""
    import re

    from kernel.settings import PROJECT_ROOT
    from orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    ancestors, todo = set(), [dg.AssetKey(["exports", "kpi_values"])]
    while todo:
        for parent in graph.get(todo.pop()).parent_keys - ancestors:
            ancestors.add(parent)
            todo.append(parent)
    read = set(re.findall(r"\bmarts\.(\w+)", (PROJECT_ROOT / "publication" / "publish.py").read_text()))
    assert {"fct_kpi_werte", "fct_sozialindex", "fct_offene_enden"} <= read
    assert not {m for m in read if dg.AssetKey(["marts", m]) not in ancestors}


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


def test_every_raw_catalogue_and_reference_asset_feeds_the_models_that_read_it() -> None:
    from orchestration.definitions import defs
    from sources.contract import load_contracts

    graph = defs.resolve_asset_graph()
    inputs = [k for k in graph.get_all_asset_keys() if k.path[0] in ("raw", "katalog", "referenz")]
    orphans = [k.to_user_string() for k in inputs if not graph.get(k).child_keys]
    assert not orphans, f"read by no model: {orphans}"
    official = {dg.AssetKey(["raw", c.source, c.table]) for c in load_contracts() if c.source == "amtlich"}
    assert official <= graph.get(dg.AssetKey(["staging", "stg_amtlich__werte"])).parent_keys
    for contract in load_contracts():  # a raw asset is the one the ingest materialises, not a copy dbt invents
        key = dg.AssetKey(["raw", contract.source, contract.table])
        assert graph.get(key).is_materializable, key


def test_the_asset_keys_are_the_snapshot() -> None:
    """A renamed or vanished asset breaks schedules, sensors and the history in the Dagster instance:
    a change of keys is deliberate (update tests/snapshots/asset_keys.txt in the same commit)."""
    from pathlib import Path

    from orchestration.definitions import defs

    keys = sorted(k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys())
    snapshot = Path(__file__).parent / "snapshots" / "asset_keys.txt"
    assert keys == snapshot.read_text(encoding="utf-8").split(), "asset keys changed: see the docstring"
