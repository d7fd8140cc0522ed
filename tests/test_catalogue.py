import copy

import pytest
import yaml

from stichtag.catalogue import CATALOGUE_FILE, CatalogueError, load_catalogue, parse_catalogue


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
    (lambda d: d["kpis"][1].pop("denominator"), "needs a denominator"),
    (lambda d: d["kpis"][0].update(denominator=[{"measure": "bevoelkerung"}]), "takes no denominator"),
    (lambda d: d["kpis"][1]["numerator"][0].update(age=[18, 5]), "reversed"),
    (lambda d: d["kpis"][1].update(formel="x"), "unknown keys"),
    (lambda d: d["kpis"][1].pop("definition"), "missing"),
])
def test_invalid_catalogue_entries_fail_with_a_clear_error(raw, mutate, message) -> None:
    mutate(raw)
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(raw)
