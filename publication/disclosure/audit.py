"""The attack audit: the interval an attacker derives for a hidden cell from everything published.

For each sensitive hidden cell (the caller names them: primary, or hidden in an earlier release), linear
programming (HiGHS) minimises and maximises its expression subject to every published cell of the release
(and of earlier releases still reachable, where their values are unchanged — an attacker who assumes so is
right there), `part ≤ whole`, and atoms ≥ 0. Earlier Stichtage add what this one repeats (the population a
year and five years before is the population published then): an attacker can only *assume* that those
cells were not revised since, so where the assumption contradicts this release, or excludes the truth, it
misleads them and the bound is taken without it. Where the LP interval is narrow,
a mixed-integer programme with integral counts gives the exact bounds. The audit fails on any such cell
whose interval is narrower than its protection (k, the quantity's minimum cell size): that includes exact
recovery. Each finding carries the published cells its bound rests on (the non-zero duals), which is what
secondary suppression hides next.

The system splits into independent blocks (atoms never tied by a published cell); each block with a hidden
cell is solved on its own, which keeps a release of ~7,000 cells to seconds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from kernel.catalogue import Catalogue
from publication.disclosure.model import Atom, Hierarchy, Release, Signature, counts_persons, ordered

Key = tuple[Signature, str]
EPS = 1e-6


class ModelError(RuntimeError):
    """The published cells contradict the model's relations: a catalogue relation does not hold."""


@dataclass(frozen=True)
class Finding:
    """A hidden cell an attacker bounds too narrowly. `low`/`high` are restricted (derived from truth)."""

    sig: Signature
    area: str
    kpi_id: str
    side: str
    low: float
    high: float
    protection: int
    basis: tuple[Key, ...]  # published cells the bound rests on

    def public_text(self) -> str:
        """For logs and the audit file: names the cell and the width of its interval, never a value."""
        return (f"{self.kpi_id} ({'Zähler' if self.side == 'numerator' else 'Nenner'}) in {self.area}: "
                f"ableitbar auf eine Spanne von {self.high - self.low:g} < {self.protection}")


class _System:
    def __init__(self, releases: list[tuple[Release, set[Key]]], hierarchy: Hierarchy,
                 catalogue: Catalogue) -> None:
        self.var: dict[tuple[Atom, str], int] = {}
        self.rows: list[tuple[dict[int, float], float, Key | None]] = []  # (coefs, rhs, published cell)
        self.assumed: set[int] = set()  # rows from an earlier Stichtag, true only if it was not revised
        self.ub: list[dict[int, float]] = []
        self.hierarchy, self.catalogue = hierarchy, catalogue
        current = releases[0][0]
        for index, (rel, rel_hidden) in enumerate(releases):
            for key, cell in rel.ordered_cells:
                if key in rel_hidden or cell.sig not in rel.expressions or not rel.expressions[cell.sig]:
                    continue
                if index > 0 and not rel.assumed:  # an earlier release: only where the value is the same
                    now = current.cells.get(key)
                    if now is None or now.truth != cell.truth:
                        continue
                rhs = cell.truth
                known = True
                for measure, factor in rel.constants[cell.sig]:
                    v = rel.external_values.get((measure, cell.area))
                    if v is None:
                        known = False
                        break
                    rhs -= factor * v
                if known:
                    if rel.assumed:
                        self.assumed.add(len(self.rows))
                    self.rows.append((self.expression(rel, key), rhs, key if index == 0 else None))
        self._parts()

    def expression(self, rel: Release, key: Key) -> dict[int, float]:
        sig, area = key
        out: dict[int, float] = defaultdict(float)
        for g in self.hierarchy.members(area):
            for atom, coef in rel.expressions[sig].items():
                i = self.var.setdefault((atom, g), len(self.var))
                out[i] += coef
        return dict(out)

    def _parts(self) -> None:
        by_measure: dict[tuple[str, str], list[int]] = defaultdict(list)
        for (atom, g), i in self.var.items():
            by_measure[(atom[0], g)].append(i)
        for (measure, g), part in sorted(by_measure.items()):
            whole = self.catalogue.measures[measure].get("part_of")
            if whole and (whole, g) in by_measure:
                row = dict.fromkeys(part, 1.0)
                for i in by_measure[(whole, g)]:
                    row[i] = row.get(i, 0.0) - 1.0
                self.ub.append(row)

    def blocks(self, targets: list[dict[int, float]]) -> list[tuple[list[int], list[int], list[int], list[int]]]:
        """(variables, equality rows, inequality rows, targets) of each independent block with a target."""
        parent = list(range(len(self.var)))

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for coefs in [r[0] for r in self.rows] + self.ub + targets:
            it = iter(coefs)
            first = next(it, None)
            for j in it:
                a, b = find(first), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
        out: dict[int, tuple[list[int], list[int], list[int], list[int]]] = {}
        for ti, t in enumerate(targets):
            out.setdefault(find(next(iter(t))), ([], [], [], []))[3].append(ti)
        for v in range(len(self.var)):
            if find(v) in out:
                out[find(v)][0].append(v)
        for ri, (coefs, _, _) in enumerate(self.rows):
            if coefs and find(next(iter(coefs))) in out:
                out[find(next(iter(coefs)))][1].append(ri)
        for ri, coefs in enumerate(self.ub):
            if find(next(iter(coefs))) in out:
                out[find(next(iter(coefs)))][2].append(ri)
        return [out[r] for r in sorted(out)]


