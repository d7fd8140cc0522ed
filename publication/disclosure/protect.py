"""Secondary suppression chosen against the attack audit's own model, so that a passed audit means what it says.

1. Primary cells (rules.py), plus every cell hidden in an earlier release of the same Stichtag that is still
   reachable (a new Datenstand keeps the old pattern, so comparing the two releases gives nothing back).
2. The hierarchy rule as a cheap first pass: a group (Amt or Kreis and its Gemeinden) with exactly one hidden
   cell of a quantity gets a second one, the smallest other Gemeinde with cases, preferring one that sits in
   no smaller published group (an amtsfrei Gemeinde: an Amt member is given away by the Amt total).
3. Then, until the audit of the cells of step 1 passes (each gets its protection interval; secondary
   cells are hidden for their sake and need none of their own, as in τ-ARGUS): each finding's bound rests
   on some published cells (the LP's non-zero duals); the smallest of them that is our own data is hidden
   (after ESCALATE_AFTER rounds: all of them), and the audit runs again. Official cells are never hidden:
   their offices publish them anyway.

Every choice is ordered by value and key, so the pattern is deterministic and the outputs byte-reproducible.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from kernel.catalogue import Catalogue
from publication.disclosure.audit import Expansions, Finding, Key, audit
from publication.disclosure.model import (
    OWN_LEVELS,
    Atoms,
    Hierarchy,
    Release,
    ordered,
    release,
    shifted,
    sides,
    signature,
)
from publication.disclosure.rules import min_cells, primary

SUPPRESSED = "gesperrt"
YearBefore = tuple[list[dict], list[dict], dict[str, str]]  # restricted rows, public rows, measure renaming
ESCALATE_AFTER = 10  # audit rounds that hide one cell per finding before the whole basis goes


@dataclass
class Protection:
    public: list[dict]
    hidden: dict[Key, str]  # cell → why: klein, gruppe, frueher (an earlier release), sekundaer
    findings: list[Finding]
    rounds: int

    @property
    def passed(self) -> bool:
        return not self.findings

    def loss(self) -> dict[str, dict[str, int]]:
        """Rows of own data hidden per KPI and level (information loss), with the rows published there."""
        out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for r in self.public:
            if r["gebiet_ebene"] in OWN_LEVELS:
                out[r["kpi_id"]][f"{r['gebiet_ebene']}_gesamt"] += 1
                if r["status"] == SUPPRESSED:
                    out[r["kpi_id"]][f"{r['gebiet_ebene']}_gesperrt"] += 1
        return {k: dict(v) for k, v in sorted(out.items())}


def _hierarchy_pass(rel: Release, hidden: dict[Key, str], hierarchy: Hierarchy) -> None:
    in_groups = Counter(c for _, children in hierarchy.groups for c in children)
    changed = True
    while changed:
        changed = False
        for sig in ordered(rel.hideable):
            for parent, children in hierarchy.groups:
                members = [parent, *children]
                if (sig, parent) not in rel.cells or sum((sig, m) in hidden for m in members) != 1:
                    continue
                candidates = sorted((in_groups[c] > 1, rel.cells[(sig, c)].truth, c) for c in children
                                    if (sig, c) in rel.cells and (sig, c) not in hidden
                                    and rel.cells[(sig, c)].truth > 0)
                pick = candidates[0][2] if candidates else (parent if (sig, parent) not in hidden else None)
                if pick is not None:
                    hidden[(sig, pick)] = "sekundaer"
                    changed = True


def protect(rows: list[dict], catalogue: Catalogue, hierarchy: Hierarchy,
            earlier: list[tuple[list[dict], list[dict]]] = (), years_before: list[YearBefore] = (),
            max_rounds: int = 60) -> Protection:
    """The public rows of a release and its proof. `earlier`: (restricted rows, public rows) of releases of
    the same Stichtag that are still reachable; `years_before`: those of earlier Stichtage that this one
    repeats measures of, with the renaming (`model.years_before`). All their published cells are in the
    attacker's model."""
    rel, old, last_years = _releases(rows, earlier, years_before, catalogue)
    protection = min_cells(rel, catalogue)
    hidden: dict[Key, str] = dict(primary(rel, catalogue))
    for _, old_hidden in old:
        for key in ordered(old_hidden):
            if key in rel.cells and rel.cells[key].sig in rel.hideable:
                hidden.setdefault(key, "frueher")
    sensitive = _sensitive(rel, old, catalogue)
    _hierarchy_pass(rel, hidden, hierarchy)
    rounds = 0
    expansions = Expansions(hierarchy)  # the releases' cells expanded once for every round
    findings = audit([(rel, set(hidden)), *old, *last_years], hierarchy, catalogue, protection, only=sensitive,
                     expansions=expansions)
    while findings and rounds < max_rounds:
        rounds += 1
        before = set(hidden)
        for f in findings:
            candidates = sorted((abs(rel.cells[b].truth), b[1], repr(b[0]), b) for b in f.basis
                                if b not in hidden and b[0] in rel.hideable)
            # the smallest cell first (least loss); a finding still open after ESCALATE_AFTER rounds rests on
            # many cells, and hiding one per round would take as many rounds: then all of its basis goes
            for *_, cell in candidates[:1] if rounds <= ESCALATE_AFTER else candidates:
                hidden[cell] = "sekundaer"
        if set(hidden) == before:
            break  # the bounds rest on official cells alone: nothing of ours left to hide
        _hierarchy_pass(rel, hidden, hierarchy)
        # Hiding a cell only removes equations, so every interval can only widen: cells that passed still
        # pass, and only the open findings need solving again.
        findings = audit([(rel, set(hidden)), *old, *last_years], hierarchy, catalogue, protection,
                         only={(f.sig, f.area) for f in findings}, expansions=expansions)
    return Protection(apply(rows, hidden, catalogue), hidden, findings, rounds)


