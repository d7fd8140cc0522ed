"""Disclosure control on hand-made Kreise: each attack from the issue (subtraction along the hierarchy,
nested age groups, balances, composites, group disclosure, differencing of releases) first succeeds against
primary suppression alone, then fails against the protected table."""

from __future__ import annotations

from kernel.catalogue import parse_catalogue
from publication.disclosure import SUPPRESSED, Hierarchy, apply, attack, protect
from publication.disclosure.model import Atoms, release, signature
from publication.disclosure.rules import primary

# Kreis K: amtsfrei A, B, C and the Amt X with x1, x2, x3.
HIERARCHY = Hierarchy((("X", ("x1", "x2", "x3")), ("K", ("A", "B", "C", "x1", "x2", "x3"))))
LEVEL = {"X": "amt", "K": "kreis"}
AREAS = ("A", "B", "C", "x1", "x2", "x3")


def _catalogue(kpis: list[dict], measures: dict[str, dict]) -> object:
    base = {"name": "n", "name_en": "n", "handlungsfeld": "h", "definition": "d", "sources": ["s"]}
    return parse_catalogue({
        "units": {"prozent": {"label": "%", "scale": 100, "decimals": 1},
                  "anzahl": {"label": "Anzahl", "scale": 1, "decimals": 0}},
        "measures": {m: {"description": m, "model": "m", "source": "x", **spec} for m, spec in measures.items()},
        "kpis": [{**base, **k} for k in kpis]})


def _rows(catalogue, data: dict[str, dict[str, float]]) -> list[dict]:
    """Rows of every KPI in every area; `data[kpi_id + ':' + side][gemeinde]` holds the Gemeinde values."""
    rows = []
    for k in catalogue.kpis:
        for area in (*AREAS, "X", "K"):
            members = HIERARCHY.members(area)
            vals = {side: sum(data[f"{k.id}:{side}"][g] for g in members) if f"{k.id}:{side}" in data else None
                    for side in ("numerator", "denominator")}
            value = vals["numerator"] if vals["denominator"] is None else (
                100 * vals["numerator"] / vals["denominator"] if vals["denominator"] else None)
            rows.append({"kpi_id": k.id, "gebiet_id": area, "gebiet_ebene": LEVEL.get(area, "gemeinde"),
                         **vals, "value": value, "status": "ok"})
    return rows


def _primary_only(rows, catalogue) -> list[dict]:
    return apply(rows, primary(release(rows, catalogue, Atoms(catalogue)), catalogue), catalogue)


QUOTE = _catalogue([{"id": "quote", "numerator": [{"measure": "hilfen"}], "denominator": [{"measure": "kinder"}],
                     "unit": "prozent"}], {"hilfen": {}, "kinder": {}})
QUOTE_DATA = {"quote:numerator": {"A": 2, "B": 10, "C": 20, "x1": 1, "x2": 8, "x3": 4},
              "quote:denominator": {"A": 120, "B": 300, "C": 500, "x1": 40, "x2": 200, "x3": 90}}


def test_primary_suppression_alone_gives_a_hidden_amtsfrei_gemeinde_away_by_kreis_minus_amt() -> None:
    rows = _rows(QUOTE, QUOTE_DATA)
    findings = attack(rows, _primary_only(rows, QUOTE), QUOTE, HIERARCHY)
    assert any(f.area == "A" and f.low == f.high == 2 for f in findings)


def test_protection_passes_the_attack_by_hiding_an_amtsfrei_partner_and_keeps_denominators() -> None:
    rows = _rows(QUOTE, QUOTE_DATA)
    p = protect(rows, QUOTE, HIERARCHY)
    hidden = {r["gebiet_id"] for r in p.public if r["status"] == SUPPRESSED}
    assert p.passed and attack(rows, p.public, QUOTE, HIERARCHY) == []
    assert {"A", "x1"} <= hidden and hidden & {"B", "C"}  # A's partner is amtsfrei, not covered by X's total
    assert all(r["numerator"] is None and r["value"] is None and r["denominator"] is not None
               for r in p.public if r["status"] == SUPPRESSED)


