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
cell is solved on its own (block.py: one after the other, or several at once in threads where the blocks are
large), which keeps a release of ~7,000 cells to seconds.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from kernel.catalogue import Catalogue
from publication.disclosure.block import EPS, Block, Key, Row, Target, solve_all
from publication.disclosure.model import Atom, Hierarchy, Release, Signature, counts_persons, ordered


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


class Expansions:
    """Each published cell's expression over (atom, Gemeinde) pairs, expanded once for all audit rounds of a
    release: the pairs numbered once (`pair_ids`), each cell's distinct pairs in order of appearance with
    their summed coefficients. A round's system then only numbers its variables (numpy), instead of
    walking every cell's atoms and Gemeinden again."""

    def __init__(self, hierarchy: Hierarchy) -> None:
        self.hierarchy = hierarchy
        self.pair_ids: dict[tuple[Atom, str], int] = {}
        self.pairs: list[tuple[Atom, str]] = []
        self._cells: dict[tuple[int, Key], Row] = {}
        self._releases: dict[int, Release] = {}  # kept alive: their ids key the cache

    def cell(self, rel: Release, key: Key) -> Row:
        found = self._cells.get((id(rel), key))
        if found is not None:
            return found
        self._releases[id(rel)] = rel
        sums: dict[int, float] = {}
        sig, area = key
        for g in self.hierarchy.members(area):
            for atom, coef in rel.expressions[sig].items():
                pair = (atom, g)
                i = self.pair_ids.get(pair)
                if i is None:
                    i = self.pair_ids[pair] = len(self.pairs)
                    self.pairs.append(pair)
                sums[i] = sums.get(i, 0.0) + coef
        row = (np.fromiter(sums, dtype=np.int64, count=len(sums)),
               np.fromiter(sums.values(), dtype=float, count=len(sums)))
        self._cells[(id(rel), key)] = row
        return row


class _System:
    def __init__(self, releases: list[tuple[Release, set[Key]]], hierarchy: Hierarchy,
                 catalogue: Catalogue, expansions: Expansions | None = None) -> None:
        self.var: dict[tuple[Atom, str], int] = {}
        self.rows: list[tuple[Row, float, Key | None]] = []  # (expression, rhs, published cell)
        self.assumed: set[int] = set()  # rows from an earlier Stichtag, true only if it was not revised
        self.ub: list[Row] = []
        self.catalogue = catalogue
        self.expansions = expansions = expansions or Expansions(hierarchy)
        current = releases[0][0]
        cells: list[Row] = []
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
                    cells.append(expansions.cell(rel, key))
                    self.rows.append((cells[-1], rhs, key if index == 0 else None))
        self._number(cells, expansions)
        self.rows = [((self._of_pair[ids], coefs), rhs, key) for (ids, coefs), rhs, key in self.rows]
        self._parts()

    def _number(self, cells: list[Row], expansions: Expansions) -> None:
        """Variables numbered in order of first appearance over the rows, as walking the rows would."""
        self._of_pair = np.full(len(expansions.pairs), -1, dtype=np.int64)
        if not cells:
            return
        ids = np.concatenate([c[0] for c in cells])
        distinct, first = np.unique(ids, return_index=True)
        in_order = distinct[np.argsort(first, kind="stable")]
        self._of_pair[in_order] = np.arange(len(in_order))
        self.var = {expansions.pairs[i]: n for n, i in enumerate(in_order.tolist())}

    def expression(self, rel: Release, key: Key) -> dict[int, float]:
        """A cell over this system's variables (a hidden one: a target); pairs in no row get the next numbers."""
        ids, coefs = self.expansions.cell(rel, key)
        out: dict[int, float] = {}
        for i, coef in zip(ids.tolist(), coefs.tolist(), strict=True):
            v = int(self._of_pair[i]) if i < len(self._of_pair) else -1
            if v < 0:
                v = self.var.setdefault(self.expansions.pairs[i], len(self.var))
            out[v] = coef
        return out

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
                self.ub.append((np.fromiter(row, dtype=np.int64, count=len(row)),
                                np.fromiter(row.values(), dtype=float, count=len(row))))

    def blocks(self, targets: list[dict[int, float]]) -> list[tuple[list[int], list[int], list[int], list[int]]]:
        """(variables, equality rows, inequality rows, targets) of each independent block with a target, in
        the order of their smallest variable; within a block, each list ascending."""
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        if not targets:
            return []
        n = len(self.var)
        exprs = ([r[0][0] for r in self.rows] + [u[0] for u in self.ub]
                 + [np.fromiter(t, dtype=np.int64, count=len(t)) for t in targets])
        firsts = np.array([e[0] for e in exprs], dtype=np.int64)
        sizes = np.array([len(e) for e in exprs], dtype=np.int64)
        linked = coo_matrix((np.ones(int(sizes.sum())), (np.repeat(firsts, sizes), np.concatenate(exprs))),
                            shape=(n, n))
        _, label = connected_components(linked, directed=False)
        smallest = np.full(label.max() + 1, n, dtype=np.int64)
        np.minimum.at(smallest, label, np.arange(n))
        root = smallest[label]  # each variable's block, named by its smallest variable
        out: dict[int, tuple[list[int], list[int], list[int], list[int]]] = {}
        for ti, t in enumerate(targets):
            out.setdefault(int(root[next(iter(t))]), ([], [], [], []))[3].append(ti)
        wanted = np.fromiter(out, dtype=np.int64, count=len(out))
        for v in np.flatnonzero(np.isin(root, wanted)).tolist():
            out[int(root[v])][0].append(v)
        first_roots = root[firsts]
        for ri in np.flatnonzero(np.isin(first_roots[:len(self.rows)], wanted)).tolist():
            out[int(first_roots[ri])][1].append(ri)
        ub_roots = first_roots[len(self.rows):len(self.rows) + len(self.ub)]
        for ri in np.flatnonzero(np.isin(ub_roots, wanted)).tolist():
            out[int(ub_roots[ri])][2].append(ri)
        return [out[r] for r in sorted(out)]