def _releases(rows: list[dict], earlier: list[tuple[list[dict], list[dict]]], years_before: list[YearBefore],
              catalogue: Catalogue) -> tuple[Release, list[tuple[Release, set[Key]]], list[tuple[Release, set[Key]]]]:
    """The release in the model, each earlier one of the Stichtag and each of an earlier Stichtag (read into
    this one), with the cells its public table hides."""
    atoms = Atoms(catalogue)
    return (release(rows, catalogue, atoms),
            [(release(r, catalogue, atoms), hidden_cells(p, catalogue)) for r, p in earlier],
            [(shifted(release(r, catalogue, atoms), rename, atoms), hidden_cells(p, catalogue))
             for r, p, rename in years_before])


def _sensitive(rel: Release, old: list[tuple[Release, set[Key]]], catalogue: Catalogue) -> set[Key]:
    """The cells that need a protection interval: primary now, or primary in an earlier release (the old
    pattern's secondary cells stay hidden too, but for the old primaries' sake)."""
    out = set(primary(rel, catalogue))
    for old_rel, _ in old:
        out |= {k for k in primary(old_rel, catalogue) if k in rel.cells and k[0] in rel.hideable}
    return out


def hidden_cells(public: list[dict], catalogue: Catalogue) -> set[Key]:
    """The cells a public table hides: every NULL side of a `gesperrt` row."""
    kpis = {k.id: k for k in catalogue.kpis}
    out: set[Key] = set()
    for r in public:
        k = kpis.get(r["kpi_id"])
        if k is None or r["gebiet_ebene"] not in OWN_LEVELS or r["status"] != SUPPRESSED:
            continue
        for side, terms in sides(k):
            if terms and r[side] is None:
                out.add((signature(terms), r["gebiet_id"]))
    return out


def apply(rows: list[dict], hidden: dict[Key, str], catalogue: Catalogue) -> list[dict]:
    """Public rows: a hidden side is NULL, and so is the value; the row's status is `gesperrt`. The other
    side stays published (a suppressed SGB II count does not hide the Gemeinde's population)."""
    kpis = {k.id: k for k in catalogue.kpis}
    out = []
    for r in rows:
        r = dict(r)
        k = kpis.get(r["kpi_id"])
        if k is not None and r["gebiet_ebene"] in OWN_LEVELS:
            gone = [side for side, terms in sides(k) if terms and (signature(terms), r["gebiet_id"]) in hidden]
            if gone:
                r.update({side: None for side in gone}, value=None, status=SUPPRESSED)
        out.append(r)
    return out


def attack(rows: list[dict], public: list[dict], catalogue: Catalogue, hierarchy: Hierarchy,
           earlier: list[tuple[list[dict], list[dict]]] = (), years_before: list[YearBefore] = ()) -> list[Finding]:
    """The audit of a public table as published, independent of how it was made: the hidden cells are read
    off the table itself, the sensitive ones follow from the catalogue's rules and the earlier releases,
    and every earlier release still reachable is in the model. A sensitive cell the table publishes is a
    finding of its own (an interval of width 0)."""
    rel, old, last_years = _releases(rows, earlier, years_before, catalogue)
    hidden = hidden_cells(public, catalogue)
    sensitive = _sensitive(rel, old, catalogue)
    published = [Finding(k[0], k[1], *rel.cells[k].kpis[0], rel.cells[k].truth, rel.cells[k].truth,
                         min_cells(rel, catalogue)[k[0]], ()) for k in ordered(sensitive - hidden)]
    return published + audit([(rel, hidden), *old, *last_years], hierarchy, catalogue, min_cells(rel, catalogue),
                             only=sensitive)
