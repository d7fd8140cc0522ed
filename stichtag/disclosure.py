"""Disclosure control for the public zone: primary and secondary cell suppression, and the attack audit.

Cells are protected per *quantity*: a numerator or denominator with its exact terms (measure, ages, sex,
citizenship). Several KPIs publish the same quantity (the children under 18 are the numerator of
`anteil_u18` and the denominator of `u18_sgb2`), so a quantity hidden in one area is hidden in every KPI
that shows it there.

* Primary: a count quantity with 1 … k−1 cases in an area (k = the KPI's `min_cell`, default 3) is hidden;
  zero stays zero (it reveals nothing about a person).
* Secondary: along the hierarchy Gemeinde → Amt → Kreis a hidden cell must not be recoverable by
  subtraction: a group (parent and its children) with exactly one hidden cell gets a second one, the
  smallest other child with cases (ties by key), until no group has a single hidden cell; then, while
  the audit still finds an interval too narrow, each such cell's groups hide one more cell (`protect`).
  A heuristic of our own (no optimal cell selection as τ-ARGUS's), proven by the audit below.
* Audit: for every hidden cell, linear programming (HiGHS) over everything published — each published
  parent is the sum of its children, counts are ≥ 0 — gives the interval an attacker can derive; the
  audit fails if any interval is narrower than the protection (default k).

Only quantities counted from the district's own systems are protected here: official statistics arrive
protected by their offices (`*`, `.`), and their status is kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from stichtag.catalogue import Catalogue, Term

NON_COUNTS = {"alterssumme", "flaeche_km2"}  # sums of ages, areas: not numbers of persons
SUPPRESSED = "gesperrt"
OWN_LEVELS = ("gemeinde", "amt", "kreis")


Signature = tuple


def _signature(terms: tuple[Term, ...]) -> Signature:
    return tuple(sorted((t.measure, t.factor, t.age_from, t.age_to, t.sex, t.german) for t in terms))


def _is_count(terms: tuple[Term, ...], catalogue: Catalogue) -> bool:
    """A quantity of persons or cases: count measures of the own systems, no negative terms (a balance)."""
    return bool(terms) and all(
        t.measure not in NON_COUNTS and t.factor > 0 and catalogue.measures[t.measure].get("source") != "amtlich"
        for t in terms)


@dataclass(frozen=True)
class Hierarchy:
    """Groups of a parent and the children it is the sum of."""

    groups: tuple[tuple[str, tuple[str, ...]], ...]

    @classmethod
    def of(cls, gemeinden: Iterable) -> Hierarchy:
        amt_children: dict[str, list[str]] = defaultdict(list)
        kreis_children: dict[str, list[str]] = defaultdict(list)
        for g in gemeinden:
            if g.amt_ars:
                amt_children[g.amt_ars].append(g.ags)
            kreis_children[g.kreis_ags].append(g.ags)
        groups = [(amt, tuple(sorted(c))) for amt, c in sorted(amt_children.items())]
        groups += [(kreis, tuple(sorted(c))) for kreis, c in sorted(kreis_children.items())]
        return cls(tuple(groups))


@dataclass
class Quantity:
    signature: Signature
    min_cell: int
    kpis: list[tuple[str, str]]  # (kpi_id, "numerator" | "denominator")


def quantities(catalogue: Catalogue) -> dict[Signature, Quantity]:
    out: dict[Signature, Quantity] = {}
    for k in catalogue.kpis:
        for side, terms in (("numerator", k.numerator), ("denominator", k.denominator)):
            if not _is_count(terms, catalogue):
                continue
            sig = _signature(terms)
            q = out.setdefault(sig, Quantity(sig, k.min_cell, []))
            q.min_cell = max(q.min_cell, k.min_cell)
            q.kpis.append((k.id, side))
    return out


def _values(rows: list[dict], qs: dict[Signature, Quantity]) -> dict[Signature, dict[str, float]]:
    """The value of each quantity in each own area, as the first KPI showing it there has it."""
    by_kpi: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        if r["gebiet_ebene"] in OWN_LEVELS:
            by_kpi[r["kpi_id"]].append(r)
    out: dict[Signature, dict[str, float]] = {}
    for sig, q in qs.items():
        vals: dict[str, float] = {}
        for kpi_id, side in q.kpis:
            for r in by_kpi[kpi_id]:
                if r[side] is not None:
                    vals.setdefault(r["gebiet_id"], r[side])
        out[sig] = vals
    return out


def suppress(rows: list[dict], catalogue: Catalogue, hierarchy: Hierarchy, secondary: bool = True,
             extra: dict[Signature, set[str]] | None = None) -> tuple[list[dict], dict[Signature, set[str]]]:
    """The public rows (hidden cells: value, numerator, denominator NULL, status `gesperrt`) and the hidden
    quantity cells. `extra`: cells to hide in addition (from an audit that found an interval too narrow)."""
    qs = quantities(catalogue)
    values = _values(rows, qs)
    hidden: dict[Signature, set[str]] = {sig: {a for a, v in values[sig].items() if 0 < v < qs[sig].min_cell}
                                         | (extra or {}).get(sig, set()) for sig in qs}
    changed = secondary
    while changed:
        changed = False
        for sig in qs:
            vals, h = values[sig], hidden[sig]
            for parent, children in hierarchy.groups:
                members = [parent, *children]
                if parent not in vals:
                    continue
                n_hidden = sum(m in h for m in members)
                if n_hidden != 1:
                    continue
                candidates = sorted((vals.get(c, 0) == 0, vals.get(c, 0), c) for c in children if c not in h)
                # prefer a child with cases (hiding a known zero protects nothing), smallest first
                pick = next((c for zero, _, c in candidates if not zero), None)
                if pick is None:
                    pick = parent if parent not in h else None
                if pick is not None:
                    h.add(pick)
                    changed = True
    by_kpi_side = {(kpi_id, side): sig for sig, q in qs.items() for kpi_id, side in q.kpis}
    out = []
    for r in rows:
        r = dict(r)
        sigs = [by_kpi_side.get((r["kpi_id"], side)) for side in ("numerator", "denominator")]
        if r["gebiet_ebene"] in OWN_LEVELS and any(s is not None and r["gebiet_id"] in hidden[s] for s in sigs):
            r.update(value=None, numerator=None, denominator=None, status=SUPPRESSED)
        out.append(r)
    return out, hidden


@dataclass(frozen=True)
class Finding:
    signature: Signature
    kpi_id: str
    side: str
    gebiet_id: str
    true_value: float
    low: float
    high: float

    def __str__(self) -> str:
        return (f"{self.kpi_id} ({self.side}) in {self.gebiet_id}: wahr {self.true_value:g}, ableitbar "
                f"[{self.low:g}, {self.high:g}]")


def audit(public: list[dict], restricted: list[dict], catalogue: Catalogue, hierarchy: Hierarchy,
          protection: int | None = None, only: set[Signature] | None = None) -> list[Finding]:
    """Intervals an attacker derives for every hidden count cell from the public rows; the findings are
    the cells whose interval is narrower than the protection (default: the quantity's k)."""
    import numpy as np
    from scipy.optimize import linprog

    qs = quantities(catalogue)
    truth = _values(restricted, qs)
    pub = {(r["kpi_id"], r["gebiet_id"]): r for r in public if r["gebiet_ebene"] in OWN_LEVELS}
    findings = []
    for sig, q in qs.items():
        if only is not None and sig not in only:
            continue
        known: dict[str, float] = {}
        for kpi_id, side in q.kpis:
            for area in truth[sig]:
                r = pub.get((kpi_id, area))
                if r is not None and r[side] is not None:
                    known[area] = r[side]
        unknown = sorted(a for a in truth[sig] if a not in known)
        if not unknown:
            continue
        index = {a: i for i, a in enumerate(unknown)}
        a_eq, b_eq = [], []
        for parent, children in hierarchy.groups:
            members = [parent, *children]
            if not any(m in index for m in members) or any(m not in truth[sig] for m in members):
                continue
            row = np.zeros(len(unknown))
            rhs = 0.0
            for m, coef in [(parent, -1.0)] + [(c, 1.0) for c in children]:
                if m in index:
                    row[index[m]] += coef
                else:
                    rhs -= coef * known[m]
            a_eq.append(row)
            b_eq.append(rhs)
        width = protection if protection is not None else q.min_cell
        for a in unknown:
            c = np.zeros(len(unknown))
            c[index[a]] = 1.0
            bounds = [(0, None)] * len(unknown)
            kw = {"A_eq": np.array(a_eq), "b_eq": np.array(b_eq)} if a_eq else {}
            low = linprog(c, bounds=bounds, method="highs", **kw)
            high = linprog(-c, bounds=bounds, method="highs", **kw)
            lo = low.fun if low.status == 0 else 0.0
            hi = -high.fun if high.status == 0 else float("inf")
            if hi - lo < width - 1e-9:
                kpi_id, side = q.kpis[0]
                findings.append(Finding(sig, kpi_id, side, a, truth[sig][a], lo, hi))
    return findings


def protect(rows: list[dict], catalogue: Catalogue, hierarchy: Hierarchy,
            max_rounds: int = 25) -> tuple[list[dict], list[Finding], int]:
    """Suppression that passes the audit: after the group rule, every cell whose derivable interval is
    still too narrow widens it by hiding one more cell of each of its groups (the smallest other child
    with cases, else the parent), and the audit runs again. Returns (public rows, remaining findings,
    rounds); deterministic, since every choice is ordered by value and key."""
    qs = quantities(catalogue)
    values = _values(rows, qs)
    # a child that is also in a smaller group (a Gemeinde of an Amt, under the Kreis) is no help to a cell
    # of the larger group: the smaller group's published total gives it away; prefer the others (amtsfrei)
    groups_of: dict[str, int] = defaultdict(int)
    for _, children in hierarchy.groups:
        for c in children:
            groups_of[c] += 1
    extra: dict[Signature, set[str]] = defaultdict(set)
    public, hidden = suppress(rows, catalogue, hierarchy)
    findings = audit(public, rows, catalogue, hierarchy)
    rounds = 0
    while findings and rounds < max_rounds:
        rounds += 1
        before = _values(public, qs)
        for f in findings:
            h, vals = hidden[f.signature], values[f.signature]
            for parent, children in hierarchy.groups:
                if f.gebiet_id not in (parent, *children):
                    continue
                candidates = sorted((groups_of[c] > 1, vals.get(c, 0), c) for c in children
                                    if c not in h and vals.get(c, 0) > 0)
                pick = candidates[0][2] if candidates else (parent if parent not in h else None)
                if pick is not None:
                    extra[f.signature].add(pick)
        public, hidden = suppress(rows, catalogue, hierarchy, extra=extra)
        # re-audit the quantities whose published cells changed (hiding a KPI cell hides both its sides);
        # the findings of the others stand
        after = _values(public, qs)
        touched = {sig for sig in qs if before[sig].keys() != after[sig].keys()}
        if not touched:
            break  # nothing left to hide that would help: the final audit reports it
        findings = audit(public, rows, catalogue, hierarchy, only=touched) + [
            f for f in findings if f.signature not in touched]
    if rounds:
        findings = audit(public, rows, catalogue, hierarchy)  # the proof is always over everything
    return public, findings, rounds