def _matrix(rows: list[dict[int, float]], col: dict[int, int]):
    from scipy.sparse import csr_matrix

    data, ri, ci = [], [], []
    for r, coefs in enumerate(rows):
        for v, c in coefs.items():
            if c:
                data.append(c)
                ri.append(r)
                ci.append(col[v])
    return csr_matrix((data, (ri, ci)), shape=(len(rows), len(col)))


def audit(releases: list[tuple[Release, set[Key]]], hierarchy: Hierarchy, catalogue: Catalogue,
          protection: dict[Signature, int], only: set[Key] | None = None) -> list[Finding]:
    """Findings for the hidden cells of the first release (`only`: of these cells), deterministic order."""
    current, hidden = releases[0]
    system = _System(releases, hierarchy, catalogue)
    keys = ordered(k for k in hidden if k in current.cells and current.expressions.get(k[0])
                  and (only is None or k in only))
    targets, target_keys, offsets = [], [], []
    for key in keys:
        offset = 0.0
        for measure, factor in current.constants[key[0]]:
            v = current.external_values.get((measure, key[1]))
            offset = math.nan if v is None else offset + factor * v
        if math.isnan(offset):
            continue  # an official term the attacker does not know either: nothing to solve against
        targets.append(system.expression(current, key))
        target_keys.append(key)
        offsets.append(offset)
    names = {i: name for name, i in system.var.items()}
    findings = []
    for variables, eq_rows, ub_rows, tis in system.blocks(targets):
        col = {v: i for i, v in enumerate(variables)}
        integral = np.array([counts_persons(names[v][0][0], catalogue) for v in variables], dtype=int)
        certain = [r for r in eq_rows if r not in system.assumed]
        full = _Constraints(system, eq_rows, ub_rows, col)
        without_assumed: _Constraints | None = None  # built once, and only if an assumption misleads
        for ti in tis:
            key, offset = target_keys[ti], offsets[ti]
            c = np.zeros(len(variables))
            for v, coef in targets[ti].items():
                c[col[v]] = coef
            truth = current.cells[key].truth
            bounds = full.bounds(c, offset, protection[key[0]], integral)
            if len(certain) < len(eq_rows) and (bounds is None or not bounds[0] - EPS <= truth <= bounds[1] + EPS):
                # the earlier Stichtag was revised since: its cells mislead, and a careful attacker drops them
                without_assumed = without_assumed or _Constraints(system, certain, ub_rows, col)
                bounds = without_assumed.bounds(c, offset, protection[key[0]], integral)
            if bounds is None:
                raise ModelError(f"{key[1]}: the published cells contradict the catalogue's relations")
            lo, hi, basis = bounds
            if not lo - EPS <= truth <= hi + EPS:
                raise ModelError(f"{key[1]}: the model excludes the true value of a hidden cell")
            k = protection[key[0]]
            if hi - lo < k - EPS:
                kpi_id, side = current.cells[key].kpis[0]
                findings.append(Finding(key[0], key[1], kpi_id, side, lo, hi, k,
                                        tuple(ordered(b for b in basis if b is not None))))
    return sorted(findings, key=lambda f: (f.area, f.kpi_id, f.side, repr(f.sig)))


class _Constraints:
    """The equations and inequalities of one block, as matrices over its variables."""

    def __init__(self, system: _System, eq_rows: list[int], ub_rows: list[int], col: dict[int, int]) -> None:
        self.keys = [system.rows[r][2] for r in eq_rows]
        self.a_eq = _matrix([system.rows[r][0] for r in eq_rows], col) if eq_rows else None
        self.b_eq = np.array([system.rows[r][1] for r in eq_rows]) if eq_rows else None
        self.a_ub = _matrix([system.ub[r] for r in ub_rows], col) if ub_rows else None
        self.b_ub = np.zeros(len(ub_rows)) if ub_rows else None

    def bounds(self, c: np.ndarray, offset: float, k: int,
               integral: np.ndarray) -> tuple[float, float, set[Key | None]] | None:
        """(low, high, the published cells the bounds rest on) of c·x + offset; None if the rows contradict."""
        from scipy.optimize import Bounds, LinearConstraint, linprog, milp

        kw = {"A_eq": self.a_eq, "b_eq": self.b_eq, "A_ub": self.a_ub, "b_ub": self.b_ub, "bounds": (0, None),
              "method": "highs"}
        lo_res, hi_res = linprog(c, **kw), linprog(-c, **kw)
        if lo_res.status == 2 or hi_res.status == 2:
            return None
        lo = lo_res.fun + offset if lo_res.status == 0 else -math.inf
        hi = -hi_res.fun + offset if hi_res.status == 0 else math.inf
        # the LP interval contains the integer one: only a pass whose integer hull may be narrower
        # than k is worth the mixed-integer programme
        if (hi - lo >= k - EPS and integral.any() and math.isfinite(lo) and math.isfinite(hi)
                and math.floor(hi + EPS) - math.ceil(lo - EPS) < k + 1):
            cons = [LinearConstraint(self.a_eq, self.b_eq, self.b_eq)] if self.a_eq is not None else []
            if self.a_ub is not None:
                cons.append(LinearConstraint(self.a_ub, -np.inf, self.b_ub))
            for sign in (1, -1):
                res = milp(sign * c, constraints=cons, integrality=integral, bounds=Bounds(0, np.inf))
                if res.status == 0:
                    if sign == 1:
                        lo = max(lo, res.fun + offset)
                    else:
                        hi = min(hi, -res.fun + offset)
        basis: set[Key | None] = set()
        for res in (lo_res, hi_res):
            if res.status == 0 and res.eqlin is not None:
                basis |= {self.keys[j] for j, m in enumerate(res.eqlin.marginals) if abs(m) > 1e-9}
        return lo, hi, basis