def test_protection_is_deterministic() -> None:
    rows = _rows(QUOTE, QUOTE_DATA)
    assert protect(rows, QUOTE, HIERARCHY).public == protect(rows, QUOTE, HIERARCHY).public


# SGB II by age: children 0–14 and 0–17 published, so 15–17 is their difference (Bilsen: 9 − 7 = 2).
AGES = _catalogue([
    {"id": "kinderarmut", "numerator": [{"measure": "sgb2", "age": [0, 14]}],
     "denominator": [{"measure": "bev", "age": [0, 14]}], "unit": "prozent"},
    {"id": "jugendarmut", "numerator": [{"measure": "sgb2", "age": [15, 17]}],
     "denominator": [{"measure": "bev", "age": [15, 17]}], "unit": "prozent"},
    {"id": "u18_sgb2", "numerator": [{"measure": "sgb2", "age": [0, 17]}],
     "denominator": [{"measure": "bev", "age": [0, 17]}], "unit": "prozent"}],
    {"sgb2": {"dimensions": ["alter"]}, "bev": {"dimensions": ["alter"]}})
U15 = {"A": 7, "B": 40, "C": 33, "x1": 12, "x2": 25, "x3": 18}
U18 = {"A": 2, "B": 9, "C": 8, "x1": 5, "x2": 6, "x3": 7}
AGES_DATA = {"kinderarmut:numerator": U15, "jugendarmut:numerator": U18,
             "u18_sgb2:numerator": {a: U15[a] + U18[a] for a in AREAS},
             "kinderarmut:denominator": dict.fromkeys(AREAS, 131), "jugendarmut:denominator": dict.fromkeys(AREAS, 27),
             "u18_sgb2:denominator": dict.fromkeys(AREAS, 158)}


def test_nested_age_groups_give_a_hidden_count_back_unless_the_overlapping_cell_is_hidden_too() -> None:
    rows = _rows(AGES, AGES_DATA)
    naive = attack(rows, _primary_only(rows, AGES), AGES, HIERARCHY)
    assert any(f.area == "A" and f.kpi_id == "jugendarmut" and f.low == f.high == 2 for f in naive)
    p = protect(rows, AGES, HIERARCHY)
    assert p.passed and attack(rows, p.public, AGES, HIERARCHY) == []
    a = {r["kpi_id"]: r for r in p.public if r["gebiet_id"] == "A"}
    assert a["jugendarmut"]["status"] == SUPPRESSED
    assert a["u18_sgb2"]["status"] == SUPPRESSED or a["kinderarmut"]["status"] == SUPPRESSED


# Births hidden, but the natural balance (births − deaths) and deaths published.
BALANCE = _catalogue([
    {"id": "geburten", "numerator": [{"measure": "geburten"}], "unit": "anzahl"},
    {"id": "sterbefaelle", "numerator": [{"measure": "sterbefaelle"}], "unit": "anzahl"},
    {"id": "nat_saldo", "numerator": [{"measure": "geburten"}, {"measure": "sterbefaelle", "factor": -1}],
     "unit": "anzahl"}], {"geburten": {}, "sterbefaelle": {}})
BALANCE_DATA = {"geburten:numerator": {"A": 1, "B": 30, "C": 25, "x1": 9, "x2": 12, "x3": 14},
                "sterbefaelle:numerator": {"A": 6, "B": 40, "C": 31, "x1": 8, "x2": 15, "x3": 9},
                "nat_saldo:numerator": {"A": -5, "B": -10, "C": -6, "x1": 1, "x2": -3, "x3": 5}}


def test_a_published_balance_gives_a_hidden_flow_back_unless_the_balance_is_protected() -> None:
    rows = _rows(BALANCE, BALANCE_DATA)
    naive = attack(rows, _primary_only(rows, BALANCE), BALANCE, HIERARCHY)
    assert any(f.area == "A" and f.kpi_id == "geburten" and f.low == f.high == 1 for f in naive)
    p = protect(rows, BALANCE, HIERARCHY)
    assert p.passed and attack(rows, p.public, BALANCE, HIERARCHY) == []


