"""Secondary suppression on a hand-made Kreis: the cases where subtraction along Gemeinde → Amt → Kreis
would give a hidden cell away."""

from __future__ import annotations

from stichtag.catalogue import parse_catalogue
from stichtag.disclosure import SUPPRESSED, Hierarchy, audit, protect, suppress

CATALOGUE = parse_catalogue({
    "units": {"prozent": {"label": "%", "scale": 100}},
    "measures": {"hilfen": {"description": "Hilfen", "model": "m", "source": "jugendamt"},
                 "kinder": {"description": "Kinder", "model": "m", "source": "melderegister"}},
    "kpis": [{"id": "quote", "name": "Quote", "name_en": "rate", "handlungsfeld": "Jugend", "definition": "d",
              "numerator": [{"measure": "hilfen"}], "denominator": [{"measure": "kinder"}], "unit": "prozent",
              "sources": ["jugendamt"]}],
})
# Kreis K: amtsfrei A, B, C and the Amt X with x1, x2, x3. A has 2 cases (primary); x1 has 1 (primary).
# x3 is the smallest unhidden Gemeinde, but it sits in an Amt whose total is published.
HIERARCHY = Hierarchy((("X", ("x1", "x2", "x3")), ("K", ("A", "B", "C", "x1", "x2", "x3"))))
CASES = {"A": 2, "B": 10, "C": 20, "x1": 1, "x2": 8, "x3": 4}
CHILDREN = {"A": 120, "B": 300, "C": 500, "x1": 40, "x2": 200, "x3": 90}


def _rows() -> list[dict]:
    cases = {**CASES, "X": CASES["x1"] + CASES["x2"] + CASES["x3"], "K": sum(CASES.values())}
    children = {**CHILDREN, "X": CHILDREN["x1"] + CHILDREN["x2"] + CHILDREN["x3"], "K": sum(CHILDREN.values())}
    level = {"X": "amt", "K": "kreis"}
    return [{"kpi_id": "quote", "gebiet_id": a, "gebiet_ebene": level.get(a, "gemeinde"), "numerator": float(n),
             "denominator": float(children[a]), "value": 100 * n / children[a], "status": "ok"}
            for a, n in cases.items()]


def test_group_rule_alone_leaves_a_hidden_amtsfrei_gemeinde_recoverable_from_kreis_minus_amt() -> None:
    rows = _rows()
    public, _ = suppress(rows, CATALOGUE, HIERARCHY)
    assert any(f.gebiet_id == "A" and f.low == f.high == 2 for f in audit(public, rows, CATALOGUE, HIERARCHY))


def test_protection_passes_the_audit_by_hiding_an_amtsfrei_partner() -> None:
    rows = _rows()
    public, findings, rounds = protect(rows, CATALOGUE, HIERARCHY)
    hidden = {r["gebiet_id"] for r in public if r["status"] == SUPPRESSED}
    assert findings == [] and rounds >= 1
    assert {"A", "x1"} <= hidden and hidden & {"B", "C"}  # A's partner is amtsfrei, not covered by X's total
    assert audit(public, rows, CATALOGUE, HIERARCHY) == []
    assert all(r["numerator"] is None and r["denominator"] is None for r in public if r["status"] == SUPPRESSED)


def test_protection_is_deterministic() -> None:
    assert protect(_rows(), CATALOGUE, HIERARCHY) == protect(_rows(), CATALOGUE, HIERARCHY)