def audit(releases: list[tuple[Release, set[Key]]], hierarchy: Hierarchy, catalogue: Catalogue,
          protection: dict[Signature, int], only: set[Key] | None = None,
          expansions: Expansions | None = None) -> list[Finding]:
    """Findings for the hidden cells of the first release (`only`: of these cells), deterministic order.
    `expansions`: shared by the rounds of one protection (the same releases each round)."""
    current, hidden = releases[0]
    system = _System(releases, hierarchy, catalogue, expansions)
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
    blocks = []
    for variables, eq_rows, ub_rows, tis in system.blocks(targets):
        columns = np.full(len(system.var), -1, dtype=np.int64)
        columns[variables] = np.arange(len(variables))
        block_targets = []
        for ti in tis:
            t = targets[ti]
            block_targets.append(Target(ti, columns[np.fromiter(t, dtype=np.int64, count=len(t))],
                                        np.fromiter(t.values(), dtype=float, count=len(t)), offsets[ti],
                                        protection[target_keys[ti][0]], current.cells[target_keys[ti]].truth))
        blocks.append(Block(
            n=len(variables),
            eq=[(columns[system.rows[r][0][0]], system.rows[r][0][1]) for r in eq_rows],
            rhs=np.array([system.rows[r][1] for r in eq_rows], dtype=float),
            keys=[system.rows[r][2] for r in eq_rows],
            assumed=np.array([r in system.assumed for r in eq_rows], dtype=bool),
            ub=[(columns[system.ub[r][0]], system.ub[r][1]) for r in ub_rows],
            integral=np.array([counts_persons(names[v][0][0], catalogue) for v in variables], dtype=int),
            targets=block_targets))
    findings = []
    for bounds in solve_all(blocks):
        for b in bounds:
            key = target_keys[b.index]
            if b.error is not None:
                raise ModelError(f"{key[1]}: {b.error}")
            k = protection[key[0]]
            if b.high - b.low < k - EPS:
                kpi_id, side = current.cells[key].kpis[0]
                findings.append(Finding(key[0], key[1], kpi_id, side, b.low, b.high, k,
                                        tuple(ordered(x for x in b.basis if x is not None))))
    return sorted(findings, key=lambda f: (f.area, f.kpi_id, f.side, repr(f.sig)))