# Single-parent BGs among BGs with children: 100 % of a small group, and a complement of 1.
GROUP = _catalogue([{"id": "alleinerziehende_bg", "numerator": [{"measure": "bg_allein"}],
                     "denominator": [{"measure": "bg_kinder"}], "unit": "prozent", "share_of_group": True}],
                   {"bg_allein": {"part_of": "bg_kinder"}, "bg_kinder": {}})
GROUP_DATA = {"alleinerziehende_bg:numerator": {"A": 5, "B": 30, "C": 17, "x1": 4, "x2": 12, "x3": 9},
              "alleinerziehende_bg:denominator": {"A": 5, "B": 80, "C": 18, "x1": 20, "x2": 30, "x3": 25}}


def test_group_disclosure_hides_a_full_small_group_and_a_complement_of_one() -> None:
    rows = _rows(GROUP, GROUP_DATA)
    rules = primary(release(rows, GROUP, Atoms(GROUP)), GROUP)
    assert {area: why for (_, area), why in rules.items()} == {"A": "gruppe", "C": "gruppe"}
    p = protect(rows, GROUP, HIERARCHY)
    assert p.passed and attack(rows, p.public, GROUP, HIERARCHY) == []
    assert {r["gebiet_id"] for r in p.public if r["status"] == SUPPRESSED} >= {"A", "C"}


def test_a_new_release_keeps_the_old_pattern_so_differencing_the_two_gives_nothing_back() -> None:
    rows = _rows(QUOTE, QUOTE_DATA)
    old = protect(rows, QUOTE, HIERARCHY)
    # a late delivery: x2 gets one more case, A now has 3 (no longer small on its own)
    later = {"quote:numerator": {**QUOTE_DATA["quote:numerator"], "A": 3, "x2": 9},
             "quote:denominator": QUOTE_DATA["quote:denominator"]}
    new_rows = _rows(QUOTE, later)
    independent = protect(new_rows, QUOTE, HIERARCHY)
    assert attack(new_rows, independent.public, QUOTE, HIERARCHY) == []
    earlier = [(rows, old.public)]
    new = protect(new_rows, QUOTE, HIERARCHY, earlier=earlier)
    assert new.passed and attack(new_rows, new.public, QUOTE, HIERARCHY, earlier=earlier) == []
    old_hidden = {r["gebiet_id"] for r in old.public if r["status"] == SUPPRESSED}
    new_hidden = {r["gebiet_id"] for r in new.public if r["status"] == SUPPRESSED}
    assert old_hidden <= new_hidden


def test_the_attack_reads_the_hidden_cells_off_the_table_and_fails_a_lone_or_a_missing_suppression() -> None:
    rows = _rows(QUOTE, QUOTE_DATA)
    hide_a = apply(rows, {(signature(QUOTE.kpis[0].numerator), "A"): "klein"}, QUOTE)
    findings = {f.area: f for f in attack(rows, hide_a, QUOTE, HIERARCHY)}
    assert set(findings) == {"A", "x1"}  # A is the Kreis minus the rest; x1 (1 case) is not hidden at all
    assert (findings["A"].low, findings["A"].high) == (2, 2)
    assert findings["A"].public_text() == "quote (Zähler) in A: ableitbar auf eine Spanne von 0 < 3"  # no value


# The population a year before is last year's published population: an attacker reads last year's release
# into this one (`same_as`), so a mean population published beside a hidden small age group gives it back.
MEAN = _catalogue(
    [{"id": "hochbetagt", "numerator": [{"measure": "bev", "age": [80, None]}], "denominator": [{"measure": "bev"}],
      "unit": "prozent"},
     {"id": "pflege", "numerator": [{"measure": "pflege"}],
      "denominator": [{"measure": "bev", "age": [80, None], "factor": 0.5},
                      {"measure": "bev_vj", "age": [80, None], "factor": 0.5}], "unit": "prozent"}],
    {"bev": {"dimensions": ["alter"]}, "pflege": {},
     "bev_vj": {"dimensions": ["alter"], "same_as": {"measure": "bev", "years_before": 1}}})
BEV80_VORJAHR = {"A": 6, "B": 28, "C": 41, "x1": 19, "x2": 25, "x3": 33}
BEV = {"A": 100, "B": 300, "C": 500, "x1": 150, "x2": 200, "x3": 250}


