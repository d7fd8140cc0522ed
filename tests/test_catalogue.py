import copy

import pytest
import yaml

from kernel.catalogue import CATALOGUE_FILE, CatalogueError, load_catalogue, parse_catalogue


@pytest.fixture
def raw() -> dict:
    return yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))


def test_the_shipped_catalogue_is_valid() -> None:
    cat = load_catalogue()
    assert {"einwohner", "anteil_u18", "geburtenrate", "wanderungssaldo"} <= {k.id for k in cat.kpis}


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda d: d["kpis"].append(copy.deepcopy(d["kpis"][0])), "duplicate id"),
    (lambda d: d["kpis"][1]["numerator"][0].update(measure="kinder_im_mond"), "unknown measure"),
    (lambda d: d["kpis"][1].update(unit="prozentpunkte"), "unknown unit"),
    (lambda d: d["units"]["prozent"].pop("decimals"), "needs label, scale and decimals"),
    (lambda d: d["units"]["prozent"].update(decimals=1.5), "needs label, scale and decimals"),
    (lambda d: d["kpis"][1].pop("denominator"), "needs a denominator"),
    (lambda d: d["kpis"][0].update(denominator=[{"measure": "bevoelkerung"}]), "takes no denominator"),
    (lambda d: d["kpis"][1]["numerator"][0].update(age=[18, 5]), "reversed"),
    (lambda d: d["kpis"][1].update(formel="x"), "unknown keys"),
    (lambda d: d["kpis"][1].pop("definition"), "missing"),
    (lambda d: d["kpis"][1].update(plausible={"min": 50, "max": 10}), "min < max"),
    (lambda d: d["kpis"][1].update(plausible={"max": 10, "level": "stadtteil"}), "unknown level"),
    (lambda d: d["kpis"][1].update(plausible={"bis": 10}), "plausible range has min"),
    (lambda d: d["measures"]["bevoelkerung_vorjahr"].update(same_as={"measure": "bevoelkerung"}), "same_as needs"),
    (lambda d: d["measures"]["bevoelkerung_vor5j"].update(same_as={"measure": "bevoelkerung_vorjahr",
                                                                    "years_before": 4}), "same_as needs"),
    (lambda d: d["kpis"][1].update(comparison={"quelle": "BA"}), "comparison is a mapping"),
    (lambda d: d["kpis"][1].update(comparison={"land_bund": "ja"}), "land_bund is true or false"),
])
def test_invalid_catalogue_entries_fail_with_a_clear_error(raw, mutate, message) -> None:
    mutate(raw)
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(raw)


def test_committed_kpi_docs_are_generated_from_the_catalogue(tmp_path) -> None:
    from publication.docs import DOCS_DIR, write_docs

    pages = write_docs(tmp_path)
    committed = {p.name: p.read_text(encoding="utf-8") for p in DOCS_DIR.glob("*.md")}
    assert committed == {p.name: p.read_text(encoding="utf-8") for p in pages}, \
        "docs/kpis/ is stale: run `stichtag catalogue docs`"


def test_kpi_page_shows_formula_lineage_and_latest_values(tmp_path) -> None:
    from kernel.catalogue import load_catalogue
    from publication.docs import kpi_page

    cat = load_catalogue()
    page = kpi_page(cat.kpi("geburtenrate"), cat, [("Kreis Pinneberg", "31.12.2025", "31.12.2025", 8.91, "ok")])
    assert "(`geburten_12m`) / (0,50 × (`bevoelkerung`) + 0,50 × (`bevoelkerung_vorjahr`)) × 1.000" in page
    # the value with its unit's decimals from the catalogue (je_1000: one place)
    assert "`int_ereignisse_bereinigt`" in page
    assert "| Kreis Pinneberg | 31.12.2025 | 31.12.2025 | 8,9 je 1.000 |" in page


def test_social_index_must_name_catalogue_kpis() -> None:
    raw = yaml.safe_load(CATALOGUE_FILE.read_text(encoding="utf-8"))
    broken = copy.deepcopy(raw)
    broken["sozialindex"]["indikatoren"].append({"kpi": "gibt_es_nicht", "gewicht": 1})
    with pytest.raises(CatalogueError, match="sozialindex: unknown KPI 'gibt_es_nicht'"):
        parse_catalogue(broken)


def test_every_kpi_has_a_german_definition_and_caveats_for_the_report() -> None:
    from kernel.catalogue import load_catalogue

    assert [k.id for k in load_catalogue().kpis if not k.definition_de] == []
    assert [k.id for k in load_catalogue().kpis if k.caveats and not k.caveats_de] == []


def test_every_measure_names_a_dbt_model_that_feeds_the_measures() -> None:
    from warehouse.lineage import measure_feeders, measure_model_errors, model_graph

    graph = model_graph()
    assert "stg_kita__belegung" in graph["int_kita_vertraege"]  # refs inside macro calls count too
    assert {"int_bevoelkerung", "int_sgb2_personen", "stg_referenz__gemeinden"} <= measure_feeders(graph)
    assert measure_model_errors(load_catalogue(), graph) == []


def test_a_measure_whose_model_is_missing_or_feeds_no_kpi_fails_the_check(raw) -> None:
    from warehouse.lineage import measure_model_errors

    raw["measures"]["bevoelkerung"]["model"] = "int_einwohner_alt"
    raw["measures"]["sgb2_elb"]["model"] = "fct_offene_enden"
    errors = measure_model_errors(parse_catalogue(raw))
    assert any("int_einwohner_alt" in e and "no model" in e for e in errors)
    assert any("sgb2_elb" in e and "does not feed" in e for e in errors)


def test_a_provisional_source_must_be_a_measures_source_and_its_model_must_set_the_status(raw) -> None:
    from warehouse.lineage import measure_model_errors

    assert load_catalogue().provisional["jobcenter"]["model"] == "int_sgb2_personen"
    wrong = copy.deepcopy(raw)
    wrong["provisional"]["sozialamt"] = {"model": "int_sgb12_leistungszeitraeume", "rule": "revised monthly"}
    assert any("provisional sozialamt" in e and "int_messgroessen_stand" in e
               for e in measure_model_errors(parse_catalogue(wrong)))
    raw["provisional"]["finanzamt"] = {"model": "int_x", "rule": "r"}
    with pytest.raises(CatalogueError, match="source of no measure"):
        parse_catalogue(raw)


def test_the_measures_table_for_dbt_marks_exactly_the_provisional_sources_measures(tmp_path) -> None:
    import json

    from kernel.catalogue import write_for_dbt

    write_for_dbt(load_catalogue(), tmp_path)
    rows = [json.loads(line) for line in (tmp_path / "messgroessen.json").read_text().splitlines()]
    assert {r["messgroesse"] for r in rows if r["vorlaeufig_moeglich"]} == {
        r["messgroesse"] for r in rows if r["quelle"] == "jobcenter"} != set()


def test_every_project_yaml_file_reads_as_pyyaml_safe_load_reads_it() -> None:
    """The project's files are parsed by libyaml (kernel/yaml_text.py, for start-up time): the objects must be
    the ones PyYAML's own safe parser gives, for the catalogue, contracts, suites and assumptions alike."""
    from kernel.settings import PROJECT_ROOT
    from kernel.yaml_text import load_yaml

    files = [p for folder in ("catalogue", "sources/contracts", "expectations", "prognose")
             for p in sorted((PROJECT_ROOT / folder).rglob("*.yml"))]
    assert len(files) > 30
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert load_yaml(text) == yaml.safe_load(text), path