def _mean_rows(bev80: dict[str, int], bev80_vorjahr: dict[str, int]) -> list[dict]:
    return _rows(MEAN, {"hochbetagt:numerator": bev80, "hochbetagt:denominator": BEV,
                        "pflege:numerator": {"A": 4, "B": 9, "C": 12, "x1": 6, "x2": 7, "x3": 8},
                        "pflege:denominator": {g: 0.5 * bev80[g] + 0.5 * bev80_vorjahr[g] for g in AREAS}})


def test_last_years_published_population_gives_a_hidden_age_group_back_unless_the_audit_reads_it_too() -> None:
    bev80 = {"A": 2, "B": 30, "C": 40, "x1": 20, "x2": 25, "x3": 35}
    last_year = _rows(MEAN, {"hochbetagt:numerator": BEV80_VORJAHR, "hochbetagt:denominator": BEV})
    years_before = [(last_year, last_year, {"bev": "bev_vj"})]  # nothing of last year's population was small
    rows = _mean_rows(bev80, BEV80_VORJAHR)
    alone = protect(rows, MEAN, HIERARCHY)
    assert alone.passed  # within this Stichtag, A's 80+ lie anywhere in 0 … 8
    exact = [f for f in attack(rows, alone.public, MEAN, HIERARCHY, years_before=years_before)
             if f.area == "A" and f.kpi_id == "hochbetagt"]
    assert exact and exact[0].low == exact[0].high == 2  # 2 × mean − last year's published 6
    both = protect(rows, MEAN, HIERARCHY, years_before=years_before)
    assert both.passed and attack(rows, both.public, MEAN, HIERARCHY, years_before=years_before) == []
    assert any(r["kpi_id"] == "pflege" and r["status"] == SUPPRESSED for r in both.public)


def test_a_revised_last_year_misleads_the_attacker_and_the_audit_drops_it_instead_of_failing() -> None:
    bev80 = {"A": 2, "B": 30, "C": 40, "x1": 20, "x2": 25, "x3": 35}
    last_year = _rows(MEAN, {"hochbetagt:numerator": BEV80_VORJAHR, "hochbetagt:denominator": BEV})
    revised = {**BEV80_VORJAHR, "A": 7}  # a late registration: last year's published 6 is now 7
    rows = _mean_rows(bev80, revised)
    p = protect(rows, MEAN, HIERARCHY, years_before=[(last_year, last_year, {"bev": "bev_vj"})])
    assert p.passed


def test_the_cold_solver_is_linprog_to_the_bit_its_status_optimum_and_duals() -> None:
    """Cells the warm solver cannot clear are solved cold; the duals name the cells a finding rests on, which
    secondary suppression hides next. So the cold solver must give linprog's own status, optimum and
    equation duals, bit for bit, on feasible, contradictory and unbounded systems, with and without
    inequalities."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix

    from publication.disclosure.solver import ColdLp

    rng = np.random.default_rng(3)
    statuses = set()
    for trial in range(24):
        n, m = int(rng.integers(20, 100)), int(rng.integers(5, 50))
        a_eq = csr_matrix(rng.integers(0, 2, (m, n)) * (rng.random((m, n)) < 0.2))
        b_eq = a_eq @ rng.integers(0, 40, n).astype(float)
        if trial % 4 == 0:
            b_eq[0] += 1000  # most likely contradicts the other rows
        pairs = rng.integers(0, n, (10, 2))
        a_ub = None if trial % 3 == 0 else csr_matrix(
            (np.r_[np.ones(10), -np.ones(10)], (np.r_[np.arange(10), np.arange(10)], np.r_[pairs[:, 0], pairs[:, 1]])),
            shape=(10, n))
        b_ub = None if a_ub is None else np.zeros(10)
        cold = ColdLp(a_eq, b_eq, a_ub, b_ub, n)
        for _ in range(10):
            c = (rng.integers(-2, 3, n) * (rng.random(n) < 0.15)).astype(float)
            want = linprog(c, A_eq=a_eq, b_eq=b_eq, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
            got = cold.minimum(c)
            statuses.add(want.status)
            assert got.status == want.status
            if want.status == 0:
                assert got.fun == want.fun
                assert np.array_equal(got.eq_marginals, want.eqlin.marginals)
    assert statuses == {0, 2, 3}  # the comparison covered optima, contradictions and unbounded objectives


def test_the_warm_started_solver_finds_the_cold_solvers_bounds_for_every_objective_in_turn() -> None:
    """The audit clears cells with one warm-started HiGHS model per block; its minima and maxima must be
    linprog's (a fresh model per objective) for every objective of a sequence, and it must decline where an
    objective is unbounded or the rows contradict, so that the cold solver decides those."""
    import numpy as np
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix

    from publication.disclosure.solver import WarmLp

    rng = np.random.default_rng(7)
    for _ in range(5):
        n, m = 60, 25
        a_eq = csr_matrix(rng.integers(0, 2, (m, n)) * (rng.random((m, n)) < 0.2))
        b_eq = a_eq @ rng.integers(0, 40, n).astype(float)
        pairs = rng.integers(0, n, (10, 2))
        a_ub = csr_matrix((np.r_[np.ones(10), -np.ones(10)], (np.r_[np.arange(10), np.arange(10)],
                                                              np.r_[pairs[:, 0], pairs[:, 1]])), shape=(10, n))
        warm = WarmLp(a_eq, b_eq, a_ub, np.zeros(10), n)
        for _ in range(20):
            c = rng.integers(-2, 3, n) * (rng.random(n) < 0.15)
            kw = {"A_eq": a_eq, "b_eq": b_eq, "A_ub": a_ub, "b_ub": np.zeros(10), "bounds": (0, None),
                  "method": "highs"}
            lo, hi = linprog(c, **kw), linprog(-c, **kw)
            got = warm.bounds(c)
            if lo.status == 0 and hi.status == 0:
                assert got is not None and np.allclose(got, (lo.fun, -hi.fun), rtol=0, atol=1e-7)
            else:
                assert got is None  # unbounded: left to the cold solver
    contradiction = WarmLp(csr_matrix(np.ones((2, 3))), np.array([1.0, 2.0]), None, None, 3)
    assert contradiction.bounds(np.array([1.0, 0.0, 0.0])) is None
    unbounded = WarmLp(csr_matrix(np.array([[1.0, 1.0, 0.0]])), np.array([5.0]), None, None, 3)
    assert unbounded.bounds(np.array([0.0, 0.0, 1.0])) is None  # nothing caps the third atom
    assert unbounded.bounds(np.array([1.0, 0.0, 0.0])) == (0.0, 5.0)  # and the model still answers after it


def test_an_audit_solved_in_threads_finds_exactly_what_one_thread_finds(monkeypatch) -> None:
    """Large audits solve their independent blocks in threads (HiGHS releases the GIL): every protection
    pattern, finding, bound and basis must be the one of a single thread. Four unrelated catalogues in one
    make four blocks per quantity family; the threshold is lowered so that this small Kreis uses threads."""
    import threading

    from publication.disclosure import block

    merged = _catalogue(
        [{"id": "quote", "numerator": [{"measure": "hilfen"}], "denominator": [{"measure": "kinder"}],
          "unit": "prozent"},
         {"id": "kinderarmut", "numerator": [{"measure": "sgb2", "age": [0, 14]}],
          "denominator": [{"measure": "bev", "age": [0, 14]}], "unit": "prozent"},
         {"id": "jugendarmut", "numerator": [{"measure": "sgb2", "age": [15, 17]}],
          "denominator": [{"measure": "bev", "age": [15, 17]}], "unit": "prozent"},
         {"id": "u18_sgb2", "numerator": [{"measure": "sgb2", "age": [0, 17]}],
          "denominator": [{"measure": "bev", "age": [0, 17]}], "unit": "prozent"},
         {"id": "geburten", "numerator": [{"measure": "geburten"}], "unit": "anzahl"},
         {"id": "sterbefaelle", "numerator": [{"measure": "sterbefaelle"}], "unit": "anzahl"},
         {"id": "nat_saldo", "numerator": [{"measure": "geburten"}, {"measure": "sterbefaelle", "factor": -1}],
          "unit": "anzahl"},
         {"id": "alleinerziehende_bg", "numerator": [{"measure": "bg_allein"}],
          "denominator": [{"measure": "bg_kinder"}], "unit": "prozent", "share_of_group": True}],
        {"hilfen": {}, "kinder": {}, "sgb2": {"dimensions": ["alter"]}, "bev": {"dimensions": ["alter"]},
         "geburten": {}, "sterbefaelle": {}, "bg_allein": {"part_of": "bg_kinder"}, "bg_kinder": {}})
    rows = _rows(merged, {**QUOTE_DATA, **AGES_DATA, **BALANCE_DATA, **GROUP_DATA})
    solved_in: list[str] = []
    solve = block.solve
    monkeypatch.setattr(block, "solve", lambda b: solved_in.append(threading.current_thread().name) or solve(b))

    def everything(threads: int) -> tuple:
        monkeypatch.setenv(block.THREADS_ENV, str(threads))
        p = protect(rows, merged, HIERARCHY)
        return p.public, p.hidden, p.findings, p.rounds, attack(rows, _primary_only(rows, merged), merged, HIERARCHY)

    alone = everything(1)
    assert not [name for name in solved_in if name.startswith("audit")]
    monkeypatch.setattr(block, "THREADS_FROM", 0)
    assert everything(2) == alone
    assert [name for name in solved_in if name.startswith("audit")]  # the threads did solve blocks
    assert alone[4] and all(f.basis for f in alone[4])  # findings with the cells they rest on were compared


def test_twin_columns_merged_give_every_bound_the_unmerged_block_gives(monkeypatch) -> None:
    """A large block's twins (columns no row or target tells apart) are summed into one column before it is
    solved: every interval must be the one of the block as built."""
    import numpy as np

    from publication.disclosure import block as b

    rng = np.random.default_rng(11)
    compared = merged_away = 0
    for _ in range(6):
        distinct, m = 40, 18
        copies = rng.integers(1, 4, distinct)  # each distinct column 1–3 times
        of = np.repeat(np.arange(distinct), copies)  # a column's distinct column
        n = len(of)
        base = rng.integers(1, 4, (m, distinct)) * (rng.random((m, distinct)) < 0.25)
        truth_x = rng.integers(0, 6, n).astype(float)
        expanded = base[:, of].astype(float)  # every copy of a column has its coefficients
        eq = [(np.flatnonzero(row), row[np.flatnonzero(row)]) for row in expanded]
        whole, part = rng.choice(distinct, 2, replace=False)
        ub = [(np.r_[np.flatnonzero(of == part), np.flatnonzero(of == whole)],
               np.r_[np.ones(copies[part]), -np.ones(copies[whole])])]
        truth_x[of == part] = 0  # part ≤ whole holds for the truth
        targets = []
        for i in range(8):
            pick = rng.choice(distinct, 3, replace=False)
            columns = np.flatnonzero(np.isin(of, pick))
            targets.append(b.Target(i, columns, np.ones(len(columns)), 0.0, 3, float(truth_x[columns].sum())))
        block = b.Block(n=n, eq=eq, rhs=np.array([coefs @ truth_x[cols] for cols, coefs in eq]),
                        keys=[("s", f"r{r}") for r in range(m)], assumed=np.zeros(m, dtype=bool), ub=ub,
                        integral=np.ones(n, dtype=int) * (rng.random() < 0.5), targets=targets)
        merged = b.merge_twins(block)
        assert merged.n <= distinct < n
        merged_away += n - merged.n
        monkeypatch.setattr(b, "MERGE_FROM", 10**9)
        as_built = b.solve(block)
        monkeypatch.setattr(b, "MERGE_FROM", 0)
        twins_merged = b.solve(block)
        assert [(x.index, x.error) for x in twins_merged] == [(x.index, x.error) for x in as_built]
        for x, y in zip(twins_merged, as_built, strict=True):
            assert np.allclose([x.low, x.high], [y.low, y.high], rtol=0, atol=1e-7, equal_nan=True)
            compared += 1
    assert compared >= 40 and merged_away > 100
